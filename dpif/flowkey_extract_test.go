package dpif

import (
	"testing"
)

type extractCase struct {
	name string
	pkt  []byte
	want FlowKey
	off  HeaderOffsets
}

func tOff(mpls, l3, l4, pad int) HeaderOffsets { return HeaderOffsets{mpls, l3, l4, pad} }

func extractCases() []extractCase {
	syn := tIPv4("10.1.1.1", "10.1.1.2", 6, 0xb9, 64, 0x4000, nil, tTCP(49704, 8000, 0x012, 0))
	ipOpts := []byte{0x94, 0x04, 0, 0} // router alert
	nsBody := tCat(tICMP(135, 0), func() []byte { a := tIP6("fe80::1"); return a[:] }(),
		tNDOpt(1, "00:00:00:00:00:aa"))
	naBody := tCat(tICMP(136, 0), func() []byte { a := tIP6("fe80::2"); return a[:] }(),
		[]byte{99, 1, 0, 0, 0, 0, 0, 0}, // unknown option, skipped
		tNDOpt(2, "00:00:00:00:00:bb"))
	dupBody := tCat(tICMP(135, 0), func() []byte { a := tIP6("fe80::1"); return a[:] }(),
		tNDOpt(1, "00:00:00:00:00:aa"), tNDOpt(1, "00:00:00:00:00:cc"))
	return []extractCase{
		{
			name: "ipv4 tcp syn-ack, ethernet padding",
			pkt:  tCat(tEth(0x0800), syn, make([]byte, 6)),
			want: tKey(3, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.1.1.1"))
				k.SetNwDst(tIP4("10.1.1.2"))
				k.SetNwProto(6)
				k.SetNwTOS(0xb9)
				k.SetNwTTL(64)
				k.SetTpSrc(49704)
				k.SetTpDst(8000)
				k.SetTCPFlags(0x012)
			}),
			off: tOff(-1, 14, 34, 6),
		},
		{
			name: "ipv4 options udp",
			pkt:  tCat(tEth(0x0800), tIPv4("192.168.0.1", "224.0.0.22", 17, 0, 1, 0, ipOpts, tUDP(1000, 2000, []byte("hi")))),
			want: tKey(3, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("192.168.0.1"))
				k.SetNwDst(tIP4("224.0.0.22"))
				k.SetNwProto(17)
				k.SetNwTTL(1)
				k.SetTpSrc(1000)
				k.SetTpDst(2000)
			}),
			off: tOff(-1, 14, 38, 0),
		},
		{
			name: "ipv4 first fragment",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0x2000, nil, tUDP(53, 5353, nil))),
			want: tKey(3, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetNwFrag(NwFragAny)
				k.SetTpSrc(53)
				k.SetTpDst(5353)
			}),
			off: tOff(-1, 14, 34, 0),
		},
		{
			name: "ipv4 later fragment",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 185, nil, tUDP(53, 5353, nil))),
			want: tKey(3, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetNwFrag(NwFragAny | NwFragLater)
			}),
			off: tOff(-1, 14, 34, 0),
		},
		{
			name: "ipv4 sctp",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 132, 0, 64, 0, nil, tSCTP(36412, 38412))),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(132)
				k.SetNwTTL(64)
				k.SetTpSrc(36412)
				k.SetTpDst(38412)
			}),
			off: tOff(-1, 14, 34, 0),
		},
		{
			name: "ipv4 icmp echo",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 1, 0, 64, 0, nil, tICMP(8, 0))),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(1)
				k.SetNwTTL(64)
				k.SetTpSrc(8)
			}),
			off: tOff(-1, 14, 34, 0),
		},
		{
			name: "802.1q udp",
			pkt:  tCat(tEth(0x0800, tTag(0x8100, 0xa064)), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, tUDP(1, 2, nil))),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetVLAN(0, 0x8100, 0xa064|VLANCFI)
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetTpSrc(1)
				k.SetTpDst(2)
			}),
			off: tOff(-1, 18, 38, 0),
		},
		{
			name: "802.1ad q-in-q, vid 0",
			pkt:  tCat(tEth(0x0806, tTag(0x88a8, 0x0000), tTag(0x8100, 0x0fff)), tARP(2, "00:00:00:00:00:01", "1.2.3.4", "00:00:00:00:00:02", "5.6.7.8")),
			want: tKey(1, 0x0806, func(k *FlowKey) {
				k.SetVLAN(0, 0x88a8, VLANCFI)
				k.SetVLAN(1, 0x8100, 0x0fff|VLANCFI)
				k.SetNwSrc(tIP4("1.2.3.4"))
				k.SetNwDst(tIP4("5.6.7.8"))
				k.SetNwProto(2)
				k.SetARPSha(tMAC("00:00:00:00:00:01"))
				k.SetARPTha(tMAC("00:00:00:00:00:02"))
			}),
			off: tOff(-1, 22, -1, 0),
		},
		{
			name: "three tags: the third TPID is the ethertype",
			pkt:  tCat(tEth(0x0800, tTag(0x88a8, 1), tTag(0x8100, 2), tTag(0x8100, 3)), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, nil)),
			want: tKey(1, 0x8100, func(k *FlowKey) {
				k.SetVLAN(0, 0x88a8, 1|VLANCFI)
				k.SetVLAN(1, 0x8100, 2|VLANCFI)
			}),
			off: tOff(-1, 22, -1, 0),
		},
		{
			name: "truncated tag",
			pkt:  tCat(tEth(0x8100), []byte{0x00, 0x05, 0x08}),
			want: tKey(1, 0x8100, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "mpls two labels",
			pkt:  tCat(tEth(0x8847), tU32(100<<12|5<<9|64), tU32(200<<12|1<<8|63), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, nil)),
			want: tKey(1, 0x8847, func(k *FlowKey) { k.SetMPLSLSE(100<<12 | 5<<9 | 64) }),
			off:  tOff(14, 22, -1, 0),
		},
		{
			name: "mpls multicast, stack runs off the end",
			pkt:  tCat(tEth(0x8848), tU32(7<<12|1), tU32(8<<12|1), []byte{1, 2}),
			want: tKey(1, 0x8848, func(k *FlowKey) { k.SetMPLSLSE(7<<12 | 1) }),
			off:  tOff(14, 22, -1, 0),
		},
		{
			name: "arp request",
			pkt:  tCat(tEth(0x0806), tARP(1, tSrc, "10.1.1.1", "00:00:00:00:00:00", "10.1.1.2"), make([]byte, 18)),
			want: tKey(2, 0x0806, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.1.1.1"))
				k.SetNwDst(tIP4("10.1.1.2"))
				k.SetNwProto(1)
				k.SetARPSha(tMAC(tSrc))
			}),
			off: tOff(-1, 14, -1, 0),
		},
		{
			name: "arp opcode above 255 reads as 0",
			pkt:  tCat(tEth(0x0806), tARP(0x0101, tSrc, "10.1.1.1", tDst, "10.1.1.2")),
			want: tKey(2, 0x0806, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.1.1.1"))
				k.SetNwDst(tIP4("10.1.1.2"))
				k.SetARPSha(tMAC(tSrc))
				k.SetARPTha(tMAC(tDst))
			}),
			off: tOff(-1, 14, -1, 0),
		},
		{
			name: "rarp",
			pkt:  tCat(tEth(0x8035), tARP(3, tSrc, "0.0.0.0", tSrc, "0.0.0.0")),
			want: tKey(2, 0x8035, func(k *FlowKey) {
				k.SetNwProto(3)
				k.SetARPSha(tMAC(tSrc))
				k.SetARPTha(tMAC(tSrc))
			}),
			off: tOff(-1, 14, -1, 0),
		},
		{
			name: "arp for another protocol is not parsed",
			pkt:  tCat(tEth(0x0806), func() []byte { a := tARP(1, tSrc, "1.1.1.1", tDst, "2.2.2.2"); a[3] = 0x01; return a }()),
			want: tKey(2, 0x0806, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "ipv6 tcp",
			pkt:  tCat(tEth(0x86dd), tIPv6("2001:db8::1", "2001:db8::2", 6, 0x2e, 0xabcde, 255, tTCP(443, 50000, 0x018, 3))),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("2001:db8::1"))
				k.SetIPv6Dst(tIP6("2001:db8::2"))
				k.SetIPv6Label(0xabcde)
				k.SetNwProto(6)
				k.SetNwTOS(0x2e)
				k.SetNwTTL(255)
				k.SetTpSrc(443)
				k.SetTpDst(50000)
				k.SetTCPFlags(0x018)
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "ipv6 hop-by-hop, routing, dstopts, ah, udp",
			pkt: tCat(tEth(0x86dd), tIPv6("::1", "::2", 0, 0, 0, 64,
				tCat(tExt(43, 0), tExt(60, 1), tExt(51, 0), tAH(17, 4), tUDP(7, 9, nil)))),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("::1"))
				k.SetIPv6Dst(tIP6("::2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetTpSrc(7)
				k.SetTpDst(9)
			}),
			off: tOff(-1, 14, 54+8+16+8+24, 0),
		},
		{
			name: "ipv6 first fragment",
			pkt:  tCat(tEth(0x86dd), tIPv6("::1", "::2", 44, 0, 0, 64, tCat(tFrag6(17, 1), tUDP(7, 9, nil)))),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("::1"))
				k.SetIPv6Dst(tIP6("::2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetNwFrag(NwFragAny)
				k.SetTpSrc(7)
				k.SetTpDst(9)
			}),
			off: tOff(-1, 14, 62, 0),
		},
		{
			name: "ipv6 atomic fragment is not a fragment",
			pkt:  tCat(tEth(0x86dd), tIPv6("::1", "::2", 44, 0, 0, 64, tCat(tFrag6(17, 0), tUDP(7, 9, nil)))),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("::1"))
				k.SetIPv6Dst(tIP6("::2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetTpSrc(7)
				k.SetTpDst(9)
			}),
			off: tOff(-1, 14, 62, 0),
		},
		{
			name: "ipv6 later fragment",
			pkt:  tCat(tEth(0x86dd), tIPv6("::1", "::2", 0, 0, 0, 64, tCat(tExt(44, 0), tFrag6(17, 8<<3), tUDP(7, 9, nil)))),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("::1"))
				k.SetIPv6Dst(tIP6("::2"))
				k.SetNwProto(44)
				k.SetNwTTL(64)
				k.SetNwFrag(NwFragAny | NwFragLater)
			}),
			off: tOff(-1, 14, 70, 0),
		},
		{
			name: "ipv6 truncated extension header",
			pkt:  tCat(tEth(0x86dd), tIPv6("::1", "::2", 0, 0x11, 5, 64, tExt(17, 1)[:12])),
			want: tKey(4, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("::1"))
				k.SetIPv6Dst(tIP6("::2"))
			}),
			off: tOff(-1, 14, -1, 0),
		},
		{
			name: "icmpv6 echo",
			pkt:  tCat(tEth(0x86dd), tIPv6("fe80::1", "ff02::1", 58, 0, 0, 255, tICMP(128, 0))),
			want: tKey(1, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("fe80::1"))
				k.SetIPv6Dst(tIP6("ff02::1"))
				k.SetNwProto(58)
				k.SetNwTTL(255)
				k.SetTpSrc(128)
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "nd neighbor solicitation with sll",
			pkt:  tCat(tEth(0x86dd), tIPv6("fe80::2", "ff02::1:ff00:1", 58, 0, 0, 255, nsBody)),
			want: tKey(1, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("fe80::2"))
				k.SetIPv6Dst(tIP6("ff02::1:ff00:1"))
				k.SetNwProto(58)
				k.SetNwTTL(255)
				k.SetTpSrc(135)
				k.SetNDTarget(tIP6("fe80::1"))
				k.SetARPSha(tMAC("00:00:00:00:00:aa"))
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "nd neighbor advertisement with tll after an unknown option",
			pkt:  tCat(tEth(0x86dd), tIPv6("fe80::2", "fe80::1", 58, 0, 0, 255, naBody)),
			want: tKey(1, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("fe80::2"))
				k.SetIPv6Dst(tIP6("fe80::1"))
				k.SetNwProto(58)
				k.SetNwTTL(255)
				k.SetTpSrc(136)
				k.SetNDTarget(tIP6("fe80::2"))
				k.SetARPTha(tMAC("00:00:00:00:00:bb"))
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "nd with a repeated sll option is invalid",
			pkt:  tCat(tEth(0x86dd), tIPv6("fe80::2", "ff02::1:ff00:1", 58, 0, 0, 255, dupBody)),
			want: tKey(1, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("fe80::2"))
				k.SetIPv6Dst(tIP6("ff02::1:ff00:1"))
				k.SetNwProto(58)
				k.SetNwTTL(255)
				k.SetTpSrc(135)
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "nd without target",
			pkt:  tCat(tEth(0x86dd), tIPv6("fe80::2", "ff02::1", 58, 0, 0, 255, tICMP(135, 0, []byte{1, 2, 3}))),
			want: tKey(1, 0x86dd, func(k *FlowKey) {
				k.SetIPv6Src(tIP6("fe80::2"))
				k.SetIPv6Dst(tIP6("ff02::1"))
				k.SetNwProto(58)
				k.SetNwTTL(255)
				k.SetTpSrc(135)
			}),
			off: tOff(-1, 14, 54, 0),
		},
		{
			name: "llc/snap carrying ipv4",
			pkt: tCat(tEth(0x0032), []byte{0xaa, 0xaa, 0x03, 0, 0, 0}, tU16(0x0800),
				tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, tUDP(1, 2, nil))),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
				k.SetTpSrc(1)
				k.SetTpDst(2)
			}),
			off: tOff(-1, 22, 42, 0),
		},
		{
			name: "802.2 llc without snap",
			pkt:  tCat(tEth(0x0026), []byte{0x42, 0x42, 0x03, 0, 0, 0, 0, 0, 0}),
			want: tKey(1, EthTypeNone, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "unknown ethertype",
			pkt:  tCat(tEth(0x88cc), []byte{1, 2, 3, 4}),
			want: tKey(1, 0x88cc, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "frame shorter than an ethernet header",
			pkt:  tEth(0x0800)[:13],
			want: func() FlowKey { var k FlowKey; k.SetInPort(1); return k }(),
			off:  tOff(-1, -1, -1, 0),
		},
		{
			name: "ipv4 total length beyond the frame",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, tUDP(1, 2, nil))[:27]),
			want: tKey(1, 0x0800, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "ipv4 header length below 20",
			pkt: tCat(tEth(0x0800), func() []byte {
				h := tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, tUDP(1, 2, nil))
				h[0] = 0x44
				return h
			}()),
			want: tKey(1, 0x0800, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "ipv4 truncated header",
			pkt:  tCat(tEth(0x0800), make([]byte, 19)),
			want: tKey(1, 0x0800, nil),
			off:  tOff(-1, 14, -1, 0),
		},
		{
			name: "tcp with data offset below 5",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 6, 0, 64, 0, nil, func() []byte { h := tTCP(1, 2, 0x002, 0); h[12] = 0x40; return h }())),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(6)
				k.SetNwTTL(64)
			}),
			off: tOff(-1, 14, 34, 0),
		},
		{
			name: "udp header cut by the ip total length",
			pkt:  tCat(tEth(0x0800), tIPv4("10.0.0.1", "10.0.0.2", 17, 0, 64, 0, nil, []byte{0, 1, 0, 2}), []byte{0, 12, 0, 0}),
			want: tKey(1, 0x0800, func(k *FlowKey) {
				k.SetNwSrc(tIP4("10.0.0.1"))
				k.SetNwDst(tIP4("10.0.0.2"))
				k.SetNwProto(17)
				k.SetNwTTL(64)
			}),
			off: tOff(-1, 14, 34, 4),
		},
		{
			name: "ipv6 payload length beyond the frame",
			pkt:  tCat(tEth(0x86dd), tIPv6("::1", "::2", 17, 0, 0, 64, tUDP(1, 2, nil))[:47]),
			want: tKey(1, 0x86dd, nil),
			off:  tOff(-1, 14, -1, 0),
		},
	}
}

