package ofproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Translation limits, as OVS's: nested resubmits and total table lookups
// per translation.
const (
	maxResubmitDepth = 64
	maxResubmits     = 4096
)

// Errors that end a translation; the packet is dropped.
var (
	errTooDeep      = errors.New("over max translation depth 64")
	errTooManySteps = errors.New("over 4096 resubmit actions")
)

// xlate is one translation: a packet's trip through a bridge's tables
// (OVS's xlate_ctx). It turns OpenFlow actions into datapath actions and
// records, in wc, every bit of the flow the result depended on.
//
// Three views of the packet are kept in OpenFlow layout: flow is what the
// pipeline sees now; base is what the datapath packet will look like when
// the actions emitted so far have run; written marks header bits changed
// since the last commit, which get a masked set action at the next commit
// (output, ct, recirc, userspace), whatever their old value, so that the
// old value need not be matched.
type xlate struct {
	bk    *Backer
	bb    *backerBridge
	br    *Bridge
	ports map[uint16]uint32 // OpenFlow port -> odp port
	now   time.Time

	flow, base, written mf.Flow
	wc                  mf.Flow // 1 bits: the megaflow must match them
	vlanTPID            uint16  // TPID of a tag pushed by push_vlan
	nx                  nxState // push/pop stack (xlate_nx.go)
	mpls                mplsState
	encap               encapState

	acts  []dpif.Action
	rules []*Rule
	forks [][2]int // [start, end) of ct+recirc pairs to clone if not last
	// actset is the OpenFlow 1.1+ action set, run when the pipeline ends.
	actset ofactions.List

	// lookupInPort, when set, is the in_port the next lookup uses
	// (resubmit(port,table)).
	lookupInPort *uint16

	table     uint8
	depth     int
	resubmits int
	exit      bool
	err       error
	noLearn   bool
	// conntracked says the packet has been through the tracker in this
	// pass (it resumed after ct(table=N), or came in tracked): only then
	// does ct_clear do anything.
	conntracked bool

	// learning holds what learn and fin_timeout do after translation.
	learning xlateLearn

	// pause is a controller(pause) being frozen, and cookie the cookie
	// of the rule whose actions run (resume_freeze.go).
	pause  *pauseState
	cookie uint64

	// recircs are the recirculations emitted (for ofproto/trace).
	recircs []emittedRecirc
	tr      *tracer // nil unless tracing
	// where says what is running, for the reason output:CONTROLLER
	// gives its packet-in.
	where struct {
		packetOut, actionSet bool
		groups               int // nesting of group buckets
	}
}

// emittedRecirc is one ct(table=N) fork: its id, conntrack zone and the
// flow as it was frozen.
type emittedRecirc struct {
	id   uint32
	zone uint16
	flow mf.Flow
}

// newXlate prepares a translation of flow (OpenFlow layout, in_port set)
// on bridge bb.
func (k *Backer) newXlate(bb *backerBridge, flow *mf.Flow) *xlate {
	x := &xlate{bk: k, bb: bb, br: bb.br, ports: k.portMap(bb), now: time.Now(), flow: *flow, base: *flow}
	x.cookie = ^uint64(0) // no rule yet: a packet-out's actions have no cookie
	x.conntracked = fieldUint(flow, mf.CtState)&mf.CtTrk != 0
	markField(&x.wc, mf.EthType)
	if et := fieldUint(flow, mf.EthType); et == mf.EthTypeIP || et == mf.EthTypeIPv6 {
		markField(&x.wc, mf.IPFrag)
	}
	return x
}

// run translates from table, then runs the action set, and finishes the
// datapath actions.
func (x *xlate) run(table uint8) {
	x.lookupTable(table, true)
	x.finishTopRule()
	x.finishPipeline()
}

// runPaused continues a frozen pipeline (a resumed pause, or a packet
// recirculated for a select group's hash) as the top level.
func (x *xlate) runPaused(pp *pausedPipeline) {
	x.conntracked = pp.conntracked
	x.nx.stack = pp.stack
	x.actset = pp.actset
	x.runFrozen(pp.items)
	x.finishPipeline()
}

