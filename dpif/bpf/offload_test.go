//go:build linux

package bpf

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"testing"

	"github.com/cilium/ebpf"
)

// The offload fast path is tested by running the program on crafted frames
// with BPF_PROG_TEST_RUN: a redirected frame comes back rewritten with the
// verdict XDP_REDIRECT (the test run does not transmit it), a frame handed
// on reaches the empty socket map and comes back unchanged with XDP_PASS.

const (
	xdpPass     = 2
	xdpRedirect = 4
	loIfindex   = 1 // the test context's ingress device; it must exist
)

type xdpMD struct {
	Data, DataEnd, DataMeta, IngressIfindex, RxQueueIndex, EgressIfindex uint32
}

type frameSpec struct {
	src, dst     [6]byte
	vlan         uint16 // TCI, 0 untagged
	v6           bool
	saddr, daddr netip.Addr
	proto        uint8
	sport, dport uint16
	tcpFlags     uint8
	ipOptions    bool
	fragment     bool
	payload      int
}

var (
	macA = [6]byte{0x02, 0, 0, 0, 0, 0x0a}
	macB = [6]byte{0x02, 0, 0, 0, 0, 0x0b}
	macC = [6]byte{0x02, 0, 0, 0, 0, 0x0c}
)

func tcpFrame() frameSpec {
	return frameSpec{src: macA, dst: macB, saddr: netip.MustParseAddr("10.0.0.1"), daddr: netip.MustParseAddr("10.0.0.2"),
		proto: 6, sport: 40000, dport: 8000, tcpFlags: 0x10, payload: 32}
}

func csum(b []byte, acc uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		acc += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		acc += uint32(b[len(b)-1]) << 8
	}
	for acc > 0xffff {
		acc = acc&0xffff + acc>>16
	}
	return ^uint16(acc)
}

func pseudo(src, dst []byte, proto uint8, l4len int) uint32 {
	var acc uint32
	for _, a := range [][]byte{src, dst} {
		for i := 0; i < len(a); i += 2 {
			acc += uint32(binary.BigEndian.Uint16(a[i:]))
		}
	}
	return acc + uint32(proto) + uint32(l4len)
}

// build makes the frame with correct checksums.
func (f frameSpec) build() []byte {
	var l4 []byte
	if f.proto == 6 {
		l4 = make([]byte, 20+f.payload)
		l4[12] = 5 << 4
		l4[13] = f.tcpFlags
		binary.BigEndian.PutUint16(l4[14:], 1000)
	} else {
		l4 = make([]byte, 8+f.payload)
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
	}
	binary.BigEndian.PutUint16(l4[0:], f.sport)
	binary.BigEndian.PutUint16(l4[2:], f.dport)
	for i := len(l4) - f.payload; i < len(l4); i++ {
		l4[i] = byte(i)
	}
	var l3 []byte
	s, d := f.saddr.AsSlice(), f.daddr.AsSlice()
	if f.v6 {
		l3 = make([]byte, 40)
		l3[0] = 0x60
		binary.BigEndian.PutUint16(l3[4:], uint16(len(l4)))
		l3[6], l3[7] = f.proto, 64
		copy(l3[8:], s)
		copy(l3[24:], d)
	} else {
		hl := 20
		if f.ipOptions {
			hl = 24
		}
		l3 = make([]byte, hl)
		l3[0] = 0x40 | byte(hl/4)
		binary.BigEndian.PutUint16(l3[2:], uint16(hl+len(l4)))
		if f.fragment {
			binary.BigEndian.PutUint16(l3[6:], 0x2000) // more fragments
		}
		l3[8], l3[9] = 64, f.proto
		copy(l3[12:], s)
		copy(l3[16:], d)
		binary.BigEndian.PutUint16(l3[10:], csum(l3, 0))
	}
	off := 16
	if f.proto == 17 {
		off = 6
	}
	binary.BigEndian.PutUint16(l4[off:], csum(l4, pseudo(s, d, f.proto, len(l4))))
	eth := append(append([]byte{}, f.dst[:]...), f.src[:]...)
	if f.vlan != 0 {
		eth = binary.BigEndian.AppendUint16(eth, 0x8100)
		eth = binary.BigEndian.AppendUint16(eth, f.vlan)
	}
	et := uint16(0x0800)
	if f.v6 {
		et = 0x86dd
	}
	eth = binary.BigEndian.AppendUint16(eth, et)
	return append(append(eth, l3...), l4...)
}

