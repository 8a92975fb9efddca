package ofproto

import (
	"encoding/binary"
	"reflect"
	"unsafe"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// The classifier compares Flow values byte-wise. mf.Flow keeps its bytes
// unexported, so until mf offers masked comparison we view a Flow as its
// byte array; init checks that this is what a Flow is.
const flowSize = int(unsafe.Sizeof(mf.Flow{}))

func init() {
	t := reflect.TypeOf(mf.Flow{})
	if t.NumField() != 1 || t.Field(0).Type.Kind() != reflect.Array || t.Field(0).Type.Elem().Kind() != reflect.Uint8 || flowSize%8 != 0 {
		panic("ofproto: mf.Flow is no longer a plain byte array; update classifier.go")
	}
}

func flowBytes(f *mf.Flow) *[flowSize]byte { return (*[flowSize]byte)(unsafe.Pointer(f)) }

// matchesFlow reports whether flow satisfies m. It does not allocate.
func matchesFlow(m *mf.Match, flow *mf.Flow) bool {
	v, mk, f := flowBytes(&m.Flow), flowBytes(&m.Mask), flowBytes(flow)
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
	cv, cm := flowBytes(&crit.Flow), flowBytes(&crit.Mask)
	rv, rm := flowBytes(&rule.Flow), flowBytes(&rule.Mask)
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
	av, am := flowBytes(&a.Flow), flowBytes(&a.Mask)
	bv, bm := flowBytes(&b.Flow), flowBytes(&b.Mask)
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
