package dpif

import (
	"encoding/binary"
	"testing"
)

func nshPacket(ver, length, mdtype uint8) []byte {
	f := make([]byte, 14+24)
	binary.BigEndian.PutUint16(f[12:], EthTypeNSH)
	n := f[14:]
	binary.BigEndian.PutUint16(n, uint16(ver)<<14|1<<12|63<<6|uint16(length))
	n[2], n[3] = mdtype, 3
	binary.BigEndian.PutUint32(n[4:], 0x123456<<8|9)
	for i := range 4 {
		binary.BigEndian.PutUint32(n[8+4*i:], uint32(0x10+i))
	}
	return f
}

func TestExtractNSH(t *testing.T) {
	full := FlowMask{}
	for i := range full {
		full[i] = ^uint64(0)
	}
	for _, c := range []struct {
		name string
		pkt  []byte
		want string
	}{
		{"md type 1", nshPacket(0, 6, 1), "flags=1,ttl=63,mdtype=1,np=3,spi=0x123456,si=9,c1=0x10,c2=0x11,c3=0x12,c4=0x13"},
		{"md type 2", nshPacket(0, 2, 2), "flags=1,ttl=63,mdtype=2,np=3,spi=0x123456,si=9,c1=0x0,c2=0x0,c3=0x0,c4=0x0"},
		{"md type 1 too short", nshPacket(0, 2, 1), "flags=0,ttl=0,mdtype=0,np=0,spi=0x0,si=0,c1=0x0,c2=0x0,c3=0x0,c4=0x0"},
		{"version 1", nshPacket(1, 6, 1), "flags=0,ttl=0,mdtype=0,np=0,spi=0x0,si=0,c1=0x0,c2=0x0,c3=0x0,c4=0x0"},
		{"truncated", nshPacket(0, 6, 1)[:20], "flags=0,ttl=0,mdtype=0,np=0,spi=0x0,si=0,c1=0x0,c2=0x0,c3=0x0,c4=0x0"},
	} {
		var k FlowKey
		Extract(c.pkt, 1, &k)
		if got := nshBody(&k, full.Fields(), false); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestSetNSH rewrites TTL and SI of an MD type 1 header under masks.
func TestSetNSH(t *testing.T) {
	pkt := nshPacket(0, 6, 1)
	var s SetAction
	s.Header = SetNSH
	s.Value.SetNSHBase(0x003e0000) // ttl 62
	s.Mask.Fields().SetNSHBase(0x00ff0000)
	s.Value.SetNSHPath(0x12345608)
	s.Mask.Fields().SetNSHPath(0xff)
	s.Value.SetNSHContext(3, 0xabcd)
	s.Mask.Fields().SetNSHContext(3, 0xffff)
	var pm PacketMeta
	pm.off = HeaderOffsets{MPLS: -1, L3: 14, L4: -1}
	setNSH(pkt, &pm, &s)
	var k FlowKey
	Extract(pkt, 1, &k)
	full := FlowMask{}
	for i := range full {
		full[i] = ^uint64(0)
	}
	want := "flags=1,ttl=62,mdtype=1,np=3,spi=0x123456,si=8,c1=0x10,c2=0x11,c3=0x12,c4=0xabcd"
	if got := nshBody(&k, full.Fields(), false); got != want {
		t.Errorf("after set: %s, want %s", got, want)
	}
	if got := "nsh(" + nshBody(&s.Value, s.Mask.Fields(), false) + ")"; got != "nsh(ttl=62,si=8,c4=0xabcd/0x0000ffff)" {
		t.Errorf("set text %s", got)
	}
}