// finishPipeline runs the action set the pipeline ended with, then
// finishes the datapath actions.
func (x *xlate) finishPipeline() {
	if len(x.actset) > 0 && x.err == nil && x.pause == nil {
		set := x.actset
		x.actset = nil
		x.exit = false
		x.where.actionSet = true
		x.doActions(orderActionSet(set))
		x.where.actionSet = false
	}
	x.finishPause()
	x.finish()
}

// inPort is the flow's OpenFlow input port.
func (x *xlate) inPort() uint16 { return uint16(fieldUint(&x.flow, mf.InPort)) }

// resubmit looks the flow up in table and executes the rule it finds; a
// miss drops.
func (x *xlate) resubmit(table uint8) { x.lookupTable(table, false) }

// lookupTable looks the flow up in table and executes the rule it finds.
// On a miss, a lookup that may send a packet-in (the first one, and
// goto_table) sends one when a controller wants table misses.
func (x *xlate) lookupTable(table uint8, mayPacketIn bool) {
	if x.err != nil || x.exit {
		return
	}
	if x.depth >= maxResubmitDepth {
		x.fail(errTooDeep)
		return
	}
	if x.resubmits >= maxResubmits {
		x.fail(errTooManySteps)
		return
	}
	x.resubmits++
	if x.mplsFreezeBefore(table) {
		return
	}
	r := x.lookup(table)
	if r == nil && mayPacketIn && x.br.wantsMissPacketIn() {
		old := x.tr.enter(traceTable, fmt.Sprintf("%2d. No match, and a \"packet-in\" is called for.", table))
		defer x.tr.leave(old)
		x.tr.action("controller(reason=)")
		saved := x.table
		x.table = table
		x.controllerWithCookie(pinImplicitMiss, 0xffff, 0, 0)
		x.table = saved
		return
	}
	old := x.tr.table(table, r)
	defer x.tr.leave(old)
	if r == nil {
		x.tr.action("drop")
		return
	}
	x.rules = append(x.rules, r)
	saved, savedCookie := x.table, x.cookie
	x.table, x.cookie = table, r.Cookie
	x.depth++
	outer := x.learning.enterRule(r)
	x.doActions(r.Actions)
	x.learning.rule = outer
	x.depth--
	x.table, x.cookie = saved, savedCookie
}

func (x *xlate) fail(err error) {
	if x.err == nil {
		x.err = err
		x.tr.errorf(err.Error())
	}
}

// lookup finds the rule of table that matches the flow and adds to wc
// what the answer depended on (subtable.go).
func (x *xlate) lookup(table uint8) *Rule {
	if int(table) >= numTables {
		return nil
	}
	if p := x.lookupInPort; p != nil {
		x.lookupInPort = nil
		old := x.inPort()
		setFieldUint(&x.flow, mf.InPort, uint64(*p))
		defer setFieldUint(&x.flow, mf.InPort, uint64(old))
	}
	b := x.br
	t := &b.tables[table]
	t.lookups.Add(1)
	b.mu.RLock()
	r := t.cls.lookup(&x.flow, &x.wc)
	b.mu.RUnlock()
	if r != nil {
		t.matched.Add(1)
	}
	return r
}

// lookupStages partition the OpenFlow flow layout into OVS's classifier
// stages, in lookup order.
var lookupStages = func() [4]mf.Flow {
	var st [4]mf.Flow
	l2 := []mf.FieldID{mf.EthSrc, mf.EthDst, mf.EthType, mf.VLANTCI, mf.MPLSLabel, mf.MPLSTC, mf.MPLSBOS, mf.MPLSTTL}
	l3 := []mf.FieldID{mf.IPv4Src, mf.IPv4Dst, mf.IPv6Src, mf.IPv6Dst, mf.IPv6Label, mf.IPProto, mf.IPDSCP,
		mf.IPECN, mf.IPTTL, mf.IPFrag, mf.ARPOp, mf.ARPSPA, mf.ARPTPA, mf.ARPSHA, mf.ARPTHA,
		mf.NshFlags, mf.NshTTL, mf.NshMdtype, mf.NshNp, mf.NshSpi, mf.NshSi, mf.NshC1, mf.NshC2, mf.NshC3, mf.NshC4}
	l4 := []mf.FieldID{mf.TCPSrc, mf.TCPDst, mf.TCPFlags, mf.NDTarget, mf.NDReserved, mf.NDOptionsType}
	for i, ids := range [][]mf.FieldID{l2, l3, l4} {
		for _, id := range ids {
			markField(&st[i+1], id)
		}
	}
	// Everything else is metadata.
	m := st[0].Bytes()
	for i := range m {
		m[i] = ^(st[1].Bytes()[i] | st[2].Bytes()[i] | st[3].Bytes()[i])
	}
	return st
}()

