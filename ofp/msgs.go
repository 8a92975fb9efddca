package ofp

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Raw identifies one message layout: a message type in a range of versions
// (the constants in msgs_table.go follow OVS's OFPRAW_* names).
type Raw int

// kind is how a message is framed.
type kind uint8

const (
	kindOFPT  kind = iota // plain message, type = number
	kindNXT               // vendor message, Nicira vendor, subtype = number
	kindONFT              // experimenter message, ONF, exp_type = number
	kindOFPST             // stats/multipart, stats type = number
	kindNXST              // Nicira stats, subtype = number
	kindONFST             // ONF multipart, exp_type = number
)

type rawInfo struct {
	raw            Raw
	name           string
	minVer, maxVer uint8
	kind           kind
	number         uint32
	reply          bool // stats/multipart reply (as opposed to request)
}

// Message types shared by every version.
const (
	typeHello        = 0
	typeError        = 1
	typeEchoRequest  = 2
	typeEchoReply    = 3
	typeVendor       = 4
	typeStatsReq10   = 16
	typeStatsReply10 = 17
	typeStatsReq11   = 18
	typeStatsReply11 = 19
	statsVendor      = 0xffff
)

var rawByID = map[Raw]*rawInfo{}

func init() {
	for i := range rawTable {
		ri := &rawTable[i]
		rawByID[ri.raw] = ri
	}
}

// Name returns the message name as ovs-ofctl prints it ("OFPT_FLOW_MOD",
// "NXST_FLOW reply").
func (r Raw) Name() string {
	if ri := rawByID[r]; ri != nil {
		return ri.name
	}
	return "unknown message"
}

// statsFlagMore is OFPSF_REPLY_MORE.
const statsFlagMore = 1

// MsgHeader is what DecodeRaw learns about a message.
type MsgHeader struct {
	Header
	Raw Raw
	// StatsFlags are the stats/multipart flags (0 otherwise).
	StatsFlags uint16
	// BodyOffset is where the message-specific body starts.
	BodyOffset int
}

// More reports whether a stats reply has the "more" flag.
func (m MsgHeader) More() bool { return m.StatsFlags&statsFlagMore != 0 }

// DecodeRaw identifies msg through the message table. Errors are those OVS
// sends for unknown messages: OFPBRC_BAD_TYPE, OFPBRC_BAD_STAT,
// OFPBRC_BAD_VENDOR, OFPBRC_BAD_SUBTYPE, OFPBRC_BAD_LEN.
func DecodeRaw(msg []byte) (MsgHeader, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return MsgHeader{}, err
	}
	if int(h.Length) > len(msg) {
		return MsgHeader{Header: h}, ofperr.OFPBRC_BAD_LEN
	}
	msg = msg[:h.Length]
	mh := MsgHeader{Header: h, BodyOffset: HeaderLen}
	if h.Version < Version10 || h.Version > Version15 {
		return mh, ofperr.OFPBRC_BAD_VERSION
	}
	k, number, reply := kindOFPT, uint32(h.Type), false
	statsReq, statsReply := uint8(typeStatsReq11), uint8(typeStatsReply11)
	if h.Version == Version10 {
		statsReq, statsReply = typeStatsReq10, typeStatsReply10
	}
	switch {
	case h.Type == typeVendor && h.Version != 0:
		if len(msg) < 16 {
			return mh, ofperr.OFPBRC_BAD_LEN
		}
		vendor := binary.BigEndian.Uint32(msg[8:])
		number = binary.BigEndian.Uint32(msg[12:])
		switch vendor {
		case NXVendor:
			k = kindNXT
		case ONFVendor:
			k = kindONFT
		default:
			return mh, ofperr.OFPBRC_BAD_VENDOR
		}
		mh.BodyOffset = 16
	case h.Type == statsReq || h.Type == statsReply:
		reply = h.Type == statsReply
		off := 12
		if h.Version != Version10 {
			off = 16
		}
		if len(msg) < off {
			return mh, ofperr.OFPBRC_BAD_LEN
		}
		k = kindOFPST
		number = uint32(binary.BigEndian.Uint16(msg[8:]))
		mh.StatsFlags = binary.BigEndian.Uint16(msg[10:])
		mh.BodyOffset = off
		if number == statsVendor {
			// OF1.0: vendor(4) subtype(4) pad(4); OF1.1+: pad(4) already
			// consumed, then experimenter(4) exp_type(4).
			if len(msg) < 24 {
				return mh, ofperr.OFPBRC_BAD_LEN
			}
			vendor := binary.BigEndian.Uint32(msg[off:])
			number = binary.BigEndian.Uint32(msg[off+4:])
			switch vendor {
			case NXVendor:
				k = kindNXST
			case ONFVendor:
				k = kindONFST
			default:
				return mh, ofperr.OFPBRC_BAD_VENDOR
			}
			mh.BodyOffset = 24
		}
	}
	for i := range rawTable {
		ri := &rawTable[i]
		if ri.kind == k && ri.number == number && ri.reply == reply &&
			h.Version >= ri.minVer && h.Version <= ri.maxVer {
			mh.Raw = ri.raw
			return mh, nil
		}
	}
	switch k {
	case kindOFPST:
		return mh, ofperr.OFPBRC_BAD_STAT
	case kindNXT, kindONFT, kindNXST, kindONFST:
		return mh, ofperr.OFPBRC_BAD_SUBTYPE
	}
	return mh, ofperr.OFPBRC_BAD_TYPE
}

