package dpif

import (
	"encoding/hex"
	"testing"
)

// composeCases are datapath flows whose packets Extract must read back
// field for field.
var composeCases = []string{
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=80)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0x1d,ttl=64,frag=no),tcp(src=8,dst=80),tcp_flags(syn|ack)",
	"in_port(2),eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.255,proto=17,tos=0,ttl=1,frag=no),udp(src=68,dst=67)",
	"in_port(2),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=132,tos=0,ttl=64,frag=no),sctp(src=1000,dst=2000)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=3,code=1)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=first),udp(src=1,dst=2)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=later)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2))",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x88a8),vlan(vid=100,pcp=0),encap(eth_type(0x8100),vlan(vid=10,pcp=5),encap(eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)))",
	"in_port(3),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=2,sha=50:54:00:00:00:01,tha=50:54:00:00:00:02)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0x12345,proto=6,tclass=0x20,hlimit=64,frag=no),tcp(src=1234,dst=443)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,sll=50:54:00:00:00:01)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=fe80::1,dst=fe80::2,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=136,code=0),nd(target=fe80::1,tll=50:54:00:00:00:01)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=58,tclass=0,hlimit=64,frag=no),icmpv6(type=128,code=0)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=first),udp(src=5,dst=6)",
	"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x1234)",
}

func TestComposeRoundTrip(t *testing.T) {
	exact := ExactMask()
	for _, flow := range composeCases {
		want, err := ParseODPFlow(flow)
		if err != nil {
			t.Fatalf("ParseODPFlow(%s): %v", flow, err)
		}
		for _, size := range []int{0, 200} {
			var pkt []byte
			if size == 0 {
				pkt = ComposePacket(&want, nil, ComposeL7Len)
			} else {
				pkt = ExpandPacket(ComposePacket(&want, nil, 0), &want, size)
				if len(pkt) != size {
					t.Errorf("%s: expanded to %d bytes, want %d", flow, len(pkt), size)
				}
			}
			var got FlowKey
			Extract(pkt, want.InPort(), &got)
			if got != want {
				t.Errorf("%s (size %d):\npacket %s\nextracted %s", flow, size, hex.EncodeToString(pkt), MegaflowKeyText(&got, &exact, false, nil))
			}
			checkChecksums(t, flow, pkt, &want)
		}
	}
}

// checkChecksums verifies that the IPv4 header and transport checksums of
// a composed packet sum to 0xffff.
func checkChecksums(t *testing.T, flow string, pkt []byte, k *FlowKey) {
	t.Helper()
	l3 := 14
	for i := 0; i < maxVLANHeaders; i++ {
		if _, tci := k.VLAN(i); tci&VLANCFI != 0 {
			l3 += 4
		}
	}
	var pseudo uint32
	var l4 []byte
	switch k.EthType() {
	case ethTypeIPv4:
		ip := pkt[l3:]
		if s := csumFold(csumAdd(0, ip[:20])); s != 0xffff {
			t.Errorf("%s: IPv4 header checksum sums to %#x", flow, s)
		}
		l4 = ip[20:]
		pseudo = csumAdd(0, ip[12:20]) + uint32(k.NwProto()) + uint32(len(l4))
	case ethTypeIPv6:
		ip := pkt[l3:]
		l4 = ip[40:]
		if k.NwFrag() != 0 {
			l4 = ip[48:]
		}
		pseudo = csumAdd(0, ip[8:40]) + uint32(k.NwProto()) + uint32(len(l4))
	default:
		return
	}
	if k.NwFrag()&NwFragLater != 0 {
		return
	}
	switch k.NwProto() {
	case ipProtoICMP:
		pseudo = 0
	case ipProtoTCP, ipProtoUDP, ipProtoICMPv6:
	default:
		return
	}
	if s := csumFold(csumAdd(pseudo, l4)); s != 0xffff {
		t.Errorf("%s: transport checksum sums to %#x", flow, s)
	}
}

func TestParseODPFlowErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"in_port(1),bogus(3)", "syntax error at bogus(3)"},
		{"in_port(x)", "syntax error at in_port(x)"},
		{"eth(src=1:2)", "syntax error at eth(src=1:2)"},
		{"in_port(1", "syntax error at in_port(1"},
		{"ipv4(frag=maybe)", "syntax error at ipv4(frag=maybe)"},
		{"eth_type(0x8100),vlan(vid=1),encap(eth_type(0x0800),ipv4(src=1))", "syntax error at ipv4(src=1)"},
	} {
		_, err := ParseODPFlow(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseODPFlow(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestComposeODPFlowLen(t *testing.T) {
	flow := "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
	pkt, err := ComposeODPFlow(flow, 100)
	if err != nil || len(pkt) != 100 {
		t.Fatalf("ComposeODPFlow(--len 100) = %d bytes, %v", len(pkt), err)
	}
	if _, err := ComposeODPFlow(flow, 20); err == nil {
		t.Error("ComposeODPFlow accepted a --len shorter than the packet")
	}
}

func FuzzParseODPFlow(f *testing.F) {
	for _, c := range composeCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseODPFlow(s)
		if err != nil {
			return
		}
		pkt := ComposePacket(&k, nil, ComposeL7Len)
		_ = ExpandPacket(pkt, &k, len(pkt)+7)
	})
}

func TestDummyPortNumber(t *testing.T) {
	taken := map[uint32]bool{2: true}
	isTaken := func(n uint32) bool { return taken[n] }
	for name, want := range map[string]uint32{
		"p1": 1, "br0": 100, "br1": 101, "p2": 0, "nodigits": 0, "h13a": 13, "p0": 0, "x99999999999": 0,
	} {
		if got := dummyPortNumber(name, isTaken); got != want {
			t.Errorf("dummyPortNumber(%q) = %d, want %d", name, got, want)
		}
	}
}
