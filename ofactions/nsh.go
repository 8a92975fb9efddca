// Packet type changing actions: encap(nsh|ethernet|mpls|mpls_mc) with
// NSH properties, decap(), and dec_nsh_ttl (Nicira extensions, OpenFlow
// 1.3 and later only).

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Packet types (OpenFlow 1.5 packet_type: namespace << 16 | type).
const (
	PacketTypeEthernet  = 0
	PacketTypeNSH       = 1<<16 | mf.EthTypeNSH
	PacketTypeMPLS      = 1<<16 | mf.EthTypeMPLS
	PacketTypeMPLSMcast = 1<<16 | mf.EthTypeMPLSMcast
	// PacketTypeUseNextProto asks decap() to take the new packet type
	// from the removed header's next protocol field.
	PacketTypeUseNextProto = 0xfffe
)

// NSH MD types.
const (
	NSHMDType1 = 1
	NSHMDType2 = 2
)

// NSHTLV is an MD type 2 context header, given to encap(nsh(tlv(...))).
type NSHTLV struct {
	Class uint16
	Type  uint8
	Value []byte
}

// Encap adds an outer header and makes the packet of type PacketType
// (encap(nsh(md_type=1)), encap(ethernet)). MDType (0 if not given) and
// TLVs are the NSH properties, kept in the order given.
type Encap struct {
	PacketType uint32
	HdrSize    uint16
	// Props are the NSH properties in order: *NSHMDTypeProp or *NSHTLV.
	Props []any
}

// NSHMDTypeProp is the md_type property of encap(nsh(...)).
type NSHMDTypeProp struct{ MDType uint8 }

// MDType is the md_type property, 0 if there is none.
func (a *Encap) MDType() uint8 {
	for _, p := range a.Props {
		if m, ok := p.(*NSHMDTypeProp); ok {
			return m.MDType
		}
	}
	return 0
}

// TLVs are the tlv properties.
func (a *Encap) TLVs() []*NSHTLV {
	var out []*NSHTLV
	for _, p := range a.Props {
		if t, ok := p.(*NSHTLV); ok {
			out = append(out, t)
		}
	}
	return out
}

var encapNames = map[uint32]string{
	PacketTypeEthernet: "ethernet", PacketTypeNSH: "nsh", PacketTypeMPLS: "mpls", PacketTypeMPLSMcast: "mpls_mc",
}

func (a *Encap) String() string {
	name, ok := encapNames[a.PacketType]
	if !ok {
		name = "UNKNOWN"
	}
	if len(a.Props) == 0 {
		return "encap(" + name + ")"
	}
	parts := make([]string, len(a.Props))
	for i, p := range a.Props {
		switch p := p.(type) {
		case *NSHMDTypeProp:
			parts[i] = "md_type=" + strconv.Itoa(int(p.MDType))
		case *NSHTLV:
			parts[i] = fmt.Sprintf("tlv(0x%04x,%d,%s)", p.Class, p.Type, putHex(p.Value))
		}
	}
	return "encap(" + name + "(" + strings.Join(parts, ",") + "))"
}

// putHex prints bytes as OVS's ds_put_hex: 0x, no leading zero bytes or
// nibble.
func putHex(b []byte) string {
	i := 0
	for i < len(b)-1 && b[i] == 0 {
		i++
	}
	if len(b) == 0 {
		return "0x0"
	}
	return "0x" + strconv.FormatUint(uint64(b[i]), 16) + fmt.Sprintf("%x", b[i+1:])
}

// Decap removes the outer header; PacketType is the new packet type or
// PacketTypeUseNextProto.
type Decap struct{ PacketType uint32 }

func (a *Decap) String() string {
	if a.PacketType == PacketTypeUseNextProto {
		return "decap()"
	}
	typ := "0"
	if t := a.PacketType & 0xffff; t != 0 {
		typ = fmt.Sprintf("%#x", t)
	}
	return fmt.Sprintf("decap(packet_type(ns=%d,type=%s))", a.PacketType>>16, typ)
}

// DecNSHTTL decrements the NSH TTL (dec_nsh_ttl).
type DecNSHTTL struct{}

func (a *DecNSHTTL) String() string { return "dec_nsh_ttl" }

// Nicira subtypes and property numbers of this file.
const (
	nxastEncap     = 46
	nxastDecap     = 47
	nxastDecNSHTTL = 48

	edPropClassNSH   = 4
	edPropNSHMDType  = 1
	edPropNSHTLV     = 2
	edPropHeaderSize = 4
)

