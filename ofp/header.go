package ofp

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// OpenFlow wire versions.
const (
	Version10 uint8 = 0x01
	Version11 uint8 = 0x02
	Version12 uint8 = 0x03
	Version13 uint8 = 0x04
	Version14 uint8 = 0x05
	Version15 uint8 = 0x06
)

// HeaderLen is the size of ofp_header.
const HeaderLen = 8

// Vendor (experimenter) ids.
const (
	NXVendor  = 0x00002320
	ONFVendor = 0x4f4e4600
)

// Header is the common OpenFlow message header.
type Header struct {
	Version uint8
	Type    uint8
	Length  uint16
	Xid     uint32
}

// ParseHeader reads the 8-byte header at the start of b. It checks only that
// the header is present and that Length covers it; callers framing a
// stream read Length bytes next.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, ofperr.OFPBRC_BAD_LEN
	}
	h := Header{Version: b[0], Type: b[1], Length: binary.BigEndian.Uint16(b[2:]), Xid: binary.BigEndian.Uint32(b[4:])}
	if h.Length < HeaderLen {
		return h, ofperr.OFPBRC_BAD_LEN
	}
	return h, nil
}

// AppendHeader appends h to b.
func AppendHeader(b []byte, h Header) []byte {
	b = append(b, h.Version, h.Type)
	b = binary.BigEndian.AppendUint16(b, h.Length)
	return binary.BigEndian.AppendUint32(b, h.Xid)
}

// VersionString is the suffix ovs-ofctl prints after a message name:
// "" for OpenFlow 1.0, " (OF1.3)" otherwise.
func VersionString(v uint8) string {
	if v == Version10 {
		return ""
	}
	if v >= 1 && v <= 7 {
		return fmt.Sprintf(" (OF1.%d)", v-1)
	}
	return fmt.Sprintf(" (OF 0x%02x)", v)
}

// VersionName is the protocol name used in Bridge.protocols and -O
// ("OpenFlow13").
func VersionName(v uint8) string {
	if v >= 1 && v <= 6 {
		return fmt.Sprintf("OpenFlow1%d", v-1)
	}
	return fmt.Sprintf("OpenFlow 0x%02x", v)
}

// setLength stores len(msg) into the header's length field.
func setLength(msg []byte) []byte {
	binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
	return msg
}
