package dpif

import "fmt"

// DummyLevel is how far --enable-dummy replaces real devices with dummy
// ones, as OVS's dummy levels.
type DummyLevel int

const (
	// DummyOff: no --enable-dummy.
	DummyOff DummyLevel = iota
	// DummyAdd (--enable-dummy): the netdev-dummy/* commands; dummy and
	// dummy-internal ports and the dummy datapath are always available.
	DummyAdd
	// DummySystem (--enable-dummy=system): "system" ports are dummy too.
	DummySystem
	// DummyOverride (--enable-dummy=override): every port type is dummy.
	DummyOverride
)

// ParseDummyLevel reads --enable-dummy's argument ("" when it has none).
func ParseDummyLevel(arg string) (DummyLevel, error) {
	switch arg {
	case "":
		return DummyAdd, nil
	case "system":
		return DummySystem, nil
	case "override":
		return DummyOverride, nil
	}
	return DummyOff, fmt.Errorf("%s: unknown dummy level", arg)
}

// OverrideWithDummy makes the port types level names open dummy ports
// under their own type name, as OVS's netdev_dummy_override does, so that
// a configuration written for real devices runs without them. It is meant
// for start-up, before any port is opened. Dummy types themselves and
// "patch" keep their providers.
func OverrideWithDummy(level DummyLevel) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for typ := range registry {
		switch {
		case typ == "dummy", typ == "dummy-internal", typ == "patch":
		case level == DummyOverride, level == DummySystem && typ == "system":
			registry[typ] = openDummy(typ)
		}
	}
}
