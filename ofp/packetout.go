package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// PacketOut is OFPT_PACKET_OUT in any version. In OpenFlow 1.5 the
// packet's metadata travels as a match; InPort is taken from it.
type PacketOut struct {
	BufferID uint32
	InPort   uint16
	// Metadata holds the OpenFlow 1.5 match (in_port, tunnel and register
	// fields); for older versions only in_port is set.
	Metadata mf.Match
	Actions  ofactions.List
	Data     []byte
}

// DecodePacketOut parses OFPT_PACKET_OUT. Data aliases msg.
func DecodePacketOut(msg []byte) (*PacketOut, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return nil, err
	}
	b := msg[mh.BodyOffset:mh.Length]
	po := &PacketOut{}
	var actions []byte
	switch mh.Raw {
	case RawOFPT10PacketOut:
		if len(b) < 8 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		po.BufferID, po.InPort = binary.BigEndian.Uint32(b), binary.BigEndian.Uint16(b[4:])
		n := int(binary.BigEndian.Uint16(b[6:]))
		if 8+n > len(b) {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		actions, po.Data = b[8:8+n], b[8+n:]
	case RawOFPT11PacketOut:
		if len(b) < 16 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		po.BufferID = binary.BigEndian.Uint32(b)
		p, err := mf.Port16(binary.BigEndian.Uint32(b[4:]))
		if err != nil {
			return nil, ofperr.OFPBRC_BAD_PORT
		}
		po.InPort = p
		n := int(binary.BigEndian.Uint16(b[8:]))
		if 16+n > len(b) {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		actions, po.Data = b[16:16+n], b[16+n:]
	case RawOFPT15PacketOut:
		if len(b) < 8 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		po.BufferID = binary.BigEndian.Uint32(b)
		n := int(binary.BigEndian.Uint16(b[4:]))
		ml, err := mf.DecodeOXMMatch(b[8:], false, &po.Metadata)
		if err != nil {
			return nil, err
		}
		if 8+ml+n > len(b) {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		actions, po.Data = b[8+ml:8+ml+n], b[8+ml+n:]
		po.InPort = uint16(po.Metadata.Uint(mf.InPort))
	default:
		return nil, ofperr.OFPBRC_BAD_TYPE
	}
	if mh.Raw != RawOFPT15PacketOut {
		_ = po.Metadata.SetExact(mf.InPort, uint64(po.InPort))
	}
	if po.Actions, err = ofactions.DecodeActions(actions, mh.Version); err != nil {
		return nil, err
	}
	return po, nil
}

// EncodePacketOut builds OFPT_PACKET_OUT in the given version.
func EncodePacketOut(po *PacketOut, version uint8, xid uint32) ([]byte, error) {
	raw, ok := RawFor(version, RawOFPT10PacketOut, RawOFPT11PacketOut, RawOFPT15PacketOut)
	if !ok {
		return nil, ofperr.OFPBRC_BAD_VERSION
	}
	b, err := AppendRawHeader(nil, raw, version, xid, 0)
	if err != nil {
		return nil, err
	}
	b = binary.BigEndian.AppendUint32(b, po.BufferID)
	var lenOff int
	switch raw {
	case RawOFPT10PacketOut:
		b = binary.BigEndian.AppendUint16(b, po.InPort)
		lenOff = len(b)
		b = append(b, 0, 0)
	case RawOFPT11PacketOut:
		b = binary.BigEndian.AppendUint32(b, mf.Port32(po.InPort))
		lenOff = len(b)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	default:
		lenOff = len(b)
		b = append(b, 0, 0, 0, 0)
		m := po.Metadata
		_ = m.SetExact(mf.InPort, uint64(po.InPort))
		b = mf.AppendOXMMatch(b, &m, version)
	}
	start := len(b)
	if b, err = ofactions.AppendActions(b, po.Actions, version); err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-start))
	b = append(b, po.Data...)
	return setLength(b), nil
}

// formatBody prints the first line of ofp-print's output after the name
// (the packet summary that follows needs a packet parser).
func (po *PacketOut) formatBody() string {
	s := " in_port=" + mf.PortString(po.InPort) + " actions=" + po.Actions.String()
	if po.BufferID != NoBuffer {
		return s + fmt.Sprintf(" buffer=0x%08x", po.BufferID)
	}
	return s + fmt.Sprintf(" data_len=%d", len(po.Data))
}
