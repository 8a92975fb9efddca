package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Flow formats of NXT_SET_FLOW_FORMAT and packet-in formats of
// NXT_SET_PACKET_IN_FORMAT.
const (
	FlowFormatOpenFlow10 = 0
	FlowFormatNXM        = 2

	PacketInFormatStandard = 0
	PacketInFormatNXT      = 1
	PacketInFormatNXT2     = 2
)

var flowFormatNames = map[uint32]string{FlowFormatOpenFlow10: "openflow10", FlowFormatNXM: "nxm"}
var packetInFormatNames = map[uint32]string{PacketInFormatStandard: "standard", PacketInFormatNXT: "nxt_packet_in", PacketInFormatNXT2: "nxt_packet_in2"}

// decodeBody checks that msg is raw and returns its body.
func decodeBody(msg []byte, raw Raw, minLen int) (MsgHeader, []byte, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return mh, nil, err
	}
	if mh.Raw != raw {
		return mh, nil, ofperr.OFPBRC_BAD_TYPE
	}
	b := msg[mh.BodyOffset:mh.Length]
	if len(b) < minLen {
		return mh, nil, ofperr.OFPBRC_BAD_LEN
	}
	return mh, b, nil
}

// DecodeSetFlowFormat returns the format of NXT_SET_FLOW_FORMAT; unknown
// formats give OFPBRC_EPERM as in OVS.
func DecodeSetFlowFormat(msg []byte) (uint32, error) {
	_, b, err := decodeBody(msg, RawNXTSetFlowFormat, 4)
	if err != nil {
		return 0, err
	}
	f := binary.BigEndian.Uint32(b)
	if _, ok := flowFormatNames[f]; !ok {
		return 0, ofperr.OFPBRC_EPERM
	}
	return f, nil
}

// DecodeFlowModTableID returns whether NXT_FLOW_MOD_TABLE_ID enables table
// ids in flow mod commands.
func DecodeFlowModTableID(msg []byte) (bool, error) {
	_, b, err := decodeBody(msg, RawNXTFlowModTableID, 8)
	if err != nil {
		return false, err
	}
	return b[0] != 0, nil
}

// DecodeSetPacketInFormat returns the packet-in format requested.
func DecodeSetPacketInFormat(msg []byte) (uint32, error) {
	_, b, err := decodeBody(msg, RawNXTSetPacketInFormat, 4)
	if err != nil {
		return 0, err
	}
	f := binary.BigEndian.Uint32(b)
	if _, ok := packetInFormatNames[f]; !ok {
		return 0, ofperr.OFPBRC_EPERM
	}
	return f, nil
}

// DecodeCTFlushZone returns the zone of NXT_CT_FLUSH_ZONE.
func DecodeCTFlushZone(msg []byte) (uint16, error) {
	_, b, err := decodeBody(msg, RawNXTCtFlushZone, 8)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(b[6:]), nil
}

// EncodeBarrierReply answers a BARRIER_REQUEST of any version.
func EncodeBarrierReply(request []byte) ([]byte, error) {
	mh, err := DecodeRaw(request)
	if err != nil {
		return nil, err
	}
	var raw Raw
	switch mh.Raw {
	case RawOFPT10BarrierRequest:
		raw = RawOFPT10BarrierReply
	case RawOFPT11BarrierRequest:
		raw = RawOFPT11BarrierReply
	default:
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	b, err := AppendRawHeader(nil, raw, mh.Version, mh.Xid, 0)
	if err != nil {
		return nil, err
	}
	return setLength(b), nil
}

// Switch config flags (OFPC_FRAG_*).
var fragModes = []string{"normal", "drop", "reassemble", "nx-match"}

// EncodeGetConfigReply answers GET_CONFIG_REQUEST.
func EncodeGetConfigReply(request []byte, flags, missSendLen uint16) ([]byte, error) {
	mh, err := DecodeRaw(request)
	if err != nil {
		return nil, err
	}
	if mh.Raw != RawOFPTGetConfigRequest {
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	b, _ := AppendRawHeader(nil, RawOFPTGetConfigReply, mh.Version, mh.Xid, 0)
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, missSendLen)
	return setLength(b), nil
}

// formatSmall prints the bodies of the small messages above as ofp-print
// does (after the name); ok false if raw is not one of them.
func formatSmall(msg []byte, mh MsgHeader) (string, bool, error) {
	b := msg[mh.BodyOffset:mh.Length]
	switch mh.Raw {
	case RawNXTSetFlowFormat:
		f, err := DecodeSetFlowFormat(msg)
		return " format=" + flowFormatNames[f], true, err
	case RawNXTFlowModTableID:
		on, err := DecodeFlowModTableID(msg)
		return map[bool]string{false: " disable", true: " enable"}[on], true, err
	case RawNXTSetPacketInFormat:
		f, err := DecodeSetPacketInFormat(msg)
		return " format=" + packetInFormatNames[f], true, err
	case RawNXTCtFlushZone:
		z, err := DecodeCTFlushZone(msg)
		return fmt.Sprintf(" zone_id=%d", z), true, err
	case RawOFPT10PacketOut, RawOFPT11PacketOut, RawOFPT15PacketOut:
		po, err := DecodePacketOut(msg)
		if err != nil {
			return "", true, err
		}
		return po.formatBody(), true, nil
	case RawNXTCtFlush:
		f, err := DecodeCTFlush(msg)
		if err != nil {
			return "", true, err
		}
		return f.formatBody(), true, nil
	case RawOFPTGetConfigReply, RawOFPTSetConfig:
		if len(b) < 4 {
			return "", true, ofperr.OFPBRC_BAD_LEN
		}
		flags, msl := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		frag := fmt.Sprintf("frag=%d", flags&3)
		if int(flags&3) < len(fragModes) {
			frag = "frags=" + fragModes[flags&3]
		}
		return fmt.Sprintf(" %s miss_send_len=%d", frag, msl), true, nil
	case RawNXSTFlowRequest, RawNXSTAggregateRequest, RawOFPST10FlowRequest, RawOFPST10AggregateRequest,
		RawOFPST11FlowRequest, RawOFPST11AggregateRequest, RawOFPST15AggregateRequest:
		r, err := DecodeFlowStatsRequest(msg)
		if err != nil {
			return "", true, err
		}
		return r.formatBody(), true, nil
	case RawNXSTAggregateReply, RawOFPSTAggregateReply, RawOFPST15AggregateReply:
		as, err := DecodeAggregateReply(msg)
		return fmt.Sprintf(" packet_count=%d byte_count=%d flow_count=%d", as.PacketCount, as.ByteCount, as.FlowCount), true, err
	}
	return "", false, nil
}
