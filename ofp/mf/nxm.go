package mf

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// NXM/OXM entries: a 4-byte header (class 16, field 7, hasmask 1, length 8),
// an experimenter id when the class is 0xffff, then value and optional mask.

// Cookie pseudo-field NXM_NX_COOKIE, allowed in NX flow_mod/stats matches.
const nxmCookie = Header(0x0001<<16 | 30<<9 | 8)

// DecodeOptions tunes DecodeNXM.
type DecodeOptions struct {
	// Strict rejects unknown fields (OFPBMC_BAD_FIELD) and fields whose
	// prerequisites do not precede them (OFPBMC_BAD_PREREQ), as OVS does
	// for flow_mods. Loose decoding skips unknown fields.
	Strict bool
	// AllowCookie accepts the NXM_NX_COOKIE pseudo-field.
	AllowCookie bool
}

// DecodeNXM parses a sequence of NXM/OXM entries (without the ofp_match
// wrapper or padding) into m, replacing its contents. cookie and cookieMask
// are the NXM_NX_COOKIE pseudo-field if present and allowed.
func DecodeNXM(b []byte, opts DecodeOptions, m *Match) (cookie, cookieMask uint64, err error) {
	*m = Match{}
	for len(b) > 0 {
		if len(b) < 4 {
			return 0, 0, ofperr.OFPBMC_BAD_LEN
		}
		hdr := Header(binary.BigEndian.Uint32(b))
		hlen := 4
		if hdr.Class() == 0xffff {
			if len(b) < 8 {
				return 0, 0, ofperr.OFPBMC_BAD_LEN
			}
			hdr |= Header(binary.BigEndian.Uint32(b[4:])) << 32
			hlen = 8
		}
		plen := int(hdr & 0xff)
		if plen < hlen-4 {
			return 0, 0, ofperr.OFPBMC_BAD_LEN
		}
		if len(b) < hlen+plen-(hlen-4) {
			return 0, 0, ofperr.OFPBMC_BAD_LEN
		}
		payload := b[hlen : 4+plen]
		b = b[4+plen:]
		hasMask := hdr&0x100 != 0
		width := len(payload)
		if hasMask {
			if width%2 != 0 {
				return 0, 0, ofperr.OFPBMC_BAD_LEN
			}
			width /= 2
		}
		value, mask := payload[:width], []byte(nil)
		if hasMask {
			mask = payload[width:]
			for i := range value {
				if value[i]&^mask[i] != 0 {
					return 0, 0, ofperr.OFPBMC_BAD_WILDCARDS
				}
			}
		}
		if (hdr == nxmCookie || hdr == nxmCookie&^0xff|0x100|16) && opts.AllowCookie {
			if width != 8 {
				return 0, 0, ofperr.OFPBMC_BAD_LEN
			}
			if cookieMask != 0 {
				return 0, 0, ofperr.OFPBMC_DUP_FIELD
			}
			cookie = binary.BigEndian.Uint64(value)
			cookieMask = ^uint64(0)
			if hasMask {
				cookieMask = binary.BigEndian.Uint64(mask)
			}
			continue
		}
		f := ByHeader(hdr)
		if f == nil {
			if opts.Strict {
				return 0, 0, ofperr.OFPBMC_BAD_FIELD
			}
			continue
		}
		if f.IsTunMetadata() {
			// Variable length: the mapped option length.
			if err := f.CheckTLV(); err != nil {
				return 0, 0, err
			}
			if width == 0 || width > tunMetadataWireMax {
				return 0, 0, ofperr.OFPBMC_BAD_LEN
			}
			value, mask = f.tunMetaWiden(value, mask)
			width = f.Bytes
		}
		if width != f.Bytes {
			return 0, 0, ofperr.OFPBMC_BAD_LEN
		}
		if hasMask && !f.Maskable && !isOnesBytes(mask) {
			return 0, 0, ofperr.OFPBMC_BAD_MASK
		}
		if opts.Strict && !m.PrereqsOK(f) {
			return 0, 0, ofperr.OFPBMC_BAD_PREREQ
		}
		if m.fieldMatched(f) {
			return 0, 0, ofperr.OFPBMC_DUP_FIELD
		}
		if !f.validValue(value) {
			return 0, 0, ofperr.OFPBMC_BAD_VALUE
		}
		if err := m.Set(f.ID, value, mask); err != nil {
			return 0, 0, ofperr.OFPBMC_BAD_VALUE
		}
	}
	return cookie, cookieMask, nil
}

// validValue rejects values with bits outside the field's width.
func (f *Field) validValue(v []byte) bool {
	extra := f.Bytes*8 - f.Bits
	for i := 0; extra > 0 && i < len(v); i++ {
		if extra >= 8 {
			if v[i] != 0 {
				return false
			}
			extra -= 8
			continue
		}
		if v[i]>>(8-extra) != 0 {
			return false
		}
		extra = 0
	}
	return true
}

// nxmWriter appends entries in one header flavour.
type nxmWriter struct {
	b       []byte
	version uint8 // 0 = NXM, else OXM for that wire version
}

