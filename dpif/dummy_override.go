package dpif

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

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

// dummyNamedPorts makes dummy datapaths number ports after their names
// (see dummyPortNumber); EnableDummy turns it on.
var dummyNamedPorts atomic.Bool

// EnableDummy sets up what --enable-dummy changes in the datapath layer,
// for start-up before any datapath or port is opened: dummy datapaths
// number their ports after the ports' names as OVS's do, and the port
// types level names open dummy ports under their own type name, as OVS's
// netdev_dummy_override does, so that a configuration written for real
// devices runs without them. Dummy types themselves and "patch" keep
// their providers.
func EnableDummy(level DummyLevel) {
	if level == DummyOff {
		return
	}
	dummyNamedPorts.Store(true)
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

// dummyPortNumber is the datapath port number a dummy datapath gives a port
// called name, as OVS's dummy datapath does to make test port numbers
// predictable: the first number in the name (plus 100 for names starting
// with "br"), if that number is free; 0 lets the caller pick the lowest free
// number.
func dummyPortNumber(name string, taken func(uint32) bool) uint32 {
	start := uint64(0)
	if strings.HasPrefix(name, "br") {
		start = 100
	}
	i := strings.IndexAny(name, "0123456789")
	if i < 0 {
		return 0
	}
	j := i
	for j < len(name) && '0' <= name[j] && name[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(name[i:j], 10, 32)
	if err != nil {
		return 0
	}
	n += start
	if n == 0 || n >= 0xffffffff || taken(uint32(n)) {
		return 0
	}
	return uint32(n)
}
