package ofp

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Flow mod commands.
const (
	FlowAdd          = 0
	FlowModify       = 1
	FlowModifyStrict = 2
	FlowDelete       = 3
	FlowDeleteStrict = 4
)

// Flow flags, in OVS's internal numbering (equal to the OpenFlow 1.3 bits;
// FlagEmerg is OpenFlow 1.0's 4).
const (
	FlagSendFlowRem  = 1 << 0
	FlagCheckOverlap = 1 << 1
	FlagResetCounts  = 1 << 2
	FlagNoPktCounts  = 1 << 3
	FlagNoBytCounts  = 1 << 4
	FlagEmerg        = 1 << 5
)

// Special values.
const (
	TableAll       = 0xff
	NoBuffer       = 0xffffffff
	GroupAny       = 0xffffffff
	CookieNoChange = ^uint64(0)
)

// FlowMod is the one internal form of OFPT_FLOW_MOD (OF1.0, 1.1+) and
// NXT_FLOW_MOD, as OVS's ofputil_flow_mod.
type FlowMod struct {
	Match    mf.Match
	Priority uint16
	// Cookie/CookieMask select flows to modify or delete; NewCookie is
	// the cookie of added/modified flows (CookieNoChange = keep).
	Cookie, CookieMask, NewCookie uint64
	TableID                       uint8 // TableAll when unspecified
	Command                       uint8
	IdleTimeout, HardTimeout      uint16
	Importance                    uint16
	BufferID                      uint32
	OutPort                       uint16 // mf.PortNone = any
	OutGroup                      uint32
	Flags                         uint16
	Actions                       ofactions.List

	// needsNXM records that the text used a field OpenFlow 1.0 cannot
	// carry (see ChooseProtocol).
	needsNXM bool
}

// Protocol is the flow format used on a connection.
type Protocol uint8

// Flow formats, as ovs-ofctl chooses them.
const (
	ProtoOF10    Protocol = iota // OpenFlow 1.0 ofp_match
	ProtoOF10TID                 // same, table id in the command's high byte
	ProtoNXM                     // NXT_FLOW_MOD
	ProtoNXMTID                  // NXT_FLOW_MOD with table id
	ProtoOF13                    // OpenFlow 1.3 (OXM)
	ProtoOF14
	ProtoOF15
	// ProtoOF12 is OpenFlow 1.2 (OXM, the OpenFlow 1.1 message layouts).
	// It comes last so that it counts among the OXM protocols
	// (p >= ProtoOF13) wherever those are told apart from OpenFlow 1.0
	// and NXM.
	ProtoOF12
)

// Version returns the wire version of the protocol.
func (p Protocol) Version() uint8 {
	switch p {
	case ProtoOF13:
		return Version13
	case ProtoOF14:
		return Version14
	case ProtoOF15:
		return Version15
	case ProtoOF12:
		return Version12
	}
	return Version10
}

func (p Protocol) tid() bool { return p == ProtoOF10TID || p == ProtoNXMTID || p >= ProtoOF13 }

// ProtocolFor returns the protocol for a negotiated version, with NXM and
// the table-id extension enabled for OpenFlow 1.0 if nxm/tid.
func ProtocolFor(version uint8, nxm, tid bool) Protocol {
	switch version {
	case Version12:
		return ProtoOF12
	case Version13:
		return ProtoOF13
	case Version14:
		return ProtoOF14
	case Version15:
		return ProtoOF15
	}
	switch {
	case nxm && tid:
		return ProtoNXMTID
	case nxm:
		return ProtoNXM
	case tid:
		return ProtoOF10TID
	}
	return ProtoOF10
}

var flagBits = []struct {
	internal uint16
	of10     uint16
	of11     uint16
	minVer   uint8
}{
	{FlagSendFlowRem, 1, 1, Version10},
	{FlagCheckOverlap, 2, 2, Version10},
	{FlagEmerg, 4, 0, Version10},
	{FlagResetCounts, 0, 4, Version12},
	{FlagNoPktCounts, 0, 8, Version13},
	{FlagNoBytCounts, 0, 16, Version13},
}

func decodeFlags(raw uint16, version uint8) (uint16, error) {
	var flags uint16
	for _, fb := range flagBits {
		bit := fb.of11
		if version == Version10 {
			bit = fb.of10
		}
		if bit != 0 && version >= fb.minVer && raw&bit != 0 {
			flags |= fb.internal
			raw &^= bit
		}
	}
	if raw != 0 {
		return 0, ofperr.OFPFMFC_BAD_FLAGS
	}
	return flags, nil
}

func encodeFlags(flags uint16, version uint8) uint16 {
	var raw uint16
	for _, fb := range flagBits {
		bit := fb.of11
		if version == Version10 {
			bit = fb.of10
		}
		if flags&fb.internal != 0 && version >= fb.minVer && (version >= Version13 || fb.internal != FlagResetCounts) {
			raw |= bit
		}
	}
	return raw
}

