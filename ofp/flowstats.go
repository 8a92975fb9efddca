package ofp

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// FlowStats is one flow of a flow stats reply (dump-flows), in every
// format: OFPST_FLOW (1.0, 1.3, 1.5) and NXST_FLOW.
type FlowStats struct {
	TableID                   uint8
	DurationSec, DurationNsec uint32
	Priority                  uint16
	IdleTimeout, HardTimeout  uint16
	Flags                     uint16 // OF1.3+ only
	Importance                uint16 // OF1.4+ only
	// IdleAge and HardAge are seconds since last use / last modification,
	// -1 if the format does not carry them (NX: idle+hard, OF1.5: idle).
	IdleAge, HardAge       int
	Cookie                 uint64
	PacketCount, ByteCount uint64 // ^0 prints as "?"
	Match                  mf.Match
	Actions                ofactions.List
}

// OXS (OpenFlow 1.5 statistics) fields.
const (
	oxsClass       = 0x8002
	oxsDuration    = 0
	oxsIdleTime    = 1
	oxsFlowCount   = 3
	oxsPacketCount = 4
	oxsByteCount   = 5
)

func appendOXS(b []byte, field uint8, n int) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(oxsClass)<<16|uint32(field)<<9|uint32(n))
}

// AppendFlowStats appends one flow stats entry in protocol p's format.
func AppendFlowStats(b []byte, fs *FlowStats, p Protocol) ([]byte, error) {
	start := len(b)
	version := p.Version()
	var err error
	switch p {
	case ProtoNXM, ProtoNXMTID:
		b = append(b, 0, 0, fs.TableID, 0)
		b = binary.BigEndian.AppendUint32(b, fs.DurationSec)
		b = binary.BigEndian.AppendUint32(b, fs.DurationNsec)
		b = binary.BigEndian.AppendUint16(b, fs.Priority)
		b = binary.BigEndian.AppendUint16(b, fs.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fs.HardTimeout)
		lenOff := len(b)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(fs.IdleAge+1))
		b = binary.BigEndian.AppendUint16(b, uint16(fs.HardAge+1))
		b = binary.BigEndian.AppendUint64(b, fs.Cookie)
		b = binary.BigEndian.AppendUint64(b, fs.PacketCount)
		b = binary.BigEndian.AppendUint64(b, fs.ByteCount)
		m := len(b)
		b = mf.AppendNXM(b, &fs.Match, 0, 0, 0)
		binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-m))
		for (len(b)-m)%8 != 0 {
			b = append(b, 0)
		}
		b, err = ofactions.AppendActions(b, fs.Actions, version)
	case ProtoOF10, ProtoOF10TID:
		b = append(b, 0, 0, fs.TableID, 0)
		b = mf.AppendOF10Match(b, &fs.Match)
		b = binary.BigEndian.AppendUint32(b, fs.DurationSec)
		b = binary.BigEndian.AppendUint32(b, fs.DurationNsec)
		b = binary.BigEndian.AppendUint16(b, fs.Priority)
		b = binary.BigEndian.AppendUint16(b, fs.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fs.HardTimeout)
		b = append(b, 0, 0, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, fs.Cookie)
		b = binary.BigEndian.AppendUint64(b, fs.PacketCount)
		b = binary.BigEndian.AppendUint64(b, fs.ByteCount)
		b, err = ofactions.AppendActions(b, fs.Actions, version)
	case ProtoOF15:
		b = append(b, 0, 0, 0, 0, fs.TableID, 0)
		b = binary.BigEndian.AppendUint16(b, fs.Priority)
		b = binary.BigEndian.AppendUint16(b, fs.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fs.HardTimeout)
		b = binary.BigEndian.AppendUint16(b, encodeFlags(fs.Flags, version))
		b = binary.BigEndian.AppendUint16(b, fs.Importance)
		b = binary.BigEndian.AppendUint64(b, fs.Cookie)
		b = mf.AppendOXMMatch(b, &fs.Match, version)
		st := len(b)
		b = append(b, 0, 0, 0, 0)
		b = appendOXS(b, oxsDuration, 8)
		b = binary.BigEndian.AppendUint32(b, fs.DurationSec)
		b = binary.BigEndian.AppendUint32(b, fs.DurationNsec)
		if fs.IdleAge >= 0 {
			b = appendOXS(b, oxsIdleTime, 8)
			b = binary.BigEndian.AppendUint32(b, uint32(fs.IdleAge))
			b = binary.BigEndian.AppendUint32(b, 0)
		}
		b = appendOXS(b, oxsPacketCount, 8)
		b = binary.BigEndian.AppendUint64(b, fs.PacketCount)
		b = appendOXS(b, oxsByteCount, 8)
		b = binary.BigEndian.AppendUint64(b, fs.ByteCount)
		binary.BigEndian.PutUint16(b[st+2:], uint16(len(b)-st))
		for (len(b)-st)%8 != 0 {
			b = append(b, 0)
		}
		b, err = ofactions.AppendInstructions(b, fs.Actions, version)
	default:
		b = append(b, 0, 0, fs.TableID, 0)
		b = binary.BigEndian.AppendUint32(b, fs.DurationSec)
		b = binary.BigEndian.AppendUint32(b, fs.DurationNsec)
		b = binary.BigEndian.AppendUint16(b, fs.Priority)
		b = binary.BigEndian.AppendUint16(b, fs.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fs.HardTimeout)
		b = binary.BigEndian.AppendUint16(b, encodeFlags(fs.Flags, version))
		imp := uint16(0)
		if version >= Version14 {
			imp = fs.Importance
		}
		b = binary.BigEndian.AppendUint16(b, imp)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint64(b, fs.Cookie)
		b = binary.BigEndian.AppendUint64(b, fs.PacketCount)
		b = binary.BigEndian.AppendUint64(b, fs.ByteCount)
		b = mf.AppendOXMMatch(b, &fs.Match, version)
		b, err = ofactions.AppendInstructions(b, fs.Actions, version)
	}
	if err != nil {
		return b, err
	}
	binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start))
	return b, nil
}

