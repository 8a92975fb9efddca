package mf

import (
	"sort"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// FieldID identifies one field of the table (the constants in
// fields_table.go, named after OVS's MFF_* ids).
type FieldID int

// Format says how a field's value is printed and parsed as text.
type Format uint8

// Text formats of field values.
const (
	FormatDecimal Format = iota
	FormatHex
	FormatIPv4
	FormatIPv6
	FormatEthernet
	FormatPort     // OpenFlow 1.0 port: number or LOCAL, IN_PORT, ...
	FormatPort32   // OpenFlow 1.1+ port, printed like FormatPort
	FormatCtState  // +trk-new flags
	FormatTCPFlags // +syn-ack flags
	FormatFrag     // no, yes, first, later, not_later
	FormatTunFlags // +oam
	FormatPacketType
)

// Prereq is what a flow must match before a field may be matched.
type Prereq uint8

// Prerequisites, as in OVS's meta-flow.
const (
	PrereqNone Prereq = iota
	PrereqEthernet
	PrereqARP
	PrereqIPv4
	PrereqIPv6
	PrereqIPAny
	PrereqVLANVID
	PrereqMPLS
	PrereqTCP
	PrereqUDP
	PrereqSCTP
	PrereqICMPv4
	PrereqICMPv6
	PrereqND
	PrereqNDSolicit
	PrereqNDAdvert
	PrereqCT
)

// view says how a field's wire value maps onto its Flow slot.
type view uint8

const (
	viewPlain   view = iota // the slot bytes are the value
	viewBits                // (slot & viewMask) >> viewShift
	viewVLANCFI             // like viewBits, and setting it sets the VLAN CFI bit
	viewPort32              // 16-bit port stored, 32-bit OpenFlow 1.1+ port on the wire
	viewU8AsU16             // one byte stored, two on the wire (arp_op)
	viewU8In16              // two bytes stored, one on the wire (icmp_type: exact means 0xffff)
)

// Header is an NXM/OXM field header as a 64-bit number: the low 32 bits are
// the 4-byte header with hasmask 0 and the length of an unmasked value; for
// experimenter fields (class 0xffff) the high 32 bits are the experimenter id.
type Header uint64

// Class returns the OXM/NXM class.
func (h Header) Class() uint16 { return uint16(h >> 16) }

// Field returns the 7-bit field number.
func (h Header) Field() uint8 { return uint8(h>>9) & 0x7f }

// Experimenter returns the experimenter id (0 unless Class is 0xffff).
func (h Header) Experimenter() uint32 { return uint32(h >> 32) }

// key is the header without hasmask and length, for lookups.
func (h Header) key() Header { return h &^ 0x1ff }

func isNXMClass(h Header) bool { return h.Class() <= 1 }

func nxmHeader(class uint16, field uint8) Header {
	return Header(uint32(class)<<16 | uint32(field)<<9)
}

func expHeader(vendor uint32, field uint8) Header {
	return Header(uint64(vendor)<<32 | 0xffff<<16 | uint64(field)<<9)
}

const (
	nxVendor  = 0x00002320
	onfVendor = 0x4f4e4600
)

type fieldHeader struct {
	h Header
	// minVersion is the first wire version whose OXM uses this header
	// (1 for NXM headers).
	minVersion uint8
}

// Field describes one match field.
type Field struct {
	ID       FieldID
	Name     string   // as ovs-ofctl prints it
	Aliases  []string // other names ovs-ofctl accepts
	Bytes    int      // wire width of the value
	Bits     int      // significant bits (e.g. 12 for tcp_flags)
	Maskable bool     // arbitrary bitwise masks allowed
	Format   Format
	Prereq   Prereq
	Writable bool // settable by set_field/load/move
	OF10     bool // expressible in an OpenFlow 1.0 ofp_match
	// OF10Wildcard is the field's OFPFW10_* wildcard bit(s) in an OpenFlow
	// 1.0 ofp_match (the 6-bit prefix-length field for IPv4 addresses),
	// 0 if it has none.
	OF10Wildcard uint32

	headers   []fieldHeader
	slot      slot
	slotOff   int
	viewMask  uint64
	viewShift uint
	view      view
}

var (
	fieldsByName   = map[string]*Field{}
	fieldsByHeader = map[Header]*Field{}
)

func init() {
	for i := range fieldTable {
		f := &fieldTable[i]
		// OVS orders a field's headers by OpenFlow version, with the
		// versionless OXM (experimenter) headers before the NXM ones;
		// the last header usable in a version wins.
		sort.SliceStable(f.headers, func(a, b int) bool {
			ha, hb := f.headers[a], f.headers[b]
			if ha.minVersion != hb.minVersion {
				return ha.minVersion < hb.minVersion
			}
			return !isNXMClass(ha.h) && isNXMClass(hb.h)
		})
		if f.ID != FieldID(i) {
			panic("mf: field table out of order at " + f.Name)
		}
		fieldsByName[f.Name] = f
		for _, a := range f.Aliases {
			fieldsByName[a] = f
		}
		for j := range f.headers {
			h := &f.headers[j]
			n := f.Bytes
			if h.h.Class() == 0xffff {
				n += 4
			}
			h.h |= Header(n)
			if _, dup := fieldsByHeader[h.h.key()]; !dup {
				fieldsByHeader[h.h.key()] = f
			}
		}
	}
}

// Fields returns the whole table, indexed by FieldID.
func Fields() []Field { return fieldTable[:] }

// ByID returns the field with the given id, or nil.
func ByID(id FieldID) *Field {
	if id < 0 || id >= numFields {
		return nil
	}
	return &fieldTable[id]
}

// ByName finds a field by its name or an alias ("dl_src", "NXM_OF_ETH_SRC"
// and "OXM_OF_ETH_SRC" style names are accepted too).
func ByName(name string) *Field {
	if f := fieldsByName[name]; f != nil {
		return f
	}
	return byNXMName(name)
}

// ByHeader finds the field an NXM/OXM header refers to (hasmask and length
// are ignored).
func ByHeader(h Header) *Field { return fieldsByHeader[h.key()] }

// HeaderFor returns the header OVS uses for f in the given wire version:
// the newest OXM header introduced at or before version, else the first
// listed (NXM) one. For version 0 (plain NXM) it is the first header.
func (f *Field) HeaderFor(version uint8) (Header, bool) {
	if len(f.headers) == 0 {
		return 0, false
	}
	best := f.headers[0]
	for _, h := range f.headers[1:] {
		// NXM and versionless experimenter headers count as version 0.
		if h.minVersion <= 1 || version >= h.minVersion {
			best = h
		}
	}
	if f.IsTunMetadata() {
		// The length is the mapped option length.
		return best.h&^0xff | Header(f.WireLen()), true
	}
	return best.h, true
}

// NXMName returns the NXM/OXM style name of f for the given version, as
// printed in subfields (NXM_NX_REG0, OXM_OF_IN_PORT, ...).
func (f *Field) NXMName(version uint8) string {
	h, ok := f.HeaderFor(version)
	if !ok {
		return f.Name
	}
	return headerName(h, f)
}

// ValueMask is a field value (or mask) in wire byte order, left aligned.
type ValueMask [16]byte

// uintValue returns the first n bytes of v as an integer (n <= 8).
func uintValue(v []byte) uint64 {
	var x uint64
	for _, c := range v {
		x = x<<8 | uint64(c)
	}
	return x
}

func putUint(v []byte, x uint64) {
	for i := len(v) - 1; i >= 0; i-- {
		v[i] = byte(x)
		x >>= 8
	}
}

// get reads f's wire value from fl into dst (len f.Bytes).
func (f *Field) get(fl *Flow, dst []byte, isMask bool) {
	s := fl.b[f.slot.off+f.slotOff:]
	switch f.view {
	case viewPlain:
		copy(dst, s[:f.Bytes])
	case viewBits, viewVLANCFI:
		x := uintValue(s[:f.slot.n])
		putUint(dst, (x&f.viewMask)>>f.viewShift)
	case viewPort32:
		p := uint32(uintValue(s[:2]))
		if isMask {
			if p != 0 {
				p = 0xffffffff
			}
		} else if p >= 0xff00 {
			p += 0xffff0000
		}
		putUint(dst, uint64(p))
	case viewU8AsU16:
		putUint(dst, uint64(s[0]))
	case viewU8In16:
		dst[0] = s[1]
	case viewTunMeta:
		f.getTunMeta(fl, dst)
	}
}

// set writes f's wire value src into fl.
func (f *Field) set(fl *Flow, src []byte, isMask bool) error {
	s := fl.b[f.slot.off+f.slotOff:]
	switch f.view {
	case viewPlain:
		copy(s[:f.Bytes], src)
	case viewBits, viewVLANCFI:
		x := uintValue(s[:f.slot.n])
		v := uintValue(src)
		x = x&^f.viewMask | (v<<f.viewShift)&f.viewMask
		if f.view == viewVLANCFI && (v != 0 || isMask || f.ID == DlVLAN) {
			x |= vlanCFI
		}
		putUint(s[:f.slot.n], x)
	case viewPort32:
		p := uint32(uintValue(src))
		if isMask {
			if p != 0 {
				p = 0xffff
			}
		} else {
			port, err := Port16(p)
			if err != nil {
				return err
			}
			p = uint32(port)
		}
		putUint(s[:2], uint64(p))
	case viewU8AsU16:
		s[0] = byte(uintValue(src))
	case viewU8In16:
		s[0], s[1] = 0, src[0]
		if isMask && src[0] == 0xff {
			s[0] = 0xff
		}
	case viewTunMeta:
		return f.setTunMeta(fl, src)
	}
	return nil
}

// Port16 converts an OpenFlow 1.1+ 32-bit port to OVS's 16-bit port space.
func Port16(p uint32) (uint16, error) {
	switch {
	case p < 0xff00:
		return uint16(p), nil
	case p >= 0xffffff00:
		return uint16(p - 0xffff0000), nil
	}
	return 0, ofperr.OFPBMC_BAD_VALUE
}

// Port32 converts a 16-bit port to the OpenFlow 1.1+ 32-bit space.
func Port32(p uint16) uint32 {
	if p >= 0xff00 {
		return uint32(p) + 0xffff0000
	}
	return uint32(p)
}

// byNXMName resolves "NXM_OF_ETH_SRC", "NXM_NX_REG0", "OXM_OF_IN_PORT" and
// the other vendor prefixed names.
func byNXMName(name string) *Field {
	for i := range fieldTable {
		f := &fieldTable[i]
		for _, h := range f.headers {
			if headerName(h.h, f) == name {
				return f
			}
		}
	}
	return nil
}

// nxmNames are the NXM/OXM names of fields whose name does not follow from
// the ovs-ofctl name.
var nxmNames = map[Header]string{}

// headerName builds NXM_OF_/NXM_NX_/OXM_OF_ style names.
func headerName(h Header, f *Field) string {
	if n, ok := nxmNames[h.key()]; ok {
		return n
	}
	return "0x" + strconv.FormatUint(uint64(h), 16) + "/" + strings.ToUpper(f.Name)
}

// of10Wildcards maps fields to their OpenFlow 1.0 wildcard bits.
var of10Wildcards = map[FieldID]uint32{
	InPort: of10InPort, DlVLAN: of10DlVLAN, VLANVID: of10DlVLAN, EthSrc: of10DlSrc, EthDst: of10DlDst,
	EthType: of10DlType, IPProto: of10NwProto, ARPOp: of10NwProto,
	TCPSrc: of10TpSrc, UDPSrc: of10TpSrc, ICMPv4Type: of10TpSrc, TCPDst: of10TpDst, UDPDst: of10TpDst, ICMPv4Code: of10TpDst,
	IPv4Src: 63 << of10NwSrcSh, ARPSPA: 63 << of10NwSrcSh, IPv4Dst: 63 << of10NwDstSh, ARPTPA: 63 << of10NwDstSh,
	DlVLANPCP: of10DlVLANPCP, VLANPCP: of10DlVLANPCP, IPDSCP: of10NwTOS, IPDSCPShifted: of10NwTOS,
}

func init() {
	for id, w := range of10Wildcards {
		fieldTable[id].OF10Wildcard = w
	}
	for _, hn := range headerNames {
		if _, ok := nxmNames[hn.h]; !ok {
			nxmNames[hn.h] = hn.name
		}
	}
}
