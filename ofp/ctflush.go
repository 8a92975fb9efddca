package ofp

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// CTTuple is one direction of a conntrack flush filter. Addresses are
// IPv6 or IPv4-mapped IPv6, zero when absent.
type CTTuple struct {
	Src, Dst           [16]byte
	SrcPort, DstPort   uint16
	ICMPID             uint16
	ICMPType, ICMPCode uint8
}

// CTFlush is NXT_CT_FLUSH (ovs-ofctl ct-flush): flush the connections of
// a zone matching the original and/or reply tuple.
type CTFlush struct {
	IPProto     uint8
	IPv4        bool // the addresses are IPv4 (learned from them on decode)
	Orig, Reply CTTuple
	Zone        uint16
	HasZone     bool
}

// NXT_CT_FLUSH property types.
const (
	ctFlushOrigTuple  = 0
	ctFlushReplyTuple = 1
	ctFlushZoneID     = 2

	ctTupleSrc      = 0
	ctTupleDst      = 1
	ctTupleSrcPort  = 2
	ctTupleDstPort  = 3
	ctTupleICMPID   = 4
	ctTupleICMPType = 5
	ctTupleICMPCode = 6
)

// pullProp splits one property (type, payload) off b; properties are
// padded to 8 bytes.
func pullProp(b []byte) (typ uint16, payload, rest []byte, err error) {
	if len(b) < 4 {
		return 0, nil, nil, ofperr.OFPBPC_BAD_LEN
	}
	typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
	padded := (n + 7) &^ 7
	if n < 4 || padded > len(b) {
		return 0, nil, nil, ofperr.OFPBPC_BAD_LEN
	}
	return typ, b[4:n], b[padded:], nil
}

func propU16(p []byte) (uint16, error) {
	if len(p) != 2 && len(p) != 4 {
		return 0, ofperr.OFPBPC_BAD_LEN
	}
	return binary.BigEndian.Uint16(p), nil
}

func propU8(p []byte) (uint8, error) {
	if len(p) != 1 {
		return 0, ofperr.OFPBPC_BAD_LEN
	}
	return p[0], nil
}

func isV4Mapped(a [16]byte) bool { return netip.AddrFrom16(a).Is4In6() }

// DecodeCTFlush parses NXT_CT_FLUSH.
func DecodeCTFlush(msg []byte) (*CTFlush, error) {
	_, b, err := decodeBody(msg, RawNXTCtFlush, 8)
	if err != nil {
		return nil, err
	}
	for _, c := range b[2:8] {
		if c != 0 {
			return nil, ofperr.NXBRC_MUST_BE_ZERO
		}
	}
	f := &CTFlush{IPProto: b[0]}
	var l3Set bool
	for rest := b[8:]; len(rest) > 0; {
		typ, p, r, err := pullProp(rest)
		if err != nil {
			return nil, err
		}
		rest = r
		switch typ {
		case ctFlushOrigTuple, ctFlushReplyTuple:
			t := &f.Orig
			if typ == ctFlushReplyTuple {
				t = &f.Reply
			}
			// Nested properties start after 4 bytes of padding.
			if len(p) < 4 {
				return nil, ofperr.OFPBPC_BAD_LEN
			}
			for nested := p[4:]; len(nested) > 0; {
				ntyp, np, nr, err := pullProp(nested)
				if err != nil {
					return nil, err
				}
				nested = nr
				switch ntyp {
				case ctTupleSrc, ctTupleDst:
					if len(np) != 16 {
						return nil, ofperr.OFPBPC_BAD_LEN
					}
					var a [16]byte
					copy(a[:], np)
					v4 := isV4Mapped(a)
					if l3Set && v4 != f.IPv4 {
						return nil, ofperr.OFPBPC_BAD_VALUE
					}
					l3Set, f.IPv4 = true, v4
					if ntyp == ctTupleSrc {
						t.Src = a
					} else {
						t.Dst = a
					}
				case ctTupleSrcPort:
					t.SrcPort, err = propU16(np)
				case ctTupleDstPort:
					t.DstPort, err = propU16(np)
				case ctTupleICMPID:
					t.ICMPID, err = propU16(np)
				case ctTupleICMPType:
					t.ICMPType, err = propU8(np)
				case ctTupleICMPCode:
					t.ICMPCode, err = propU8(np)
				}
				if err != nil {
					return nil, err
				}
			}
		case ctFlushZoneID:
			if f.Zone, err = propU16(p); err != nil {
				return nil, err
			}
			f.HasZone = true
		}
	}
	return f, nil
}