// DecodeFlowMod parses OFPT_FLOW_MOD (any version) or NXT_FLOW_MOD. tid says
// whether NXT_FLOW_MOD_TABLE_ID is enabled on the connection (OpenFlow 1.0
// only). Errors are the OpenFlow errors OVS sends.
func DecodeFlowMod(msg []byte, tid bool) (*FlowMod, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return nil, err
	}
	msg = msg[:mh.Length]
	b := msg[mh.BodyOffset:]
	fm := &FlowMod{OutGroup: GroupAny}
	var rawFlags uint16
	var instructions bool
	switch mh.Raw {
	case RawOFPT11FlowMod:
		if len(b) < 40 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		cmd := b[17]
		fm.Priority = binary.BigEndian.Uint16(b[22:])
		if cmd == FlowAdd || (mh.Version == Version11 && (cmd == FlowModify || cmd == FlowModifyStrict) && binary.BigEndian.Uint64(b[8:]) == 0) {
			fm.NewCookie = binary.BigEndian.Uint64(b)
		} else {
			fm.Cookie = binary.BigEndian.Uint64(b)
			fm.CookieMask = binary.BigEndian.Uint64(b[8:])
			fm.NewCookie = CookieNoChange
		}
		fm.Command = cmd
		fm.TableID = b[16]
		if fm.TableID == TableAll && (mh.Version == Version11 || (cmd != FlowDelete && cmd != FlowDeleteStrict)) {
			return nil, ofperr.OFPFMFC_BAD_TABLE_ID
		}
		fm.IdleTimeout = binary.BigEndian.Uint16(b[18:])
		fm.HardTimeout = binary.BigEndian.Uint16(b[20:])
		if mh.Version >= Version14 && cmd == FlowAdd {
			fm.Importance = binary.BigEndian.Uint16(b[38:])
		}
		fm.BufferID = binary.BigEndian.Uint32(b[24:])
		port, err := mf.Port16(binary.BigEndian.Uint32(b[28:]))
		if err != nil {
			return nil, ofperr.OFPBRC_BAD_PORT
		}
		fm.OutPort = port
		if cmd == FlowDelete || cmd == FlowDeleteStrict {
			fm.OutGroup = binary.BigEndian.Uint32(b[32:])
		}
		rawFlags = binary.BigEndian.Uint16(b[36:])
		n, err := mf.DecodeOXMMatch(b[40:], true, &fm.Match)
		if err != nil {
			return nil, err
		}
		b = b[40+n:]
		instructions = true
	case RawOFPT10FlowMod, RawNXTFlowMod:
		var command uint16
		if mh.Raw == RawOFPT10FlowMod {
			if len(b) < 64 {
				return nil, ofperr.OFPBRC_BAD_LEN
			}
			if err := mf.DecodeOF10Match(b, &fm.Match); err != nil {
				return nil, err
			}
			b = b[40:]
			fm.Priority = binary.BigEndian.Uint16(b[14:])
			if binary.BigEndian.Uint32(msg[mh.BodyOffset:])&mf.OF10WildcardAll == 0 {
				// Exact-match rules have the highest priority in OF1.0.
				fm.Priority = 0xffff
			}
			fm.NewCookie = binary.BigEndian.Uint64(b)
			command = binary.BigEndian.Uint16(b[8:])
			fm.IdleTimeout = binary.BigEndian.Uint16(b[10:])
			fm.HardTimeout = binary.BigEndian.Uint16(b[12:])
			fm.BufferID = binary.BigEndian.Uint32(b[16:])
			fm.OutPort = binary.BigEndian.Uint16(b[20:])
			rawFlags = binary.BigEndian.Uint16(b[22:])
			b = b[24:]
		} else {
			if len(b) < 32 {
				return nil, ofperr.OFPBRC_BAD_LEN
			}
			fm.NewCookie = binary.BigEndian.Uint64(b)
			command = binary.BigEndian.Uint16(b[8:])
			fm.IdleTimeout = binary.BigEndian.Uint16(b[10:])
			fm.HardTimeout = binary.BigEndian.Uint16(b[12:])
			fm.Priority = binary.BigEndian.Uint16(b[14:])
			fm.BufferID = binary.BigEndian.Uint32(b[16:])
			fm.OutPort = binary.BigEndian.Uint16(b[20:])
			rawFlags = binary.BigEndian.Uint16(b[22:])
			matchLen := int(binary.BigEndian.Uint16(b[24:]))
			b = b[32:]
			padded := (matchLen + 7) &^ 7
			if padded > len(b) {
				return nil, ofperr.OFPBMC_BAD_LEN
			}
			cookie, mask, err := mf.DecodeNXM(b[:matchLen], mf.DecodeOptions{Strict: true, AllowCookie: true}, &fm.Match)
			if err != nil {
				return nil, err
			}
			for _, c := range b[matchLen:padded] {
				if c != 0 {
					return nil, ofperr.OFPBMC_BAD_LEN
				}
			}
			fm.Cookie, fm.CookieMask = cookie, mask
			if command&0xff == FlowAdd && mask != 0 {
				return nil, ofperr.NXBRC_NXM_INVALID
			}
			b = b[padded:]
		}
		if tid {
			fm.Command, fm.TableID = uint8(command), uint8(command>>8)
		} else {
			if command > 0xff {
				return nil, ofperr.OFPFMFC_BAD_COMMAND
			}
			fm.Command, fm.TableID = uint8(command), TableAll
		}
	default:
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	if !fm.Match.CtTupleConsistent() {
		return nil, ofperr.OFPBAC_MATCH_INCONSISTENT
	}
	if fm.Command > FlowDeleteStrict {
		return nil, ofperr.OFPFMFC_BAD_COMMAND
	}
	if instructions {
		fm.Actions, err = ofactions.DecodeInstructions(b, mh.Version)
	} else {
		fm.Actions, err = ofactions.DecodeActions(b, mh.Version)
	}
	if err != nil {
		return nil, err
	}
	if fm.Flags, err = decodeFlags(rawFlags, mh.Version); err != nil {
		return nil, err
	}
	// OpenFlow 1.0 and 1.1 have no reset_counts flag: there an add always
	// resets the counters and nothing else does.
	if mh.Version <= Version11 && fm.Command == FlowAdd {
		fm.Flags |= FlagResetCounts
	}
	if fm.Flags&FlagEmerg != 0 {
		return nil, ofperr.OFPFMFC_BAD_EMERG_TIMEOUT
	}
	return fm, nil
}

