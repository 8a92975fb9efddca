package mf

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// OF10MatchLen is the size of an OpenFlow 1.0 ofp_match.
const OF10MatchLen = 40

// OpenFlow 1.0 wildcard bits.
const (
	of10InPort    = 1 << 0
	of10DlVLAN    = 1 << 1
	of10DlSrc     = 1 << 2
	of10DlDst     = 1 << 3
	of10DlType    = 1 << 4
	of10NwProto   = 1 << 5
	of10TpSrc     = 1 << 6
	of10TpDst     = 1 << 7
	of10NwSrcSh   = 8
	of10NwDstSh   = 14
	of10DlVLANPCP = 1 << 20
	of10NwTOS     = 1 << 21
	// OF10WildcardAll wildcards every field.
	OF10WildcardAll = 1<<22 - 1

	of10VLANNone = 0xffff
)

// DecodeOF10Match parses a 40-byte OpenFlow 1.0 ofp_match. Fields whose
// prerequisites are not met are dropped, as OVS normalizes such matches.
func DecodeOF10Match(b []byte, m *Match) error {
	if len(b) < OF10MatchLen {
		return ofperr.OFPBRC_BAD_LEN
	}
	*m = Match{}
	wc := binary.BigEndian.Uint32(b)
	be16 := func(off int) uint64 { return uint64(binary.BigEndian.Uint16(b[off:])) }
	if wc&of10InPort == 0 {
		_ = m.SetExact(InPort, be16(4))
	}
	if wc&of10DlSrc == 0 {
		_ = m.Set(EthSrc, b[6:12], nil)
	}
	if wc&of10DlDst == 0 {
		_ = m.Set(EthDst, b[12:18], nil)
	}
	vid, pcp := uint16(be16(18)), b[20]
	if wc&of10DlVLAN == 0 && vid == of10VLANNone {
		m.Flow.setU16(slotVlanTCI, 0)
		m.Mask.setU16(slotVlanTCI, 0xffff)
	} else {
		var mask uint16
		if wc&of10DlVLAN == 0 {
			mask |= 0x0fff | vlanCFI
		}
		if wc&of10DlVLANPCP == 0 {
			mask |= 0xe000 | vlanCFI
		}
		tci := (vid & 0x0fff) | (uint16(pcp)<<13)&0xe000 | vlanCFI
		m.Mask.setU16(slotVlanTCI, mask)
		m.Flow.setU16(slotVlanTCI, tci&mask)
	}
	if wc&of10DlType == 0 {
		_ = m.SetExact(EthType, be16(22))
	}
	if wc&of10NwTOS == 0 {
		_ = m.SetUint(IPDSCP, uint64(b[24]&0xfc), 0xfc)
	}
	if wc&of10NwProto == 0 {
		m.Flow.b[slotNwProto.off], m.Mask.b[slotNwProto.off] = b[25], 0xff
	}
	for _, nw := range []struct {
		shift uint
		off   int
		s     slot
	}{{of10NwSrcSh, 28, slotNwSrc}, {of10NwDstSh, 32, slotNwDst}} {
		n := (wc >> nw.shift) & 63
		if n >= 32 {
			continue
		}
		mask := ^uint32(0) << n
		binary.BigEndian.PutUint32(m.Mask.b[nw.s.off:], mask)
		binary.BigEndian.PutUint32(m.Flow.b[nw.s.off:], binary.BigEndian.Uint32(b[nw.off:])&mask)
	}
	if wc&of10TpSrc == 0 {
		copy(m.Flow.b[slotTpSrc.off:], b[36:38])
		m.Mask.setU16(slotTpSrc, 0xffff)
	}
	if wc&of10TpDst == 0 {
		copy(m.Flow.b[slotTpDst.off:], b[38:40])
		m.Mask.setU16(slotTpDst, 0xffff)
	}
	m.Normalize()
	return nil
}

