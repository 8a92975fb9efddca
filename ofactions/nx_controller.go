// controller(...) options that need NXAST_CONTROLLER2: userdata, pause
// and meter_id. The Controller type itself is in actions.go.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

const nxastController2 = 37

// NXAST_CONTROLLER2 property types (NXAC2PT_*).
const (
	ac2MaxLen = iota
	ac2ControllerID
	ac2Reason
	ac2Userdata
	ac2Pause
	ac2MeterID
)

// needs2 says whether the action must be encoded as NXAST_CONTROLLER2.
func (a *Controller) needs2() bool {
	return len(a.Userdata) > 0 || a.Pause || a.MeterID != 0 || a.Raw2
}

// writeController2Options prints the NXAST_CONTROLLER2-only options, each
// followed by a comma.
func (a *Controller) writeController2Options(sb *strings.Builder) {
	if len(a.Userdata) > 0 {
		sb.WriteString("userdata=")
		for i, c := range a.Userdata {
			if i > 0 {
				sb.WriteByte('.')
			}
			fmt.Fprintf(sb, "%02x", c)
		}
		sb.WriteByte(',')
	}
	if a.Pause {
		sb.WriteString("pause,")
	}
	if a.MeterID != 0 {
		sb.WriteString("meter_id=" + strconv.FormatUint(uint64(a.MeterID), 10) + ",")
	}
}

// parseController2Option parses one NXAST_CONTROLLER2-only key.
func (a *Controller) parseController2Option(k, v string) error {
	switch k {
	case "userdata":
		d, err := parseHexDots(v)
		if err != nil {
			return fmt.Errorf("bad hex digit in `controller' action `userdata'")
		}
		a.Userdata = d
	case "pause":
		a.Pause = true
	case "meter_id":
		n, err := parseUint(v, 32)
		if err != nil {
			return err
		}
		a.MeterID = uint32(n)
	}
	return nil
}

// parseHexDots parses hex bytes optionally separated by dots (as OVS's
// ofpbuf_put_hex: "01.02.03" or "010203").
func parseHexDots(s string) ([]byte, error) {
	var out []byte
	for s != "" {
		if s[0] == '.' {
			s = s[1:]
			continue
		}
		if len(s) < 2 {
			return nil, fmt.Errorf("odd hex digits")
		}
		v, err := strconv.ParseUint(s[:2], 16, 8)
		if err != nil {
			return nil, err
		}
		out = append(out, byte(v))
		s = s[2:]
	}
	return out, nil
}

func appendController2(b []byte, a *Controller) []byte {
	start := len(b)
	b, _ = putNX(b, nxastController2, 16)
	prop := func(typ uint16, v []byte) {
		ps := len(b)
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint16(b, uint16(4+len(v)))
		b = append(b, v...)
		for (len(b)-ps)%8 != 0 {
			b = append(b, 0)
		}
	}
	if a.MaxLen != 0xffff {
		// 16-bit properties are 8 bytes long, as OpenFlow's.
		prop(ac2MaxLen, append(binary.BigEndian.AppendUint16(nil, a.MaxLen), 0, 0))
	}
	if a.ID != 0 {
		prop(ac2ControllerID, append(binary.BigEndian.AppendUint16(nil, a.ID), 0, 0))
	}
	if a.Reason != reasonAction {
		prop(ac2Reason, []byte{a.Reason})
	}
	if len(a.Userdata) > 0 {
		prop(ac2Userdata, a.Userdata)
	}
	if a.Pause {
		prop(ac2Pause, nil)
	}
	if a.MeterID != 0 {
		prop(ac2MeterID, binary.BigEndian.AppendUint32(nil, a.MeterID))
	}
	return fixLen(b, start)
}

func decodeController2(a []byte) (Action, error) {
	if err := need(a, 16, true); err != nil {
		return nil, err
	}
	for _, c := range a[10:16] {
		if c != 0 {
			return nil, ofperr.NXBRC_MUST_BE_ZERO
		}
	}
	c := &Controller{MaxLen: 0xffff, Reason: reasonAction, Raw2: true}
	p := a[16:]
	for len(p) > 0 {
		if len(p) < 4 {
			return nil, ofperr.OFPBPC_BAD_LEN
		}
		typ, n := u16(p, 0), int(u16(p, 2))
		padded := (n + 7) &^ 7
		if n < 4 || padded > len(p) {
			return nil, ofperr.OFPBPC_BAD_LEN
		}
		v := p[4:n]
		p = p[padded:]
		var err error
		switch typ {
		case ac2MaxLen, ac2ControllerID:
			// Any payload long enough is accepted, as OVS does.
			if len(v) < 2 {
				err = ofperr.OFPBPC_BAD_LEN
			} else if typ == ac2MaxLen {
				c.MaxLen = binary.BigEndian.Uint16(v)
			} else {
				c.ID = binary.BigEndian.Uint16(v)
			}
		case ac2Reason:
			if len(v) < 1 {
				err = ofperr.OFPBPC_BAD_LEN
			} else {
				c.Reason = v[0]
			}
		case ac2Userdata:
			c.Userdata = append([]byte(nil), v...)
		case ac2Pause:
			c.Pause = true
		case ac2MeterID:
			if len(v) != 4 {
				err = ofperr.OFPBPC_BAD_LEN
			} else {
				c.MeterID = binary.BigEndian.Uint32(v)
			}
		default:
			err = ofperr.OFPBPC_BAD_TYPE
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}
