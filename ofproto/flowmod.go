package ofproto

import (
	"time"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// criteria selects rules for modify, delete and the flow statistics.
type criteria struct {
	table      uint8 // ofp.TableAll for every table
	match      mf.Match
	priority   uint16
	strict     bool
	cookie     uint64
	cookieMask uint64
	outPort    uint16 // mf.PortNone = any
	outGroup   uint32 // ofp.GroupAny = any
}

func (cr *criteria) selects(r *Rule) bool {
	if r.TableID == hiddenTable {
		return false
	}
	if cr.strict {
		if r.Priority != cr.priority || !r.Match.Equal(&cr.match) {
			return false
		}
	} else if !covers(&cr.match, &r.Match) {
		return false
	}
	if (r.Cookie^cr.cookie)&cr.cookieMask != 0 {
		return false
	}
	if cr.outPort != mf.PortNone && !outputsTo(r.Actions, cr.outPort) {
		return false
	}
	if cr.outGroup != ofp.GroupAny && !outputsToGroup(r.Actions, cr.outGroup) {
		return false
	}
	return true
}

// collect returns the rules cr selects, table by table in lookup order.
// Caller holds mu.
func (b *Bridge) collect(cr *criteria) []*Rule {
	var out []*Rule
	lo, hi := 0, numTables-1
	if cr.table != ofp.TableAll {
		lo, hi = int(cr.table), int(cr.table)
	}
	for t := lo; t <= hi; t++ {
		for _, r := range b.tables[t].cls.ordered() {
			if cr.selects(r) {
				out = append(out, r)
			}
		}
	}
	return out
}

func handleFlowMod(c *conn, r *request) error {
	if err := flowCodecVersion(r); err != nil {
		return err
	}
	c.mu.Lock()
	tid := c.tid
	c.mu.Unlock()
	fm, err := ofp.DecodeFlowMod(r.msg, tid)
	if err != nil {
		return err
	}
	return c.b.flowModFrom(fm, c, r.msg[0])
}

// FlowMod applies one flow_mod with OpenFlow semantics; the error is the
// OpenFlow error OVS would send. The match's prerequisites are checked by
// the decoders (ofp.DecodeFlowMod), as each field arrives.
// Internal flow_mods are checked as OpenFlow 1.5 ones.
func (b *Bridge) FlowMod(fm *ofp.FlowMod) error { return b.flowModFrom(fm, nil, ofp.Version15) }

// flowModFrom applies a flow_mod received on origin (nil if internal) in
// OpenFlow version.
func (b *Bridge) flowModFrom(fm *ofp.FlowMod, origin *conn, version uint8) error {
	if err := ofactions.Check(fm.Actions, &fm.Match, version); err != nil {
		return err
	}
	b.mu.Lock()
	b.origin = origin
	removed, err := b.flowModLocked(fm)
	b.origin = nil
	events := b.takeEvents()
	evicted := b.takeEvicted()
	b.mu.Unlock()
	b.notifyRemoved(removed, removedDelete)
	b.notifyRemoved(evicted, removedEviction)
	b.reportEvents(events)
	return err
}

// flowModLocked applies a checked flow_mod and returns the rules it
// deleted. Caller holds mu.
func (b *Bridge) flowModLocked(fm *ofp.FlowMod) ([]*Rule, error) {
	// The switch buffers no packets (n_buffers is 0), so a buffer id can
	// only be unknown; OVS refuses the add or modify.
	if fm.BufferID != ofp.NoBuffer && fm.Command <= ofp.FlowModifyStrict {
		return nil, ofperr.OFPBRC_BUFFER_UNKNOWN
	}
	switch fm.Command {
	case ofp.FlowAdd:
		return b.deleteLearnedAfter(b.replaceCandidates(fm), b.addFlow(fm))
	case ofp.FlowModify, ofp.FlowModifyStrict:
		return b.deleteLearnedAfter(b.replaceCandidates(fm), b.modifyFlows(fm))
	case ofp.FlowDelete, ofp.FlowDeleteStrict:
		return b.deleteFlows(fm)
	}
	return nil, ofperr.OFPFMFC_BAD_COMMAND
}

// checkActions verifies what depends on the switch's state: groups
// exist, goto_table goes forward. Caller holds mu.
func (b *Bridge) checkActions(l ofactions.List, table uint8) error {
	for _, a := range l {
		switch a := a.(type) {
		case *ofactions.Group:
			if b.groups[a.ID] == nil {
				return ofperr.OFPBAC_BAD_OUT_GROUP
			}
		case *ofactions.Meter:
			if b.meters[a.ID] == nil {
				return ofperr.OFPMMFC_INVALID_METER
			}
		case *ofactions.GotoTable:
			if a.Table <= table || int(a.Table) >= numTables {
				return ofperr.OFPBIC_BAD_TABLE_ID
			}
		case *ofactions.WriteActions:
			if err := b.checkActions(a.Actions, table); err != nil {
				return err
			}
		case *ofactions.Clone:
			if err := b.checkActions(a.Actions, table); err != nil {
				return err
			}
		}
	}
	return nil
}

// addTable resolves the table of an add: unspecified means table 0.
func addTable(fm *ofp.FlowMod) (uint8, error) {
	t := fm.TableID
	switch {
	case t == ofp.TableAll:
		return 0, nil
	case t == hiddenTable:
		return 0, ofperr.OFPBRC_EPERM
	case int(t) >= numTables:
		return 0, ofperr.OFPBRC_BAD_TABLE_ID
	}
	return t, nil
}

// hiddenFieldsDefault reports whether m leaves OVS's hidden fields
// (recirc_id, dp_hash) at their default: only internal flows may match
// other values.
func hiddenFieldsDefault(m *mf.Match) bool {
	for _, id := range []mf.FieldID{mf.RecircID, mf.DpHash} {
		v, mask := m.Get(id)
		if uint32(v[0])<<24|uint32(v[1])<<16|uint32(v[2])<<8|uint32(v[3]) != 0 {
			return false
		}
		if mk := uint32(mask[0])<<24 | uint32(mask[1])<<16 | uint32(mask[2])<<8 | uint32(mask[3]); mk != 0 && mk != 0xffffffff {
			return false
		}
	}
	return true
}

// addFlow implements OFPFC_ADD. Caller holds mu.
func (b *Bridge) addFlow(fm *ofp.FlowMod) error {
	tid, err := addTable(fm)
	if err != nil {
		return err
	}
	if !hiddenFieldsDefault(&fm.Match) {
		return ofperr.OFPBRC_EPERM
	}
	if err := b.checkActions(fm.Actions, tid); err != nil {
		return err
	}
	t := &b.tables[tid]
	nr := newRule(tid, fm.Priority, &fm.Match, fm.Actions)
	nr.Cookie = fm.NewCookie // all ones too: an add has no "keep the cookie"
	nr.IdleTimeout, nr.HardTimeout = fm.IdleTimeout, fm.HardTimeout
	nr.Importance, nr.Flags = fm.Importance, fm.Flags
	old := t.cls.find(&fm.Match, fm.Priority)
	if old == nil {
		if fm.Flags&ofp.FlagCheckOverlap != 0 {
			for _, r := range t.cls.ordered() {
				if r.Priority == fm.Priority && overlaps(&r.Match, &fm.Match) {
					return ofperr.OFPFMFC_OVERLAP
				}
			}
		}
		if err := b.makeRoom(tid); err != nil {
			return err
		}
		t.cls.insert(nr)
		b.noteEvent(eventAdded, 0, nr)
		return nil
	}
	// Replacing an identical rule keeps its counters unless asked not to.
	if fm.Flags&ofp.FlagResetCounts == 0 {
		nr.nPackets.Store(old.nPackets.Load())
		nr.nBytes.Store(old.nBytes.Load())
	}
	t.cls.replace(old, nr)
	old.removed.Store(true)
	b.noteEvent(eventAdded, 0, nr)
	return nil
}

// modifyFlows implements OFPFC_MODIFY and MODIFY_STRICT. Caller holds mu.
func (b *Bridge) modifyFlows(fm *ofp.FlowMod) error {
	cr := criteria{
		table: fm.TableID, match: fm.Match, priority: fm.Priority,
		strict: fm.Command == ofp.FlowModifyStrict,
		cookie: fm.Cookie, cookieMask: fm.CookieMask,
		outPort: mf.PortNone, outGroup: ofp.GroupAny,
	}
	if err := checkWritableTable(cr.table); err != nil {
		return err
	}
	rules := b.collect(&cr)
	if len(rules) == 0 {
		// OpenFlow 1.0 lets a modify that finds nothing add the flow.
		if fm.NewCookie != ofp.CookieNoChange && fm.CookieMask == 0 {
			return b.addFlow(fm)
		}
		return nil
	}
	for _, old := range rules {
		if err := b.checkActions(fm.Actions, old.TableID); err != nil {
			return err
		}
	}
	now := time.Now()
	for _, old := range rules {
		nr := newRule(old.TableID, old.Priority, &old.Match, fm.Actions)
		nr.IdleTimeout, nr.HardTimeout = old.IdleTimeout, old.HardTimeout
		nr.Importance, nr.Flags = old.Importance, old.Flags
		nr.created, nr.modified = old.created, now
		nr.used.Store(old.used.Load())
		nr.Cookie = old.Cookie
		if fm.NewCookie != ofp.CookieNoChange {
			nr.Cookie = fm.NewCookie
		}
		if fm.Flags&ofp.FlagResetCounts == 0 {
			nr.nPackets.Store(old.nPackets.Load())
			nr.nBytes.Store(old.nBytes.Load())
		}
		b.tables[old.TableID].cls.replace(old, nr)
		old.removed.Store(true)
		b.noteEvent(eventModified, 0, nr)
	}
	return nil
}

// checkWritableTable checks the table a modify or delete names: the
// hidden table is read-only (selecting every table skips it).
func checkWritableTable(t uint8) error {
	switch {
	case t == ofp.TableAll:
		return nil
	case t == hiddenTable:
		return ofperr.OFPBRC_EPERM
	case int(t) >= numTables:
		return ofperr.OFPBRC_BAD_TABLE_ID
	}
	return nil
}

// deleteFlows implements OFPFC_DELETE and DELETE_STRICT, returning the
// removed rules. Caller holds mu.
func (b *Bridge) deleteFlows(fm *ofp.FlowMod) ([]*Rule, error) {
	cr := criteria{
		table: fm.TableID, match: fm.Match, priority: fm.Priority,
		strict: fm.Command == ofp.FlowDeleteStrict,
		cookie: fm.Cookie, cookieMask: fm.CookieMask,
		outPort: fm.OutPort, outGroup: fm.OutGroup,
	}
	if err := checkWritableTable(cr.table); err != nil {
		return nil, err
	}
	rules := b.collect(&cr)
	b.removeRules(rules)
	b.noteRemoved(rules, removedDelete)
	rules = append(rules, b.deleteLearnedBy(rules)...)
	return rules, nil
}
