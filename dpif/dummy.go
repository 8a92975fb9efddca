package dpif

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

func init() {
	RegisterType("dummy", openDummy("dummy"))
	RegisterType("dummy-internal", openDummy("dummy-internal"))
}

// dummySerial numbers dummy ports for their MACs, aa:55:aa:55:00:00 first,
// the sequence OVS's netdev-dummy uses.
var dummySerial atomic.Uint32

func init() { dummySerial.Store(0xaa550000) }

const (
	// DummyRxQueueLimit bounds the frames waiting on a dummy port, as
	// netdev-dummy's NETDEV_DUMMY_MAX_QUEUE; further injected frames are
	// dropped.
	DummyRxQueueLimit = 100
	// DummyCaptureLimit bounds the transmitted frames a dummy port keeps
	// for Sent; past it the oldest are forgotten.
	DummyCaptureLimit = 256
)

// DummyPort is an in-memory port with no kernel device, like OVS's
// netdev-dummy: tests and netdev-dummy/receive inject frames with Receive,
// the datapath takes them with Recv and transmits with Send, and tests read
// what went out with Sent. options:pcap (or rxq_pcap and tx_pcap) also
// record the frames in pcap files.
//
// Lock discipline: mu guards everything below it. rxFrames (the buffers
// Recv hands out) belong to the goroutine polling queue 0 and are written
// only under mu.
type DummyPort struct {
	name, typ string
	ifindex   int // from options:ifindex, 0 if unset

	mu       sync.Mutex
	mac      net.HardwareAddr
	mtu      int
	adminUp  bool
	rx       frameRing // injected, waiting for Recv
	rxFrames [BatchSize][]byte
	captured frameRing // transmitted, waiting for Sent
	ctr      ioCounters
	wake     int     // eventfd readable while rx is not empty, -1 if none
	wakeBuf  [8]byte // eventfd I/O buffer, kept here so it does not escape per call
	rxPcap   *pcapWriter
	txPcap   *pcapWriter // may be rxPcap itself (options:pcap)
	ip4      [4]byte     // netdev-dummy/ip4addr: ARP requests for it are answered
	ip4Mask  [4]byte
	ip6      []net.IPNet // netdev-dummy/ip6addr
	closed   bool
}

// dummyStats are the only counters netdev-dummy reports.
const dummyStats = AllStats &^ (1<<StatRxPackets | 1<<StatRxBytes |
	1<<StatTxPackets | 1<<StatTxBytes)

func openDummy(typ string) OpenFunc {
	return func(name string, options map[string]string) (Port, error) {
		return NewDummyPort(typ, name, options)
	}
}

// NewDummyPort makes a dummy port; typ is "dummy" or "dummy-internal".
// Options understood: ifindex (a non-negative integer), and pcap, or
// rxq_pcap and tx_pcap: files the received and transmitted frames are
// appended to. A pcap file that cannot be opened is skipped, as in OVS.
func NewDummyPort(typ, name string, options map[string]string) (*DummyPort, error) {
	p := &DummyPort{name: name, typ: typ, mtu: 1500, adminUp: true, wake: -1}
	if s, ok := options["ifindex"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, &OpenError{Name: name, Err: unix.EINVAL,
				Detail: fmt.Sprintf("bad ifindex option %q", s)}
		}
		p.ifindex = n
	}
	n := dummySerial.Add(1) - 1
	p.mac = net.HardwareAddr{0xaa, 0x55, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	p.rx.limit, p.captured.limit = DummyRxQueueLimit, DummyCaptureLimit
	p.openPcaps(options)
	if fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err == nil {
		p.wake = fd
	}
	dummies.add(p)
	return p, nil
}

func (p *DummyPort) Name() string { return p.name }
func (p *DummyPort) Type() string { return p.typ }

// Info reports what OVS reports for a dummy: MTU 1500, the link always up,
// the admin state netdev-dummy/set-admin-state left, no speed, empty
// status, and only the packet and byte counters.
func (p *DummyPort) Info() PortInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PortInfo{
		Ifindex: p.ifindex,
		MAC:     append(net.HardwareAddr(nil), p.mac...),
		MTU:     p.mtu,
		AdminUp: p.adminUp,
		LinkUp:  true,
		Status:  map[string]string{},
		Stats: PortStats{
			RxPackets: p.ctr.rxPackets.Load(), RxBytes: p.ctr.rxBytes.Load(),
			TxPackets: p.ctr.txPackets.Load(), TxBytes: p.ctr.txBytes.Load(),
			RxDropped: p.ctr.rxDropped.Load(), TxDropped: p.ctr.txDropped.Load(),
			Unsupported: dummyStats,
		},
	}
}

// Config shows options:ifindex when it was given, as OVS does.
func (p *DummyPort) Config() map[string]string {
	if p.ifindex == 0 {
		return map[string]string{}
	}
	return map[string]string{"ifindex": strconv.Itoa(p.ifindex)}
}

// SetAdminUp sets the administrative state Info reports.
func (p *DummyPort) SetAdminUp(up bool) {
	p.mu.Lock()
	p.adminUp = up
	p.mu.Unlock()
}

// Receive queues a copy of frame on queue q as if it had arrived from the
// wire (and writes it to the rxq pcap file). It fails on a closed port or
// a bad queue, and with ENOBUFS when the queue is full and the frame is
// dropped.
func (p *DummyPort) Receive(q int, frame []byte) error {
	if err := checkQueue("receive", p.name, q, 1); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errClosed("receive", p.name)
	}
	if p.rxPcap != nil {
		p.rxPcap.write(frame)
	}
	if !p.rx.push(frame, false) {
		return fmt.Errorf("receive on %s: queue full: %w", p.name, unix.ENOBUFS)
	}
	if p.rx.n == 1 {
		p.signalWake()
	}
	return nil
}

