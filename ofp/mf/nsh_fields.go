package mf

import (
	"fmt"
	"strconv"
	"strings"
)

// NSH (Network Service Header, RFC 8300) fields: the base header's flags,
// TTL, MD type and next protocol, the service path header's SPI and SI,
// and the four MD type 1 context words. They require an NSH packet:
// packet_type=(1,0x894f), or an Ethernet packet with dl_type=0x894f.

// EthTypeNSH is NSH's Ethernet type.
const EthTypeNSH = 0x894f

// NSH field ids, after the tun_metadata fields.
const (
	NshFlags FieldID = TunMetadata0 + NumTunMetadata + iota
	NshMdtype
	NshNp
	NshSpi
	NshSi
	NshC1
	NshC2
	NshC3
	NshC4
	NshTTL
	nshEnd
)

const numNSHFields = nshEnd - NshFlags

// PrereqNSH is the NSH prerequisite.
const PrereqNSH Prereq = 100

// nshVendor is the experimenter id of the NXOXM_NSH_* fields.
const nshVendor = 0x005ad650

// Flow slots of the NSH header: flags, ttl, mdtype, np; the service path
// header (SPI << 8 | SI); the four context words.
var (
	slotNSHBase = newSlot(4)
	slotNSHPath = newSlot(4)
	slotNSHCtx  = newSlot(16)
)

var _ = registerNSH()

// registerNSH fills in the table entries and OXM names of the NSH
// fields (see registerTunMetadata).
func registerNSH() bool {
	add := func(id FieldID, name string, aliases []string, bytes, bits int, maskable bool, format Format,
		writable bool, exp uint8, oxm string, s slot, off int, vmask uint64, vshift uint, v view) {
		h := expHeader(nshVendor, exp)
		fieldTable[id] = Field{ID: id, Name: name, Aliases: aliases, Bytes: bytes, Bits: bits, Maskable: maskable,
			Format: format, Prereq: PrereqNSH, Writable: writable, headers: []fieldHeader{{h, 0x01}},
			slot: s, slotOff: off, viewMask: vmask, viewShift: vshift, view: v}
		headerNames = append(headerNames, struct {
			h    Header
			name string
		}{h, oxm})
	}
	add(NshFlags, "nsh_flags", nil, 1, 8, true, FormatDecimal, true, 1, "NXOXM_NSH_FLAGS", slotNSHBase, 0, 0, 0, viewPlain)
	add(NshTTL, "nsh_ttl", nil, 1, 8, false, FormatDecimal, true, 10, "NXOXM_NSH_TTL", slotNSHBase, 1, 0, 0, viewPlain)
	add(NshMdtype, "nsh_mdtype", nil, 1, 8, false, FormatDecimal, false, 2, "NXOXM_NSH_MDTYPE", slotNSHBase, 2, 0, 0, viewPlain)
	add(NshNp, "nsh_np", nil, 1, 8, false, FormatDecimal, false, 3, "NXOXM_NSH_NP", slotNSHBase, 3, 0, 0, viewPlain)
	add(NshSpi, "nsh_spi", []string{"nsp"}, 4, 24, false, FormatHex, true, 4, "NXOXM_NSH_SPI", slotNSHPath, 0, 0xffffff00, 8, viewBits)
	add(NshSi, "nsh_si", []string{"nsi"}, 1, 8, false, FormatDecimal, true, 5, "NXOXM_NSH_SI", slotNSHPath, 0, 0xff, 0, viewBits)
	for i := 0; i < 4; i++ {
		n := fmt.Sprint(i + 1)
		add(NshC1+FieldID(i), "nsh_c"+n, []string{"nshc" + n}, 4, 32, true, FormatHex, true, uint8(6+i),
			"NXOXM_NSH_C"+n, slotNSHCtx, 4*i, 0, 0, viewPlain)
	}
	return true
}

// isNSH reports whether the match implies an NSH packet.
func (m *Match) isNSH() bool {
	if m.dlType() == EthTypeNSH {
		return true
	}
	return m.Mask.u32(slotPacketType) == 0xffffffff && m.Flow.u32(slotPacketType) == 1<<16|EthTypeNSH
}

// nshMatched reports whether any NSH field is matched.
func (m *Match) nshMatched() bool {
	return !m.Mask.isZero(slotNSHBase) || !m.Mask.isZero(slotNSHPath) || !m.Mask.isZero(slotNSHCtx)
}