func TestExtract(t *testing.T) {
	for _, c := range extractCases() {
		var got FlowKey
		o := Extract(c.pkt, c.want.InPort(), &got)
		checkKey(t, c.name, &got, &c.want)
		if o != c.off {
			t.Errorf("%s: offsets %+v, want %+v", c.name, o, c.off)
		}
	}
}

// TestExtractOverwrites checks that Extract does not keep fields of a key
// used before (poll loops reuse keys).
func TestExtractOverwrites(t *testing.T) {
	cs := extractCases()
	var k FlowKey
	for i := range k {
		k[i] = ^uint64(0)
	}
	Extract(cs[0].pkt, 3, &k)
	checkKey(t, cs[0].name, &k, &cs[0].want)
}

func TestExtractEveryPrefix(t *testing.T) {
	// Every truncation of every case must parse without panicking, with
	// offsets inside the frame.
	for _, c := range extractCases() {
		for n := 0; n <= len(c.pkt); n++ {
			var k FlowKey
			o := Extract(c.pkt[:n], 1, &k)
			checkOffsets(t, c.pkt[:n], o)
		}
	}
}

func checkOffsets(t *testing.T, pkt []byte, o HeaderOffsets) {
	t.Helper()
	for _, v := range []int{o.MPLS, o.L3, o.L4} {
		if v < -1 || v > len(pkt) {
			t.Fatalf("offsets %+v outside a %d-byte frame %x", o, len(pkt), pkt)
		}
	}
	if o.L4 >= 0 && o.L4 < o.L3 || o.L2Pad < 0 || o.L2Pad > len(pkt) {
		t.Fatalf("inconsistent offsets %+v for %x", o, pkt)
	}
}

func FuzzExtract(f *testing.F) {
	for _, c := range extractCases() {
		f.Add(c.pkt)
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		var k, k2 FlowKey
		o := Extract(pkt, 7, &k)
		checkOffsets(t, pkt, o)
		if k.InPort() != 7 {
			t.Fatalf("in_port %d", k.InPort())
		}
		// Extraction is a pure function of the bytes.
		if Extract(pkt, 7, &k2); k2 != k {
			t.Fatalf("second extraction differs:%s", keyDiff(&k2, &k))
		}
	})
}