// key is the map key the program extracts from f arriving on lo.
func key(f frameSpec) CTFlowKey {
	k := CTFlowKey{Ifindex: loIfindex, Proto: f.proto, Sport: nbo(f.sport), Dport: nbo(f.dport)}
	copy(k.Src[:], f.saddr.AsSlice())
	copy(k.Dst[:], f.daddr.AsSlice())
	if f.v6 {
		k.Ipv6 = 1
	}
	if f.vlan != 0 {
		k.Vlan = f.vlan | VLANPresent
	}
	return k
}

type harness struct {
	t    *testing.T
	maps *OffloadMaps
	prog *XSKProgram
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
	m, err := NewOffloadMaps()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	p, err := LoadXSKOffload(1, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if err := m.AddTxPort(loIfindex); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, maps: m, prog: p}
}

// run feeds frame to prog as received on lo and returns the verdict and
// the frame after the program.
func run(t *testing.T, prog *ebpf.Program, frame []byte) (uint32, []byte) {
	t.Helper()
	out := make([]byte, len(frame)+64)
	ctxOut := xdpMD{}
	opts := &ebpf.RunOptions{Data: frame, DataOut: out,
		Context:    xdpMD{DataEnd: uint32(len(frame)), IngressIfindex: loIfindex},
		ContextOut: &ctxOut}
	ret, err := prog.Run(opts)
	if err != nil {
		t.Fatalf("BPF_PROG_TEST_RUN: %v", err)
	}
	return ret, opts.DataOut
}