// EncodeFlowMod builds the flow_mod for protocol p.
func EncodeFlowMod(fm *FlowMod, p Protocol, xid uint32) ([]byte, error) {
	version := p.Version()
	var b []byte
	var err error
	command := uint16(fm.Command)
	if p.tid() && p < ProtoOF13 {
		command |= uint16(fm.TableID) << 8
	}
	// OpenFlow 1.0 and NXM carry the new cookie (all ones = unchanged);
	// NXM matches the old one with NXM_NX_COOKIE.
	cookieField := fm.NewCookie
	switch p {
	case ProtoOF10, ProtoOF10TID:
		if b, err = AppendRawHeader(nil, RawOFPT10FlowMod, version, xid, 0); err != nil {
			return nil, err
		}
		b = mf.AppendOF10Match(b, &fm.Match)
		b = binary.BigEndian.AppendUint64(b, cookieField)
		b = binary.BigEndian.AppendUint16(b, command)
		b = binary.BigEndian.AppendUint16(b, fm.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.HardTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.Priority)
		b = binary.BigEndian.AppendUint32(b, fm.BufferID)
		b = binary.BigEndian.AppendUint16(b, fm.OutPort)
		b = binary.BigEndian.AppendUint16(b, encodeFlags(fm.Flags, version))
		b, err = ofactions.AppendActions(b, fm.Actions, version)
	case ProtoNXM, ProtoNXMTID:
		if b, err = AppendRawHeader(nil, RawNXTFlowMod, version, xid, 0); err != nil {
			return nil, err
		}
		b = binary.BigEndian.AppendUint64(b, cookieField)
		b = binary.BigEndian.AppendUint16(b, command)
		b = binary.BigEndian.AppendUint16(b, fm.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.HardTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.Priority)
		b = binary.BigEndian.AppendUint32(b, fm.BufferID)
		b = binary.BigEndian.AppendUint16(b, fm.OutPort)
		b = binary.BigEndian.AppendUint16(b, encodeFlags(fm.Flags, version))
		lenOff := len(b)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
		start := len(b)
		b = mf.AppendNXM(b, &fm.Match, 0, fm.Cookie, fm.CookieMask)
		binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-start))
		for (len(b)-start)%8 != 0 {
			b = append(b, 0)
		}
		b, err = ofactions.AppendActions(b, fm.Actions, version)
	default:
		if b, err = AppendRawHeader(nil, RawOFPT11FlowMod, version, xid, 0); err != nil {
			return nil, err
		}
		if fm.Command == FlowAdd {
			b = binary.BigEndian.AppendUint64(b, fm.NewCookie)
			b = binary.BigEndian.AppendUint64(b, 0)
		} else {
			b = binary.BigEndian.AppendUint64(b, fm.Cookie)
			b = binary.BigEndian.AppendUint64(b, fm.CookieMask)
		}
		table := fm.TableID
		if table == TableAll && fm.Command != FlowDelete && fm.Command != FlowDeleteStrict {
			table = 0
		}
		b = append(b, table, fm.Command)
		b = binary.BigEndian.AppendUint16(b, fm.IdleTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.HardTimeout)
		b = binary.BigEndian.AppendUint16(b, fm.Priority)
		b = binary.BigEndian.AppendUint32(b, fm.BufferID)
		b = binary.BigEndian.AppendUint32(b, mf.Port32(fm.OutPort))
		b = binary.BigEndian.AppendUint32(b, fm.OutGroup)
		b = binary.BigEndian.AppendUint16(b, encodeFlags(fm.Flags, version))
		imp := uint16(0)
		if version >= Version14 {
			imp = fm.Importance
		}
		b = binary.BigEndian.AppendUint16(b, imp)
		b = mf.AppendOXMMatch(b, &fm.Match, version)
		b, err = ofactions.AppendInstructions(b, fm.Actions, version)
	}
	if err != nil {
		return nil, err
	}
	return setLength(b), nil
}
