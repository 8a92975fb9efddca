package ofp

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// NXT_PACKET_IN2 and NXT_RESUME share one body: a list of properties.
// The continuation property nests the frozen pipeline (Continuation),
// which only the switch interprets; a controller copies it back verbatim.

// NXT_PACKET_IN2 property types.
const (
	PacketIn2Packet       = 0
	PacketIn2FullLen      = 1
	PacketIn2BufferID     = 2
	PacketIn2TableID      = 3
	PacketIn2Cookie       = 4
	PacketIn2Reason       = 5
	PacketIn2Metadata     = 6
	PacketIn2Userdata     = 7
	PacketIn2Continuation = 8
)

// Continuation property types, private to the switch (OVS's NXCPT_*).
const (
	contBridge = 0x8000 + iota
	contStack
	contMirrors
	contConntracked
	contTableID
	contCookie
	contActions
	contActionSet
	contOdpPort
)

// NoCookie is the cookie of a packet-in that has none (a packet-out's):
// NXT_PACKET_IN2 then leaves the cookie property out.
const NoCookie = ^uint64(0)

// PacketIn2 is the decoded body of NXT_PACKET_IN2 or NXT_RESUME. Slices
// point into the message.
type PacketIn2 struct {
	Packet   []byte
	FullLen  uint32 // the packet's length; len(Packet) when absent
	BufferID uint32 // NoBuffer when absent
	TableID  uint8
	Cookie   uint64 // NoCookie when absent
	Reason   uint8
	// Metadata is the raw NXM/OXM entries of the metadata property.
	Metadata []byte
	Userdata []byte
	// Continuation is the payload of the continuation property (nested
	// properties), nil when absent.
	Continuation []byte
}