func (w *nxmWriter) header(f *Field, masked bool) {
	h, _ := f.HeaderFor(w.version)
	if masked {
		n := h & 0xff
		if h.Class() == 0xffff {
			n = 4 + 2*(n-4)
		} else {
			n *= 2
		}
		h = h&^0xff | 0x100 | n
	}
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(h))
	if h.Class() == 0xffff {
		w.b = binary.BigEndian.AppendUint32(w.b, h.Experimenter())
	}
}

// put appends f if its mask is not zero, with a mask unless it is exact.
func (w *nxmWriter) put(m *Match, id FieldID) {
	f := ByID(id)
	v, mk := m.Get(id)
	if isZeroBytes(mk[:f.Bytes]) {
		return
	}
	exact := isOnesBytes(mk[:f.Bytes])
	w.header(f, !exact)
	w.b = append(w.b, v[:f.Bytes]...)
	if !exact {
		w.b = append(w.b, mk[:f.Bytes]...)
	}
}

// putExact appends f unmasked whatever its mask (OVS's nxm_put_8/16/32).
func (w *nxmWriter) putExact(m *Match, id FieldID) {
	f := ByID(id)
	v, _ := m.Get(id)
	w.header(f, false)
	w.b = append(w.b, v[:f.Bytes]...)
}

// AppendNXM appends m as NXM/OXM entries (no wrapper, no padding) in OVS's
// order. version 0 or 1 gives NXM (OpenFlow 1.0 Nicira format); 3 or more
// gives OXM for that wire version. cookieMask != 0 adds NXM_NX_COOKIE.
func AppendNXM(b []byte, m *Match, version uint8, cookie, cookieMask uint64) []byte {
	oxm := version >= 3
	w := nxmWriter{b: b}
	if oxm {
		w.version = version
	}
	if pt := m.Mask.u32(slotPacketType); pt != 0 && !(pt == 0xffffffff && m.Flow.u32(slotPacketType) == 0) {
		w.put(m, PacketType)
	}
	w.put(m, DpHash)
	if !m.IsWildcard(RecircID) {
		w.putExact(m, RecircID)
	}
	if !m.IsWildcard(ConjID) {
		w.putExact(m, ConjID)
	}
	if !m.IsWildcard(InPort) {
		if oxm {
			w.putExact(m, InPortOXM)
		} else {
			w.putExact(m, InPort)
		}
	}
	if !m.IsWildcard(ActsetOutput) {
		w.putExact(m, ActsetOutput)
	}
	w.put(m, EthSrc)
	w.put(m, EthDst)
	w.put(m, EthType)
	if oxm {
		tci, tciMask := m.Flow.u16(slotVlanTCI), m.Mask.u16(slotVlanTCI)
		vidMask := tciMask & 0x1fff
		switch {
		case vidMask == 0x1fff:
			w.putExact(m, VLANVID)
		case vidMask != 0:
			w.put(m, VLANVID)
		}
		if tci&0x1fff != 0 && tciMask&0xe000 != 0 {
			w.putExact(m, VLANPCP)
		}
	} else {
		w.put(m, VLANTCI)
	}
	dl := m.dlType()
	if dl == EthTypeMPLS || dl == EthTypeMPLSMcast {
		lse := m.Mask.u32(slotMplsLSE)
		if lse&0xe00 != 0 {
			w.putExact(m, MPLSTC)
		}
		if lse&0x100 != 0 {
			w.putExact(m, MPLSBOS)
		}
		if lse&0xff != 0 {
			w.putExact(m, MPLSTTL)
		}
		if lse&0xfffff000 != 0 {
			w.putExact(m, MPLSLabel)
		}
	}
	switch {
	case dl == EthTypeIP || dl == EthTypeIPv6:
		w.putIP(m, dl, oxm)
	case dl == EthTypeARP || dl == EthTypeRARP:
		if m.Mask.u8(slotNwProto) != 0 {
			w.putExact(m, ARPOp)
		}
		w.put(m, ARPSPA)
		w.put(m, ARPTPA)
		w.put(m, ARPSHA)
		w.put(m, ARPTHA)
	}
	w.put(m, TunID)
	w.put(m, TunFlags)
	w.put(m, TunSrc)
	w.put(m, TunDst)
	w.put(m, TunIPv6Src)
	w.put(m, TunIPv6Dst)
	w.put(m, TunGBPID)
	w.put(m, TunGBPFlags)
	w.putTunMetadata(m)
	w.put(m, TunErspanIdx)
	w.put(m, TunErspanVer)
	w.put(m, TunErspanDir)
	w.put(m, TunErspanHwid)
	w.put(m, TunGtpuFlags)
	w.put(m, TunGtpuMsgtype)
	w.putNSH(m)
	if version >= 6 {
		for i := 0; i < NumRegs/2; i++ {
			w.put(m, XReg0+FieldID(i))
		}
	} else {
		for i := 0; i < NumRegs; i++ {
			w.put(m, Reg0+FieldID(i))
		}
	}
	w.put(m, PktMark)
	w.put(m, CtState)
	w.put(m, CtZone)
	w.put(m, CtMark)
	w.put(m, CtLabel)
	w.put(m, CtNwSrc)
	w.put(m, CtIPv6Src)
	w.put(m, CtNwDst)
	w.put(m, CtIPv6Dst)
	if m.Flow.u8(slotCtNwProto) != 0 {
		w.put(m, CtNwProto)
		w.put(m, CtTpSrc)
		w.put(m, CtTpDst)
	}
	w.put(m, Metadata)
	if cookieMask != 0 {
		masked := cookieMask != ^uint64(0)
		h := nxmCookie
		if masked {
			h = h&^0xff | 0x100 | 16
		}
		w.b = binary.BigEndian.AppendUint32(w.b, uint32(h))
		w.b = binary.BigEndian.AppendUint64(w.b, cookie&cookieMask)
		if masked {
			w.b = binary.BigEndian.AppendUint64(w.b, cookieMask)
		}
	}
	return w.b
}

