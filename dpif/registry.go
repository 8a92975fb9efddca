package dpif

import (
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// OpenFunc opens a port of one provider. options is the Interface's options
// column; providers must not keep the map.
type OpenFunc func(name string, options map[string]string) (Port, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]OpenFunc{}
)

// RegisterType makes a provider available under an OVSDB interface type.
// It is meant for init() and panics on a nil func or a duplicate type, as
// those are programming errors.
func RegisterType(typ string, open OpenFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if open == nil {
		panic("dpif: RegisterType " + typ + ": nil OpenFunc")
	}
	if typ == "" {
		panic(`dpif: RegisterType: empty type (it is an alias of "system")`)
	}
	if _, dup := registry[typ]; dup {
		panic("dpif: RegisterType called twice for " + typ)
	}
	registry[typ] = open
}

// Types lists the registered interface types, sorted, for
// Open_vSwitch.iface_types.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	types := make([]string, 0, len(registry))
	for t := range registry {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// OpenPort opens the device name with the provider registered for typ
// ("" means "system"). Failures are *OpenError; an unknown type fails with
// EAFNOSUPPORT as in OVS.
func OpenPort(typ, name string, options map[string]string) (Port, error) {
	if typ == "" {
		typ = "system"
	}
	registryMu.RLock()
	open := registry[typ]
	registryMu.RUnlock()
	if open == nil {
		return nil, &OpenError{Name: name, Err: unix.EAFNOSUPPORT,
			Detail: fmt.Sprintf("unknown interface type %q", typ)}
	}
	if name == "" {
		return nil, &OpenError{Name: name, Err: unix.EINVAL, Detail: "empty device name"}
	}
	p, err := open(name, options)
	if err != nil {
		return nil, asOpenError(name, err)
	}
	return p, nil
}

// asOpenError keeps a provider's *OpenError and wraps anything else.
func asOpenError(name string, err error) error {
	if oe, ok := err.(*OpenError); ok {
		return oe
	}
	return &OpenError{Name: name, Err: err}
}

// PortOpenType is the provider type a datapath of type dpType opens for an
// OVSDB interface type, as OVS's dpif_port_open_type does: "" is "system",
// and "internal" is a tap on the netdev datapath and "dummy-internal" on the
// dummy one. It is also the type dpctl/show and dpif/show print.
func PortOpenType(dpType, ifaceType string) string {
	switch {
	case ifaceType == "":
		return "system"
	case ifaceType == "internal" && dpType == "netdev":
		return "tap"
	case ifaceType == "internal" && dpType == "dummy":
		return "dummy-internal"
	}
	return ifaceType
}
