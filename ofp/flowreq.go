package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// FlowStatsRequest is a flow or aggregate stats request (dump-flows,
// dump-aggregate) in any format: OFPST_FLOW/AGGREGATE (1.0, 1.1+) and
// NXST_FLOW/AGGREGATE.
type FlowStatsRequest struct {
	Aggregate          bool
	Match              mf.Match
	TableID            uint8  // TableAll for every table
	OutPort            uint16 // mf.PortNone for any
	OutGroup           uint32 // GroupAny for any (1.1+)
	Cookie, CookieMask uint64
}

// DecodeFlowStatsRequest parses a flow or aggregate stats request.
func DecodeFlowStatsRequest(msg []byte) (*FlowStatsRequest, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return nil, err
	}
	b := msg[mh.BodyOffset:mh.Length]
	r := &FlowStatsRequest{OutGroup: GroupAny}
	switch mh.Raw {
	case RawNXSTFlowRequest, RawNXSTAggregateRequest:
		r.Aggregate = mh.Raw == RawNXSTAggregateRequest
		if len(b) < 8 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		r.OutPort = binary.BigEndian.Uint16(b)
		matchLen := int(binary.BigEndian.Uint16(b[2:]))
		r.TableID = b[4]
		if 8+matchLen > len(b) {
			return nil, ofperr.OFPBMC_BAD_LEN
		}
		// Stats requests are decoded loosely, as OVS does.
		if r.Cookie, r.CookieMask, err = mf.DecodeNXM(b[8:8+matchLen], mf.DecodeOptions{AllowCookie: true}, &r.Match); err != nil {
			return nil, err
		}
	case RawOFPST10FlowRequest, RawOFPST10AggregateRequest:
		r.Aggregate = mh.Raw == RawOFPST10AggregateRequest
		if len(b) < 44 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		if err := mf.DecodeOF10Match(b, &r.Match); err != nil {
			return nil, err
		}
		r.TableID = b[40]
		r.OutPort = binary.BigEndian.Uint16(b[42:])
	case RawOFPST11FlowRequest, RawOFPST11AggregateRequest, RawOFPST15AggregateRequest:
		r.Aggregate = mh.Raw != RawOFPST11FlowRequest
		if len(b) < 32 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		r.TableID = b[0]
		p, err := mf.Port16(binary.BigEndian.Uint32(b[4:]))
		if err != nil {
			return nil, ofperr.OFPBRC_BAD_PORT
		}
		r.OutPort = p
		r.OutGroup = binary.BigEndian.Uint32(b[8:])
		r.Cookie = binary.BigEndian.Uint64(b[16:])
		r.CookieMask = binary.BigEndian.Uint64(b[24:])
		if _, err := mf.DecodeOXMMatch(b[32:], false, &r.Match); err != nil {
			return nil, err
		}
	default:
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	return r, nil
}

// EncodeFlowStatsRequest builds the request in protocol p's format.
func EncodeFlowStatsRequest(r *FlowStatsRequest, p Protocol, xid uint32) ([]byte, error) {
	version := p.Version()
	var raw Raw
	switch {
	case p == ProtoNXM || p == ProtoNXMTID:
		raw = map[bool]Raw{false: RawNXSTFlowRequest, true: RawNXSTAggregateRequest}[r.Aggregate]
	case p == ProtoOF10 || p == ProtoOF10TID:
		raw = map[bool]Raw{false: RawOFPST10FlowRequest, true: RawOFPST10AggregateRequest}[r.Aggregate]
	case r.Aggregate && version >= Version15:
		raw = RawOFPST15AggregateRequest
	case r.Aggregate:
		raw = RawOFPST11AggregateRequest
	default:
		raw = RawOFPST11FlowRequest
	}
	b, err := AppendRawHeader(nil, raw, version, xid, 0)
	if err != nil {
		return nil, err
	}
	switch raw {
	case RawNXSTFlowRequest, RawNXSTAggregateRequest:
		start := len(b)
		b = binary.BigEndian.AppendUint16(b, r.OutPort)
		b = append(b, 0, 0, r.TableID, 0, 0, 0)
		m := len(b)
		b = mf.AppendNXM(b, &r.Match, 0, r.Cookie, r.CookieMask)
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-m))
		for (len(b)-m)%8 != 0 {
			b = append(b, 0)
		}
	case RawOFPST10FlowRequest, RawOFPST10AggregateRequest:
		b = mf.AppendOF10Match(b, &r.Match)
		b = append(b, r.TableID, 0)
		b = binary.BigEndian.AppendUint16(b, r.OutPort)
	default:
		b = append(b, r.TableID, 0, 0, 0)
		b = binary.BigEndian.AppendUint32(b, mf.Port32(r.OutPort))
		b = binary.BigEndian.AppendUint32(b, r.OutGroup)
		b = append(b, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, r.Cookie)
		b = binary.BigEndian.AppendUint64(b, r.CookieMask)
		b = mf.AppendOXMMatch(b, &r.Match, version)
	}
	return setLength(b), nil
}

