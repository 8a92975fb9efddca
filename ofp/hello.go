package ofp

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// helloElemVersionBitmap is the HELLO element type carrying a version bitmap.
const helloElemVersionBitmap = 1

// VersionBitmap is a set of wire versions, bit v for version v.
type VersionBitmap uint32

// Has reports whether version v is in the set.
func (vb VersionBitmap) Has(v uint8) bool { return v < 32 && vb&(1<<v) != 0 }

// Max returns the highest version in the set, or 0.
func (vb VersionBitmap) Max() uint8 {
	if vb == 0 {
		return 0
	}
	return uint8(31 - bits.LeadingZeros32(uint32(vb)))
}

// BitmapRange returns the versions lo..hi.
func BitmapRange(lo, hi uint8) VersionBitmap {
	var vb VersionBitmap
	for v := lo; v <= hi; v++ {
		vb |= 1 << v
	}
	return vb
}

// Hello is a decoded HELLO.
type Hello struct {
	Version uint8 // header version
	Xid     uint32
	// Versions is the peer's version bitmap if it sent one, else every
	// version from 1.0 up to the header version.
	Versions VersionBitmap
	// HasBitmap records whether a VERSIONBITMAP element was present.
	HasBitmap bool
}

// EncodeHello builds the HELLO a switch or client sends for the supported
// set: the header carries the highest version, and a bitmap element is
// added only when the set is not the contiguous range 1.0..max (as OVS does).
func EncodeHello(supported VersionBitmap, xid uint32) []byte {
	max := supported.Max()
	b := AppendHeader(nil, Header{Version: max, Type: 0, Xid: xid})
	if supported != BitmapRange(Version10, max) {
		b = binary.BigEndian.AppendUint16(b, helloElemVersionBitmap)
		b = binary.BigEndian.AppendUint16(b, 8)
		b = binary.BigEndian.AppendUint32(b, uint32(supported))
	}
	return setLength(b)
}

// DecodeHello parses a HELLO message. Unknown elements are skipped; a
// malformed element list is ignored for the bitmap, as OVS does, falling back
// to the header version.
func DecodeHello(msg []byte) (Hello, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return Hello{}, err
	}
	if h.Type != 0 {
		return Hello{}, ofperr.OFPBRC_BAD_TYPE
	}
	if int(h.Length) > len(msg) {
		return Hello{}, ofperr.OFPBRC_BAD_LEN
	}
	hello := Hello{Version: h.Version, Xid: h.Xid}
	body := msg[HeaderLen:h.Length]
	for len(body) >= 4 {
		typ, n := binary.BigEndian.Uint16(body), int(binary.BigEndian.Uint16(body[2:]))
		if n < 4 || n > len(body) {
			break
		}
		if typ == helloElemVersionBitmap && n >= 8 {
			hello.Versions = VersionBitmap(binary.BigEndian.Uint32(body[4:]))
			hello.HasBitmap = true
		}
		adv := (n + 7) &^ 7
		if adv > len(body) {
			break
		}
		body = body[adv:]
	}
	if !hello.HasBitmap {
		if h.Version == 0 {
			hello.Versions = 0
		} else {
			hello.Versions = BitmapRange(Version10, min(h.Version, 31))
		}
	}
	return hello, nil
}

// Negotiate returns the version to use with a peer that sent peer, given
// our supported set: the highest common version. On failure the error text
// is OVS's ("version negotiation failed (we support version 0x06, peer
// supports versions 0x01, 0x04)").
func Negotiate(ours VersionBitmap, peer Hello) (uint8, error) {
	common := ours & peer.Versions
	if common != 0 {
		return common.Max(), nil
	}
	return 0, fmt.Errorf("version negotiation failed (%s, %s)",
		describeVersions("we support", ours), describeVersions("peer supports", peer.Versions))
}

// describeVersions renders a version set as OVS does: "no versions",
// "version 0x06", "version 0x06 and earlier" (1.0..max) or "versions 0x01,
// 0x04".
func describeVersions(who string, vb VersionBitmap) string {
	switch {
	case vb == 0:
		return who + " no versions"
	case vb&(vb-1) == 0:
		return fmt.Sprintf("%s version 0x%02x", who, vb.Max())
	case ((vb>>1)+1)&(vb>>1) == 0:
		return fmt.Sprintf("%s version 0x%02x and earlier", who, vb.Max())
	}
	var vs []string
	for v := uint8(0); v < 32; v++ {
		if vb.Has(v) {
			vs = append(vs, fmt.Sprintf("0x%02x", v))
		}
	}
	return who + " versions " + strings.Join(vs, ", ")
}
