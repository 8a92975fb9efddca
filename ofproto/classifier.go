package ofproto

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"sync"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// The classifier compares Flow values and masks a 64-bit word at a time.
const flowSize = mf.FlowSize

// covers reports whether every packet matching rule also matches crit,
// i.e. rule is at least as specific (OVS's loose flow_mod/dump selection).
func covers(crit, rule *mf.Match) bool {
	cv, cm := crit.Flow.Bytes(), crit.Mask.Bytes()
	rv, rm := rule.Flow.Bytes(), rule.Mask.Bytes()
	for i := 0; i < flowSize; i += 8 {
		c := binary.NativeEndian.Uint64(cm[i:])
		if c == 0 {
			continue
		}
		if c&^binary.NativeEndian.Uint64(rm[i:]) != 0 {
			return false
		}
		if (binary.NativeEndian.Uint64(cv[i:])^binary.NativeEndian.Uint64(rv[i:]))&c != 0 {
			return false
		}
	}
	return true
}

// overlaps reports whether some packet could match both a and b.
func overlaps(a, b *mf.Match) bool {
	av, am := a.Flow.Bytes(), a.Mask.Bytes()
	bv, bm := b.Flow.Bytes(), b.Mask.Bytes()
	for i := 0; i < flowSize; i += 8 {
		m := binary.NativeEndian.Uint64(am[i:]) & binary.NativeEndian.Uint64(bm[i:])
		if (binary.NativeEndian.Uint64(av[i:])^binary.NativeEndian.Uint64(bv[i:]))&m != 0 {
			return false
		}
	}
	return true
}

// classifier holds one table's rules in priority order (descending, then
// insertion order), as the dumps and flow_mods walk them; lookups go
// through the tuple space (subtable.go). The exact index makes the
// flow_mod operations (find an identical rule, replace it, remove it)
// independent of the table size, which is what loading 100,000 flows
// needs.
//
// Whoever reads the rules in order calls ordered; whoever sets them
// wholesale calls reset so the indexes follow.
type classifier struct {
	// rules holds the table's rules: rules[:sorted] in order, then those
	// inserted since, in insertion order. ordered merges the two, so that
	// a burst of inserts (ovs-ofctl add-flows) costs O(1) each instead of
	// moving the rest of the table each time.
	rules  []*Rule
	sorted int
	// sortMu serializes ordered, which readers call under the bridge's
	// read lock.
	sortMu sync.Mutex
	// exact indexes rules by hash of (priority, match); a bucket holds
	// the rules whose keys collide.
	exact map[uint64][]*Rule
	// ts finds the rule a packet matches.
	ts tupleSpace
	// timed counts the rules with an idle or hard timeout, so that the
	// expiry scan can pass over tables that have none.
	timed int
	// gen changes whenever rules does (every change goes through index,
	// unindex or reset): the revalidator's fingerprint hashes it.
	gen uint64
	// seq numbers rules in insertion order (Rule.seq), which is their
	// order among rules of the same priority.
	seq uint64
}

// exactSeed keys the exact index; one per process is enough.
var exactSeed = maphash.MakeSeed()

// exactKey hashes what makes two rules the same rule in a table.
func exactKey(m *mf.Match, priority uint16) uint64 {
	var h maphash.Hash
	h.SetSeed(exactSeed)
	h.Write(m.Flow.Bytes()[:])
	h.Write(m.Mask.Bytes()[:])
	h.WriteByte(byte(priority >> 8))
	h.WriteByte(byte(priority))
	return h.Sum64()
}

func (c *classifier) index(r *Rule) {
	if c.exact == nil {
		c.exact = make(map[uint64][]*Rule)
	}
	k := exactKey(&r.Match, r.Priority)
	c.exact[k] = append(c.exact[k], r)
	c.ts.add(r)
	c.gen++
	if r.hasTimeout() {
		c.timed++
	}
}

func (c *classifier) unindex(r *Rule) {
	k := exactKey(&r.Match, r.Priority)
	bucket := c.exact[k]
	if i := slices.Index(bucket, r); i >= 0 {
		bucket = slices.Delete(bucket, i, i+1)
		c.ts.remove(r)
		c.gen++
		if r.hasTimeout() {
			c.timed--
		}
	}
	if len(bucket) == 0 {
		delete(c.exact, k)
	} else {
		c.exact[k] = bucket
	}
}