// formatBody prints the request as ovs-ofctl ofp-print does after the
// message name.
func (r *FlowStatsRequest) formatBody() string {
	s := ""
	if r.TableID != TableAll {
		s += fmt.Sprintf(" table=%d", r.TableID)
	}
	if r.OutPort != mf.PortNone {
		s += " out_port=" + mf.PortString(r.OutPort)
	}
	return s + " " + r.Match.String()
}

// AggregateStats is the body of an aggregate stats reply.
type AggregateStats struct {
	PacketCount, ByteCount uint64
	FlowCount              uint32
}

// EncodeAggregateReply answers request (an aggregate stats request) with
// stats, in the request's format.
func EncodeAggregateReply(request []byte, stats AggregateStats) ([]byte, error) {
	mh, err := DecodeRaw(request)
	if err != nil {
		return nil, err
	}
	var raw Raw
	switch mh.Raw {
	case RawNXSTAggregateRequest:
		raw = RawNXSTAggregateReply
	case RawOFPST10AggregateRequest, RawOFPST11AggregateRequest:
		raw = RawOFPSTAggregateReply
	case RawOFPST15AggregateRequest:
		raw = RawOFPST15AggregateReply
	default:
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	b, err := AppendRawHeader(nil, raw, mh.Version, mh.Xid, 0)
	if err != nil {
		return nil, err
	}
	if raw == RawOFPST15AggregateReply {
		st := len(b)
		b = append(b, 0, 0, 0, 0)
		b = appendOXS(b, oxsPacketCount, 8)
		b = binary.BigEndian.AppendUint64(b, stats.PacketCount)
		b = appendOXS(b, oxsByteCount, 8)
		b = binary.BigEndian.AppendUint64(b, stats.ByteCount)
		b = appendOXS(b, oxsFlowCount, 4)
		b = binary.BigEndian.AppendUint32(b, stats.FlowCount)
		binary.BigEndian.PutUint16(b[st+2:], uint16(len(b)-st))
		for (len(b)-st)%8 != 0 {
			b = append(b, 0)
		}
	} else {
		b = binary.BigEndian.AppendUint64(b, stats.PacketCount)
		b = binary.BigEndian.AppendUint64(b, stats.ByteCount)
		b = binary.BigEndian.AppendUint32(b, stats.FlowCount)
		b = append(b, 0, 0, 0, 0)
	}
	return setLength(b), nil
}

// DecodeAggregateReply parses an aggregate stats reply of any format.
func DecodeAggregateReply(msg []byte) (AggregateStats, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return AggregateStats{}, err
	}
	b := msg[mh.BodyOffset:mh.Length]
	switch mh.Raw {
	case RawNXSTAggregateReply, RawOFPSTAggregateReply:
		if len(b) < 24 {
			return AggregateStats{}, ofperr.OFPBRC_BAD_LEN
		}
		return AggregateStats{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint32(b[16:])}, nil
	case RawOFPST15AggregateReply:
		if len(b) < 4 {
			return AggregateStats{}, ofperr.OFPBRC_BAD_LEN
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 4 || n > len(b) {
			return AggregateStats{}, ofperr.OFPBRC_BAD_LEN
		}
		var as AggregateStats
		for p := b[4:n]; len(p) >= 4; {
			h := binary.BigEndian.Uint32(p)
			l := int(h & 0xff)
			if 4+l > len(p) {
				return AggregateStats{}, ofperr.OFPBRC_BAD_LEN
			}
			v := p[4 : 4+l]
			switch field := uint8(h>>9) & 0x7f; {
			case field == oxsPacketCount && l == 8:
				as.PacketCount = binary.BigEndian.Uint64(v)
			case field == oxsByteCount && l == 8:
				as.ByteCount = binary.BigEndian.Uint64(v)
			case field == oxsFlowCount && l == 4:
				as.FlowCount = binary.BigEndian.Uint32(v)
			}
			p = p[4+l:]
		}
		return as, nil
	}
	return AggregateStats{}, ofperr.OFPBRC_BAD_TYPE
}
