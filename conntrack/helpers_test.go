package conntrack

import (
	"encoding/binary"
	"net/netip"
	"sync/atomic"
	"testing"
)

// fakeClock is an injectable millisecond clock.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() int64          { return c.ms.Load() }
func (c *fakeClock) advance(sec float64) { c.ms.Add(int64(sec * 1000)) }

func newTestTracker(t testing.TB) (*Tracker, *fakeClock) {
	clk := &fakeClock{}
	clk.ms.Store(1000000)
	tr := New(Config{Clock: clk.now, NoSweeper: true})
	t.Cleanup(tr.Close)
	return tr, clk
}

const ethLen = 14

// ipPacket wraps an L4 payload in Ethernet + IPv4/IPv6 with correct
// checksums (the L4 checksum field, if any, is computed here).
func ipPacket(src, dst string, proto uint8, l4 []byte) *Packet {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	var l3 []byte
	eth := uint16(EthTypeIPv4)
	if s.Is4() {
		l3 = make([]byte, 20)
		l3[0] = 0x45
		binary.BigEndian.PutUint16(l3[2:], uint16(20+len(l4)))
		l3[8] = 64
		l3[9] = proto
		a4, b4 := s.As4(), d.As4()
		copy(l3[12:], a4[:])
		copy(l3[16:], b4[:])
		binary.BigEndian.PutUint16(l3[10:], csumFold(csumAdd(0, l3)))
	} else {
		eth = EthTypeIPv6
		l3 = make([]byte, 40)
		l3[0] = 0x60
		binary.BigEndian.PutUint16(l3[4:], uint16(len(l4)))
		l3[6] = proto
		l3[7] = 64
		a16, b16 := s.As16(), d.As16()
		copy(l3[8:], a16[:])
		copy(l3[24:], b16[:])
	}
	v6 := !s.Is4()
	switch {
	case proto == ProtoTCP:
		binary.BigEndian.PutUint16(l4[16:], 0)
		binary.BigEndian.PutUint16(l4[16:], csumFold(csumAdd(pseudoSum(l3, v6, proto, len(l4)), l4)))
	case proto == ProtoUDP:
		binary.BigEndian.PutUint16(l4[6:], 0)
		sum := csumFold(csumAdd(pseudoSum(l3, v6, proto, len(l4)), l4))
		if sum == 0 {
			sum = 0xffff
		}
		binary.BigEndian.PutUint16(l4[6:], sum)
	case proto == ProtoICMP && !v6:
		binary.BigEndian.PutUint16(l4[2:], 0)
		binary.BigEndian.PutUint16(l4[2:], csumFold(csumAdd(0, l4)))
	case proto == ProtoICMPv6 && v6:
		binary.BigEndian.PutUint16(l4[2:], 0)
		binary.BigEndian.PutUint16(l4[2:], csumFold(csumAdd(pseudoSum(l3, v6, proto, len(l4)), l4)))
	}
	data := make([]byte, ethLen, ethLen+len(l3)+len(l4))
	binary.BigEndian.PutUint16(data[12:], eth)
	data = append(append(data, l3...), l4...)
	return &Packet{Data: data, L3Offset: ethLen, EthType: eth}
}

type tcpOpt struct {
	seq, ack uint32
	win      uint16
	payload  int
	wscale   int // -1: no option
}

// tcpPkt builds a TCP segment; flags from tcpSYN, tcpACK, ...
func tcpPkt(src, dst string, sport, dport uint16, flags uint8, o tcpOpt) *Packet {
	hl := 20
	if o.wscale >= 0 && flags&tcpSYN != 0 {
		hl = 24
	}
	l4 := make([]byte, hl+o.payload)
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint32(l4[4:], o.seq)
	binary.BigEndian.PutUint32(l4[8:], o.ack)
	l4[12] = byte(hl/4) << 4
	l4[13] = flags
	win := o.win
	if win == 0 {
		win = 65535
	}
	binary.BigEndian.PutUint16(l4[14:], win)
	if hl == 24 {
		copy(l4[20:], []byte{tcpOptNOP, tcpOptWinScale, 3, byte(o.wscale)})
	}
	return ipPacket(src, dst, ProtoTCP, l4)
}

func udpPkt(src, dst string, sport, dport uint16, payload int) *Packet {
	l4 := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint16(l4[4:], uint16(8+payload))
	return ipPacket(src, dst, ProtoUDP, l4)
}

func icmpEcho(src, dst string, typ uint8, id, seq uint16) *Packet {
	l4 := make([]byte, 16)
	l4[0] = typ
	binary.BigEndian.PutUint16(l4[4:], id)
	binary.BigEndian.PutUint16(l4[6:], seq)
	proto := uint8(ProtoICMP)
	if !netip.MustParseAddr(src).Is4() {
		proto = ProtoICMPv6
	}
	return ipPacket(src, dst, proto, l4)
}

// icmpError builds an ICMP(v6) error from src to dst quoting the IP header
// and first bytes (8 for IPv4, everything for IPv6) of quoted.
func icmpError(src, dst string, typ, code uint8, quoted *Packet) *Packet {
	q := quoted.Data[quoted.L3Offset:]
	proto := uint8(ProtoICMPv6)
	if quoted.EthType == EthTypeIPv4 {
		proto = ProtoICMP
		hl := int(q[0]&0xf) * 4
		q = q[:hl+8]
	}
	l4 := make([]byte, 8, 8+len(q))
	l4[0], l4[1] = typ, code
	return ipPacket(src, dst, proto, append(l4, q...))
}

// ct runs one ct() on a fresh copy of p's metadata and returns the state.
func ct(tr *Tracker, p *Packet, a Action) State {
	tr.Execute(p, &a)
	return p.MD.State
}

func mustState(t *testing.T, step string, got, want State) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: ct_state=%v, want %v", step, got, want)
	}
}

const (
	trkNew    = StateTracked | StateNew
	trkEst    = StateTracked | StateEstablished
	trkEstRpl = StateTracked | StateEstablished | StateReply
	trkInv    = StateTracked | StateInvalid
)