// reset replaces the rules (already in lookup order) and rebuilds the
// index.
func (c *classifier) reset(rules []*Rule) {
	c.rules = rules
	c.sorted = len(rules)
	c.exact = make(map[uint64][]*Rule, len(rules))
	c.ts = tupleSpace{}
	c.timed = 0
	c.gen++
	for _, r := range rules {
		c.index(r)
	}
}

// insert adds r after every rule of the same or higher priority.
func (c *classifier) insert(r *Rule) {
	c.seq++
	r.seq = c.seq
	n := len(c.rules)
	c.rules = append(c.rules, r)
	if c.sorted == n && (n == 0 || c.rules[n-1].Priority >= r.Priority) {
		c.sorted++ // already in place
	}
	c.index(r)
}

// ordered returns the rules by priority descending, then insertion order:
// the order of dumps and of loose flow_mods.
func (c *classifier) ordered() []*Rule {
	c.sortMu.Lock()
	defer c.sortMu.Unlock()
	if c.sorted == len(c.rules) {
		return c.rules
	}
	head, tail := c.rules[:c.sorted], c.rules[c.sorted:]
	// The tail is in insertion order: a stable sort keeps it within each
	// priority, and on equal priority the head's older rules come first.
	slices.SortStableFunc(tail, func(a, b *Rule) int { return cmp.Compare(b.Priority, a.Priority) })
	merged := make([]*Rule, 0, cap(c.rules))
	for len(head) > 0 && len(tail) > 0 {
		if head[0].Priority >= tail[0].Priority {
			merged, head = append(merged, head[0]), head[1:]
		} else {
			merged, tail = append(merged, tail[0]), tail[1:]
		}
	}
	merged = append(append(merged, head...), tail...)
	c.rules, c.sorted = merged, len(merged)
	return merged
}

// count is the number of rules. Readers holding only the bridge's read
// lock use it rather than len(rules), which ordered may be replacing.
func (c *classifier) count() int {
	c.sortMu.Lock()
	defer c.sortMu.Unlock()
	return len(c.rules)
}

// position returns r's index in ordered rules, or -1. They are ordered by
// priority descending, then seq ascending, so a binary search finds it:
// modifying or deleting one of many rules of a priority stays cheap.
func (c *classifier) position(r *Rule) int {
	c.ordered()
	i := sort.Search(len(c.rules), func(i int) bool {
		q := c.rules[i]
		return q.Priority < r.Priority || q.Priority == r.Priority && q.seq >= r.seq
	})
	if i < len(c.rules) && c.rules[i] == r {
		return i
	}
	return -1
}

// replace puts nr where old was (same match and priority).
func (c *classifier) replace(old, nr *Rule) {
	i := c.position(old)
	if i < 0 {
		c.insert(nr)
		return
	}
	nr.seq = old.seq
	c.rules[i] = nr
	c.unindex(old)
	c.index(nr)
}

// remove drops r.
func (c *classifier) remove(r *Rule) {
	if i := c.position(r); i >= 0 {
		c.rules = slices.Delete(c.rules, i, i+1)
		c.sorted--
		c.unindex(r)
	}
}

// removeMarked drops every rule whose removed flag is set, in one pass:
// deleting many rules one by one would move the rest of the table each
// time.
func (c *classifier) removeMarked() {
	c.rules = slices.DeleteFunc(c.ordered(), func(r *Rule) bool {
		if r.removed.Load() {
			c.unindex(r)
			return true
		}
		return false
	})
	c.sorted = len(c.rules)
}

// hasTimeout reports whether r can expire.
func (r *Rule) hasTimeout() bool { return r.IdleTimeout != 0 || r.HardTimeout != 0 }

// find returns the rule with exactly this match and priority.
func (c *classifier) find(m *mf.Match, priority uint16) *Rule {
	for _, r := range c.exact[exactKey(m, priority)] {
		if r.Priority == priority && r.Match.Equal(m) {
			return r
		}
	}
	return nil
}

// lookup returns the highest-priority rule matching flow and, if wc is
// not nil, adds to it the bits the answer depended on.
func (c *classifier) lookup(flow, wc *mf.Flow) *Rule { return c.ts.lookup(flow, wc) }
