package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// The classifier compares Flow values and masks a 64-bit word at a time.
const flowSize = mf.FlowSize

// matchesFlow reports whether flow satisfies m. It does not allocate.
func matchesFlow(m *mf.Match, flow *mf.Flow) bool {
	v, mk, f := m.Flow.Bytes(), m.Mask.Bytes(), flow.Bytes()
	for i := 0; i < flowSize; i += 8 {
		mw := binary.NativeEndian.Uint64(mk[i:])
		if mw == 0 {
			continue
		}
		if (binary.NativeEndian.Uint64(f[i:])^binary.NativeEndian.Uint64(v[i:]))&mw != 0 {
			return false
		}
	}
	return true
}

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

// classifier holds one table's rules in lookup order: priority
// descending, then insertion order. A straightforward scan is enough for
// now; the order makes the first hit the answer.
type classifier struct {
	rules []*Rule
}

// insert adds r after every rule of the same or higher priority.
func (c *classifier) insert(r *Rule) {
	i := len(c.rules)
	for i > 0 && c.rules[i-1].Priority < r.Priority {
		i--
	}
	c.rules = append(c.rules, nil)
	copy(c.rules[i+1:], c.rules[i:])
	c.rules[i] = r
}

// replace puts nr where old was (same match and priority).
func (c *classifier) replace(old, nr *Rule) {
	for i, r := range c.rules {
		if r == old {
			c.rules[i] = nr
			return
		}
	}
	c.insert(nr)
}

// remove drops r.
func (c *classifier) remove(r *Rule) {
	for i, x := range c.rules {
		if x == r {
			copy(c.rules[i:], c.rules[i+1:])
			c.rules[len(c.rules)-1] = nil
			c.rules = c.rules[:len(c.rules)-1]
			return
		}
	}
}

// find returns the rule with exactly this match and priority.
func (c *classifier) find(m *mf.Match, priority uint16) *Rule {
	for _, r := range c.rules {
		if r.Priority == priority && r.Match.Equal(m) {
			return r
		}
	}
	return nil
}

// lookup returns the highest-priority rule matching flow.
func (c *classifier) lookup(flow *mf.Flow) *Rule {
	for _, r := range c.rules {
		if matchesFlow(&r.Match, flow) {
			return r
		}
	}
	return nil
}
