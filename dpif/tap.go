package dpif

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

func init() {
	RegisterType("internal", openTap("internal"))
	RegisterType("tap", openTap("tap"))
}

// TapPort is a Linux tap device the switch owns through /dev/net/tun: an
// "internal" port (the bridge's own port, the datapath's port 0) or a "tap".
//
// Lock discipline: io guards fd: Recv, Send and WaitFD hold it shared, Close
// exclusively, so the descriptor cannot be closed (and its number reused)
// under a poll goroutine. mu guards dev, last and closed; Close takes io
// before mu. rxq belongs to the goroutine polling queue 0.
type TapPort struct {
	name, typ string

	io  sync.RWMutex
	fd  int // /dev/net/tun file, -1 once closed; closing it deletes a tap we created
	rxq *tapRxQueue
	ctr ioCounters

	mu     sync.Mutex
	dev    *linuxDevice
	last   PortInfo
	closed bool
}

func openTap(typ string) OpenFunc {
	return func(name string, _ map[string]string) (Port, error) {
		return OpenTapPort(typ, name)
	}
}

// OpenTapPort attaches to the tap device name, creating it if it does not
// exist. A created tap is not persistent: Close removes it. It is left
// administratively down, as OVS leaves it, but promiscuous, as the datapath
// wants every port. typ is what Type reports ("internal" or "tap").
func OpenTapPort(typ, name string) (*TapPort, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return nil, &OpenError{Name: name, Err: unix.EINVAL, Detail: "name too long for a tap device"}
	}
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, &OpenError{Name: name, Err: err, Detail: "open /dev/net/tun"}
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, &OpenError{Name: name, Err: err, Detail: "TUNSETIFF"}
	}
	p := &TapPort{name: name, typ: typ, fd: fd}
	fail := func(what string, err error) (*TapPort, error) {
		p.Close()
		return nil, &OpenError{Name: name, Err: err, Detail: what}
	}
	if p.dev, err = openLinuxDevice(name); err != nil {
		return fail("find the new tap", err)
	}
	if err := p.dev.setFlags(unix.IFF_PROMISC); err != nil {
		return fail("set promiscuous", err)
	}
	if p.last, err = p.tapInfo(); err != nil {
		return fail("read device state", err)
	}
	p.rxq = newTapRxQueue(p.last.MTU)
	return p, nil
}

func (p *TapPort) Name() string { return p.name }
func (p *TapPort) Type() string { return p.typ }

// Info reads the device now, falling back to the last snapshot with the
// link down once the port is closed or the device is gone.
func (p *TapPort) Info() PortInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		if pi, err := p.tapInfo(); err == nil {
			p.last = pi
			p.ctr.addDrops(&pi.Stats)
			return pi
		}
	}
	pi := p.last
	pi.AdminUp, pi.LinkUp = false, false
	p.ctr.addDrops(&pi.Stats)
	return pi
}

// tapInfo is the kernel's view turned round: what the kernel transmits into
// the tap is what the switch receives. Like OVS, the detailed error counters
// are then meaningless and reported as 0. Info adds the port's own drops.
func (p *TapPort) tapInfo() (PortInfo, error) {
	pi, err := p.dev.info()
	if err != nil {
		return pi, err
	}
	k := pi.Stats
	pi.Stats = PortStats{
		RxPackets: k.TxPackets, RxBytes: k.TxBytes, RxErrors: k.TxErrors, RxDropped: k.TxDropped,
		TxPackets: k.RxPackets, TxBytes: k.RxBytes, TxErrors: k.RxErrors, TxDropped: k.RxDropped,
		RxMulticast: k.RxMulticast, Collisions: k.Collisions,
	}
	return pi, nil
}

// Close releases the tun file, which deletes the tap unless someone made it
// persistent; it is idempotent.
func (p *TapPort) Close() error {
	p.io.Lock()
	defer p.io.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.dev != nil {
		p.dev.close()
	}
	fd := p.fd
	p.fd = -1
	if err := unix.Close(fd); err != nil {
		return fmt.Errorf("close tap %s: %w", p.name, err)
	}
	return nil
}
