package dpif

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// NSH (RFC 8300) in the flow key. An NSH packet (Ethernet type 0x894f)
// has no IP header, so its NSH fields share the IP words of the key, as
// ARP's fields do:
//
//	15: nsh flags(8) ttl(8) mdtype(8) np(8)  nsh path_hdr: spi(24) si(8)
//	16-17: nsh context c1..c4 (MD type 1), 32 bits each
//
// flags are the header's O and U bits (2 bits), ttl 6 bits, as OVS keeps
// them.

// EthTypeNSH is NSH's Ethernet type.
const EthTypeNSH = 0x894f

// NSH header layout.
const (
	nshBaseLen  = 8  // base header and service path header
	nshMD1Len   = 24 // with the four MD type 1 context words
	nshMDType1  = 1
	nshMDType2  = 2
	nshTTLShift = 6
)

// NSHBase is flags<<24 | ttl<<16 | mdtype<<8 | np.
func (k *FlowKey) NSHBase() uint32 { return uint32(k.keyGet(15, 32, 32)) }

// SetNSHBase stores flags<<24 | ttl<<16 | mdtype<<8 | np.
func (k *FlowKey) SetNSHBase(v uint32) { k.keySet(15, 32, 32, uint64(v)) }

// NSHPath is the service path header: SPI << 8 | SI.
func (k *FlowKey) NSHPath() uint32 { return uint32(k.keyGet(15, 0, 32)) }

// SetNSHPath stores the service path header.
func (k *FlowKey) SetNSHPath(v uint32) { k.keySet(15, 0, 32, uint64(v)) }

// NSHContext is MD type 1 context word i (0..3).
func (k *FlowKey) NSHContext(i int) uint32 {
	return uint32(k.keyGet(16+i/2, uint(32*(1-i%2)), 32))
}

// SetNSHContext stores MD type 1 context word i (0..3).
func (k *FlowKey) SetNSHContext(i int, v uint32) {
	k.keySet(16+i/2, uint(32*(1-i%2)), 32, uint64(v))
}

// extractNSH fills the NSH fields from the header at the start of b, as
// OVS parses it: version 0, a length that fits, the context words only
// for MD type 1 (which must be exactly 24 bytes). A header that does not
// parse leaves the fields zero.
func extractNSH(b []byte, key *FlowKey) {
	if len(b) < nshBaseLen {
		return
	}
	w := binary.BigEndian.Uint16(b)
	length := int(w&0x3f) * 4
	if w>>14 != 0 || length > len(b) {
		return
	}
	mdtype := b[2]
	if mdtype == nshMDType1 && length != nshMD1Len || mdtype == nshMDType2 && length < nshBaseLen {
		return
	}
	flags, ttl := uint32(w>>12&3), uint32(w>>nshTTLShift&0x3f)
	key.SetNSHBase(flags<<24 | ttl<<16 | uint32(mdtype)<<8 | uint32(b[3]))
	key.SetNSHPath(binary.BigEndian.Uint32(b[4:]))
	if mdtype == nshMDType1 {
		for i := range 4 {
			key.SetNSHContext(i, binary.BigEndian.Uint32(b[8+4*i:]))
		}
	}
}

// nshBody prints the NSH fields under their masks as OVS's odp-util does.
func nshBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	u8 := func(name string, v, mk uint32) {
		v, mk = v&0xff, mk&0xff
		switch {
		case mk == 0 && !verbose:
		case mk == 0xff:
			fmt.Fprintf(&b, "%s=%d,", name, v)
		default:
			fmt.Fprintf(&b, "%s=0x%02x/0x%02x,", name, v, mk)
		}
	}
	u32 := func(name string, v, mk uint32) {
		switch {
		case mk == 0 && !verbose:
		case mk == 0xffffffff:
			fmt.Fprintf(&b, "%s=0x%x,", name, v)
		default:
			fmt.Fprintf(&b, "%s=0x%x/0x%08x,", name, v, mk)
		}
	}
	base, bm := k.NSHBase(), m.NSHBase()
	u8("flags", base>>24, bm>>24)
	u8("ttl", base>>16, bm>>16)
	u8("mdtype", base>>8, bm>>8)
	u8("np", base, bm)
	path, pm := k.NSHPath(), m.NSHPath()
	spiMask := pm >> 8
	if spiMask == 0xffffff {
		spiMask = 0xffffffff
	}
	u32("spi", path>>8, spiMask)
	u8("si", path, pm)
	for i := range 4 {
		u32(fmt.Sprintf("c%d", i+1), k.NSHContext(i), m.NSHContext(i))
	}
	return chomp(&b)
}

// nshMasked reports whether any NSH bit of the mask is set.
func nshMasked(m *FlowKey) bool { return m[15] != 0 || m[16] != 0 || m[17] != 0 }

// setNSH rewrites the NSH header of an Ethernet NSH packet: the masked
// bits of flags, ttl, the service path header and (MD type 1) the
// context words.
func setNSH(data []byte, pm *PacketMeta, s *SetAction) {
	p := pm.off.L3
	if p < 0 || p+nshBaseLen > len(data) {
		return
	}
	v, m := &s.Value, s.Mask.Fields()
	base, bm := v.NSHBase(), m.NSHBase()
	w := binary.BigEndian.Uint16(data[p:])
	flags := uint16(base >> 24 & 3)
	ttl := uint16(base >> 16 & 0x3f)
	fm, tm := uint16(bm>>24&3), uint16(bm>>16&0x3f)
	w = w&^(fm<<12) | flags&fm<<12
	w = w&^(tm<<nshTTLShift) | ttl&tm<<nshTTLShift
	binary.BigEndian.PutUint16(data[p:], w)
	maskedWrite32(data[p+4:], v.NSHPath(), m.NSHPath())
	if data[p+2] == nshMDType1 && p+nshMD1Len <= len(data) {
		for i := range 4 {
			maskedWrite32(data[p+8+4*i:], v.NSHContext(i), m.NSHContext(i))
		}
	}
}
