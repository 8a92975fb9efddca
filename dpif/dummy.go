package dpif

import (
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

// dummyQueueLimit bounds each packet queue so a forgotten port cannot grow
// without limit; further packets are dropped.
const dummyQueueLimit = 4096

// DummyPort is an in-memory port with no kernel device, like OVS's
// netdev-dummy: tests inject packets with Receive and read what the
// datapath transmitted with Sent.
type DummyPort struct {
	name, typ string
	mac       net.HardwareAddr
	ifindex   int // from options:ifindex, 0 if unset

	mu     sync.Mutex // guards everything below
	rx, tx [][]byte
	stats  PortStats
	closed bool
}

// dummyStats are the only counters netdev-dummy reports.
const dummyStats = AllStats &^ (1<<StatRxPackets | 1<<StatRxBytes |
	1<<StatTxPackets | 1<<StatTxBytes)

func openDummy(typ string) OpenFunc {
	return func(name string, options map[string]string) (Port, error) {
		return NewDummyPort(typ, name, options)
	}
}

// NewDummyPort makes a dummy port; typ is "dummy" or "dummy-internal". The
// only option understood is ifindex (a non-negative integer).
func NewDummyPort(typ, name string, options map[string]string) (*DummyPort, error) {
	p := &DummyPort{name: name, typ: typ}
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
	p.stats.Unsupported = dummyStats
	return p, nil
}

func (p *DummyPort) Name() string { return p.name }
func (p *DummyPort) Type() string { return p.typ }

// Info reports what OVS reports for a dummy: up, MTU 1500, no speed, empty status.
func (p *DummyPort) Info() PortInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PortInfo{
		Ifindex: p.ifindex,
		MAC:     append(net.HardwareAddr(nil), p.mac...),
		MTU:     1500,
		AdminUp: true,
		LinkUp:  true,
		Status:  map[string]string{},
		Stats:   p.stats,
	}
}

// Config shows options:ifindex when it was given, as OVS does.
func (p *DummyPort) Config() map[string]string {
	if p.ifindex == 0 {
		return map[string]string{}
	}
	return map[string]string{"ifindex": strconv.Itoa(p.ifindex)}
}

// Receive queues a copy of pkt as if it had arrived from the wire; the
// datapath takes it with Recv. It is dropped if the port is closed or the
// queue is full.
func (p *DummyPort) Receive(pkt []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.rx) >= dummyQueueLimit {
		return
	}
	p.rx = append(p.rx, append([]byte(nil), pkt...))
	p.stats.RxPackets++
	p.stats.RxBytes += uint64(len(pkt))
}

// Recv takes the oldest received packet; false if there is none.
func (p *DummyPort) Recv() ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.rx) == 0 {
		return nil, false
	}
	pkt := p.rx[0]
	p.rx[0] = nil
	p.rx = p.rx[1:]
	return pkt, true
}

// Send transmits a copy of pkt out of the port; tests read it with Sent.
func (p *DummyPort) Send(pkt []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("send on dummy port %s: %w", p.name, unix.EBADF)
	}
	if len(p.tx) >= dummyQueueLimit {
		return fmt.Errorf("send on dummy port %s: %w", p.name, unix.ENOBUFS)
	}
	p.tx = append(p.tx, append([]byte(nil), pkt...))
	p.stats.TxPackets++
	p.stats.TxBytes += uint64(len(pkt))
	return nil
}

// Sent drains the packets transmitted so far, oldest first.
func (p *DummyPort) Sent() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx := p.tx
	p.tx = nil
	return tx
}

// Close drops queued packets; it is idempotent.
func (p *DummyPort) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.rx, p.tx = nil, nil
	return nil
}
