// MPLS label stack entry rewrites (set_mpls_label, set_mpls_tc) and the
// IP TTL rewrite (mod_nw_ttl): their text, their OpenFlow 1.0 Nicira, 1.1
// standard and 1.2+ set_field wire forms, and how push_mpls/pop_mpls change
// what later actions of the same list may touch.

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// SetMPLSLabel rewrites the label of the top MPLS label stack entry
// (set_mpls_label(N)).
type SetMPLSLabel struct{ Label uint32 }

func (a *SetMPLSLabel) String() string {
	return "set_mpls_label(" + strconv.FormatUint(uint64(a.Label), 10) + ")"
}

// SetMPLSTC rewrites the traffic class of the top MPLS label stack entry
// (set_mpls_tc(N)).
type SetMPLSTC struct{ TC uint8 }

func (a *SetMPLSTC) String() string { return "set_mpls_tc(" + strconv.Itoa(int(a.TC)) + ")" }

// SetIPTTL rewrites the IPv4 TTL or IPv6 hop limit (mod_nw_ttl:N).
type SetIPTTL struct{ TTL uint8 }

func (a *SetIPTTL) String() string { return "mod_nw_ttl:" + strconv.Itoa(int(a.TTL)) }

// Wire numbers of the actions of this file.
const (
	nxastSetMPLSLabel = 30
	nxastSetMPLSTC    = 31

	ofpat11SetMPLSLabel = 13
	ofpat11SetMPLSTC    = 14
	ofpat11SetNwTTL     = 23
)

// decodeMPLSVendor decodes the Nicira forms; ok false means "not one of
// them".
func decodeMPLSVendor(sub uint16, a []byte) (Action, bool, error) {
	var act Action
	switch sub {
	case nxastSetMPLSLabel:
		act = &SetMPLSLabel{Label: u32(a, 12)}
	case nxastSetMPLSTC:
		act = &SetMPLSTC{TC: a[10]}
	default:
		return nil, false, nil
	}
	if err := need(a, 16, false); err != nil {
		return nil, true, err
	}
	return act, true, validMPLS(act)
}

// validMPLS refuses labels and traffic classes wider than their fields:
// they could be neither executed nor re-encoded as set_field.
func validMPLS(a Action) error {
	switch a := a.(type) {
	case *SetMPLSLabel:
		if a.Label > 0xfffff {
			return ofperr.OFPBAC_BAD_ARGUMENT
		}
	case *SetMPLSTC:
		if a.TC > 7 {
			return ofperr.OFPBAC_BAD_ARGUMENT
		}
	}
	return nil
}

// decodeMPLSStd decodes the OpenFlow 1.1+ standard forms. OpenFlow 1.2+
// still accepts the label and TC actions (deprecated in favour of
// set_field), as OVS does.
func decodeMPLSStd(typ uint16, a []byte, version uint8) (Action, bool, error) {
	if version == version10 {
		return nil, false, nil
	}
	switch typ {
	case ofpat11SetMPLSLabel:
		act := &SetMPLSLabel{Label: u32(a, 4)}
		if err := need(a, 8, false); err != nil {
			return nil, true, err
		}
		return act, true, validMPLS(act)
	case ofpat11SetMPLSTC:
		act := &SetMPLSTC{TC: a[4]}
		if err := need(a, 8, false); err != nil {
			return nil, true, err
		}
		return act, true, validMPLS(act)
	case ofpat11SetNwTTL:
		return &SetIPTTL{TTL: a[4]}, true, need(a, 8, false)
	}
	return nil, false, nil
}