func nbo(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

func TestOffloadFastPath(t *testing.T) {
	h := newHarness(t)
	prog := h.prog.objs.XskRedirect

	base := tcpFrame()
	nat := base
	nat.saddr = netip.MustParseAddr("192.168.7.9")
	nat.sport = 1234
	nat.src, nat.dst = macC, macA
	natVal := CTFlowVal{OutIfindex: loIfindex,
		Flags:  CTFSetEthSrc | CTFSetEthDst | CTFNATSrc | CTFNATSport | CTFMatchDst,
		EthSrc: macC, EthDst: macA, MatchDst: macB, NatSport: nbo(1234)}
	copy(natVal.NatSrc[:], nat.saddr.AsSlice())

	udp := base
	udp.proto, udp.sport, udp.dport = 17, 5353, 53
	udpTagged := udp
	udpTagged.vlan = 0x2064 // priority 1, VID 100
	udpRetagged := udp
	udpRetagged.vlan = 0x0065

	v6 := base
	v6.v6 = true
	v6.saddr, v6.daddr = netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fd00::2")

	for _, c := range []struct {
		name    string
		entry   *CTFlowVal // installed for the input's key, if any
		in      frameSpec
		verdict uint32
		want    *frameSpec // the frame after the program; nil: unchanged
	}{
		{name: "tcp snat with mac rewrite", entry: &natVal, in: base, verdict: xdpRedirect, want: &nat},
		{name: "no entry", in: base, verdict: xdpPass},
		{name: "syn", entry: &natVal, in: func() frameSpec { f := base; f.tcpFlags = 0x02; return f }(), verdict: xdpPass},
		{name: "fin", entry: &natVal, in: func() frameSpec { f := base; f.tcpFlags = 0x11; return f }(), verdict: xdpPass},
		{name: "rst", entry: &natVal, in: func() frameSpec { f := base; f.tcpFlags = 0x04; return f }(), verdict: xdpPass},
		{name: "ip options", entry: &natVal, in: func() frameSpec { f := base; f.ipOptions = true; return f }(), verdict: xdpPass},
		{name: "fragment", entry: &natVal, in: func() frameSpec { f := base; f.fragment = true; return f }(), verdict: xdpPass},
		{name: "l2 mismatch", entry: &natVal, in: func() frameSpec { f := base; f.dst = macC; return f }(), verdict: xdpPass},
		{name: "egress not in devmap", entry: &CTFlowVal{OutIfindex: 4242}, in: base, verdict: xdpPass},
		{name: "udp plain", entry: &CTFlowVal{OutIfindex: loIfindex}, in: udp, verdict: xdpRedirect, want: &udp},
		{name: "udp dnat", entry: func() *CTFlowVal {
			v := &CTFlowVal{OutIfindex: loIfindex, Flags: CTFNATDst | CTFNATDport, NatDport: nbo(5300)}
			copy(v.NatDst[:], []byte{10, 9, 9, 9})
			return v
		}(), in: udp, verdict: xdpRedirect, want: func() *frameSpec {
			f := udp
			f.daddr, f.dport = netip.MustParseAddr("10.9.9.9"), 5300
			return &f
		}()},
		{name: "vlan pop", entry: &CTFlowVal{OutIfindex: loIfindex, Flags: CTFVLANPop}, in: udpTagged, verdict: xdpRedirect, want: &udp},
		{name: "vlan push", entry: &CTFlowVal{OutIfindex: loIfindex, Flags: CTFVLANPush, VlanTpid: nbo(0x8100), VlanTci: 0x2064},
			in: udp, verdict: xdpRedirect, want: &udpTagged},
		{name: "vlan set", entry: &CTFlowVal{OutIfindex: loIfindex, Flags: CTFVLANSet, VlanTci: 0x0065},
			in: udpTagged, verdict: xdpRedirect, want: &udpRetagged},
		{name: "ipv6 tcp", entry: &CTFlowVal{OutIfindex: loIfindex, Flags: CTFSetEthDst, EthDst: macC}, in: v6, verdict: xdpRedirect,
			want: func() *frameSpec { f := v6; f.dst = macC; return &f }()},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := key(c.in)
			if c.entry != nil {
				if err := h.maps.PutFlow(&k, c.entry); err != nil {
					t.Fatal(err)
				}
				defer h.maps.DeleteFlow(&k)
			}
			frame := c.in.build()
			verdict, out := run(t, prog, frame)
			if verdict != c.verdict {
				t.Fatalf("verdict %d, want %d", verdict, c.verdict)
			}
			want := frame
			if c.want != nil {
				want = c.want.build()
			}
			if !bytes.Equal(out, want) {
				t.Fatalf("frame after the program:\n got % x\nwant % x", out, want)
			}
			if c.entry == nil {
				return
			}
			v, ok, err := h.maps.LookupFlow(&k)
			if err != nil || !ok {
				t.Fatalf("entry gone: %v", err)
			}
			if c.verdict == xdpRedirect {
				if v.Packets != 1 || v.Bytes != uint64(len(frame)) || v.LastUsed == 0 {
					t.Fatalf("counters packets=%d bytes=%d last_used=%d, want 1, %d, set", v.Packets, v.Bytes, v.LastUsed, len(frame))
				}
			} else if v.Packets != 0 || v.Bytes != 0 || v.LastUsed != 0 {
				t.Fatalf("a frame handed to userspace was counted: %+v", v)
			}
		})
	}
	st, err := h.maps.ReadStats()
	if err != nil {
		t.Fatal(err)
	}
	want := XDPStats{Hit: 7, Miss: 1, TCPControl: 3, Unparsed: 2, L2Mismatch: 1, NoPort: 1}
	if st != want {
		t.Errorf("xdp statistics %+v, want %+v", st, want)
	}
}

// Without offload maps the program ignores the fast path entirely.
func TestOffloadDisabledByDefault(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
	p, err := LoadXSK(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	k := key(tcpFrame())
	if err := p.objs.TxPorts.Put(uint32(loIfindex), uint32(loIfindex)); err != nil {
		t.Fatal(err)
	}
	if err := p.objs.CtFlows.Put(&k, &CTFlowVal{OutIfindex: loIfindex}); err != nil {
		t.Fatal(err)
	}
	frame := tcpFrame().build()
	if verdict, out := run(t, p.objs.XskRedirect, frame); verdict != xdpPass || !bytes.Equal(out, frame) {
		t.Fatalf("verdict %d, frame changed %v; want the frame passed unchanged", verdict, !bytes.Equal(out, frame))
	}
}

// LoadXSKOffload with nil maps is LoadXSK.
func TestLoadXSKOffloadNil(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
	p, err := LoadXSKOffload(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := LoadXSKOffload(0, nil); err == nil {
		t.Fatal("0 queues accepted")
	}
}