// decodeNSHVendor decodes the actions of this file; ok false means "not
// one of them". They exist from OpenFlow 1.3 on.
func decodeNSHVendor(sub uint16, a []byte, version uint8) (Action, bool, error) {
	switch sub {
	case nxastEncap, nxastDecap, nxastDecNSHTTL:
	default:
		return nil, false, nil
	}
	if version < version13 {
		return nil, true, ofperr.OFPBAC_BAD_VENDOR_TYPE
	}
	switch sub {
	case nxastDecNSHTTL:
		return &DecNSHTTL{}, true, need(a, 16, false)
	case nxastDecap:
		if len(a) > 16 {
			return nil, true, ofperr.NXBAC_UNKNOWN_ED_PROP
		}
		return &Decap{PacketType: u32(a, 12)}, true, need(a, 16, false)
	}
	e := &Encap{HdrSize: u16(a, 10), PacketType: u32(a, 12)}
	if _, ok := encapNames[e.PacketType]; !ok {
		return nil, true, ofperr.NXBAC_BAD_HEADER_TYPE
	}
	for p := a[16:]; len(p) > 0; {
		if len(p) < edPropHeaderSize {
			return nil, true, ofperr.OFPBAC_BAD_LEN
		}
		class, typ, n := u16(p, 0), p[2], int(p[3])
		padded := (n + 7) &^ 7
		if n < edPropHeaderSize || padded > len(p) {
			return nil, true, ofperr.OFPBAC_BAD_LEN
		}
		if class != edPropClassNSH {
			return nil, true, ofperr.NXBAC_UNKNOWN_ED_PROP
		}
		switch typ {
		case edPropNSHMDType:
			if n > 8 {
				return nil, true, ofperr.NXBAC_BAD_ED_PROP
			}
			e.Props = append(e.Props, &NSHMDTypeProp{MDType: p[4]})
		case edPropNSHTLV:
			if n < 8 {
				return nil, true, ofperr.NXBAC_BAD_ED_PROP
			}
			tl := int(p[7])
			if n != 8+(tl+7)&^7 {
				return nil, true, ofperr.NXBAC_BAD_ED_PROP
			}
			e.Props = append(e.Props, &NSHTLV{Class: u16(p, 4), Type: p[6], Value: append([]byte(nil), p[8:8+tl]...)})
		default:
			return nil, true, ofperr.NXBAC_UNKNOWN_ED_PROP
		}
		p = p[padded:]
	}
	return e, true, nil
}

// appendNSH encodes the actions of this file; ok false means "not one of
// them".
func appendNSH(b []byte, a Action, version uint8) ([]byte, bool, error) {
	var body []byte
	switch a := a.(type) {
	case *DecNSHTTL:
		b, _ = putNX(b, nxastDecNSHTTL, 16)
	case *Decap:
		b, body = putNX(b, nxastDecap, 16)
		binary.BigEndian.PutUint32(body[2:], a.PacketType)
	case *Encap:
		start := len(b)
		b, body = putNX(b, nxastEncap, 16)
		binary.BigEndian.PutUint16(body, a.HdrSize)
		binary.BigEndian.PutUint32(body[2:], a.PacketType)
		for _, p := range a.Props {
			switch p := p.(type) {
			case *NSHMDTypeProp:
				b = binary.BigEndian.AppendUint16(b, edPropClassNSH)
				b = append(b, edPropNSHMDType, 5, p.MDType, 0, 0, 0)
			case *NSHTLV:
				padded := (len(p.Value) + 7) &^ 7
				b = binary.BigEndian.AppendUint16(b, edPropClassNSH)
				b = append(b, edPropNSHTLV, byte(8+padded))
				b = binary.BigEndian.AppendUint16(b, p.Class)
				b = append(b, p.Type, byte(len(p.Value)))
				b = append(b, p.Value...)
				b = append(b, make([]byte, padded-len(p.Value))...)
			}
		}
		return fixLen(b, start), true, nil
	default:
		return b, false, nil
	}
	return b, true, nil
}

