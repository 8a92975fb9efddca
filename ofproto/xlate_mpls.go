package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// MPLS translation. The flow (like the datapath key) knows only the top
// label stack entry. push_mpls and pop_mpls change the flow at once and
// leave the datapath actions to the next commit, as OVS does, so that the
// label a push_mpls,set_mpls_label pair ends with is pushed in one
// push_mpls action.

// mplsState is what the flow's label stack owes the datapath since the
// last commit.
type mplsState struct {
	// pushed holds the entries pushed since the last commit, oldest
	// first (the newest one's current value is the flow's); pops counts
	// the entries popped off what the packet had.
	pushed []uint32
	pops   int
	// popped says the packet was MPLS and a pop_mpls made it something
	// else: its L3 header was never parsed, so what follows a table
	// lookup must see the packet re-parsed (recirculated).
	popped bool
}

func isMPLSType(t uint64) bool { return t == mf.EthTypeMPLS || t == mf.EthTypeMPLSMcast }

// flowLSE is the flow's top label stack entry.
func (x *xlate) flowLSE() uint32 { return flowMPLSLSE(&x.flow) }

// setFlowLSE stores a top label stack entry in the flow.
func setFlowLSE(flow *mf.Flow, lse uint32) {
	setFieldUint(flow, mf.MPLSLabel, uint64(lse>>12))
	setFieldUint(flow, mf.MPLSTC, uint64(lse>>9&7))
	setFieldUint(flow, mf.MPLSBOS, uint64(lse>>8&1))
	setFieldUint(flow, mf.MPLSTTL, uint64(lse&0xff))
}

// markMPLS makes the megaflow match the whole top entry.
func (x *xlate) markMPLS() {
	for _, id := range []mf.FieldID{mf.MPLSLabel, mf.MPLSTC, mf.MPLSBOS, mf.MPLSTTL} {
		markField(&x.wc, id)
	}
}

// pushMPLS is push_mpls: on an MPLS packet the new entry copies the old
// top one (bottom of stack cleared); otherwise it is label 0 (2 for IPv6),
// TC from the DSCP, TTL from the IP TTL (64 for non-IP).
func (x *xlate) pushMPLS(a *ofactions.PushMPLS) {
	if len(x.mpls.pushed) == 0 {
		// Rewrites so far apply to the packet below the new entry.
		x.commit()
	}
	et := x.readField(mf.EthType)
	var lse uint32
	if isMPLSType(et) {
		x.markMPLS()
		lse = x.flowLSE() &^ 0x100
	} else {
		label, tc, ttl := uint32(0), uint32(0), uint32(64)
		if et == mf.EthTypeIPv6 {
			label = 2
		}
		if et == mf.EthTypeIP || et == mf.EthTypeIPv6 {
			tc = uint32(x.readField(mf.IPDSCP)>>2) & 7
			if t := x.readField(mf.IPTTL); t != 0 {
				ttl = uint32(t)
			}
		}
		lse = label<<12 | tc<<9 | 1<<8 | ttl
	}
	if n := len(x.mpls.pushed); n > 0 {
		x.mpls.pushed[n-1] = x.flowLSE()
	}
	x.mpls.pushed = append(x.mpls.pushed, lse)
	setFlowLSE(&x.flow, lse)
	setFieldUint(&x.flow, mf.EthType, uint64(a.EthType))
}

// popMPLS is pop_mpls: the packet's Ethernet type becomes the action's.
// A packet without MPLS is left alone.
func (x *xlate) popMPLS(a *ofactions.PopMPLS) {
	if !isMPLSType(x.readField(mf.EthType)) {
		return
	}
	x.markMPLS()
	if n := len(x.mpls.pushed); n > 0 {
		x.mpls.pushed = x.mpls.pushed[:n-1]
		lse := uint32(0)
		if n > 1 {
			lse = x.mpls.pushed[n-2]
		} else if isMPLSType(fieldUint(&x.base, mf.EthType)) {
			lse = flowMPLSLSE(&x.base)
		}
		setFlowLSE(&x.flow, lse)
	} else {
		x.mpls.pops++
		// The next entry is not in the flow: it reads as all zero.
		setFlowLSE(&x.flow, 0)
		if !isMPLSType(uint64(a.EthType)) {
			x.mpls.popped = true
		}
	}
	setFieldUint(&x.flow, mf.EthType, uint64(a.EthType))
}

// setMPLSField rewrites part of the top entry; a packet without MPLS is
// left alone.
func (x *xlate) setMPLSField(id mf.FieldID, v uint64) {
	if !isMPLSType(x.readField(mf.EthType)) {
		return
	}
	setFieldUint(&x.flow, id, v)
}

// decMPLSTTL is dec_mpls_ttl: an entry whose TTL runs out sends the packet
// to the controller (reason invalid_ttl) and stops the actions.
func (x *xlate) decMPLSTTL() {
	if !isMPLSType(x.readField(mf.EthType)) {
		return
	}
	ttl := x.readField(mf.MPLSTTL)
	if ttl <= 1 {
		x.tr.warn("MPLS decrement TTL exception")
		x.controller(pinReasonInvalidTTL, 0xffff, 0)
		x.exit = true
		return
	}
	setFieldUint(&x.flow, mf.MPLSTTL, ttl-1)
}