func isICMP(proto uint8) bool { return proto == 1 || proto == 58 }

// AppendProp appends an OpenFlow property (type, length, payload),
// zero-padded to a multiple of 8 bytes.
func AppendProp(b []byte, typ uint16, payload []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(payload)))
	b = append(b, payload...)
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

func u16Payload(v uint16) []byte { return []byte{byte(v >> 8), byte(v), 0, 0} }

func appendTuple(b []byte, t *CTTuple, typ uint16, proto uint8) []byte {
	var n []byte
	if t.Src != [16]byte{} {
		n = AppendProp(n, ctTupleSrc, t.Src[:])
	}
	if t.Dst != [16]byte{} {
		n = AppendProp(n, ctTupleDst, t.Dst[:])
	}
	if isICMP(proto) {
		n = AppendProp(n, ctTupleICMPID, u16Payload(t.ICMPID))
		n = AppendProp(n, ctTupleICMPType, []byte{t.ICMPType})
		n = AppendProp(n, ctTupleICMPCode, []byte{t.ICMPCode})
	} else {
		if t.SrcPort != 0 {
			n = AppendProp(n, ctTupleSrcPort, u16Payload(t.SrcPort))
		}
		if t.DstPort != 0 {
			n = AppendProp(n, ctTupleDstPort, u16Payload(t.DstPort))
		}
	}
	if len(n) == 0 {
		return b
	}
	return AppendProp(b, typ, append([]byte{0, 0, 0, 0}, n...))
}

// EncodeCTFlush builds NXT_CT_FLUSH in the given version.
func EncodeCTFlush(f *CTFlush, version uint8, xid uint32) ([]byte, error) {
	b, err := AppendRawHeader(nil, RawNXTCtFlush, version, xid, 0)
	if err != nil {
		return nil, err
	}
	b = append(b, f.IPProto, 0, 0, 0, 0, 0, 0, 0)
	b = appendTuple(b, &f.Orig, ctFlushOrigTuple, f.IPProto)
	b = appendTuple(b, &f.Reply, ctFlushReplyTuple, f.IPProto)
	if f.HasZone {
		b = AppendProp(b, ctFlushZoneID, u16Payload(f.Zone))
	}
	return setLength(b), nil
}

func formatCTTuple(t *CTTuple, proto uint8, ipv4 bool) string {
	addr := func(a [16]byte) string {
		ip := netip.AddrFrom16(a)
		if ip.Is4In6() {
			return ip.Unmap().String()
		}
		return ip.String()
	}
	pfx := "ct_ipv6_"
	if ipv4 {
		pfx = "ct_nw_"
	}
	s := pfx + "src=" + addr(t.Src) + "," + pfx + "dst=" + addr(t.Dst)
	if isICMP(proto) {
		return s + fmt.Sprintf(",icmp_id=%d,icmp_type=%d,icmp_code=%d", t.ICMPID, t.ICMPType, t.ICMPCode)
	}
	return s + fmt.Sprintf(",ct_tp_src=%d,ct_tp_dst=%d", t.SrcPort, t.DstPort)
}

// formatBody prints as ofp-print: " zone=5 'orig,ct_nw_proto=6' 'reply'".
func (f *CTFlush) formatBody() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, " zone=%d '%s,ct_nw_proto=%d' '%s'", f.Zone,
		formatCTTuple(&f.Orig, f.IPProto, f.IPv4), f.IPProto, formatCTTuple(&f.Reply, f.IPProto, f.IPv4))
	return sb.String()
}
