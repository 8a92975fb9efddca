// check_pkt_larger(N)->dst: NXAST_CHECK_PKT_LARGER, sets a one-bit
// subfield when the packet is longer than N bytes.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// CheckPktLarger stores in Dst (one bit) whether the packet is longer
// than PktLen bytes.
type CheckPktLarger struct {
	PktLen uint16
	Dst    Subfield
}

func (a *CheckPktLarger) String() string {
	return "check_pkt_larger(" + strconv.Itoa(int(a.PktLen)) + ")->" + a.Dst.String()
}

const nxastCheckPktLarger = 49

func decodeCheckPktLarger(a []byte) (Action, error) {
	if err := need(a, 24, true); err != nil {
		return nil, err
	}
	c := &CheckPktLarger{PktLen: u16(a, 10), Dst: Subfield{Ofs: int(u16(a, 12)), NBits: 1}}
	h, hl, ok := pullHeader(a[14:])
	if !ok {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	for _, b := range a[14+hl:] {
		if b != 0 {
			return nil, ofperr.NXBRC_MUST_BE_ZERO
		}
	}
	c.Dst.Field = fieldByHeader(h)
	return c, checkDst(c.Dst)
}

func appendCheckPktLarger(b []byte, a *CheckPktLarger) []byte {
	start := len(b)
	b, body := putNX(b, nxastCheckPktLarger, 14)
	binary.BigEndian.PutUint16(body, a.PktLen)
	binary.BigEndian.PutUint16(body[2:], uint16(a.Dst.Ofs))
	b = appendHeader(b, a.Dst.Field, 0, false)
	for len(b)-start < 24 {
		b = append(b, 0)
	}
	return fixLen(b, start)
}

// parseCheckPktLarger parses the "N)->dst" left after the action name and
// its opening parenthesis (the arrow follows the parenthesis, so the
// generic splitter leaves the whole tail).
func parseCheckPktLarger(item string) (Action, error) {
	_, tail, _ := strings.Cut(item, "(")
	vs, ds, ok := strings.Cut(tail, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", item)
	}
	vs = strings.TrimSuffix(vs, ")")
	dst, err := ParseSubfield(ds)
	if err != nil {
		return nil, err
	}
	if dst.NBits != 1 {
		return nil, fmt.Errorf("Only 1-bit destination field is allowed")
	}
	n, err := strconv.ParseUint(vs, 0, 16)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid numeric value", vs)
	}
	return &CheckPktLarger{PktLen: uint16(n), Dst: dst}, nil
}

// fieldByHeader is mf.ByHeader (nil for an unknown header).
func fieldByHeader(h mf.Header) *mf.Field { return mf.ByHeader(h) }
