package ofproto

import (
	"fmt"
	"math"
	"time"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Per-table flow limits and eviction, OVS's Flow_Table semantics: a table
// with a flow_limit refuses an add that would exceed it with
// OFPFMFC_TABLE_FULL, unless eviction is on (overflow_policy=evict, or an
// OpenFlow 1.4 table_mod) and a rule can be evicted to make room. Only
// rules with an idle or hard timeout are evictable. The victim comes from
// the largest eviction group (rules whose "groups" fields have the same
// values), and within it is the rule of lowest importance, then the one
// that would expire first. Lowering a limit below the table's count
// evicts the excess at once, as far as evictable rules allow.

// removedEviction is OFPRR_EVICTION.
const removedEviction = 5

// TableSettings is a table's Flow_Table row as the bridge layer read it.
type TableSettings struct {
	// Limited makes MaxFlows (flow_limit) the most rules the table holds.
	Limited  bool
	MaxFlows uint32
	// Evict is overflow_policy=evict.
	Evict bool
	// Groups are the fields, in subfield syntax ("NXM_OF_IN_PORT[]",
	// "reg0[0..7]"), whose values put rules into eviction groups.
	Groups []string
}

// tableLimits is the applied form of TableSettings. The zero value is no
// limit (beyond maxFlowsPerTable) and no eviction.
type tableLimits struct {
	limited  bool
	maxFlows int
	evict    bool
	groups   []ofactions.Subfield
}

// capacity is how many rules the table may hold. Caller holds mu.
func (t *table) capacity() int {
	if t.limits.limited {
		return min(t.limits.maxFlows, maxFlowsPerTable)
	}
	return maxFlowsPerTable
}

// evicting reports whether the table may evict rules to make room, by
// configuration or by OpenFlow table_mod. Caller holds mu.
func (t *table) evicting() bool { return t.limits.evict || t.config.eviction }

// ConfigureTables applies the Flow_Table rows of the bridge, by table id;
// tables not in settings get the defaults. Rules beyond a new limit are
// evicted (with flow-removed messages, reason eviction). It returns the
// problems found in the settings (bad groups), which were skipped.
func (b *Bridge) ConfigureTables(settings map[uint8]TableSettings) []error {
	var errs []error
	limits := make(map[uint8]tableLimits, len(settings))
	for id, s := range settings {
		if int(id) >= numVisibleTables {
			errs = append(errs, fmt.Errorf("%s: no table %d", b.name, id))
			continue
		}
		l := tableLimits{limited: s.Limited, maxFlows: int(min(s.MaxFlows, math.MaxInt32)), evict: s.Evict}
		for _, g := range s.Groups {
			sf, err := ofactions.ParseSubfield(g)
			if err != nil {
				errs = append(errs, fmt.Errorf("bridge %s table %d: error parsing 'groups' (%v)", b.name, id, err))
				continue
			}
			l.groups = append(l.groups, sf)
		}
		limits[id] = l
	}
	var evicted []*Rule
	now := time.Now()
	b.mu.Lock()
	for i := 0; i < numVisibleTables; i++ {
		t := &b.tables[i]
		t.limits = limits[uint8(i)]
		for t.cls.count() > t.capacity() {
			v := b.evictionVictim(uint8(i), now)
			if v == nil {
				break // what is left cannot be evicted; adds are refused
			}
			b.removeRule(v)
			b.noteRemoved([]*Rule{v}, removedEviction)
			evicted = append(evicted, v)
		}
	}
	events := b.takeEvents()
	b.mu.Unlock()
	b.reportEvents(events)
	b.notifyRemoved(evicted, removedEviction)
	return errs
}

// makeRoom makes sure table tid can take one more rule, evicting one if
// the table is full and may evict. Evicted rules wait in b.evicted for
// their flow-removed messages. Caller holds mu.
func (b *Bridge) makeRoom(tid uint8) error {
	t := &b.tables[tid]
	if t.cls.count() < t.capacity() {
		return nil
	}
	v := b.evictionVictim(tid, time.Now())
	if v == nil {
		return ofperr.OFPFMFC_TABLE_FULL
	}
	b.removeRule(v)
	b.noteRemoved([]*Rule{v}, removedEviction)
	b.evicted = append(b.evicted, v)
	return nil
}

// takeEvicted returns and clears the rules makeRoom evicted. Caller holds
// mu.
func (b *Bridge) takeEvicted() []*Rule {
	ev := b.evicted
	b.evicted = nil
	return ev
}

// evictionVictim picks the rule to evict from table tid, nil if the table
// does not evict or has no evictable rule. Caller holds mu.
func (b *Bridge) evictionVictim(tid uint8, now time.Time) *Rule {
	t := &b.tables[tid]
	if !t.evicting() {
		return nil
	}
	type group struct {
		n    int
		best *Rule
		rank uint64
	}
	groups := map[string]*group{}
	var largest *group
	for _, r := range t.cls.ordered() {
		if r.HardTimeout == 0 && r.IdleTimeout == 0 {
			continue
		}
		k := evictionGroupKey(r, t.limits.groups)
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
		}
		g.n++
		if rank := evictionRank(r, now); g.best == nil || rank < g.rank {
			g.best, g.rank = r, rank
		}
		// Ties go to the group seen first (OVS breaks them at random).
		if largest == nil || g.n > largest.n {
			largest = g
		}
	}
	if largest == nil {
		return nil
	}
	return largest.best
}

// evictionRank orders the evictable rules of a group: lower goes first.
// Importance dominates; then the time the rule would expire by itself,
// in units of about a second as OVS keeps it.
func evictionRank(r *Rule, now time.Time) uint64 {
	exp := int64(math.MaxInt64)
	if r.HardTimeout != 0 {
		exp = r.modified.Add(time.Duration(r.HardTimeout) * time.Second).UnixMilli()
	}
	if r.IdleTimeout != 0 {
		idle := time.Unix(0, r.used.Load()).Add(time.Duration(r.IdleTimeout) * time.Second).UnixMilli()
		exp = min(exp, idle)
	}
	secs := max(exp-now.UnixMilli(), 0) >> 10
	return uint64(r.Importance)<<32 | uint64(min(secs, math.MaxUint32))
}

// evictionGroupKey is the rule's values of the group fields (their
// subfield bits), the empty string without groups. A field whose
// prerequisites the rule does not match counts as absent.
func evictionGroupKey(r *Rule, groups []ofactions.Subfield) string {
	if len(groups) == 0 {
		return ""
	}
	key := make([]byte, 0, 16*len(groups))
	for _, sf := range groups {
		if !r.Match.PrereqsOK(sf.Field) {
			key = append(key, 0xff)
			continue
		}
		v, _ := r.Match.Get(sf.Field.ID)
		val := v[:sf.Field.Bytes]
		// Keep bits ofs..ofs+nbits-1, counted from the value's low end.
		for i := range val {
			bit := (len(val) - 1 - i) * 8 // the low bit of byte i
			for j := 0; j < 8; j++ {
				if b := bit + j; b < sf.Ofs || b >= sf.Ofs+sf.NBits {
					val[i] &^= 1 << j
				}
			}
		}
		key = append(key, 0)
		key = append(key, val...)
	}
	return string(key)
}
