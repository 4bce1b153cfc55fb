package conformance

import (
	"fmt"
	"os"

	"github.com/koobackup/conformance/internal/runrecord"
)

// Profile selects how the register's ambiguities are judged.
type Profile string

const (
	// DefaultProfile accepts every legitimate reading of every register entry.
	DefaultProfile Profile = runrecord.ProfileDefault
	// StrictProfile requires the register's preferred (strict) reading.
	StrictProfile Profile = runrecord.ProfileStrict
)

// ProfileEnvVar overrides the profile of the target file.
const ProfileEnvVar = "CONFORMANCE_PROFILE"

// resolveProfile picks the environment's profile over the file's; anything else is an error.
func resolveProfile(fromFile string) (Profile, error) {
	p := fromFile
	if env := os.Getenv(ProfileEnvVar); env != "" {
		p = env
	}
	switch Profile(p) {
	case "", DefaultProfile:
		return DefaultProfile, nil
	case StrictProfile:
		return StrictProfile, nil
	}
	return "", fmt.Errorf("%s: %q is not a profile; want %q or %q", ProfileEnvVar, p, DefaultProfile, StrictProfile)
}