// signalWake makes WaitFD readable: the receive queue went from empty to
// not empty. Called with p.mu held.
func (p *DummyPort) signalWake() {
	if p.wake >= 0 {
		binary.NativeEndian.PutUint64(p.wakeBuf[:], 1)
		_, _ = unix.Write(p.wake, p.wakeBuf[:])
	}
}

var _ PacketIO = (*DummyPort)(nil)

func (p *DummyPort) RxQueues() int { return 1 }

// WaitFD is an eventfd that is readable while frames are queued.
func (p *DummyPort) WaitFD(q int) int {
	if q != 0 {
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.wake
}

// Recv takes up to BatchSize queued frames, copied into the queue's own
// buffers behind Headroom bytes.
func (p *DummyPort) Recv(q int, b *Batch) error {
	b.N = 0
	if err := checkQueue("receive", p.name, q, 1); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errClosed("receive", p.name)
	}
	if p.rx.n == 0 {
		return nil
	}
	var bytes uint64
	for b.N < BatchSize && p.rx.n > 0 {
		f := p.rx.pop()
		buf := p.rxFrames[b.N]
		if need := Headroom + len(f); cap(buf) < need {
			buf = make([]byte, max(need, Headroom+2048))
			p.rxFrames[b.N] = buf
		}
		buf = buf[:cap(buf)]
		copy(buf[Headroom:], f)
		b.Pkts[b.N].Reset(buf, Headroom, len(f))
		bytes += uint64(len(f))
		b.N++
	}
	p.ctr.rxPackets.Add(uint64(b.N))
	p.ctr.rxBytes.Add(bytes)
	if p.rx.n == 0 && p.wake >= 0 {
		_, _ = unix.Read(p.wake, p.wakeBuf[:])
	}
	return nil
}

// Send "transmits" each frame: it is counted, captured for Sent, written
// to the tx pcap file, and an ARP request for the address set with
// netdev-dummy/ip4addr is answered on the receive queue. As in
// netdev-dummy, frames shorter than an Ethernet header or longer than the
// MTU allows are refused: they are dropped and counted, and the first
// refusal is returned as EMSGSIZE.
func (p *DummyPort) Send(q int, b *Batch) error {
	if err := checkSend(p.name, q, b); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.ctr.txDropped.Add(uint64(b.N))
		return errClosed("send", p.name)
	}
	var sent, bytes, dropped uint64
	for i := range b.N {
		f := b.Pkts[i].Data()
		maxLen := p.mtu + 14
		if len(f) >= 14 && binary.BigEndian.Uint16(f[12:]) == unix.ETH_P_8021Q {
			maxLen += 4
		}
		if len(f) < 14 || len(f) > maxLen {
			dropped++
			continue
		}
		sent++
		bytes += uint64(len(f))
		p.captured.push(f, true)
		if p.txPcap != nil {
			p.txPcap.write(f)
		}
		if p.ip4 != [4]byte{} {
			p.answerARP(f)
		}
	}
	p.ctr.txPackets.Add(sent)
	p.ctr.txBytes.Add(bytes)
	if dropped > 0 {
		p.ctr.txDropped.Add(dropped)
		return fmt.Errorf("send on %s: %d of %d frames dropped: %w", p.name, dropped, b.N, unix.EMSGSIZE)
	}
	return nil
}

// Sent drains the captured transmitted frames, oldest first (at most
// DummyCaptureLimit, the most recent).
func (p *DummyPort) Sent() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, 0, p.captured.n)
	for p.captured.n > 0 {
		out = append(out, append([]byte(nil), p.captured.pop()...))
	}
	return out
}

// Close drops queued frames and closes the pcap files; it is idempotent.
func (p *DummyPort) Close() error {
	dummies.remove(p)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.rx.reset()
	p.captured.reset()
	p.rxFrames = [BatchSize][]byte{}
	var err error
	if p.wake >= 0 {
		err = unix.Close(p.wake)
		p.wake = -1
	}
	if p.txPcap != nil && p.txPcap != p.rxPcap {
		p.txPcap.close()
	}
	if p.rxPcap != nil {
		p.rxPcap.close()
	}
	p.rxPcap, p.txPcap = nil, nil
	if err != nil {
		return fmt.Errorf("close dummy port %s: %w", p.name, err)
	}
	return nil
}

// frameRing is a bounded FIFO of frames whose slot buffers are reused, so
// a steady flow of frames allocates nothing.
type frameRing struct {
	slots   [][]byte
	head, n int
	limit   int
}

// push copies f in. When full it drops f and reports false, or with
// overwrite forgets the oldest frame instead.
func (r *frameRing) push(f []byte, overwrite bool) bool {
	if r.n == r.limit {
		if !overwrite || r.limit == 0 {
			return false
		}
		r.head = (r.head + 1) % r.limit
		r.n--
	}
	i := r.head + r.n
	if i >= r.limit {
		i -= r.limit
	}
	if i == len(r.slots) {
		r.slots = append(r.slots, nil)
	}
	r.slots[i] = append(r.slots[i][:0], f...)
	r.n++
	return true
}

// pop returns the oldest frame; it stays valid until the next push.
func (r *frameRing) pop() []byte {
	f := r.slots[r.head]
	r.head = (r.head + 1) % r.limit
	r.n--
	return f
}

func (r *frameRing) reset() { r.slots, r.head, r.n = nil, 0, 0 }
