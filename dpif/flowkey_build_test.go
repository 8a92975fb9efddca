package dpif

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// Packet builders for the flow key tests: each returns wire bytes.

func tMAC(s string) [6]byte {
	hw, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return [6]byte(hw)
}

func tIP4(s string) uint32 {
	a := netip.MustParseAddr(s).As4()
	return binary.BigEndian.Uint32(a[:])
}

func tIP6(s string) [16]byte { return netip.MustParseAddr(s).As16() }

func tCat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func tU16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func tU32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

const (
	tDst = "32:9c:ff:c8:d9:3f"
	tSrc = "26:17:4e:27:47:63"
)

// tEth is an Ethernet header; typ may be preceded by tags in mid.
func tEth(typ uint16, mid ...[]byte) []byte {
	d, s := tMAC(tDst), tMAC(tSrc)
	return tCat(d[:], s[:], tCat(mid...), tU16(typ))
}

func tTag(tpid, tci uint16) []byte { return tCat(tU16(tpid), tU16(tci)) }

// tIPv4 builds an IPv4 header with options opts, then payload.
func tIPv4(src, dst string, proto, tos, ttl uint8, fragOff uint16, opts, payload []byte) []byte {
	ihl := 20 + len(opts)
	h := make([]byte, 20)
	h[0] = 0x40 | byte(ihl/4)
	h[1] = tos
	binary.BigEndian.PutUint16(h[2:], uint16(ihl+len(payload)))
	binary.BigEndian.PutUint16(h[6:], fragOff)
	h[8], h[9] = ttl, proto
	binary.BigEndian.PutUint32(h[12:], tIP4(src))
	binary.BigEndian.PutUint32(h[16:], tIP4(dst))
	return tCat(h, opts, payload)
}

func tIPv6(src, dst string, next, tc uint8, label uint32, hlim uint8, payload []byte) []byte {
	h := make([]byte, 40)
	binary.BigEndian.PutUint32(h, 6<<28|uint32(tc)<<20|label)
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = next, hlim
	s, d := tIP6(src), tIP6(dst)
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return tCat(h, payload)
}

// tExt is a generic IPv6 extension header (hop-by-hop, routing, dstopts)
// of 8*(1+lenUnits) bytes.
func tExt(next uint8, lenUnits int) []byte {
	h := make([]byte, 8*(1+lenUnits))
	h[0], h[1] = next, byte(lenUnits)
	return h
}

// tAH is an authentication header of 4*(len+2) bytes.
func tAH(next uint8, lenUnits int) []byte {
	h := make([]byte, 4*(lenUnits+2))
	h[0], h[1] = next, byte(lenUnits)
	return h
}

func tFrag6(next uint8, offlg uint16) []byte {
	return tCat([]byte{next, 0}, tU16(offlg), tU32(0x12345678))
}

func tTCP(sport, dport, flags uint16, optWords int) []byte {
	h := make([]byte, 20+4*optWords)
	binary.BigEndian.PutUint16(h, sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[12:], uint16(5+optWords)<<12|flags)
	return h
}

func tUDP(sport, dport uint16, payload []byte) []byte {
	return tCat(tU16(sport), tU16(dport), tU16(uint16(8+len(payload))), tU16(0), payload)
}

func tSCTP(sport, dport uint16) []byte {
	return tCat(tU16(sport), tU16(dport), tU32(0xdeadbeef), tU32(0))
}

func tICMP(typ, code uint8, rest ...[]byte) []byte {
	return tCat([]byte{typ, code, 0, 0}, tU32(0x00010002), tCat(rest...))
}

func tNDOpt(typ uint8, mac string) []byte {
	m := tMAC(mac)
	return tCat([]byte{typ, 1}, m[:])
}

func tARP(op uint16, sha, spa, tha, tpa string) []byte {
	s, t := tMAC(sha), tMAC(tha)
	return tCat(tU16(1), tU16(0x0800), []byte{6, 4}, tU16(op), s[:], tU32(tIP4(spa)), t[:], tU32(tIP4(tpa)))
}

// keyDiff lists the fields where got and want differ, one per line.
func keyDiff(got, want *FlowKey) string {
	var b strings.Builder
	for _, f := range KeyFields {
		gh, gl := f.Get(got)
		wh, wl := f.Get(want)
		if gh != wh || gl != wl {
			b.WriteString("\n  got " + f.Format(got) + ", want " + f.Format(want))
		}
	}
	return b.String()
}

// tKey builds an expected key: in_port and Ethernet addresses as every
// test frame has them, then the caller's fields.
func tKey(inPort uint32, typ uint16, set func(k *FlowKey)) FlowKey {
	var k FlowKey
	k.SetInPort(inPort)
	k.SetEthDst(tMAC(tDst))
	k.SetEthSrc(tMAC(tSrc))
	k.SetEthType(typ)
	if set != nil {
		set(&k)
	}
	return k
}

func checkKey(t *testing.T, name string, got, want *FlowKey) {
	t.Helper()
	if *got != *want {
		t.Errorf("%s: key mismatch:%s", name, keyDiff(got, want))
	}
}
