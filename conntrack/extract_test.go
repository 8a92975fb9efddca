package conntrack

import (
	"encoding/binary"
	"testing"
)

func TestExtractKeys(t *testing.T) {
	var ctx lookupCtx
	p := tcpPkt("10.1.1.1", "10.1.1.2", 1234, 80, tcpSYN, tcpOpt{seq: 1, wscale: 7})
	if !extractKey(p, 3, &ctx) {
		t.Fatal("tcp: not extracted")
	}
	want := Key{Zone: 3, Proto: ProtoTCP}
	want.Src.Addr = [16]byte{10, 1, 1, 1}
	want.Dst.Addr = [16]byte{10, 1, 1, 2}
	want.Src.Port, want.Dst.Port = 1234, 80
	if ctx.key != want {
		t.Fatalf("tcp key %+v, want %+v", ctx.key, want)
	}

	p = icmpEcho("fd00::1", "fd00::2", icmp6EchoRequest, 77, 1)
	if !extractKey(p, 0, &ctx) {
		t.Fatal("icmpv6 echo: not extracted")
	}
	if ctx.key.Src.Port != 77 || ctx.key.Dst.Port != 77 || ctx.key.Src.ICMPType != icmp6EchoRequest ||
		ctx.key.Dst.ICMPType != icmp6EchoReply || !ctx.key.IPv6 || ctx.key.Proto != ProtoICMPv6 {
		t.Fatalf("icmpv6 key %+v", ctx.key)
	}

	// An ICMP error yields the reversed key of the quoted packet.
	inner := udpPkt("10.0.0.1", "10.0.0.2", 5000, 53, 10)
	p = icmpError("192.168.1.1", "10.0.0.1", icmp4DstUnreach, 3, inner)
	if !extractKey(p, 0, &ctx) || !ctx.icmpRelated {
		t.Fatal("icmp error: not extracted as related")
	}
	if ctx.key.Src.Port != 53 || ctx.key.Dst.Port != 5000 || ctx.key.Src.Addr[3] != 2 {
		t.Fatalf("icmp error key %+v", ctx.key)
	}
}

func TestExtractRejects(t *testing.T) {
	corrupt := func(p *Packet, off int) *Packet { p.Data[p.L3Offset+off] ^= 0xff; return p }
	cases := map[string]*Packet{
		"bad ip csum":      corrupt(udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), 10),
		"bad udp csum":     corrupt(udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 4), 28),
		"bad tcp csum":     corrupt(tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpSYN, tcpOpt{wscale: -1}), 36),
		"bad icmp csum":    corrupt(icmpEcho("10.0.0.1", "10.0.0.2", 8, 1, 1), 22),
		"bad icmpv6 csum":  corrupt(icmpEcho("fd00::1", "fd00::2", 128, 1, 1), 42),
		"udp port 0":       udpPkt("10.0.0.1", "10.0.0.2", 0, 2, 0),
		"tcp port 0":       tcpPkt("10.0.0.1", "10.0.0.2", 1, 0, tcpSYN, tcpOpt{wscale: -1}),
		"icmp echo code":   corrupt(icmpEcho("10.0.0.1", "10.0.0.2", 8, 1, 1), 21),
		"icmpv6 nd":        icmpEcho("fd00::1", "fd00::2", 135, 1, 1),
		"icmp unsupported": icmpEcho("10.0.0.1", "10.0.0.2", 9, 1, 1),
		"wrong ethertype":  {Data: make([]byte, 60), L3Offset: 14, EthType: 0x0806},
		"offset past end":  {Data: make([]byte, 10), L3Offset: 11, EthType: EthTypeIPv4},
		"truncated ipv4":   {Data: make([]byte, 30), L3Offset: 14, EthType: EthTypeIPv4},
	}
	frag := udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0)
	binary.BigEndian.PutUint16(frag.Data[ethLen+6:], 0x2000) // MF
	binary.BigEndian.PutUint16(frag.Data[ethLen+10:], 0)
	binary.BigEndian.PutUint16(frag.Data[ethLen+10:], csumFold(csumAdd(0, frag.Data[ethLen:ethLen+20])))
	cases["ipv4 fragment"] = frag
	f6 := ipPacket("fd00::1", "fd00::2", 44, []byte{ProtoUDP, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 2, 0, 8, 0, 0})
	cases["ipv6 fragment header"] = f6
	// Inner source must equal the outer destination.
	cases["icmp error wrong target"] = icmpError("192.168.1.1", "10.0.0.9", icmp4DstUnreach, 3, udpPkt("10.0.0.1", "10.0.0.2", 5, 6, 0))
	for name, p := range cases {
		var ctx lookupCtx
		if extractKey(p, 0, &ctx) {
			t.Errorf("%s: extracted, want rejected", name)
		}
	}
	// NIC said good: a bad checksum is not noticed; NIC said bad: rejected.
	p := corrupt(udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 4), 28)
	p.Csum = L4CsumGood
	var ctx lookupCtx
	if !extractKey(p, 0, &ctx) {
		t.Error("L4CsumGood: rejected")
	}
	p = udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 4)
	p.Csum = L4CsumBad
	if extractKey(p, 0, &ctx) {
		t.Error("L4CsumBad: accepted")
	}
}

func TestExtractIPv6ExtensionHeaders(t *testing.T) {
	udp := udpPkt("fd00::1", "fd00::2", 1000, 2000, 4)
	l4 := udp.Data[ethLen+40:]
	// Hop-by-hop (8 bytes) then the UDP datagram.
	ext := append([]byte{ProtoUDP, 0, 1, 4, 0, 0, 0, 0}, l4...)
	p := ipPacket("fd00::1", "fd00::2", 0, ext)
	var ctx lookupCtx
	if !extractKey(p, 0, &ctx) || ctx.key.Proto != ProtoUDP || ctx.key.Src.Port != 1000 {
		t.Fatalf("hop-by-hop: ok=%v key=%+v", extractKey(p, 0, &ctx), ctx.key)
	}
}

func TestExtractIPv6AtomicFragment(t *testing.T) {
	udp := udpPkt("fd00::1", "fd00::2", 1000, 2000, 4)
	l4 := udp.Data[ethLen+40:]
	// A fragment header with offset 0 and M clear: a whole datagram.
	atomic := append([]byte{ProtoUDP, 0, 0, 0, 0, 0, 0, 9}, l4...)
	var ctx lookupCtx
	if p := ipPacket("fd00::1", "fd00::2", 44, atomic); !extractKey(p, 0, &ctx) || ctx.key.Src.Port != 1000 {
		t.Fatalf("atomic fragment: key=%+v", ctx.key)
	}
	// The first of several fragments stays untrackable.
	first := append([]byte{ProtoUDP, 0, 0, 1, 0, 0, 0, 9}, l4...)
	if p := ipPacket("fd00::1", "fd00::2", 44, first); extractKey(p, 0, &ctx) {
		t.Fatal("first fragment tracked")
	}
}