// appendMPLS encodes the actions of this file; ok false means "not one
// of them".
func appendMPLS(b []byte, a Action, version uint8) ([]byte, bool, error) {
	var body []byte
	switch a := a.(type) {
	case *SetMPLSLabel:
		switch {
		case version >= version12:
			var v [4]byte
			binary.BigEndian.PutUint32(v[:], a.Label)
			b, err := appendSetField(b, exactSetField(mf.MPLSLabel, v[:]), version)
			return b, true, err
		case version == version10:
			b, body = putNX(b, nxastSetMPLSLabel, 16)
			binary.BigEndian.PutUint32(body[2:], a.Label)
		default:
			b, body = putStd(b, ofpat11SetMPLSLabel, 8)
			binary.BigEndian.PutUint32(body, a.Label)
		}
	case *SetMPLSTC:
		switch {
		case version >= version12:
			b, err := appendSetField(b, exactSetField(mf.MPLSTC, []byte{a.TC}), version)
			return b, true, err
		case version == version10:
			b, body = putNX(b, nxastSetMPLSTC, 16)
		default:
			b, body = putStd(b, ofpat11SetMPLSTC, 8)
		}
		body[0] = a.TC
	case *SetIPTTL:
		if version == version10 {
			// OpenFlow 1.0 has no TTL action: a register load.
			s := exactSetField(mf.IPTTL, []byte{a.TTL})
			s.Load = true
			return appendRegLoads(b, s), true, nil
		}
		b, body = putStd(b, ofpat11SetNwTTL, 8)
		body[0] = a.TTL
	default:
		return b, false, nil
	}
	return b, true, nil
}

// parseMPLS parses the actions of this file; ok false means "not one of
// them". The messages are ovs-ofctl's.
func parseMPLS(name, arg string) (Action, bool, error) {
	switch name {
	case "set_mpls_label":
		if arg == "" {
			return nil, true, fmt.Errorf("set_mpls_label: expected label.")
		}
		v, err := parseUint(arg, 32)
		if err != nil {
			return nil, true, err
		}
		if v&^0xfffff != 0 {
			return nil, true, fmt.Errorf("%s: not a valid MPLS label", arg)
		}
		return &SetMPLSLabel{Label: uint32(v)}, true, nil
	case "set_mpls_tc":
		if arg == "" {
			return nil, true, fmt.Errorf("set_mpls_tc: expected tc.")
		}
		v, err := parseUint(arg, 8)
		if err != nil {
			return nil, true, err
		}
		if v&^7 != 0 {
			return nil, true, fmt.Errorf("%s: not a valid MPLS TC", arg)
		}
		return &SetMPLSTC{TC: uint8(v)}, true, nil
	case "mod_nw_ttl":
		v, err := parseUint(arg, 8)
		return &SetIPTTL{TTL: uint8(v)}, true, err
	}
	return nil, false, nil
}

// checkState is what Check tracks through an action list: the flow as the
// next action sees it (an action like push_mpls changes its Ethernet type),
// and the values derived from it.
type checkState struct {
	m      *mf.Match
	dlType uint16
	proto  uint8
	isIP   bool
}

// refresh recomputes the derived values after the match changed.
func (s *checkState) refresh() {
	s.dlType = 0
	if !s.m.IsWildcard(mf.EthType) {
		s.dlType = uint16(s.m.Uint(mf.EthType))
	}
	s.proto = 0
	if !s.m.IsWildcard(mf.IPProto) {
		s.proto = uint8(s.m.Uint(mf.IPProto))
	}
	s.isIP = s.dlType == mf.EthTypeIP || s.dlType == mf.EthTypeIPv6
}

// checkExt checks the actions of this file and those that change the
// flow's protocol for the rest of the list, as OVS's ofpact_check does:
// after push_mpls the packet is MPLS (its IP header is opaque), after
// pop_mpls it has the given Ethernet type. soft is Check's OpenFlow
// 1.0-lenient inconsistency.
func checkExt(a Action, s *checkState, soft func() error) error {
	switch a := a.(type) {
	case *SetMPLSLabel, *SetMPLSTC:
		if s.dlType != mf.EthTypeMPLS && s.dlType != mf.EthTypeMPLSMcast {
			return soft()
		}
	case *SetIPTTL:
		if !s.isIP {
			return soft()
		}
	case *PushMPLS:
		_ = s.m.SetExact(mf.EthType, uint64(a.EthType))
		s.m.Clear(mf.IPProto)
		s.refresh()
	case *PopMPLS:
		_ = s.m.SetExact(mf.EthType, uint64(a.EthType))
		s.refresh()
	case *DeleteField:
		if !a.Field.IsTunMetadata() {
			return ofperr.OFPBAC_BAD_ARGUMENT
		}
	default:
		return checkNSH(a, s, soft)
	}
	return nil
}