func (w *nxmWriter) putIP(m *Match, dl uint16, oxm bool) {
	if dl == EthTypeIP {
		w.put(m, IPv4Src)
		w.put(m, IPv4Dst)
	} else {
		w.put(m, IPv6Src)
		w.put(m, IPv6Dst)
	}
	// ip_frag: a full two-bit mask is sent as an exact match.
	frag, fragMask := m.Flow.u8(slotNwFrag)&3, m.Mask.u8(slotNwFrag)&3
	if fragMask != 0 {
		f := ByID(IPFrag)
		if fragMask == 3 {
			w.header(f, false)
			w.b = append(w.b, frag)
		} else {
			w.header(f, true)
			w.b = append(w.b, frag, fragMask)
		}
	}
	tosMask := m.Mask.u8(slotNwTOS)
	if tosMask&0xfc != 0 {
		if oxm {
			w.putExact(m, IPDSCPShifted)
		} else {
			w.putExact(m, IPDSCP)
		}
	}
	if tosMask&0x03 != 0 {
		w.putExact(m, IPECN)
	}
	if m.Mask.u8(slotNwTTL) != 0 {
		w.putExact(m, IPTTL)
	}
	w.put(m, IPv6Label)
	if m.Mask.u8(slotNwProto) == 0 {
		return
	}
	w.putExact(m, IPProto)
	switch proto := m.Flow.u8(slotNwProto); {
	case proto == IPProtoTCP:
		w.put(m, TCPSrc)
		w.put(m, TCPDst)
		w.put(m, TCPFlags)
	case proto == IPProtoUDP:
		w.put(m, UDPSrc)
		w.put(m, UDPDst)
	case proto == IPProtoSCTP:
		w.put(m, SCTPSrc)
		w.put(m, SCTPDst)
	case proto == IPProtoICMP && dl == EthTypeIP:
		if m.Mask.u16(slotTpSrc) != 0 {
			w.putExact(m, ICMPv4Type)
		}
		if m.Mask.u16(slotTpDst) != 0 {
			w.putExact(m, ICMPv4Code)
		}
	case proto == IPProtoICMPv6 && dl == EthTypeIPv6:
		if m.Mask.u16(slotTpSrc) != 0 {
			w.putExact(m, ICMPv6Type)
		}
		if m.Mask.u16(slotTpDst) != 0 {
			w.putExact(m, ICMPv6Code)
		}
		t := m.Flow.u16(slotTpSrc)
		if m.Mask.u16(slotTpSrc) != 0 && (t == 135 || t == 136) {
			if m.Mask.u32(slotIgmpGroup) != 0 {
				w.putExact(m, NDReserved)
			}
			w.put(m, NDTarget)
			if m.Mask.u16(slotTcpFlags) != 0 {
				w.putExact(m, NDOptionsType)
			}
			if t == 135 {
				w.put(m, NDSLL)
			} else {
				w.put(m, NDTLL)
			}
		}
	}
}

// AppendOXMMatch appends an OpenFlow 1.2+ ofp_match of type OFPMT_OXM:
// type(2)=1, length(2), the OXM entries, zero padding to 8 bytes.
func AppendOXMMatch(b []byte, m *Match, version uint8) []byte {
	start := len(b)
	b = append(b, 0, 1, 0, 0)
	b = AppendNXM(b, m, version, 0, 0)
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return pad8(b, start)
}

// DecodeOXMMatch parses an ofp_match of type OXM at the start of b and
// returns the number of bytes it occupies including padding.
func DecodeOXMMatch(b []byte, strict bool, m *Match) (int, error) {
	if len(b) < 4 {
		return 0, ofperr.OFPBMC_BAD_LEN
	}
	typ, length := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	if typ != 1 {
		if typ == 0 {
			return 0, ofperr.OFPBMC_BAD_TYPE
		}
		return 0, ofperr.OFPBMC_BAD_TYPE
	}
	padded := (length + 7) &^ 7
	if length < 4 || padded > len(b) {
		return 0, ofperr.OFPBMC_BAD_LEN
	}
	if _, _, err := DecodeNXM(b[4:length], DecodeOptions{Strict: strict}, m); err != nil {
		return 0, err
	}
	return padded, nil
}

// pad8 zero-pads b so that len(b)-start is a multiple of 8.
func pad8(b []byte, start int) []byte {
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	return b
}
