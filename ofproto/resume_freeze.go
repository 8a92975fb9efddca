package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Freezing the pipeline at controller(pause), as OVS does: the pause
// ends translation, and as it unwinds every enclosing action list adds
// what it had left to run to the frozen actions, innermost first. An
// unroll marker before an action that may send something to a
// controller restores the table id and cookie of the rule the action
// came from. When translation is done, the frozen actions, the stack,
// the action set and the metadata become a continuation (a
// recirculation id's frozen state) and the datapath gets a userspace
// action that sends the packet to the controllers with it. NXT_RESUME
// (resume.go) runs the frozen actions where the pause left off.

// pauseState is a controller(pause) being frozen.
type pauseState struct {
	ctl   *ofactions.Controller
	items []frozenItem
	// header is the index in items of the last unroll marker put in
	// for an action that needed one, -1 before the first; markers
	// copied from a resumed list do not count.
	header int
	// fresh is true until the list holding the pause action itself has
	// been frozen.
	fresh bool
	// hash, when set, freezes for a datapath hash and recirculation
	// instead of a pause (xlate_select.go).
	hash *dpif.Action
}

// frozenItem is a frozen action, or (act nil) an unroll marker.
type frozenItem struct {
	act    ofactions.Action
	table  uint8
	cookie uint64
}

// pauseAt starts freezing at controller action a.
func (x *xlate) pauseAt(a *ofactions.Controller) {
	x.pause = &pauseState{ctl: a, header: -1, fresh: true}
	x.exit = true
}

// freezeTail freezes the rest of action list l after its action i
// returned with the pipeline paused. The list holding the pause keeps
// what follows the pause. An enclosing list keeps what follows the
// action it was running, except when nothing at all has been frozen
// yet: then, as in OVS, the action itself is frozen too and runs again
// on resume.
func (x *xlate) freezeTail(l ofactions.List, i int) {
	p := x.pause
	switch {
	case p.fresh:
		p.fresh = false
		x.freezeActions(l[i+1:])
	case len(p.items) == 0:
		x.freezeActions(l[i:])
	default:
		x.freezeActions(l[i+1:])
	}
}

// freezeActions appends actions to the frozen list (OVS's
// freeze_unroll_actions): instructions become the equivalent actions,
// notes and conjunctions go, and actions that can reach a controller
// (which reports table and cookie) get an unroll marker first.
func (x *xlate) freezeActions(l ofactions.List) {
	p := x.pause
	for _, a := range l {
		switch a := a.(type) {
		case *ofactions.Output, *ofactions.OutputReg, *ofactions.OutputTrunc, *ofactions.Group,
			*ofactions.Controller, *ofactions.DecMPLSTTL, *ofactions.DecNSHTTL, *ofactions.DecTTL:
			x.putUnroll()
		case *ofactions.Resubmit:
			if a.Table == 0xff {
				x.putUnroll()
			}
		case *ofactions.GotoTable:
			p.items = append(p.items, frozenItem{act: &ofactions.Resubmit{InPort: mf.PortInPort, Table: a.Table}})
			continue
		case *ofactions.WriteMetadata:
			sf := &ofactions.SetField{Field: mf.ByID(mf.Metadata)}
			putU64(sf.Value[:], a.Value)
			putU64(sf.Mask[:], a.Mask)
			p.items = append(p.items, frozenItem{act: sf})
			continue
		case *ofactions.Note, *ofactions.Conjunction:
			continue
		}
		p.items = append(p.items, frozenItem{act: a})
	}
}

// freezeItems appends the rest of a resumed list: its unroll markers
// are copied as they are, its actions frozen as usual.
func (x *xlate) freezeItems(items []frozenItem) {
	for _, it := range items {
		if it.act == nil {
			x.pause.items = append(x.pause.items, it)
			continue
		}
		x.freezeActions(ofactions.List{it.act})
	}
}

// putUnroll adds an unroll marker for the current table and cookie
// unless the last one put in says the same.
func (x *xlate) putUnroll() {
	p := x.pause
	if p.header >= 0 {
		if h := p.items[p.header]; h.table == x.table && h.cookie == x.cookie {
			return
		}
	}
	p.header = len(p.items)
	p.items = append(p.items, frozenItem{table: x.table, cookie: x.cookie})
}

func putU64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}

// finishTopRule makes the cookie a pause reports that of the rule the
// first lookup found, as in OVS, where the top-level rule's cookie is
// never restored.
func (x *xlate) finishTopRule() {
	if x.pause != nil && len(x.rules) > 0 {
		x.cookie = x.rules[0].Cookie
	}
}