// parseNSH parses the actions of this file (ovs-ofctl's syntax and
// messages); ok false means "not one of them".
func parseNSH(name, arg string) (Action, bool, error) {
	switch name {
	case "dec_nsh_ttl":
		return &DecNSHTTL{}, true, nil
	case "decap":
		d := &Decap{PacketType: PacketTypeUseNextProto}
		if arg == "" {
			return d, true, nil
		}
		k, v := splitKey(arg)
		if k != "packet_type" {
			return nil, true, fmt.Errorf("Invalid decap argument: %s", k)
		}
		var ns, typ uint64
		var gotNS, gotType bool
		items, err := splitTopLevel(v)
		if err != nil {
			return nil, true, err
		}
		for _, it := range items {
			ik, iv, _ := strings.Cut(it, "=")
			n, err := strconv.ParseUint(iv, 0, 16)
			switch {
			case ik == "ns" && !gotNS && err == nil:
				ns, gotNS = n, true
			case ik == "type" && gotNS && err == nil:
				typ, gotType = n, true
			case ik == "ns" || ik == "type":
				return nil, true, fmt.Errorf("%s: invalid %s", iv, ik)
			}
		}
		if !gotNS {
			return nil, true, fmt.Errorf("Missing packet_type attribute ns")
		}
		if ns > 1 {
			return nil, true, fmt.Errorf("Unsupported ns value: %d", ns)
		}
		if !gotType {
			return nil, true, fmt.Errorf("Missing packet_type attribute type")
		}
		d.PacketType = uint32(ns<<16 | typ)
		return d, true, nil
	case "encap":
		return parseEncap(arg)
	}
	return nil, false, nil
}

func parseEncap(arg string) (Action, bool, error) {
	if arg == "" {
		return nil, true, fmt.Errorf("Missing encap hdr: %s", arg)
	}
	hdr, props := splitKey(arg)
	e := &Encap{}
	found := false
	for pt, n := range encapNames {
		if n == hdr {
			e.PacketType, found = pt, true
		}
	}
	if !found {
		return nil, true, fmt.Errorf("Encap hdr not supported: %s", props)
	}
	if props == "" {
		return e, true, nil
	}
	items, err := splitTopLevel(props)
	if err != nil {
		return nil, true, err
	}
	for _, it := range items {
		k, v := splitKey(it)
		if hdr != "nsh" || (k != "md_type" && k != "tlv") {
			return nil, true, fmt.Errorf("Invalid property: %s", k)
		}
		if v == "" {
			return nil, true, fmt.Errorf("Value missing for encap property")
		}
		if k == "md_type" {
			n, err := strconv.ParseUint(v, 0, 8)
			if err != nil {
				return nil, true, fmt.Errorf("invalid md_type")
			}
			if n < 1 || n > 2 {
				return nil, true, fmt.Errorf("invalid md_type")
			}
			e.Props = append(e.Props, &NSHMDTypeProp{MDType: uint8(n)})
			continue
		}
		f := strings.Split(v, ",")
		if len(f) != 3 || !strings.HasPrefix(f[0], "0x") || !strings.HasPrefix(f[2], "0x") {
			return nil, true, fmt.Errorf("Invalid NSH TLV header: %s", v)
		}
		class, err1 := strconv.ParseUint(f[0][2:], 16, 16)
		typ, err2 := strconv.ParseUint(f[1], 10, 8)
		hexs := f[2][2:]
		if err1 != nil || err2 != nil || hexs == "" {
			return nil, true, fmt.Errorf("Invalid NSH TLV header: %s", v)
		}
		if len(hexs)%2 != 0 {
			hexs = "0" + hexs
		}
		val := make([]byte, len(hexs)/2)
		for i := range val {
			x, err := strconv.ParseUint(hexs[2*i:2*i+2], 16, 8)
			if err != nil {
				return nil, true, fmt.Errorf("Invalid NSH TLV header: %s", v)
			}
			val[i] = byte(x)
		}
		e.Props = append(e.Props, &NSHTLV{Class: uint16(class), Type: uint8(typ), Value: val})
	}
	return e, true, nil
}

// checkNSH updates the checked flow for the packet type changing actions
// and refuses dec_nsh_ttl on a flow that is not NSH.
func checkNSH(a Action, s *checkState, soft func() error) error {
	switch a := a.(type) {
	case *Encap:
		_ = s.m.SetExact(mf.PacketType, uint64(a.PacketType))
		if a.PacketType>>16 == 1 {
			_ = s.m.SetExact(mf.EthType, uint64(a.PacketType&0xffff))
		}
		s.refresh()
		if !s.isIP {
			s.m.Clear(mf.IPProto)
			s.refresh()
		}
	case *Decap:
		if pt, _ := s.m.Get(mf.PacketType); pt == (mf.ValueMask{}) {
			// An Ethernet packet becomes its payload.
			_ = s.m.SetExact(mf.PacketType, uint64(1<<16|uint32(s.dlType)))
		} else {
			// What the packet becomes is only known when it runs.
			_ = s.m.SetExact(mf.PacketType, 0xffffffff)
			_ = s.m.SetExact(mf.EthType, 0xffff)
		}
		s.refresh()
	case *DecNSHTTL:
		if !s.m.PrereqsOK(mf.ByID(mf.NshTTL)) {
			return soft()
		}
	}
	return nil
}
