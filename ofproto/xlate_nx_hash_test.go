package ofproto

import (
	"net/netip"
	"testing"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ovshash"
)

// TestNXHashesMatchOVS checks multipath and bundle's hashes against
// ovs-vswitchd 3.1: the registers below are what ofproto/trace reported
// ("Final flow") for these flows under
//
//	multipath(eth_src,50,modulo_n,64,0,NXM_NX_REG0[0..5]),
//	multipath(symmetric_l4,1024,hrw,64,0,NXM_NX_REG1[0..5]),
//	multipath(symmetric_l3l4,7,hash_threshold,64,0,NXM_NX_REG2[0..5]),
//	multipath(symmetric_l3l4+udp,0,iter_hash,50,60,NXM_NX_REG3[0..5]),
//	multipath(nw_src,3,modulo_n,1000,0,NXM_NX_REG4[0..9]),
//	multipath(nw_dst,3,modulo_n,1000,0,NXM_NX_REG5[0..9]),
//	multipath(symmetric_l3,9,modulo_n,1000,0,NXM_NX_REG6[0..9]),
//	multipath(symmetric_l4,0,hrw,100,0,NXM_NX_REG7[0..7]),
//	bundle_load(symmetric_l3l4+udp,5,hrw,ofport,NXM_NX_REG8[],members:1,2,3)
func TestNXHashesMatchOVS(t *testing.T) {
	type mp struct {
		fields      ofactions.HashFields
		basis       uint32
		alg         uint16
		nLinks, arg uint32
	}
	mps := []mp{
		{ofactions.HashEthSrc, 50, ofactions.MPModuloN, 64, 0},
		{ofactions.HashSymmetricL4, 1024, ofactions.MPHRW, 64, 0},
		{ofactions.HashSymmetricL3L4, 7, ofactions.MPHashThreshold, 64, 0},
		{ofactions.HashSymmetricL3L4UDP, 0, ofactions.MPIterHash, 50, 60},
		{ofactions.HashNwSrc, 3, ofactions.MPModuloN, 1000, 0},
		{ofactions.HashNwDst, 3, ofactions.MPModuloN, 1000, 0},
		{ofactions.HashSymmetricL3, 9, ofactions.MPModuloN, 1000, 0},
		{ofactions.HashSymmetricL4, 0, ofactions.MPHRW, 100, 0},
	}
	mac := func(s string) (m [6]byte) {
		for i := range m {
			var b byte
			for _, c := range s[3*i : 3*i+2] {
				b = b<<4 | byte(fromHex(c))
			}
			m[i] = b
		}
		return m
	}
	ip := func(s string) (a [16]byte) {
		p := netip.MustParseAddr(s)
		if p.Is4() {
			copy(a[:4], p.AsSlice())
		} else {
			a = p.As16()
		}
		return a
	}
	for _, tt := range []struct {
		name string
		h    hashFlow
		regs []uint32 // reg0..reg8
	}{
		{"tcp", hashFlow{ethSrc: mac("00:00:00:00:00:01"), ethDst: mac("00:00:00:00:00:02"), ethType: 0x0800,
			nwSrc: ip("10.0.0.1"), nwDst: ip("10.0.0.2"), proto: 6, tpSrc: 1000, tpDst: 80},
			[]uint32{0x3a, 0x30, 0x28, 0x1, 0x12f, 0x149, 0x364, 0x29, 0x2}},
		{"tcp6", hashFlow{ethSrc: mac("00:00:00:00:00:01"), ethDst: mac("00:00:00:00:00:02"), ethType: 0x86dd,
			nwSrc: ip("2001:db8::1"), nwDst: ip("2001:db8::2"), proto: 6, tpSrc: 1234, tpDst: 443},
			[]uint32{0x3a, 0x13, 0x1b, 0x28, 0x2fd, 0x13f, 0xe0, 0x43, 0x2}},
		{"arp-vlan", hashFlow{ethSrc: mac("00:00:00:00:00:09"), ethDst: mac("ff:ff:ff:ff:ff:ff"), ethType: 0x0806, vlanTCI: 0x1005},
			[]uint32{0x31, 0xb, 0x20, 0x29, 0x3, 0x3, 0x2e3, 0x51, 0x1}},
		{"udp", hashFlow{ethSrc: mac("00:11:22:33:44:55"), ethDst: mac("00:00:00:00:00:02"), ethType: 0x0800,
			nwSrc: ip("192.168.1.7"), nwDst: ip("10.9.8.7"), proto: 17, tpSrc: 5353, tpDst: 53},
			[]uint32{0x26, 0x1, 0x14, 0xa, 0x1cd, 0x81, 0x397, 0x35, 0x2}},
		{"udp6-vlan", hashFlow{ethType: 0x86dd, vlanTCI: 0x1007, nwSrc: ip("fe80::1"), nwDst: ip("ff02::fb"), proto: 17, tpSrc: 5353, tpDst: 5353},
			[]uint32{0x17, 0x12, 0x23, 0x24, 0x237, 0x13, 0x376, 0x45, 0x2}},
	} {
		for i, m := range mps {
			link := multipathLink(flowHashFields(&tt.h, m.fields, m.basis), m.alg, m.nLinks, m.arg)
			if link != tt.regs[i] {
				t.Errorf("%s: multipath %d (%s) chose %#x, OVS %#x", tt.name, i, m.fields, link, tt.regs[i])
			}
		}
		// bundle hrw over members 1,2,3, all live.
		hash := flowHashFields(&tt.h, ofactions.HashSymmetricL3L4UDP, 5)
		best, bestW := 0, uint32(0)
		for i := range 3 {
			if w := ovshash.Words2(uint32(i), hash); i == 0 || w > bestW {
				best, bestW = i, w
			}
		}
		if got := uint32(best + 1); got != tt.regs[8] {
			t.Errorf("%s: bundle chose %d, OVS %d", tt.name, got, tt.regs[8])
		}
	}
}

func fromHex(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return 0
}