// setIPTTL is mod_nw_ttl; packets that are not IP are left alone.
func (x *xlate) setIPTTL(ttl uint8) {
	if !x.isIPAny() {
		return
	}
	x.setWhole(mf.IPTTL, []byte{ttl})
}

// doMPLSAction translates the actions of this file; false means "not one
// of them".
func (x *xlate) doMPLSAction(a ofactions.Action) bool {
	switch a := a.(type) {
	case *ofactions.PushMPLS:
		x.pushMPLS(a)
	case *ofactions.PopMPLS:
		x.popMPLS(a)
	case *ofactions.SetMPLSLabel:
		x.setMPLSField(mf.MPLSLabel, uint64(a.Label))
	case *ofactions.SetMPLSTC:
		x.setMPLSField(mf.MPLSTC, uint64(a.TC))
	case *ofactions.SetMPLSTTL:
		x.setMPLSField(mf.MPLSTTL, uint64(a.TTL))
	case *ofactions.DecMPLSTTL:
		x.decMPLSTTL()
	case *ofactions.SetIPTTL:
		x.setIPTTL(a.TTL)
	default:
		return false
	}
	return true
}

// commitMPLS brings the packet's label stack to the flow's: pops, then one
// set of the top entry if it changed, then pushes, in OVS's order.
func (x *xlate) commitMPLS() {
	for i := 0; i < x.mpls.pops; i++ {
		et := uint16(fieldUint(&x.flow, mf.EthType))
		if i < x.mpls.pops-1 && !isMPLSType(uint64(et)) {
			// Only the last pop may leave a non-MPLS payload.
			et = mf.EthTypeMPLS
		}
		x.acts = append(x.acts, dpif.Action{Type: dpif.ActPopMPLS, EthType: et})
	}
	pushed := x.mpls.pushed
	bM, fM := isMPLSType(fieldUint(&x.base, mf.EthType)), isMPLSType(fieldUint(&x.flow, mf.EthType))
	if len(pushed) == 0 && x.mpls.pops == 0 {
		// A group bucket may hand back a flow whose label stack
		// differs from what the packet got.
		switch {
		case bM && !fM:
			x.mpls.pops = 1
		case !bM && fM:
			pushed = append(pushed, x.flowLSE())
		}
	}
	if len(pushed) == 0 && isMPLSType(fieldUint(&x.flow, mf.EthType)) && x.mpls.pops == 0 {
		if lse := x.flowLSE(); lse != flowMPLSLSE(&x.base) {
			s := &dpif.SetAction{Header: dpif.SetMPLS}
			s.Value.SetMPLSLSE(lse)
			s.Mask.Fields().SetMPLSLSE(0xffffffff)
			x.acts = append(x.acts, dpif.Set(s))
		}
	}
	for i, lse := range pushed {
		if i == len(pushed)-1 {
			lse = x.flowLSE()
		}
		x.acts = append(x.acts, dpif.Action{Type: dpif.ActPushMPLS, LSE: lse, EthType: uint16(fieldUint(&x.flow, mf.EthType))})
	}
	if len(pushed) > 0 || x.mpls.pops > 0 || isMPLSType(fieldUint(&x.flow, mf.EthType)) {
		setFieldUint(&x.base, mf.EthType, fieldUint(&x.flow, mf.EthType))
		setFlowLSE(&x.base, x.flowLSE())
	}
	x.mpls.pushed, x.mpls.pops = x.mpls.pushed[:0], 0
}

// mplsFreezeBefore is called before a table lookup: after a pop_mpls to
// a non-MPLS type the payload's headers are unknown, so, as OVS does, the
// packet recirculates and the lookup happens on the re-parsed packet.
// It reports whether it froze the pipeline (then the lookup must not
// run).
func (x *xlate) mplsFreezeBefore(table uint8) bool {
	if !x.mpls.popped && !x.encap.reparse {
		return false
	}
	x.commit()
	st := frozenState{bridge: x.br, table: table, inPort: x.inPort(), meta: x.frozenMeta()}
	id := x.bk.recirc.idFor(st, x.now)
	x.acts = append(x.acts, dpif.Recirc(id))
	x.recircs = append(x.recircs, emittedRecirc{id: id, flow: x.flow})
	x.tr.detail("The packet's payload must be parsed: it recirculates and resumes at table " + uitoa(uint64(table)) + ".")
	x.exit = true
	return true
}

// doExtAction translates the MPLS, NSH and tunnel metadata actions; false
// means "not one of them".
func (x *xlate) doExtAction(a ofactions.Action) bool {
	switch a := a.(type) {
	case *ofactions.DeleteField:
		// The option is gone: it reads as unset (zero) from now on.
		var zero [mf.TunMetadataMaxLen]byte
		setFieldBytes(&x.flow, a.Field.ID, zero[:a.Field.Bytes])
		return true
	case *ofactions.Encap, *ofactions.Decap, *ofactions.DecNSHTTL:
		return x.doNSHAction(a)
	}
	return x.doMPLSAction(a)
}
