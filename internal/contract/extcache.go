package contract

import (
	"reflect"
	"sync"

	"github.com/koobackup/conformance/internal/catalog"
	"github.com/koobackup/conformance/internal/specfacts"
)

// Extension values (x-source, x-requirements) are generic JSON inside the loaded
// documents, which never change after loading; decoding one means re-encoding it to JSON
// and back, so each is decoded once, keyed by the identity of the extension map. Violations
// name them on every refused request, which made the re-encoding show in the proxy's
// profile.
var (
	sourceCache       sync.Map // map pointer → *catalog.Source (nil when none)
	requirementsCache sync.Map // map pointer → []string
)

func extKey(ext map[string]any) uintptr { return reflect.ValueOf(ext).Pointer() }

func cachedSource(ext map[string]any, decode func(map[string]any) *catalog.Source) *catalog.Source {
	if ext == nil {
		return nil
	}
	if v, ok := sourceCache.Load(extKey(ext)); ok {
		return v.(*catalog.Source)
	}
	s := decode(ext)
	sourceCache.Store(extKey(ext), s)
	return s
}

func cachedRequirements(ext map[string]any, decode func(map[string]any) []specfacts.RequirementID) []specfacts.RequirementID {
	if ext == nil {
		return nil
	}
	if v, ok := requirementsCache.Load(extKey(ext)); ok {
		return v.([]specfacts.RequirementID)
	}
	ids := decode(ext)
	requirementsCache.Store(extKey(ext), ids)
	return ids
}
