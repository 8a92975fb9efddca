package ofactions

import (
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Check validates l against the flow's match the way OVS does before
// accepting a flow (OFPBAC_MATCH_INCONSISTENT when an action needs a
// protocol the match does not guarantee), and records what the encoders
// need from the match (the L4 protocol of mod_tp_src/dst).
//
// Some inconsistencies are soft: OpenFlow 1.0 (version 1) lets a flow
// carry a header rewrite whose header the match does not guarantee (the
// rewrite is skipped for packets without it), later versions refuse it.
// ct(), set_field and resubmit(,,ct) are refused in every version.
func Check(l List, m *mf.Match, version uint8) error {
	soft := func() error {
		if version == 1 {
			return nil
		}
		return ofperr.OFPBAC_MATCH_INCONSISTENT
	}
	// Actions such as push_mpls change the flow for those after them:
	// work on a copy of the match.
	mc := *m
	m = &mc
	dl, _ := m.Get(mf.EthType)
	dlType := uint16(dl[0])<<8 | uint16(dl[1])
	if m.IsWildcard(mf.EthType) {
		dlType = 0
	}
	proto := uint8(0)
	if !m.IsWildcard(mf.IPProto) {
		proto = uint8(m.Uint(mf.IPProto))
	}
	isIP := dlType == mf.EthTypeIP || dlType == mf.EthTypeIPv6
	tci, _ := m.Get(mf.VLANTCI)
	hasVLAN := tci[0]&0x10 != 0
	for _, a := range l {
		switch a := a.(type) {
		case *SetVLANVID:
			a.FlowHasVLAN = hasVLAN
			if !hasVLAN && !a.Push {
				if err := soft(); err != nil {
					return err
				}
			}
			hasVLAN = true
		case *SetVLANPCP:
			a.FlowHasVLAN = hasVLAN
			if !hasVLAN && !a.Push {
				if err := soft(); err != nil {
					return err
				}
			}
			hasVLAN = true
		case *PushVLAN:
			hasVLAN = true
		case *StripVLAN:
			if !hasVLAN {
				if err := soft(); err != nil {
					return err
				}
			}
			hasVLAN = false
		case *CT:
			if !isIP {
				return ofperr.OFPBAC_MATCH_INCONSISTENT
			}
			if (a.Alg == 21 && proto != mf.IPProtoTCP) || (a.Alg == 69 && proto != mf.IPProtoUDP) {
				return ofperr.OFPBAC_MATCH_INCONSISTENT
			}
			for _, n := range a.Actions {
				if nat, ok := n.(*NAT); ok && nat.MinAddr.IsValid() {
					if nat.MinAddr.Is4() != (dlType == mf.EthTypeIP) {
						return ofperr.OFPBAC_MATCH_INCONSISTENT
					}
				}
			}
		case *SetL4Port:
			a.Proto = proto
			if !isIP || (proto != mf.IPProtoTCP && proto != mf.IPProtoUDP && proto != mf.IPProtoSCTP) {
				if err := soft(); err != nil {
					return err
				}
			}
		case *SetIPv4, *SetNwTOS:
			_, v4 := a.(*SetIPv4)
			if (v4 && dlType != mf.EthTypeIP) || !isIP {
				if err := soft(); err != nil {
					return err
				}
			}
		case *SetField:
			ok := m.PrereqsOK(a.Field)
			if a.Field.Prereq == mf.PrereqVLANVID {
				// An earlier push_vlan or strip_vlan decides whether
				// there is a tag to set, as in OVS's ofpacts_check.
				ok = hasVLAN
			}
			if !ok {
				return ofperr.OFPBAC_MATCH_INCONSISTENT
			}
		case *Move:
			if !m.PrereqsOK(a.Src.Field) || !m.PrereqsOK(a.Dst.Field) {
				return ofperr.OFPBAC_MATCH_INCONSISTENT
			}
		case *DecMPLSTTL, *SetMPLSTTL, *PopMPLS:
			if dlType != mf.EthTypeMPLS && dlType != mf.EthTypeMPLSMcast {
				if err := soft(); err != nil {
					return err
				}
			}
		case *Resubmit:
			// resubmit(,,ct) looks up the original direction tuple.
			if a.CT && !m.PrereqsOK(mf.ByID(mf.CtNwProto)) {
				return ofperr.OFPBAC_MATCH_INCONSISTENT
			}
		case *Learn:
			if err := checkLearn(a, m); err != nil {
				return err
			}
		case *WriteActions:
			if err := Check(a.Actions, m, version); err != nil {
				return err
			}
		default:
			if err := checkNX(a, m, func(l List) error { return Check(l, m, version) }); err != nil {
				return err
			}
		}
		st := checkState{m: m, dlType: dlType, proto: proto, isIP: isIP}
		if err := checkExt(a, &st, soft); err != nil {
			return err
		}
		dlType, proto, isIP = st.dlType, st.proto, st.isIP
	}
	return nil
}