// formatNSH prints the NSH fields as OVS does (the context words only
// for an exact MD type 1 match).
func (p matchPrinter) formatNSH() {
	m := p.m
	u8 := func(name string, off int) {
		v, mk := m.Flow.b[slotNSHBase.off+off], m.Mask.b[slotNSHBase.off+off]
		switch mk {
		case 0:
		case 0xff:
			fmt.Fprintf(p.sb, "%s=%d,", name, v)
		default:
			fmt.Fprintf(p.sb, "%s=0x%x/0x%x,", name, v, mk)
		}
	}
	hex32 := func(name string, v, mk uint32) {
		switch mk {
		case 0:
		case 0xffffffff:
			fmt.Fprintf(p.sb, "%s=%#x,", name, v)
		default:
			fmt.Fprintf(p.sb, "%s=%#x/%#x,", name, v, mk)
		}
	}
	u8("nsh_flags", 0)
	u8("nsh_ttl", 1)
	u8("nsh_mdtype", 2)
	u8("nsh_np", 3)
	path, pathMask := m.Flow.u32(slotNSHPath), m.Mask.u32(slotNSHPath)
	spiMask := pathMask >> 8
	if spiMask == 0xffffff {
		spiMask = 0xffffffff
	}
	hex32("nsh_spi", path>>8, spiMask)
	switch si, mk := uint8(path), uint8(pathMask); mk {
	case 0:
	case 0xff:
		fmt.Fprintf(p.sb, "nsh_si=%d,", si)
	default:
		fmt.Fprintf(p.sb, "nsh_si=0x%x/0x%x,", si, mk)
	}
	if m.Mask.b[slotNSHBase.off+2] == 0xff && m.Flow.b[slotNSHBase.off+2] == 1 {
		for i := 0; i < 4; i++ {
			s := slot{slotNSHCtx.off + 4*i, 4}
			hex32(fmt.Sprintf("nsh_c%d", i+1), m.Flow.u32(s), m.Mask.u32(s))
		}
	}
}

// putNSH appends the matched NSH fields in OVS's order.
func (w *nxmWriter) putNSH(m *Match) {
	for _, id := range []FieldID{NshFlags, NshTTL, NshMdtype, NshNp, NshSpi, NshSi, NshC1, NshC2, NshC3, NshC4} {
		if id == NshSpi && m.Mask.u32(slotNSHPath)>>8 == 0xffffff {
			// All 24 bits is an exact match.
			w.putExact(m, id)
			continue
		}
		w.put(m, id)
	}
}

// formatPacketType prints packet_type=(ns,type) for a non-Ethernet match.
func (p matchPrinter) formatPacketType() {
	mk := p.m.Mask.u32(slotPacketType)
	if mk == 0 {
		return
	}
	v := p.m.Flow.u32(slotPacketType)
	if v == 0 && mk == 0xffffffff {
		return // the default Ethernet packet type is implied
	}
	ns, typ := v>>16, v&0xffff
	if mk == 0xffffffff {
		fmt.Fprintf(p.sb, "packet_type=(%d,%#x),", ns, typ)
	} else {
		fmt.Fprintf(p.sb, "packet_type=(%d,*),", ns)
	}
}

// SplitMatch splits ovs-ofctl match text at commas and blanks outside
// parentheses, so that packet_type=(1,0x894f) stays one token.
func SplitMatch(s string) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i <= len(s); i++ {
		var c byte = ','
		if i < len(s) {
			c = s[i]
		}
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case (c == ',' || c == ' ' || c == '\t') && depth == 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return out
}

// parsePacketType parses "(NS,TYPE)" (TYPE may be "*" for any).
func parsePacketType(s string, value, mask []byte) error {
	inner, ok := strings.CutPrefix(s, "(")
	if inner, ok = strings.CutSuffix(inner, ")"); !ok {
		return fmt.Errorf("%s: bad syntax for packet type", s)
	}
	nss, ts, ok := strings.Cut(inner, ",")
	if !ok {
		return fmt.Errorf("%s: bad syntax for packet type", s)
	}
	ns, err := strconv.ParseUint(strings.TrimSpace(nss), 0, 16)
	if err != nil {
		return fmt.Errorf("%s: bad syntax for packet type", s)
	}
	ts = strings.TrimSpace(ts)
	if ts == "*" {
		putUint(value, ns<<16)
		putUint(mask, 0xffff0000)
		return nil
	}
	typ, err := strconv.ParseUint(ts, 0, 16)
	if err != nil {
		return fmt.Errorf("%s: bad syntax for packet type", s)
	}
	putUint(value, ns<<16|typ)
	putUint(mask, 0xffffffff)
	return nil
}