// AppendRawHeader starts a message of type raw in the given version: the
// ofp_header (length filled by FinishMessage) plus any vendor or stats
// header. It fails if raw does not exist in that version.
func AppendRawHeader(b []byte, raw Raw, version uint8, xid uint32, statsFlags uint16) ([]byte, error) {
	ri := rawByID[raw]
	if ri == nil || version < ri.minVer || version > ri.maxVer {
		return b, ofperr.OFPBRC_BAD_VERSION
	}
	statsType := uint8(typeStatsReq11)
	if version == Version10 {
		statsType = typeStatsReq10
	}
	if ri.reply {
		statsType++
	}
	switch ri.kind {
	case kindOFPT:
		b = AppendHeader(b, Header{Version: version, Type: uint8(ri.number), Xid: xid})
	case kindNXT, kindONFT:
		b = AppendHeader(b, Header{Version: version, Type: typeVendor, Xid: xid})
		vendor := uint32(NXVendor)
		if ri.kind == kindONFT {
			vendor = ONFVendor
		}
		b = binary.BigEndian.AppendUint32(b, vendor)
		b = binary.BigEndian.AppendUint32(b, ri.number)
	case kindOFPST, kindNXST, kindONFST:
		b = AppendHeader(b, Header{Version: version, Type: statsType, Xid: xid})
		st := uint16(ri.number)
		if ri.kind != kindOFPST {
			st = statsVendor
		}
		b = binary.BigEndian.AppendUint16(b, st)
		b = binary.BigEndian.AppendUint16(b, statsFlags)
		if version != Version10 {
			b = append(b, 0, 0, 0, 0)
		}
		if ri.kind != kindOFPST {
			vendor := uint32(NXVendor)
			if ri.kind == kindONFST {
				vendor = ONFVendor
			}
			b = binary.BigEndian.AppendUint32(b, vendor)
			b = binary.BigEndian.AppendUint32(b, ri.number)
			if version == Version10 {
				b = append(b, 0, 0, 0, 0)
			}
		}
	}
	return b, nil
}

// FinishMessage sets the length of the message that starts at b[start:].
func FinishMessage(b []byte, start int) []byte {
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// RawFor picks, among several layouts of one message (e.g.
// RawOFPT10FlowMod, RawOFPT11FlowMod), the one valid in version.
func RawFor(version uint8, candidates ...Raw) (Raw, bool) {
	for _, r := range candidates {
		if ri := rawByID[r]; ri != nil && version >= ri.minVer && version <= ri.maxVer {
			return r, true
		}
	}
	return 0, false
}