// OF10Expressible reports whether m can be sent as an OpenFlow 1.0
// ofp_match without loss.
func (m *Match) OF10Expressible() bool {
	var allowed Flow
	for _, s := range []slot{slotInPort, slotDlSrc, slotDlDst, slotVlanTCI, slotDlType, slotNwProto, slotNwSrc, slotNwDst, slotTpSrc, slotTpDst} {
		for i := 0; i < s.n; i++ {
			allowed.b[s.off+i] = 0xff
		}
	}
	allowed.b[slotNwTOS.off] = 0xfc
	for i := range m.Mask.b {
		if m.Mask.b[i]&^allowed.b[i] != 0 {
			return false
		}
	}
	for _, s := range []slot{slotDlSrc, slotDlDst, slotTpSrc, slotTpDst} {
		if !m.Mask.isZero(s) && !m.Mask.isOnes(s) {
			return false
		}
	}
	for _, s := range []slot{slotNwSrc, slotNwDst} {
		if cidrLen(m.Mask.bytes(s)) < 0 {
			return false
		}
	}
	if tos := m.Mask.u8(slotNwTOS); tos != 0 && tos != 0xfc {
		return false
	}
	// OpenFlow 1.0 cannot match L3/L4 fields inside IPv6.
	if m.Flow.u16(slotDlType) == EthTypeIPv6 && m.Mask.u16(slotDlType) != 0 &&
		(m.Mask.u8(slotNwProto) != 0 || m.Mask.u8(slotNwTOS) != 0 || m.Mask.u16(slotTpSrc) != 0 || m.Mask.u16(slotTpDst) != 0) {
		return false
	}
	switch tm := m.Mask.u16(slotVlanTCI); tm {
	case 0, 0xffff, 0x1fff, 0xf000, 0xefff:
		if tm == 0xffff && m.Flow.u16(slotVlanTCI) != 0 {
			return false
		}
	default:
		return false
	}
	return true
}

// AppendOF10Match appends m as a 40-byte OpenFlow 1.0 ofp_match. Parts of m
// that OpenFlow 1.0 cannot express are widened to wildcards.
func AppendOF10Match(b []byte, m *Match) []byte {
	var o [OF10MatchLen]byte
	var wc uint32
	if m.Mask.u16(slotInPort) == 0 {
		wc |= of10InPort
	} else {
		binary.BigEndian.PutUint16(o[4:], m.Flow.u16(slotInPort))
	}
	tci, tm := m.Flow.u16(slotVlanTCI), m.Mask.u16(slotVlanTCI)
	switch {
	case tm == 0:
		wc |= of10DlVLAN | of10DlVLANPCP
	case tm&vlanCFI != 0 && tci&vlanCFI == 0:
		// "No VLAN": OVS leaves the PCP bit matched (and zero).
		binary.BigEndian.PutUint16(o[18:], of10VLANNone)
	default:
		if tm&0x0fff == 0 {
			wc |= of10DlVLAN
		} else {
			binary.BigEndian.PutUint16(o[18:], tci&0x0fff)
		}
		if tm&0xe000 == 0 {
			wc |= of10DlVLANPCP
		} else {
			o[20] = byte(tci >> 13)
		}
	}
	if m.Mask.isZero(slotDlSrc) {
		wc |= of10DlSrc
	} else {
		copy(o[6:], m.Flow.bytes(slotDlSrc))
	}
	if m.Mask.isZero(slotDlDst) {
		wc |= of10DlDst
	} else {
		copy(o[12:], m.Flow.bytes(slotDlDst))
	}
	if m.Mask.u16(slotDlType) == 0 {
		wc |= of10DlType
	} else {
		binary.BigEndian.PutUint16(o[22:], m.Flow.u16(slotDlType))
	}
	if m.Mask.u8(slotNwTOS)&0xfc == 0 {
		wc |= of10NwTOS
	} else {
		o[24] = m.Flow.u8(slotNwTOS) & 0xfc
	}
	if m.Mask.u8(slotNwProto) == 0 {
		wc |= of10NwProto
	} else {
		o[25] = m.Flow.u8(slotNwProto)
	}
	for _, nw := range []struct {
		shift uint
		off   int
		s     slot
	}{{of10NwSrcSh, 28, slotNwSrc}, {of10NwDstSh, 32, slotNwDst}} {
		n := cidrLen(m.Mask.bytes(nw.s))
		if n < 0 {
			n = 0
		}
		wc |= uint32(32-n) << nw.shift
		copy(o[nw.off:nw.off+4], m.Flow.bytes(nw.s))
	}
	if m.Mask.u16(slotTpSrc) == 0 {
		wc |= of10TpSrc
	} else {
		copy(o[36:], m.Flow.bytes(slotTpSrc))
	}
	if m.Mask.u16(slotTpDst) == 0 {
		wc |= of10TpDst
	} else {
		copy(o[38:], m.Flow.bytes(slotTpDst))
	}
	binary.BigEndian.PutUint32(o[:], wc)
	return append(b, o[:]...)
}
