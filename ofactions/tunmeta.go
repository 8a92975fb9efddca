// Tunnel metadata in actions: set_field/load/move on tun_metadata0..63
// (variable length: the option length of the TLV map), NXAST_REG_LOAD2
// (how OVS carries set_field of such fields before OpenFlow 1.5) and
// delete_field.

package ofactions

import (
	"fmt"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// DeleteField removes a tunnel metadata option from the packet
// (delete_field:tun_metadataN).
type DeleteField struct{ Field *mf.Field }

func (a *DeleteField) String() string { return "delete_field:" + a.Field.Name }

// Nicira subtypes of this file.
const (
	nxastRegLoad2    = 33
	nxastDeleteField = 50
)

// decodeTunVendor decodes NXAST_REG_LOAD2 and NXAST_DELETE_FIELD; ok false
// means "not one of them".
func decodeTunVendor(sub uint16, a []byte) (Action, bool, error) {
	switch sub {
	case nxastRegLoad2:
		// One OXM entry right after the subtype, zero padded; masks are
		// allowed as in OpenFlow 1.5's set_field.
		act, err := decodeSetField(a[10:], version15)
		return act, true, err
	case nxastDeleteField:
		if err := need(a, 24, false); err != nil {
			return nil, true, err
		}
		h, n, ok := pullHeader(a[10:])
		if !ok {
			return nil, true, ofperr.OFPBAC_BAD_LEN
		}
		for _, c := range a[10+n:] {
			if c != 0 {
				return nil, true, ofperr.OFPBAC_BAD_ARGUMENT
			}
		}
		f := mf.ByHeader(h)
		if f == nil {
			return nil, true, ofperr.OFPBAC_BAD_SET_TYPE
		}
		if err := f.CheckTLV(); err != nil {
			return nil, true, err
		}
		if !f.IsTunMetadata() {
			return nil, true, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &DeleteField{Field: f}, true, nil
	}
	return nil, false, nil
}

// decodeTunSetField decodes the OXM entry of a set_field (or
// NXAST_REG_LOAD2) on a tun_metadata field: its length is the mapped
// option length (doubled with a mask), the value right-aligned.
func decodeTunSetField(f *mf.Field, h mf.Header, hl int, b []byte, version uint8) (Action, error) {
	if err := f.CheckTLV(); err != nil {
		return nil, err
	}
	masked := h&0x100 != 0
	if masked && version < version15 {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	// ovs-ofctl sends the value's significant bytes only: any length up
	// to OVS's 124 goes, right-aligned in the mapped length.
	n := int(h&0xff) - (hl - 4)
	if masked {
		if n%2 != 0 {
			return nil, ofperr.OFPBAC_BAD_SET_LEN
		}
		n /= 2
	}
	total := hl + n
	if masked {
		total += n
	}
	if n == 0 || n > 124 || total > len(b) {
		return nil, ofperr.OFPBAC_BAD_SET_LEN
	}
	for _, c := range b[total:] {
		if c != 0 {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
	}
	s := &SetField{Field: f}
	var wm []byte
	if masked {
		wm = b[hl+n : total]
	}
	v, m := f.TunMetaWiden(b[hl:hl+n], wm)
	copy(s.Value[:f.Bytes], v)
	if m != nil {
		copy(s.Mask[:f.Bytes], m)
	} else {
		wmask := f.WireValue(s.Mask[:f.Bytes])
		for i := range wmask {
			wmask[i] = 0xff
		}
	}
	for i := range s.Value {
		if s.Value[i]&^s.Mask[i] != 0 {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
	}
	return s, nil
}

// appendTunSetField encodes set_field on a tun_metadata field or one with
// only an experimenter header: OpenFlow 1.5 set_field, 1.2-1.4 set_field
// when it sets the whole field, else NXAST_REG_LOAD2 (OVS never uses
// NXAST_REG_LOAD for these fields).
func appendTunSetField(b []byte, s *SetField, version uint8) ([]byte, error) {
	if err := s.Field.CheckTLV(); err != nil {
		return b, err
	}
	v, m := s.Field.WireValue(s.Value[:s.Field.Bytes]), s.Field.WireValue(s.Mask[:s.Field.Bytes])
	// Narrow fields (nsh_spi) keep a bits-wide mask when exact.
	full := isAllOnes(m) || (!s.Field.IsTunMetadata() && fullMask(s))
	start := len(b)
	if version >= version15 || (version >= version12 && full && !s.Load) {
		b = append(b, 0, ofpat12SetField, 0, 0)
	} else {
		b, _ = putNX(b, nxastRegLoad2, 16)
		b = b[:len(b)-6] // the entry starts right after the subtype
	}
	b = appendHeader(b, s.Field, version, !full)
	b = append(b, v...)
	if !full {
		b = append(b, m...)
	}
	return fixLen(b, start), nil
}

// needsRegLoad2 reports whether f has only an experimenter OXM header,
// which NXAST_REG_LOAD cannot carry.
func needsRegLoad2(f *mf.Field) bool {
	h, ok := f.HeaderFor(0)
	return ok && h.Class() == 0xffff
}

// appendTun encodes the actions of this file; ok false means "not one of
// them".
func appendTun(b []byte, a Action, version uint8) ([]byte, bool, error) {
	d, ok := a.(*DeleteField)
	if !ok {
		return b, false, nil
	}
	if err := d.Field.CheckTLV(); err != nil {
		return b, true, err
	}
	b, body := putNX(b, nxastDeleteField, 24)
	h := appendHeader(nil, d.Field, 0, false)
	copy(body, h)
	return b, true, nil
}

// parseTun parses delete_field; ok false means "not one of them".
func parseTun(name, arg string) (Action, bool, error) {
	if name != "delete_field" {
		return nil, false, nil
	}
	f := mf.ByName(arg)
	if f == nil {
		return nil, true, fmt.Errorf("%s: unknown field", arg)
	}
	return &DeleteField{Field: f}, true, nil
}

// checkTLVFields refuses actions on tun_metadata fields that have no TLV
// mapping (NXFMFC_INVALID_TLV_FIELD, as OVS answers).
func checkTLVFields(fs ...*mf.Field) error {
	for _, f := range fs {
		if f != nil {
			if err := f.CheckTLV(); err != nil {
				return err
			}
		}
	}
	return nil
}
