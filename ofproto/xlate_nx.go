package ofproto

import (
	"slices"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ovshash"
)

// nxState is what the Nicira actions of this file keep per translation:
// the push/pop stack of subfield values (right-aligned, big-endian).
type nxState struct {
	stack []mf.ValueMask
}

// maxStackDepth bounds the push/pop stack against hostile pipelines
// (OVS's grows without limit); pushes beyond it are dropped with a
// warning.
const maxStackDepth = 1024

// doNXAction translates the Nicira actions of ofactions' nx_*.go files;
// false means "not one of them". check_pkt_larger is not here: it needs
// the actions after it (see doNXTail).
func (x *xlate) doNXAction(a ofactions.Action) bool {
	switch a := a.(type) {
	case *ofactions.Multipath:
		x.multipath(a)
	case *ofactions.Bundle:
		x.bundle(a)
	case *ofactions.Clone:
		x.clone(a.Actions)
	case *ofactions.StackPush:
		x.stackPush(a.Src)
	case *ofactions.StackPop:
		x.stackPop(a.Dst)
	case *ofactions.OutputTrunc:
		x.outputTrunc(a)
	case *ofactions.Sample:
		// Samples go to IPFIX collectors; with none configured, OVS
		// translates sample() to nothing, and so do we.
	default:
		return false
	}
	return true
}

// doNXTail handles the actions that consume the rest of their action
// list (check_pkt_larger translates it once per branch); true means the
// list is done.
func (x *xlate) doNXTail(a ofactions.Action, rest ofactions.List) bool {
	c, ok := a.(*ofactions.CheckPktLarger)
	if !ok {
		return false
	}
	x.checkPktLarger(c, rest)
	return true
}

// readSubvalue reads a subfield into a right-aligned value, marking the
// field consulted.
func (x *xlate) readSubvalue(s ofactions.Subfield) mf.ValueMask {
	var v mf.ValueMask
	if s.Field == nil {
		return v
	}
	// Only the bits read are consulted, as OVS's mf_read_subfield.
	fv, wc := fieldBytes(&x.flow, s.Field.ID), fieldBytes(&x.wc, s.Field.ID)
	n := s.Field.Bytes
	for i := range s.NBits {
		setBit(v[:], i, bitOf(fv[:n], s.Ofs+i))
		setBit(wc[:n], s.Ofs+i, 1)
	}
	setFieldBytes(&x.wc, s.Field.ID, wc[:n])
	return v
}

// writeSubvalue writes the low bits of right-aligned v into a subfield
// (as a load: header fields get set at the next commit).
func (x *xlate) writeSubvalue(s ofactions.Subfield, v mf.ValueMask) {
	if s.Field == nil {
		return
	}
	id, n := s.Field.ID, s.Field.Bytes
	fv := fieldBytes(&x.flow, id)
	for i := range s.NBits {
		setBit(fv[:n], s.Ofs+i, bitOf(v[:], i))
	}
	if isVLANField(id) || !isHeaderField(s.Field) {
		x.setWhole(id, fv[:n])
		return
	}
	// Only the bits written get a (masked) datapath set, as in OVS.
	setFieldBytes(&x.flow, id, fv[:n])
	w := fieldBytes(&x.written, id)
	for i := range s.NBits {
		setBit(w[:n], s.Ofs+i, 1)
	}
	setFieldBytes(&x.written, id, w[:n])
}

func (x *xlate) loadUint(s ofactions.Subfield, n uint64) {
	var v mf.ValueMask
	for i := range 8 {
		v[15-i] = byte(n >> (8 * i))
	}
	x.writeSubvalue(s, v)
}

// reportSubfield shows a subfield's new value in a trace, as OVS's
// xlate_report_subfield.
func (x *xlate) reportSubfield(s ofactions.Subfield) {
	if x.tr != nil && s.Field != nil {
		x.tr.detail(s.String() + " is now " + subfieldText(&x.flow, s))
	}
}

func (x *xlate) stackPush(s ofactions.Subfield) {
	if len(x.nx.stack) >= maxStackDepth {
		x.tr.warn("stack overflow")
		return
	}
	x.nx.stack = append(x.nx.stack, x.readSubvalue(s))
}