// orFlow ORs src into dst byte-wise (masks in OpenFlow layout).
func orFlow(dst, src *mf.Flow) {
	d, s := dst.Bytes(), src.Bytes()
	for i := 0; i < flowSize; i += 8 {
		w := binary.NativeEndian.Uint64(s[i:])
		if w != 0 {
			binary.NativeEndian.PutUint64(d[i:], binary.NativeEndian.Uint64(d[i:])|w)
		}
	}
}

// markField sets every bit of field id in mask (a Flow of 1 bits).
func markField(mask *mf.Flow, id mf.FieldID) {
	f := mf.ByID(id)
	var ones [16]byte
	for i := range ones {
		ones[i] = 0xff
	}
	m := mf.Match{Flow: *mask}
	if m.Set(id, ones[:f.Bytes], nil) == nil {
		orFlow(mask, &m.Flow)
	}
}

// readField returns a field's value and records that it was consulted.
func (x *xlate) readField(id mf.FieldID) uint64 {
	markField(&x.wc, id)
	return fieldUint(&x.flow, id)
}

// translation-only fields: saved in frozen states, never in the datapath.
var frozenFields = func() []mf.FieldID {
	ids := []mf.FieldID{mf.Metadata}
	for r := mf.Reg0; r <= mf.Reg15; r++ {
		ids = append(ids, r)
	}
	return ids
}()

// frozenMeta extracts the translation-only fields of the flow.
func (x *xlate) frozenMeta() mf.Flow {
	var m mf.Match
	for _, id := range frozenFields {
		v := fieldBytes(&x.flow, id)
		_ = m.Set(id, v[:mf.ByID(id).Bytes], nil)
	}
	// Tunnel metadata lives on with the packet, as in OVS.
	mf.CopyTunMetadata(&m.Flow, &x.flow)
	return m.Flow
}

// clearCT puts the flow in the untracked state with no conntrack fields,
// as the pipeline sees a packet after ct() or ct_clear.
func (x *xlate) clearCT() {
	for _, id := range []mf.FieldID{mf.CtState, mf.CtZone, mf.CtMark, mf.CtLabel, mf.CtNwProto,
		mf.CtNwSrc, mf.CtNwDst, mf.CtIPv6Src, mf.CtIPv6Dst, mf.CtTpSrc, mf.CtTpDst} {
		var zero [16]byte
		setFieldBytes(&x.flow, id, zero[:mf.ByID(id).Bytes])
		setFieldBytes(&x.base, id, zero[:mf.ByID(id).Bytes])
	}
}

// finish wraps each ct+recirc fork that is followed by more actions in a
// clone, so the original packet continues untracked, and drops everything
// if translation failed.
func (x *xlate) finish() {
	if x.err != nil {
		x.acts = nil
		return
	}
	for i := len(x.forks) - 1; i >= 0; i-- {
		s, e := x.forks[i][0], x.forks[i][1]
		if e >= len(x.acts) {
			continue
		}
		nested := append([]dpif.Action(nil), x.acts[s:e]...)
		rest := append([]dpif.Action(nil), x.acts[e:]...)
		x.acts = append(append(x.acts[:s], dpif.Action{Type: dpif.ActClone, Nested: nested}), rest...)
	}
}

// orderActionSet puts an action set in the order OpenFlow executes it:
// everything else in the order written, then group, then output.
func orderActionSet(set ofactions.List) ofactions.List {
	var rest, groups, outputs ofactions.List
	for _, a := range set {
		switch a.(type) {
		case *ofactions.Group:
			groups = append(groups[:0], a)
		case *ofactions.Output, *ofactions.OutputReg:
			outputs = append(outputs[:0], a)
		default:
			rest = append(rest, a)
		}
	}
	if len(groups) > 0 {
		return append(rest, groups...)
	}
	return append(rest, outputs...)
}
