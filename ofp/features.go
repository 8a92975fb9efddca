package ofp

import (
	"bytes"
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// FeaturesRequest has no body; build it with AppendRawHeader.

// PhyPort10 is an OpenFlow 1.0 ofp_phy_port (48 bytes).
type PhyPort10 struct {
	PortNo                            uint16
	HWAddr                            [6]byte
	Name                              string // at most 15 bytes
	Config, State                     uint32
	Curr, Advertised, Supported, Peer uint32
}

const phyPort10Len = 48

// FeaturesReply is OFPT_FEATURES_REPLY. Ports are only carried in
// OpenFlow 1.0 (1.3+ uses PORT_DESC).
type FeaturesReply struct {
	DatapathID   uint64
	NBuffers     uint32
	NTables      uint8
	AuxiliaryID  uint8 // OF1.3+
	Capabilities uint32
	Actions      uint32 // OF1.0 supported actions bitmap; reserved in 1.1+
	Ports        []PhyPort10
}

// EncodeFeaturesReply builds the reply in version 1.0 or 1.3+ (1.1/1.2
// are not served).
func EncodeFeaturesReply(version uint8, xid uint32, f *FeaturesReply) ([]byte, error) {
	raw, ok := RawFor(version, RawOFPT10FeaturesReply, RawOFPT13FeaturesReply)
	if !ok {
		return nil, ofperr.OFPBRC_BAD_VERSION
	}
	b, err := AppendRawHeader(nil, raw, version, xid, 0)
	if err != nil {
		return nil, err
	}
	b = binary.BigEndian.AppendUint64(b, f.DatapathID)
	b = binary.BigEndian.AppendUint32(b, f.NBuffers)
	if version == Version10 {
		b = append(b, f.NTables, 0, 0, 0)
	} else {
		b = append(b, f.NTables, f.AuxiliaryID, 0, 0)
	}
	b = binary.BigEndian.AppendUint32(b, f.Capabilities)
	b = binary.BigEndian.AppendUint32(b, f.Actions)
	if version == Version10 {
		for _, p := range f.Ports {
			b = appendPhyPort10(b, &p)
		}
	}
	return setLength(b), nil
}

func appendPhyPort10(b []byte, p *PhyPort10) []byte {
	b = binary.BigEndian.AppendUint16(b, p.PortNo)
	b = append(b, p.HWAddr[:]...)
	var name [16]byte
	copy(name[:15], p.Name)
	b = append(b, name[:]...)
	for _, v := range []uint32{p.Config, p.State, p.Curr, p.Advertised, p.Supported, p.Peer} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

// DecodeFeaturesReply parses OFPT_FEATURES_REPLY (1.0 with ports, 1.3+).
func DecodeFeaturesReply(msg []byte) (FeaturesReply, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return FeaturesReply{}, err
	}
	if mh.Raw != RawOFPT10FeaturesReply && mh.Raw != RawOFPT13FeaturesReply && mh.Raw != RawOFPT11FeaturesReply {
		return FeaturesReply{}, ofperr.OFPBRC_BAD_TYPE
	}
	body := msg[HeaderLen:mh.Length]
	if len(body) < 24 {
		return FeaturesReply{}, ofperr.OFPBRC_BAD_LEN
	}
	f := FeaturesReply{
		DatapathID:   binary.BigEndian.Uint64(body),
		NBuffers:     binary.BigEndian.Uint32(body[8:]),
		NTables:      body[12],
		Capabilities: binary.BigEndian.Uint32(body[16:]),
		Actions:      binary.BigEndian.Uint32(body[20:]),
	}
	if mh.Version != Version10 {
		f.AuxiliaryID = body[13]
		return f, nil
	}
	ports := body[24:]
	if len(ports)%phyPort10Len != 0 {
		return FeaturesReply{}, ofperr.OFPBRC_BAD_LEN
	}
	for ; len(ports) > 0; ports = ports[phyPort10Len:] {
		var p PhyPort10
		p.PortNo = binary.BigEndian.Uint16(ports)
		copy(p.HWAddr[:], ports[2:8])
		name := ports[8:24]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		p.Name = string(name)
		v := ports[24:]
		p.Config, p.State = binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:])
		p.Curr, p.Advertised = binary.BigEndian.Uint32(v[8:]), binary.BigEndian.Uint32(v[12:])
		p.Supported, p.Peer = binary.BigEndian.Uint32(v[16:]), binary.BigEndian.Uint32(v[20:])
		f.Ports = append(f.Ports, p)
	}
	return f, nil
}