func (x *xlate) stackPop(s ofactions.Subfield) {
	n := len(x.nx.stack)
	if n == 0 {
		x.tr.warn("Failed to pop from an empty stack")
		return
	}
	v := x.nx.stack[n-1]
	x.nx.stack = x.nx.stack[:n-1]
	x.writeSubvalue(s, v)
	x.reportSubfield(s)
}

// multipath stores a link number chosen from a hash of the flow.
func (x *xlate) multipath(a *ofactions.Multipath) {
	h := x.hashFlow()
	hash := flowHashFields(&h, a.Fields, uint32(a.Basis))
	link := multipathLink(hash, a.Algorithm, uint32(a.MaxLink)+1, a.Arg)
	x.maskHashFields(&h, a.Fields)
	x.loadUint(a.Dst, uint64(link))
	x.reportSubfield(a.Dst)
}

// bundleMemberLive is OVS's member check for bundle: reserved ports
// other than the controller count as live, real ports when they exist
// and are up.
func (x *xlate) bundleMemberLive(p uint16) bool {
	switch p {
	case mf.PortInPort, mf.PortTable, mf.PortNormal, mf.PortFlood, mf.PortAll, mf.PortNone:
		return true
	case mf.PortController:
		return false
	}
	if _, ok := x.ports[p]; !ok {
		return false
	}
	x.br.mu.RLock()
	defer x.br.mu.RUnlock()
	bp := x.br.ports[p]
	return bp != nil && !bp.LinkDown && bp.Config&PortConfigDown == 0
}

// bundle outputs to (or, for bundle_load, stores) one live member.
func (x *xlate) bundle(a *ofactions.Bundle) {
	port := uint16(mf.PortNone)
	switch a.Algorithm {
	case ofactions.BundleActiveBackup:
		for _, m := range a.Members {
			if x.bundleMemberLive(m) {
				port = m
				break
			}
		}
	case ofactions.BundleHRW:
		h := x.hashFlow()
		if len(a.Members) > 1 {
			x.maskHashFields(&h, a.Fields)
		}
		hash := flowHashFields(&h, a.Fields, uint32(a.Basis))
		best, bestHash := -1, uint32(0)
		for i, m := range a.Members {
			if !x.bundleMemberLive(m) {
				continue
			}
			if w := ovshash.Words2(uint32(i), hash); best < 0 || w > bestHash {
				best, bestHash = i, w
			}
		}
		if best >= 0 {
			port = a.Members[best]
		}
	}
	if a.Dst.Field != nil {
		x.loadUint(a.Dst, uint64(port))
		x.reportSubfield(a.Dst)
		return
	}
	x.output(port, 0)
}

// outputTrunc is output(port=N,max_len=M): a datapath trunc before the
// output, which the output consumes.
func (x *xlate) outputTrunc(a *ofactions.OutputTrunc) {
	switch a.Port {
	case mf.PortTable, mf.PortNormal, mf.PortFlood, mf.PortAll, mf.PortController, mf.PortNone:
		x.tr.warn("output_trunc does not support port: " + mf.PortString(a.Port))
		return
	}
	if a.Port == x.inPort() {
		x.tr.detail("skipping output to input port")
		return
	}
	if _, ok := x.ports[a.Port]; !ok {
		x.tr.errorf("output_trunc does not support patch port " + mf.PortString(a.Port))
		return
	}
	x.acts = append(x.acts, dpif.Action{Type: dpif.ActTrunc, Arg: a.MaxLen})
	x.output(a.Port, 0)
}

// reversible says whether actions can be translated in line and undone
// afterwards (OVS's reversible_actions): everything but what changes the
// datapath packet irrevocably (ct, meters, truncation).
func reversible(l ofactions.List) bool {
	for _, a := range l {
		switch a.(type) {
		case *ofactions.CT, *ofactions.Meter, *ofactions.OutputTrunc:
			return false
		}
	}
	return true
}

