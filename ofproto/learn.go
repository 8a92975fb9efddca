package ofproto

import (
	"time"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// The flow-table side of learn: installing learned flows (OVS's
// ofproto_flow_mod_learn), fin_timeout's timeout reduction, and
// delete_learned.

// sameLearned reports whether r already is the flow lf teaches, so that
// learning it again only refreshes it (the attributes OVS compares).
func sameLearned(r *Rule, lf *ofactions.LearnedFlow) bool {
	return r.IdleTimeout == lf.IdleTimeout && r.HardTimeout == lf.HardTimeout &&
		r.Importance == 0 && r.Flags == learnedFlags(lf) &&
		(lf.Cookie == ofp.CookieNoChange || r.Cookie == lf.Cookie) &&
		r.Actions.String() == lf.Actions.String()
}

func learnedFlags(lf *ofactions.LearnedFlow) uint16 {
	if lf.SendFlowRem {
		return ofp.FlagSendFlowRem
	}
	return 0
}

// learnTable returns the table a learned flow goes to, nil if it may
// not go there (the hidden read-only table).
func (b *Bridge) learnTable(lf *ofactions.LearnedFlow) *table {
	if lf.Table == hiddenTable || int(lf.Table) >= numTables {
		return nil
	}
	return &b.tables[lf.Table]
}

// countCookie counts the rules of t with the given cookie. Caller holds
// mu.
func countCookie(t *table, cookie uint64) uint32 {
	var n uint32
	for _, r := range t.cls.ordered() {
		if r.Cookie == cookie {
			n++
		}
	}
	return n
}

// learnedPresent reports whether the flow lf teaches is in its table
// as it would be learned.
func (b *Bridge) learnedPresent(lf *ofactions.LearnedFlow) bool {
	t := b.learnTable(lf)
	if t == nil {
		return false
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	r := t.cls.find(&lf.Match, lf.Priority)
	return r != nil && sameLearned(r, lf)
}

// learnWouldSucceed predicts learnFlow's answer: false when limit flows
// with the learned cookie are already in the table and lf is not one of
// them.
func (b *Bridge) learnWouldSucceed(lf *ofactions.LearnedFlow, limit uint32) bool {
	t := b.learnTable(lf)
	if t == nil {
		return false
	}
	if limit == 0 {
		return true
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if r := t.cls.find(&lf.Match, lf.Priority); r != nil && sameLearned(r, lf) {
		return true
	}
	return countCookie(t, lf.Cookie) < limit
}

// learnFlow installs a learned flow with MODIFY_STRICT semantics: an
// identical flow is only refreshed (its hard timeout restarts), a flow
// with the same match and priority is replaced keeping its counters,
// otherwise the flow is added unless limit flows with its cookie are
// already there. It reports whether the flow is now in the table.
func (b *Bridge) learnFlow(lf *ofactions.LearnedFlow, limit uint32) bool {
	t := b.learnTable(lf)
	if t == nil {
		return false
	}
	now := time.Now()
	b.mu.Lock()
	old := t.cls.find(&lf.Match, lf.Priority)
	if old != nil && sameLearned(old, lf) {
		old.modified = now
		b.mu.Unlock()
		return true
	}
	if limit != 0 && countCookie(t, lf.Cookie) >= limit {
		b.mu.Unlock()
		log.Info("Learn limit for flow %d reached.", lf.Cookie)
		return false
	}
	// A full table evicts for a learned flow as for a flow_mod
	// (eviction.go), or refuses it.
	if old == nil && b.makeRoom(t.id) != nil {
		b.mu.Unlock()
		return false
	}
	nr := newRule(lf.Table, lf.Priority, &lf.Match, lf.Actions)
	nr.Cookie = lf.Cookie
	nr.IdleTimeout, nr.HardTimeout = lf.IdleTimeout, lf.HardTimeout
	nr.Flags = learnedFlags(lf)
	if old == nil {
		t.cls.insert(nr)
		b.noteEvent(eventAdded, 0, nr)
	} else {
		nr.created = old.created
		nr.nPackets.Store(old.nPackets.Load())
		nr.nBytes.Store(old.nBytes.Load())
		t.cls.replace(old, nr)
		old.removed.Store(true)
		b.noteEvent(eventModified, 0, nr)
	}
	events := b.takeEvents()
	evicted := b.takeEvicted()
	b.mu.Unlock()
	b.reportEvents(events)
	b.notifyRemoved(evicted, removedEviction)
	return true
}

// reduceTimeouts lowers r's idle and hard timeouts to the nonzero ones
// given, as fin_timeout does on TCP FIN or RST. Rules are immutable in
// their table, so a changed rule is replaced by a copy.
func (b *Bridge) reduceTimeouts(r *Rule, idle, hard uint16) {
	lower := func(cur, to uint16) uint16 {
		if to != 0 && (cur == 0 || to < cur) {
			return to
		}
		return cur
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.Removed() {
		return
	}
	ni, nh := lower(r.IdleTimeout, idle), lower(r.HardTimeout, hard)
	if ni == r.IdleTimeout && nh == r.HardTimeout {
		return
	}
	nr := newRule(r.TableID, r.Priority, &r.Match, r.Actions)
	nr.Cookie, nr.Importance, nr.Flags = r.Cookie, r.Importance, r.Flags
	nr.IdleTimeout, nr.HardTimeout = ni, nh
	nr.created, nr.modified = r.created, r.modified
	nr.used.Store(r.used.Load())
	nr.nPackets.Store(r.nPackets.Load())
	nr.nBytes.Store(r.nBytes.Load())
	b.tables[r.TableID].cls.replace(r, nr)
	r.removed.Store(true)
}

// learnedCookie is a (table, cookie) pair delete_learned refers to.
type learnedCookie struct {
	table  uint8
	cookie uint64
}

// deleteLearnedCookies lists the pairs of the learn(delete_learned)
// actions of l (top level only, as OVS).
func deleteLearnedCookies(l ofactions.List, out []learnedCookie) []learnedCookie {
	for _, a := range l {
		if ln, ok := a.(*ofactions.Learn); ok && ln.Flags&ofactions.LearnDeleteLearned != 0 {
			out = append(out, learnedCookie{ln.Table, ln.Cookie})
		}
	}
	return out
}

// deleteLearnedBy deletes, after the rules gone left the tables, the
// flows learned by their learn(delete_learned) actions: those with the
// action's cookie in its table, once no remaining rule has such an action
// for the same table and cookie. It returns the rules it removed (their
// removal is noted for the monitors). Caller holds mu.
func (b *Bridge) deleteLearnedBy(gone []*Rule) []*Rule {
	var dead []learnedCookie
	for _, r := range gone {
		dead = deleteLearnedCookies(r.Actions, dead)
	}
	if len(dead) == 0 {
		return nil
	}
	live := map[learnedCookie]bool{}
	var buf []learnedCookie
	for i := range b.tables {
		for _, r := range b.tables[i].cls.ordered() {
			buf = deleteLearnedCookies(r.Actions, buf[:0])
			for _, c := range buf {
				live[c] = true
			}
		}
	}
	var removed []*Rule
	done := map[learnedCookie]bool{}
	for _, c := range dead {
		if live[c] || done[c] || c.table == hiddenTable || int(c.table) >= numTables {
			continue
		}
		done[c] = true
		var victims []*Rule
		for _, r := range b.tables[c.table].cls.ordered() {
			if r.Cookie == c.cookie {
				victims = append(victims, r)
			}
		}
		b.removeRules(victims)
		removed = append(removed, victims...)
	}
	b.noteRemoved(removed, removedDelete)
	// The flows removed may themselves have learned with delete_learned.
	if len(removed) > 0 {
		removed = append(removed, b.deleteLearnedBy(removed)...)
	}
	return removed
}

// hasDeleteLearned reports whether l has a top-level
// learn(delete_learned).
func hasDeleteLearned(l ofactions.List) bool {
	for _, a := range l {
		if ln, ok := a.(*ofactions.Learn); ok && ln.Flags&ofactions.LearnDeleteLearned != 0 {
			return true
		}
	}
	return false
}

// replaceCandidates lists the rules with learn(delete_learned) that an
// add or modify is about to replace, for deleteLearnedAfter. Caller holds
// mu.
func (b *Bridge) replaceCandidates(fm *ofp.FlowMod) []*Rule {
	var rules []*Rule
	switch fm.Command {
	case ofp.FlowAdd:
		t, err := addTable(fm)
		if err != nil {
			return nil
		}
		if r := b.tables[t].cls.find(&fm.Match, fm.Priority); r != nil {
			rules = []*Rule{r}
		}
	case ofp.FlowModify, ofp.FlowModifyStrict:
		if checkWritableTable(fm.TableID) != nil {
			return nil
		}
		rules = b.collect(&criteria{
			table: fm.TableID, match: fm.Match, priority: fm.Priority,
			strict: fm.Command == ofp.FlowModifyStrict,
			cookie: fm.Cookie, cookieMask: fm.CookieMask,
			outPort: mf.PortNone, outGroup: ofp.GroupAny,
		})
	}
	out := rules[:0]
	for _, r := range rules {
		if hasDeleteLearned(r.Actions) {
			out = append(out, r)
		}
	}
	return out
}

// deleteLearnedAfter finishes an add or modify (whose error is err) that
// may have replaced the candidates: the flows they learned with
// delete_learned go once no rule learns into the same table and cookie
// any more, as when they are deleted. It returns the rules removed.
// Caller holds mu.
func (b *Bridge) deleteLearnedAfter(candidates []*Rule, err error) ([]*Rule, error) {
	var gone []*Rule
	for _, r := range candidates {
		if r.Removed() {
			gone = append(gone, r)
		}
	}
	return b.deleteLearnedBy(gone), err
}