// EncodeFlowStatsReply builds one flow stats reply message (NXST_FLOW for
// the NXM protocols, OFPST_FLOW otherwise) holding entries; more sets the
// "more replies follow" flag.
func EncodeFlowStatsReply(p Protocol, xid uint32, entries []FlowStats, more bool) ([]byte, error) {
	version := p.Version()
	var raw Raw
	switch p {
	case ProtoNXM, ProtoNXMTID:
		raw = RawNXSTFlowReply
	case ProtoOF10, ProtoOF10TID:
		raw = RawOFPST10FlowReply
	case ProtoOF15:
		raw = RawOFPST15FlowReply
	case ProtoOF12:
		raw = RawOFPST11FlowReply
	default:
		raw = RawOFPST13FlowReply
	}
	var flags uint16
	if more {
		flags = statsFlagMore
	}
	b, err := AppendRawHeader(nil, raw, version, xid, flags)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if b, err = AppendFlowStats(b, &entries[i], p); err != nil {
			return nil, err
		}
	}
	return setLength(b), nil
}

// DecodeFlowStatsReply parses a flow stats reply of any format.
func DecodeFlowStatsReply(msg []byte) ([]FlowStats, MsgHeader, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return nil, mh, err
	}
	b := msg[mh.BodyOffset:mh.Length]
	var out []FlowStats
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, mh, ofperr.OFPBRC_BAD_LEN
		}
		n := int(binary.BigEndian.Uint16(b))
		if n < 4 || n > len(b) {
			return nil, mh, ofperr.OFPBRC_BAD_LEN
		}
		fs, err := decodeFlowStatsEntry(b[:n], mh)
		if err != nil {
			return nil, mh, err
		}
		out = append(out, fs)
		b = b[n:]
	}
	return out, mh, nil
}