// DecodePacketIn2 parses the property list of NXT_PACKET_IN2 or
// NXT_RESUME (body: after the Nicira header). As OVS does for NXT_RESUME,
// an unknown property is OFPBPC_BAD_TYPE, and a message without a packet,
// or claiming a full length below the packet's, is OFPBRC_BAD_LEN.
func DecodePacketIn2(body []byte) (*PacketIn2, error) {
	pi := &PacketIn2{BufferID: NoBuffer, Cookie: NoCookie}
	for rest := body; len(rest) > 0; {
		typ, p, r, err := pullProp(rest)
		if err != nil {
			return nil, err
		}
		rest = r
		switch typ {
		case PacketIn2Packet:
			pi.Packet = p
		case PacketIn2FullLen:
			pi.FullLen, err = propU32(p)
		case PacketIn2BufferID:
			pi.BufferID, err = propU32(p)
		case PacketIn2TableID:
			pi.TableID, err = propU8Loose(p)
		case PacketIn2Cookie:
			pi.Cookie, err = propU64(p)
		case PacketIn2Reason:
			pi.Reason, err = propU8Loose(p)
		case PacketIn2Metadata:
			pi.Metadata = p
		case PacketIn2Userdata:
			pi.Userdata = p
		case PacketIn2Continuation:
			pi.Continuation, err = propNested(p)
		default:
			err = ofperr.OFPBPC_BAD_TYPE
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case len(pi.Packet) == 0:
		return nil, ofperr.OFPBRC_BAD_LEN
	case pi.FullLen == 0:
		pi.FullLen = uint32(len(pi.Packet))
	case pi.FullLen < uint32(len(pi.Packet)):
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	return pi, nil
}

// AppendPacketIn2Props appends the properties common to NXT_PACKET_IN2
// and NXT_RESUME, in OVS's order: packet, full length (when the packet
// is cut short), table, cookie (unless NoCookie), reason and metadata.
// The caller adds the continuation and, for NXT_PACKET_IN2, the userdata.
func AppendPacketIn2Props(b []byte, pi *PacketIn2) []byte {
	b = AppendProp(b, PacketIn2Packet, pi.Packet)
	if pi.FullLen != 0 && pi.FullLen != uint32(len(pi.Packet)) {
		b = AppendProp(b, PacketIn2FullLen, binary.BigEndian.AppendUint32(nil, pi.FullLen))
	}
	b = AppendProp(b, PacketIn2TableID, []byte{pi.TableID})
	if pi.Cookie != NoCookie {
		b = AppendProp(b, PacketIn2Cookie, binary.BigEndian.AppendUint64([]byte{0, 0, 0, 0}, pi.Cookie))
	}
	b = AppendProp(b, PacketIn2Reason, []byte{pi.Reason})
	return AppendProp(b, PacketIn2Metadata, pi.Metadata)
}

// ContinuationSegment is a run of frozen actions. A segment with Unroll
// set starts by restoring the table id and cookie of the rule the
// actions came from (OVS's unroll_xlate); only the first segment may
// lack it.
type ContinuationSegment struct {
	Unroll  bool
	Table   uint8
	Cookie  uint64
	Actions []byte // OpenFlow actions of the message's version
}

// Continuation is the frozen pipeline NXT_PACKET_IN2 carries and
// NXT_RESUME brings back.
type Continuation struct {
	Bridge [16]byte
	// Stack is the push/pop stack, bottom first; each value big-endian
	// in as many bytes as it was pushed with.
	Stack       [][]byte
	Mirrors     uint32
	Conntracked bool
	Segments    []ContinuationSegment
	ActionSet   []byte // OpenFlow actions of the message's version
	OdpPort     uint32
}

// AppendContinuation appends c as NXT_PACKET_IN2's continuation property,
// or nothing if c holds nothing.
//
// The table id and cookie of each unrolling segment are written only
// where they change (both start at 0), and segments without actions
// leave only those changes, as OVS encodes them.
func AppendContinuation(b []byte, c *Continuation) []byte {
	var n []byte
	if c.Bridge != [16]byte{} {
		n = AppendProp(n, contBridge, c.Bridge[:])
	}
	for i := len(c.Stack) - 1; i >= 0; i-- { // top first
		n = AppendProp(n, contStack, c.Stack[i])
	}
	if c.Mirrors != 0 {
		n = AppendProp(n, contMirrors, binary.BigEndian.AppendUint32(nil, c.Mirrors))
	}
	if c.Conntracked {
		n = AppendProp(n, contConntracked, nil)
	}
	var table uint8
	var cookie uint64
	for _, s := range c.Segments {
		if s.Unroll {
			if s.Table != table {
				n = AppendProp(n, contTableID, []byte{s.Table})
				table = s.Table
			}
			if s.Cookie != cookie {
				n = AppendProp(n, contCookie, binary.BigEndian.AppendUint64([]byte{0, 0, 0, 0}, s.Cookie))
				cookie = s.Cookie
			}
		}
		if len(s.Actions) > 0 {
			n = AppendProp(n, contActions, append([]byte{0, 0, 0, 0}, s.Actions...))
		}
	}
	if len(c.ActionSet) > 0 {
		n = AppendProp(n, contActionSet, append([]byte{0, 0, 0, 0}, c.ActionSet...))
	}
	if c.OdpPort != 0 {
		n = AppendProp(n, contOdpPort, binary.BigEndian.AppendUint32(nil, c.OdpPort))
	}
	if len(n) == 0 {
		return b
	}
	return AppendProp(b, PacketIn2Continuation, append([]byte{0, 0, 0, 0}, n...))
}

// DecodeContinuation parses a continuation property's payload. Every
// actions property becomes an unrolling segment with the table id and
// cookie in force at that point. Unknown properties are OFPBPC_BAD_TYPE.
func DecodeContinuation(b []byte) (*Continuation, error) {
	c := &Continuation{}
	var table uint8
	var cookie uint64
	for rest := b; len(rest) > 0; {
		typ, p, r, err := pullProp(rest)
		if err != nil {
			return nil, err
		}
		rest = r
		switch typ {
		case contBridge:
			if len(p) != 16 {
				return nil, ofperr.OFPBPC_BAD_LEN
			}
			copy(c.Bridge[:], p)
		case contStack:
			// OVS takes values as wide as any field (128 bytes).
			if len(p) > 128 {
				return nil, ofperr.OFPBPC_BAD_LEN
			}
			c.Stack = append([][]byte{p}, c.Stack...) // each goes below the others
		case contMirrors:
			c.Mirrors, err = propU32(p)
		case contConntracked:
			c.Conntracked = true
		case contTableID:
			table, err = propU8Loose(p)
		case contCookie:
			cookie, err = propU64(p)
		case contActions:
			var acts []byte
			if acts, err = propNested(p); err == nil {
				c.Segments = append(c.Segments, ContinuationSegment{Unroll: true, Table: table, Cookie: cookie, Actions: acts})
			}
		case contActionSet:
			c.ActionSet, err = propNested(p)
		case contOdpPort:
			c.OdpPort, err = propU32(p)
		default:
			err = ofperr.OFPBPC_BAD_TYPE
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// propU8Loose reads an 8-bit property as OVS does: any payload of at
// least one byte, the value in the first.
func propU8Loose(p []byte) (uint8, error) {
	if len(p) < 1 {
		return 0, ofperr.OFPBPC_BAD_LEN
	}
	return p[0], nil
}

func propU32(p []byte) (uint32, error) {
	if len(p) != 4 {
		return 0, ofperr.OFPBPC_BAD_LEN
	}
	return binary.BigEndian.Uint32(p), nil
}

// propU64 reads a 64-bit property: 4 bytes of padding, then the value.
func propU64(p []byte) (uint64, error) {
	if len(p) != 12 {
		return 0, ofperr.OFPBPC_BAD_LEN
	}
	return binary.BigEndian.Uint64(p[4:]), nil
}

// propNested skips the 4 bytes of padding that align a nested payload
// (properties or actions) to 8 bytes.
func propNested(p []byte) ([]byte, error) {
	if len(p) < 4 {
		return nil, ofperr.OFPBPC_BAD_LEN
	}
	return p[4:], nil
}
