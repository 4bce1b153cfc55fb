package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/koobackup/conformance/internal/mock"
	"github.com/koobackup/conformance/internal/target"
)

// defaultIAMPasswordEnv is the variable the mock reads its IAM user's password from, and the
// one --write-iam-target names in the file, so the same variable serves both sides.
const defaultIAMPasswordEnv = "CONFORMANCE_IAM_PASSWORD"

// mockIAMOptions turns the IAM and admin flags into mock options. It returns the exit code
// to stop with, or -1 to go on. A variable named explicitly with --iam-password-env must be
// set; the default one switches IAM on only when it is.
func mockIAMOptions(fs *flag.FlagSet, passwordEnv, writeIAMTarget string, adminRemote bool, stderr io.Writer) ([]mock.Option, int) {
	var opts []mock.Option
	if adminRemote {
		opts = append(opts, mock.WithAdminRemote())
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "iam-password-env" })
	password := os.Getenv(passwordEnv)
	switch {
	case password != "":
		opts = append(opts, mock.WithIAMUser(mock.IAMCredentials{Password: password}))
	case explicit || writeIAMTarget != "":
		fmt.Fprintf(stderr, "conformance mock: --iam-password-env: environment variable %s is not set or empty; the mock's IAM user needs a password\n", passwordEnv)
		return nil, 2
	}
	return opts, -1
}

// writeTargetFile writes a target file readable by its owner only (it may hold tokens).
func writeTargetFile(path string, t *target.Target) error {
	raw, err := t.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o600)
}