// clone runs actions on a copy of the pipeline state: the flow, the
// action set and the stack are restored afterwards. Actions that cannot
// be undone go into a datapath clone().
func (x *xlate) clone(l ofactions.List) {
	savedStack := slices.Clone(x.nx.stack)
	savedActset := x.actset
	savedFlow := x.flow
	if reversible(l) {
		x.doActions(l)
		x.finishPause() // a pause in a clone freezes only the clone (resume_freeze.go)
		x.runActionSet()
		x.nx.stack, x.actset, x.flow = savedStack, savedActset, savedFlow
		x.rewriteChanged()
		return
	}
	x.commit()
	savedBase, savedCT := x.base, x.conntracked
	nested := x.nested(func() {
		x.doActions(l)
		x.finishPause()
		x.runActionSet()
	})
	if len(nested) > 0 {
		x.acts = append(x.acts, dpif.Action{Type: dpif.ActClone, Nested: nested})
	}
	x.nx.stack, x.actset, x.flow = savedStack, savedActset, savedFlow
	x.base, x.conntracked, x.written = savedBase, savedCT, mf.Flow{}
}

// runActionSet runs and empties the action set, as OVS does at the end of
// a clone or a check_pkt_larger branch.
func (x *xlate) runActionSet() {
	if len(x.actset) == 0 || x.err != nil {
		return
	}
	set := x.actset
	x.actset = nil
	x.doActions(orderActionSet(set))
}

// rewriteChanged marks for the next commit the header fields where the
// restored flow differs from the datapath packet, and consults them.
func (x *xlate) rewriteChanged() {
	for _, id := range append(keyFieldIDs(), mf.IPDSCP, mf.IPECN) {
		if fieldBytes(&x.flow, id) != fieldBytes(&x.base, id) {
			markField(&x.written, id)
			markField(&x.wc, id)
		}
	}
}

// nested runs f with an empty datapath action list and returns the
// actions it emitted, its ct+recirc forks wrapped as finish() would; the
// outer list and forks are left as they were.
func (x *xlate) nested(f func()) []dpif.Action {
	outer, outerForks := x.acts, x.forks
	x.acts, x.forks = nil, nil
	f()
	acts := x.acts
	for i := len(x.forks) - 1; i >= 0; i-- {
		s, e := x.forks[i][0], x.forks[i][1]
		if e >= len(acts) {
			continue
		}
		inner := append([]dpif.Action(nil), acts[s:e]...)
		rest := append([]dpif.Action(nil), acts[e:]...)
		acts = append(append(acts[:s], dpif.Action{Type: dpif.ActClone, Nested: inner}), rest...)
	}
	x.acts, x.forks = outer, outerForks
	return acts
}

// checkPktLarger translates check_pkt_larger(N)->dst and the actions
// after it twice, once for packets longer than N (dst = 1) and once for
// the others (dst = 0), into one datapath check_pkt_len: the datapath
// decides per packet, so the megaflow holds for every size.
func (x *xlate) checkPktLarger(a *ofactions.CheckPktLarger, rest ofactions.List) {
	savedStack := slices.Clone(x.nx.stack)
	savedActset := slices.Clone(x.actset)
	savedFlow := x.flow
	x.commit()
	savedBase, savedCT, savedExit := x.base, x.conntracked, x.exit
	branch := func(bit uint64) []dpif.Action {
		x.nx.stack = slices.Clone(savedStack)
		x.actset = slices.Clone(savedActset)
		x.flow, x.base, x.conntracked, x.written, x.exit = savedFlow, savedBase, savedCT, mf.Flow{}, false
		return x.nested(func() {
			x.loadUint(a.Dst, bit)
			x.doActions(rest)
			x.runActionSet()
		})
	}
	gt := branch(1)
	le := branch(0)
	x.acts = append(x.acts, dpif.CheckPktLen(&dpif.CheckPktLenAction{PktLen: a.PktLen, Greater: gt, LessEqual: le}))
	x.nx.stack, x.actset, x.flow = savedStack, savedActset, savedFlow
	x.base, x.conntracked, x.written, x.exit = savedBase, savedCT, mf.Flow{}, savedExit
}