// finishPause ends a paused translation: it commits the packet's changes
// and emits the userspace action that sends the packet to the
// controllers with its continuation (a recirculation id naming the
// frozen state).
func (x *xlate) finishPause() {
	p := x.pause
	if p == nil || x.err != nil {
		return
	}
	x.pause = nil
	if p.hash != nil {
		x.finishHashFreeze(p)
		return
	}
	x.commit()
	cont := x.frozenPipeline(p.items)
	// The packet-in of a pause reports table 0, and the cookie of the
	// rule running when translation ended.
	st := frozenState{bridge: x.br, table: 0, inPort: x.inPort(), meta: x.frozenMeta(),
		userdata: string(p.ctl.Userdata), cont: cont.encode()}
	x.acts = append(x.acts, dpif.Action{Type: dpif.ActUserspace, Userspace: &dpif.UserspaceAction{
		Kind: dpif.UserspaceController, Reason: uint16(p.ctl.Reason), MaxLen: p.ctl.MaxLen, ControllerID: p.ctl.ID,
		RuleCookie: x.cookie, RecircID: x.bk.recirc.idFor(st, x.now), Continuation: true,
	}})
}

// pausedPipeline is what a continuation holds besides the packet and
// its metadata.
type pausedPipeline struct {
	items       []frozenItem
	stack       []mf.ValueMask
	actset      ofactions.List
	conntracked bool
	odpPort     uint32
}

// contVersion is the OpenFlow version frozen states keep their actions
// in; a packet-in re-encodes them in its connection's version.
const contVersion = ofp.Version15

// encode serialises the pipeline as a continuation property (in
// contVersion, without the bridge), a comparable form for the frozen
// state, so that equal pauses share one recirculation id.
func (pp *pausedPipeline) encode() string {
	c := pp.continuation(contVersion)
	return string(ofp.AppendContinuation(nil, c))
}

// continuation builds the wire continuation in version v. Actions that
// have no encoding in v are left out.
func (pp *pausedPipeline) continuation(v uint8) *ofp.Continuation {
	c := &ofp.Continuation{Conntracked: pp.conntracked, OdpPort: pp.odpPort}
	for _, val := range pp.stack {
		c.Stack = append(c.Stack, stackBytes(val))
	}
	var seg *ofp.ContinuationSegment
	for _, it := range pp.items {
		if it.act == nil {
			c.Segments = append(c.Segments, ofp.ContinuationSegment{Unroll: true, Table: it.table, Cookie: it.cookie})
			seg = &c.Segments[len(c.Segments)-1]
			continue
		}
		if seg == nil {
			c.Segments = append(c.Segments, ofp.ContinuationSegment{})
			seg = &c.Segments[0]
		}
		if b, err := ofactions.AppendActions(seg.Actions, ofactions.List{it.act}, v); err == nil {
			seg.Actions = b
		}
	}
	for _, a := range pp.actset {
		if b, err := ofactions.AppendActions(c.ActionSet, ofactions.List{a}, v); err == nil {
			c.ActionSet = b
		}
	}
	return c
}

// stackBytes is a stack value in the fewest bytes that hold it (at
// least one): OVS keeps the pushed field's width, which the stack here
// does not remember, but the value is the same.
func stackBytes(v mf.ValueMask) []byte {
	i := 0
	for i < len(v)-1 && v[i] == 0 {
		i++
	}
	return append([]byte(nil), v[i:]...)
}

// decodePausedPipeline reads a continuation in version v back.
func decodePausedPipeline(c *ofp.Continuation, v uint8) (*pausedPipeline, error) {
	pp := &pausedPipeline{conntracked: c.Conntracked, odpPort: c.OdpPort}
	for _, s := range c.Stack {
		var val mf.ValueMask
		if len(s) > len(val) {
			s = s[len(s)-len(val):] // no field is wider
		}
		copy(val[len(val)-len(s):], s)
		pp.stack = append(pp.stack, val)
	}
	for _, s := range c.Segments {
		if s.Unroll {
			pp.items = append(pp.items, frozenItem{table: s.Table, cookie: s.Cookie})
		}
		l, err := ofactions.DecodeActions(s.Actions, v)
		if err != nil {
			return nil, err
		}
		for _, a := range l {
			pp.items = append(pp.items, frozenItem{act: a})
		}
	}
	if len(c.ActionSet) > 0 {
		l, err := ofactions.DecodeActions(c.ActionSet, v)
		if err != nil {
			return nil, err
		}
		pp.actset = l
	}
	return pp, nil
}

// frozenPipeline is what a continuation of the translation after items
// needs of its state.
func (x *xlate) frozenPipeline(items []frozenItem) pausedPipeline {
	return pausedPipeline{
		items:       items,
		stack:       x.nx.stack,
		actset:      x.actset,
		conntracked: x.conntracked,
		odpPort:     x.ports[x.inPort()],
	}
}
