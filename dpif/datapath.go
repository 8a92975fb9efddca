package dpif

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Datapath is one userspace datapath ("netdev@ovs-netdev"): the ports all
// bridges of its type share, numbered with datapath (odp) port numbers that
// are independent of OpenFlow port numbers.
//
// Lock discipline: mu guards ports and closed, and the engine's poller
// bookkeeping (engine.go); pollers are halted only after mu is released. Port methods that may block
// (Close in particular) are never called with mu held: ports are taken out
// of the map under mu and closed after it is released. The lookup counters
// are atomics and need no lock.
type Datapath struct {
	typ, name string

	mu     sync.Mutex
	ports  map[uint32]Port
	closed bool

	// Flow-cache counters for dpctl/show; the packet path updates them.
	hit, missed, lost, flows atomic.Uint64

	engine // flow cache, conntrack, pollers (engine.go)

	meterTable // meters (meter.go)
}

// DatapathPort is one port of a datapath and its odp port number.
type DatapathPort struct {
	Number uint32
	Port   Port
}

// DatapathStats are the lookup counters dpctl/show and dpif/show print.
type DatapathStats struct {
	Hit, Missed, Lost, Flows uint64
}

// datapathPort0 is the provider of the port every datapath has as port 0,
// named after the datapath itself.
var datapathPort0 = map[string]string{
	"netdev": "tap",
	"dummy":  "dummy-internal",
}

// NewDatapath creates a datapath of type "netdev" or "dummy" and its own
// port 0, named like the datapath (an empty name means "ovs-" + typ, i.e.
// "ovs-netdev", the name OVS uses; netdev creates a tap of that name).
func NewDatapath(typ, name string) (*Datapath, error) {
	port0Type, ok := datapathPort0[typ]
	if !ok {
		return nil, fmt.Errorf("create datapath %s@%s: unknown datapath type: %w", typ, name, unix.EAFNOSUPPORT)
	}
	if name == "" {
		name = "ovs-" + typ
	}
	p0, err := OpenPort(port0Type, name, nil)
	if err != nil {
		return nil, fmt.Errorf("create datapath %s@%s: %w", typ, name, err)
	}
	d := &Datapath{typ: typ, name: name, ports: map[uint32]Port{0: p0}}
	d.initEngine()
	d.portAdded(0, p0)
	return d, nil
}

// Name is the datapath's name, e.g. "ovs-netdev".
func (d *Datapath) Name() string { return d.name }

// Type is the datapath type, e.g. "netdev".
func (d *Datapath) Type() string { return d.typ }

// FullName is how dpctl names it: "netdev@ovs-netdev".
func (d *Datapath) FullName() string { return d.typ + "@" + d.name }

// OpenPort opens an interface the way this datapath's type wants it
// (PortOpenType: "internal" is a tap on netdev). It does not add the port.
func (d *Datapath) OpenPort(ifaceType, name string, options map[string]string) (Port, error) {
	return OpenPort(PortOpenType(d.typ, ifaceType), name, options)
}

// AddPort gives p the lowest free odp port number from 1 up. The caller
// keeps names unique (see PortByName). On a closed datapath p is closed and
// 0 is returned; 0 is otherwise never handed out.
func (d *Datapath) AddPort(p Port) (odpPort uint32) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		p.Close()
		return 0
	}
	defer d.mu.Unlock()
	n := uint32(1)
	if d.typ == "dummy" && dummyNamedPorts.Load() {
		n = max(dummyPortNumber(p.Name(), func(n uint32) bool { return d.ports[n] != nil }), 1)
	}
	for d.ports[n] != nil {
		n++
	}
	d.ports[n] = p
	d.portAdded(n, p)
	return n
}

// RemovePort takes port odpPort out of the datapath and closes it. Port 0
// belongs to the datapath and goes only with Close.
func (d *Datapath) RemovePort(odpPort uint32) error {
	if odpPort == 0 {
		return fmt.Errorf("remove port 0 of %s: it is the datapath's own port: %w", d.FullName(), unix.EINVAL)
	}
	d.mu.Lock()
	p, ok := d.ports[odpPort]
	delete(d.ports, odpPort)
	stopped := d.portRemoved(odpPort)
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("remove port %d of %s: %w", odpPort, d.FullName(), unix.ENOENT)
	}
	for _, pm := range stopped {
		pm.halt()
	}
	if err := p.Close(); err != nil {
		return fmt.Errorf("remove port %d (%s) of %s: %w", odpPort, p.Name(), d.FullName(), err)
	}
	return nil
}

// Port returns port odpPort.
func (d *Datapath) Port(odpPort uint32) (Port, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.ports[odpPort]
	return p, ok
}

// PortByName finds a port by device name.
func (d *Datapath) PortByName(name string) (DatapathPort, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for n, p := range d.ports {
		if p.Name() == name {
			return DatapathPort{Number: n, Port: p}, true
		}
	}
	return DatapathPort{}, false
}

// Ports lists the ports sorted by odp port number, port 0 first.
func (d *Datapath) Ports() []DatapathPort {
	d.mu.Lock()
	ports := make([]DatapathPort, 0, len(d.ports))
	for n, p := range d.ports {
		ports = append(ports, DatapathPort{Number: n, Port: p})
	}
	d.mu.Unlock()
	slices.SortFunc(ports, func(a, b DatapathPort) int { return cmp.Compare(a.Number, b.Number) })
	return ports
}

// Stats reads the lookup counters.
func (d *Datapath) Stats() DatapathStats {
	return DatapathStats{Hit: d.hit.Load(), Missed: d.missed.Load(), Lost: d.lost.Load(), Flows: d.flows.Load()}
}

// Close closes every port, port 0 included. It is idempotent.
func (d *Datapath) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	ports := d.ports
	d.ports = map[uint32]Port{}
	var stopped []*pmd
	threads := d.threads
	for n := range ports {
		stopped = append(stopped, d.portRemoved(n)...)
	}
	d.stopThreads()
	d.mu.Unlock()
	for _, pm := range stopped {
		pm.halt()
	}
	for _, t := range threads {
		<-t.done
	}
	d.closeEngine()

	var errs []error
	for n, p := range ports {
		if err := p.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close port %d (%s) of %s: %w", n, p.Name(), d.FullName(), err))
		}
	}
	return errors.Join(errs...)
}