func decodeFlowStatsEntry(e []byte, mh MsgHeader) (FlowStats, error) {
	fs := FlowStats{IdleAge: -1, HardAge: -1}
	be16 := func(o int) uint16 { return binary.BigEndian.Uint16(e[o:]) }
	be32 := func(o int) uint32 { return binary.BigEndian.Uint32(e[o:]) }
	be64 := func(o int) uint64 { return binary.BigEndian.Uint64(e[o:]) }
	var err error
	switch mh.Raw {
	case RawNXSTFlowReply:
		if len(e) < 48 {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		fs.TableID = e[2]
		fs.DurationSec, fs.DurationNsec = be32(4), be32(8)
		fs.Priority, fs.IdleTimeout, fs.HardTimeout = be16(12), be16(14), be16(16)
		matchLen := int(be16(18))
		if a := be16(20); a != 0 {
			fs.IdleAge = int(a) - 1
		}
		if a := be16(22); a != 0 {
			fs.HardAge = int(a) - 1
		}
		fs.Cookie, fs.PacketCount, fs.ByteCount = be64(24), be64(32), be64(40)
		padded := 48 + (matchLen+7)&^7
		if padded > len(e) {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		if _, _, err := mf.DecodeNXM(e[48:48+matchLen], mf.DecodeOptions{}, &fs.Match); err != nil {
			return fs, err
		}
		fs.Actions, err = ofactions.DecodeActions(e[padded:], mh.Version)
	case RawOFPST10FlowReply:
		if len(e) < 88 {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		fs.TableID = e[2]
		if err := mf.DecodeOF10Match(e[4:44], &fs.Match); err != nil {
			return fs, err
		}
		fs.DurationSec, fs.DurationNsec = be32(44), be32(48)
		fs.Priority, fs.IdleTimeout, fs.HardTimeout = be16(52), be16(54), be16(56)
		fs.Cookie, fs.PacketCount, fs.ByteCount = be64(64), be64(72), be64(80)
		fs.Actions, err = ofactions.DecodeActions(e[88:], mh.Version)
	case RawOFPST11FlowReply, RawOFPST13FlowReply:
		if len(e) < 48 {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		fs.TableID = e[2]
		fs.DurationSec, fs.DurationNsec = be32(4), be32(8)
		fs.Priority, fs.IdleTimeout, fs.HardTimeout = be16(12), be16(14), be16(16)
		if mh.Version >= Version13 {
			if fs.Flags, err = decodeStatsFlags(be16(18), mh.Version); err != nil {
				return fs, err
			}
		}
		if mh.Version >= Version14 {
			fs.Importance = be16(20)
		}
		fs.Cookie, fs.PacketCount, fs.ByteCount = be64(24), be64(32), be64(40)
		n, err := mf.DecodeOXMMatch(e[48:], false, &fs.Match)
		if err != nil {
			return fs, err
		}
		fs.Actions, err = ofactions.DecodeInstructions(e[48+n:], mh.Version)
		if err != nil {
			return fs, err
		}
	case RawOFPST15FlowReply:
		if len(e) < 24 {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		fs.TableID = e[4]
		fs.Priority, fs.IdleTimeout, fs.HardTimeout = be16(6), be16(8), be16(10)
		if fs.Flags, err = decodeStatsFlags(be16(12), mh.Version); err != nil {
			return fs, err
		}
		fs.Importance, fs.Cookie = be16(14), be64(16)
		n, err := mf.DecodeOXMMatch(e[24:], false, &fs.Match)
		if err != nil {
			return fs, err
		}
		rest := e[24+n:]
		if len(rest) < 4 {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		stLen := int(binary.BigEndian.Uint16(rest[2:]))
		padded := (stLen + 7) &^ 7
		if stLen < 4 || padded > len(rest) {
			return fs, ofperr.OFPBRC_BAD_LEN
		}
		if err := fs.decodeOXS(rest[4:stLen]); err != nil {
			return fs, err
		}
		fs.Actions, err = ofactions.DecodeInstructions(rest[padded:], mh.Version)
		if err != nil {
			return fs, err
		}
	default:
		return fs, ofperr.OFPBRC_BAD_TYPE
	}
	return fs, err
}

func decodeStatsFlags(raw uint16, version uint8) (uint16, error) {
	f, err := decodeFlags(raw, version)
	if version < Version13 {
		f &^= FlagResetCounts
	}
	return f, err
}

func (fs *FlowStats) decodeOXS(b []byte) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return ofperr.OFPBRC_BAD_LEN
		}
		h := binary.BigEndian.Uint32(b)
		n := int(h & 0xff)
		if 4+n > len(b) || h>>16 != oxsClass {
			return ofperr.OFPBRC_BAD_LEN
		}
		v := b[4 : 4+n]
		switch uint8(h>>9) & 0x7f {
		case oxsDuration:
			if n == 8 {
				fs.DurationSec, fs.DurationNsec = binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:])
			}
		case oxsIdleTime:
			if n == 8 {
				fs.IdleAge = int(binary.BigEndian.Uint32(v))
			}
		case oxsPacketCount:
			if n == 8 {
				fs.PacketCount = binary.BigEndian.Uint64(v)
			}
		case oxsByteCount:
			if n == 8 {
				fs.ByteCount = binary.BigEndian.Uint64(v)
			}
		}
		b = b[4+n:]
	}
	return nil
}

// FormatDuration prints seconds as ovs-ofctl does: "0.470s", "5s",
// "1.000000001s".
func FormatDuration(sec, nsec uint32) string {
	s := strconv.FormatUint(uint64(sec), 10)
	if nsec > 0 {
		if msec := nsec / 1000000; msec*1000000 == nsec {
			s += fmt.Sprintf(".%03d", msec)
		} else {
			s += strings.TrimRight(fmt.Sprintf(".%09d", nsec), "0")
		}
	}
	return s + "s"
}

// String prints the dump-flows line (without the leading space) with
// statistics.
func (fs *FlowStats) String() string { return fs.Format(true) }

// Format prints the dump-flows line; showStats false gives --no-stats.
func (fs *FlowStats) Format(showStats bool) string {
	var sb strings.Builder
	if showStats || fs.Cookie != 0 {
		fmt.Fprintf(&sb, "cookie=%#x, ", fs.Cookie)
		if fs.Cookie == 0 {
			sb.Reset()
			sb.WriteString("cookie=0x0, ")
		}
	}
	if showStats {
		sb.WriteString("duration=" + FormatDuration(fs.DurationSec, fs.DurationNsec) + ", ")
	}
	if showStats || fs.TableID != 0 {
		fmt.Fprintf(&sb, "table=%d, ", fs.TableID)
	}
	if showStats {
		for _, st := range []struct {
			name string
			v    uint64
		}{{"n_packets", fs.PacketCount}, {"n_bytes", fs.ByteCount}} {
			if st.v == ^uint64(0) {
				sb.WriteString(st.name + "=?, ")
			} else {
				fmt.Fprintf(&sb, "%s=%d, ", st.name, st.v)
			}
		}
	}
	if fs.IdleTimeout != 0 {
		fmt.Fprintf(&sb, "idle_timeout=%d, ", fs.IdleTimeout)
	}
	if fs.HardTimeout != 0 {
		fmt.Fprintf(&sb, "hard_timeout=%d, ", fs.HardTimeout)
	}
	sb.WriteString(formatFlowFlags(fs.Flags))
	if fs.Importance != 0 {
		fmt.Fprintf(&sb, "importance=%d, ", fs.Importance)
	}
	if showStats && fs.IdleAge >= 0 {
		fmt.Fprintf(&sb, "idle_age=%d, ", fs.IdleAge)
	}
	if showStats && fs.HardAge >= 0 && uint32(fs.HardAge) != fs.DurationSec {
		fmt.Fprintf(&sb, "hard_age=%d, ", fs.HardAge)
	}
	if m := fs.Match.Format(int(fs.Priority)); m != "" {
		sb.WriteString(m + " ")
	}
	sb.WriteString("actions=" + fs.Actions.String())
	return sb.String()
}

// FormatFlowStatsReply prints a reply as ovs-ofctl ofp-print does: the
// header line, then one line per flow starting with a space.
func FormatFlowStatsReply(msg []byte) (string, error) {
	entries, mh, err := DecodeFlowStatsReply(msg)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s%s (xid=%#x):", mh.Raw.Name(), VersionString(mh.Version), mh.Xid)
	if mh.More() {
		sb.WriteString(" flags=[more]")
	}
	for i := range entries {
		sb.WriteString("\n " + entries[i].Format(true))
	}
	return sb.String(), nil
}
