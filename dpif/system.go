package dpif

import (
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

func init() { RegisterType("system", openSystem) }

// SystemPort is an existing Linux device the switch attaches to with an
// AF_PACKET socket, as OVS's netdev-linux does on the userspace datapath.
//
// Lock discipline: io guards fd: Recv, Send and WaitFD hold it shared, Close
// exclusively, so the descriptor cannot be closed (and its number reused)
// under a poll goroutine. mu guards dev, last and closed; Close takes io
// before mu. rxq belongs to the goroutine polling queue 0; each txs slot has
// its own lock.
type SystemPort struct {
	name string

	io  sync.RWMutex
	fd  int // AF_PACKET raw socket bound to the device, -1 once closed
	rxq *sysRxQueue
	txs []*sysTxSlot
	ctr ioCounters

	mu     sync.Mutex
	dev    *linuxDevice
	last   PortInfo // last good snapshot, returned if the device vanishes
	closed bool
}

func openSystem(name string, _ map[string]string) (Port, error) {
	return OpenSystemPort(name)
}

// OpenSystemPort binds a raw packet socket to the device name and makes the
// device promiscuous for as long as the port is open. A missing device is
// an *OpenError with ENODEV.
func OpenSystemPort(name string) (*SystemPort, error) {
	dev, err := openLinuxDevice(name)
	if err != nil {
		return nil, &OpenError{Name: name, Err: err}
	}
	// Protocol 0 receives nothing until bind, so no frame of another device
	// or an outgoing one slips in before the options below are set.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		dev.close()
		return nil, &OpenError{Name: name, Err: err, Detail: "create AF_PACKET socket"}
	}
	p := &SystemPort{name: name, dev: dev, fd: fd}
	fail := func(what string, err error) (*SystemPort, error) {
		p.Close()
		return nil, &OpenError{Name: name, Err: err, Detail: what}
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
		return fail("enable PACKET_AUXDATA", err)
	}
	prog := unix.SockFprog{Len: uint16(len(inboundOnly)), Filter: &inboundOnly[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
		return fail("attach inbound filter", err)
	}
	proto := htons(unix.ETH_P_ALL)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: dev.ifindex}); err != nil {
		return fail("bind AF_PACKET socket", err)
	}
	// A membership (rather than IFF_PROMISC) is dropped by the kernel with the
	// socket, so a crash cannot leave the device promiscuous.
	mreq := unix.PacketMreq{Ifindex: int32(dev.ifindex), Type: unix.PACKET_MR_PROMISC}
	if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
		return fail("set promiscuous", err)
	}
	if p.last, err = dev.info(); err != nil {
		return fail("read device state", err)
	}
	p.rxq = newSysRxQueue(p.last.MTU)
	p.txs = make([]*sysTxSlot, min(runtime.GOMAXPROCS(0), 64))
	for i := range p.txs {
		p.txs[i] = new(sysTxSlot)
	}
	return p, nil
}

func (p *SystemPort) Name() string { return p.name }
func (p *SystemPort) Type() string { return "system" }

// Info reads the device now; if that fails (the device was deleted, or the
// port is closed) it returns the last snapshot with the link down. The
// counters are the kernel's, plus the frames the port itself dropped.
func (p *SystemPort) Info() PortInfo {
	p.collectSocketDrops() // takes io, which comes before mu
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		if pi, err := p.dev.info(); err == nil {
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

// collectSocketDrops adds to rx_dropped the frames the device received but
// the kernel could not queue on our socket (its buffer was full because
// the datapath fell behind). The device counts them as received, so
// without this they would vanish from the port's accounting. Reading the
// socket's statistics resets them, hence the accumulation.
func (p *SystemPort) collectSocketDrops() {
	p.io.RLock()
	defer p.io.RUnlock()
	if p.fd < 0 {
		return
	}
	if st, err := unix.GetsockoptTpacketStats(p.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
		p.ctr.rxDropped.Add(uint64(st.Drops))
	}
}

// Close drops the promiscuous membership and the socket; it is idempotent.
func (p *SystemPort) Close() error {
	p.io.Lock()
	defer p.io.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var err error
	if p.fd >= 0 {
		mreq := unix.PacketMreq{Ifindex: int32(p.dev.ifindex), Type: unix.PACKET_MR_PROMISC}
		// The device may be gone already; closing the socket drops it anyway.
		_ = unix.SetsockoptPacketMreq(p.fd, unix.SOL_PACKET, unix.PACKET_DROP_MEMBERSHIP, &mreq)
		if cerr := unix.Close(p.fd); cerr != nil {
			err = fmt.Errorf("close packet socket of %s: %w", p.name, cerr)
		}
		p.fd = -1
	}
	p.dev.close()
	return err
}

// htons converts a 16-bit value to network byte order for AF_PACKET.
func htons(v uint16) uint16 { return v<<8 | v>>8 }
