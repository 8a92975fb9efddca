package dpif

import (
	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/conntrack/ipf"
)

// IP fragments ahead of ct(), as OVS's userspace datapath handles them:
// ct() takes fragments out of the batch and holds copies in the tracker's
// reassembler; when a packet is complete, the reassembled packet runs
// through the tracker, then the original fragments, carrying its ct_*
// metadata and (NATed) headers, run the actions after the ct(). Fragments
// of a list that expired go the same way marked invalid. The non-fragment
// path reads one header field per packet and allocates nothing.

// reassemble filters the fragments out of refs before ct() a runs on them
// and returns the remaining packets. Completed packets go through ct()
// here and their fragments through rest, the actions after the ct().
func (e *executor) reassemble(refs []pktRef, a *CTAction, rest []Action, depth, cloneDepth int) []pktRef {
	if a == nil {
		return refs
	}
	f := e.dp.tracker.IPF()
	if !f.Active() {
		return refs
	}
	n := 0
	for _, r := range refs {
		data := r.p.Data()
		if !ipf.IsFragment(data, r.m.off.L3, r.m.ethType) {
			refs[n] = r
			n++
			continue
		}
		v, set := f.Add(data, r.m.off.L3, r.m.ethType, a.Zone, r.m.RecircID)
		switch v {
		case ipf.Pass, ipf.Invalid:
			// Conntrack marks the fragment invalid itself.
			refs[n] = r
			n++
		case ipf.Held:
			if set != nil {
				e.releaseSet(set, r.m, a, rest, depth, cloneDepth)
			}
		}
	}
	if f.Pending() && f.ExpiryDue(f.Now()) {
		if set := f.TakeExpired(); set != nil {
			e.releaseExpired(set, refs, rest, depth, cloneDepth)
		}
	}
	return refs[:n]
}

// releaseSet runs the reassembled packet of set through ct() a with the
// metadata of the fragment that completed it (m), copies the verdict into
// the fragments and runs rest on them.
func (e *executor) releaseSet(set *ipf.Set, m *PacketMeta, a *CTAction, rest []Action, depth, cloneDepth int) {
	var key FlowKey
	rp := &Packet{}
	rp.Reset(set.Reassembled, 0, len(set.Reassembled))
	rm := &PacketMeta{}
	*rm = *m
	rm.ExtractKey(rp, &key)
	e.conntrack(pktRef{rp, rm}, a)
	set.Finish(rp.Data())
	e.runFragments(set, rm, rest, depth, cloneDepth)
}

// releaseExpired forwards the fragments of an expired list through rest
// with ct_state=inv, borrowing the metadata of a packet in hand.
func (e *executor) releaseExpired(set *ipf.Set, refs []pktRef, rest []Action, depth, cloneDepth int) {
	if len(refs) == 0 {
		return
	}
	m := &PacketMeta{}
	*m = *refs[0].m
	m.ct.MD = conntrack.Metadata{State: conntrack.StateInvalid}
	e.runFragments(set, m, rest, depth, cloneDepth)
}

// runFragments runs rest on set's fragments, each with metadata m (its
// header offsets recomputed).
func (e *executor) runFragments(set *ipf.Set, m *PacketMeta, rest []Action, depth, cloneDepth int) {
	if len(rest) == 0 {
		return
	}
	var key FlowKey
	frefs := make([]pktRef, set.NumFrags())
	for i := range frefs {
		data, _ := set.Frag(i)
		// Headroom lets later actions push headers without a copy.
		buf := make([]byte, Headroom+len(data))
		copy(buf[Headroom:], data)
		p := &Packet{}
		p.Reset(buf, Headroom, len(data))
		fm := &PacketMeta{}
		*fm = *m
		ct := fm.ct.MD
		fm.ExtractKey(p, &key)
		fm.ct.MD = ct
		frefs[i] = pktRef{p, fm}
	}
	e.execute(frefs, rest, depth, cloneDepth)
}
