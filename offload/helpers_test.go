package offload

import (
	"encoding/binary"
	"net/netip"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() int64          { return c.ms.Load() }
func (c *fakeClock) advance(sec float64) { c.ms.Add(int64(sec * 1000)) }

// setup returns a tracker on a fake clock (no sweeper) with a dummy
// provider attached, polled only when the test says so.
func setup(t testing.TB, cfg Config) (*conntrack.Tracker, *Manager, *Dummy, *fakeClock) {
	t.Helper()
	clk := &fakeClock{}
	clk.ms.Store(1000000)
	tr := conntrack.New(conntrack.Config{Clock: clk.now, NoSweeper: true})
	t.Cleanup(tr.Close)
	if cfg.Provider == "" {
		cfg.Provider = DummyName
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = -1
	}
	m, err := New(tr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return tr, m, m.Provider().(*Dummy), clk
}

const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

// packet builds Ethernet+IPv4+L4 with checksums marked good.
func packet(src, dst string, proto uint8, l4 []byte) *conntrack.Packet {
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	data := make([]byte, 14+20, 14+20+len(l4))
	binary.BigEndian.PutUint16(data[12:], conntrack.EthTypeIPv4)
	ip := data[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
	ip[8] = 64
	ip[9] = proto
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	return &conntrack.Packet{Data: append(data, l4...), L3Offset: 14, EthType: conntrack.EthTypeIPv4,
		Csum: conntrack.IPCsumGood | conntrack.L4CsumGood}
}

func udp(src, dst string, sport, dport uint16) *conntrack.Packet {
	l4 := make([]byte, 16)
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint16(l4[4:], 16)
	return packet(src, dst, conntrack.ProtoUDP, l4)
}

func tcp(src, dst string, sport, dport uint16, flags uint8, seq, ack uint32, payload string) *conntrack.Packet {
	l4 := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint32(l4[4:], seq)
	binary.BigEndian.PutUint32(l4[8:], ack)
	l4[12] = 5 << 4
	l4[13] = flags
	binary.BigEndian.PutUint16(l4[14:], 65535)
	copy(l4[20:], payload)
	return packet(src, dst, conntrack.ProtoTCP, l4)
}

// ct runs one ct() and returns the packet's connection and state.
func ct(tr *conntrack.Tracker, p *conntrack.Packet, a conntrack.Action) (*conntrack.Conn, conntrack.State) {
	tr.Execute(p, &a)
	return p.MD.Conn(), p.MD.State
}

// tcpConv is a client/server TCP conversation with sequence bookkeeping.
type tcpConv struct {
	tr           *conntrack.Tracker
	act          conntrack.Action
	cli, srv     string
	cport, sport uint16
	cseq, sseq   uint32
}

func (c *tcpConv) send(fromClient bool, flags uint8, payload string) (*conntrack.Conn, conntrack.State) {
	n := uint32(len(payload))
	if flags&(tcpSYN|tcpFIN) != 0 {
		n++
	}
	var p *conntrack.Packet
	if fromClient {
		p = tcp(c.cli, c.srv, c.cport, c.sport, flags, c.cseq, c.sseq, payload)
		c.cseq += n
	} else {
		p = tcp(c.srv, c.cli, c.sport, c.cport, flags, c.sseq, c.cseq, payload)
		c.sseq += n
	}
	if flags&tcpACK == 0 {
		binary.BigEndian.PutUint32(p.Data[14+20+8:], 0)
	}
	return ct(c.tr, p, c.act)
}

func mustEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

func run(t *testing.T, f func([]string) (string, error), args ...string) string {
	t.Helper()
	out, err := f(args)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}

// dump returns dump-conntrack output with sorted lines.
func dump(t *testing.T, tr *conntrack.Tracker, args ...string) string {
	t.Helper()
	out := run(t, tr.DumpConntrack, args...)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
