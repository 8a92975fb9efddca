package ofproto

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// testRule is a rule matching reg0=v at priority p.
func testRule(t *testing.T, p uint16, v uint64) *Rule {
	t.Helper()
	var m mf.Match
	if err := m.SetExact(mf.Reg0, v); err != nil {
		t.Fatal(err)
	}
	return newRule(0, p, &m, nil)
}

// checkClassifier verifies the lookup order and that find sees exactly
// the rules in the table.
func checkClassifier(t *testing.T, c *classifier, want []*Rule) {
	t.Helper()
	if !slices.Equal(c.ordered(), want) {
		var got, w []string
		for _, r := range c.ordered() {
			got = append(got, fmt.Sprintf("%d/%d", r.Priority, r.Match.Uint(mf.Reg0)))
		}
		for _, r := range want {
			w = append(w, fmt.Sprintf("%d/%d", r.Priority, r.Match.Uint(mf.Reg0)))
		}
		t.Fatalf("rules %v, want %v", got, w)
	}
	n := 0
	for _, b := range c.exact {
		n += len(b)
	}
	if n != len(want) {
		t.Errorf("index holds %d rules, table %d", n, len(want))
	}
	timed := 0
	for _, r := range want {
		if r.hasTimeout() {
			timed++
		}
	}
	if c.timed != timed {
		t.Errorf("timed = %d, want %d", c.timed, timed)
	}
	for _, r := range want {
		if got := c.find(&r.Match, r.Priority); got != r {
			t.Errorf("find(%d/%d) = %p, want %p", r.Priority, r.Match.Uint(mf.Reg0), got, r)
		}
	}
}

func TestClassifierOrderAndIndex(t *testing.T) {
	var c classifier
	a := testRule(t, 10, 1)
	b := testRule(t, 20, 2)
	d := testRule(t, 10, 3)
	e := testRule(t, 5, 4)
	e.IdleTimeout = 10
	f := testRule(t, 20, 5)
	f.HardTimeout = 1
	for _, r := range []*Rule{a, b, d, e, f} {
		c.insert(r)
	}
	// Priority descending, insertion order within a priority.
	checkClassifier(t, &c, []*Rule{b, f, a, d, e})
	if r := c.find(&a.Match, 20); r != nil {
		t.Errorf("find with another priority found %p", r)
	}

	// Every change moves the generation the revalidator watches.
	gen := c.gen
	changed := func(what string) {
		t.Helper()
		if c.gen == gen {
			t.Errorf("%s left the generation at %d", what, gen)
		}
		gen = c.gen
	}

	a2 := testRule(t, 10, 1)
	c.replace(a, a2)
	changed("replace")
	checkClassifier(t, &c, []*Rule{b, f, a2, d, e})

	c.remove(f)
	changed("remove")
	checkClassifier(t, &c, []*Rule{b, a2, d, e})
	c.remove(f) // not there: nothing happens
	checkClassifier(t, &c, []*Rule{b, a2, d, e})
	if c.gen != gen {
		t.Errorf("removing an absent rule changed the generation")
	}

	b.removed.Store(true)
	d.removed.Store(true)
	c.removeMarked()
	changed("removeMarked")
	checkClassifier(t, &c, []*Rule{a2, e})

	c.reset([]*Rule{b, a2, e})
	changed("reset")
	checkClassifier(t, &c, []*Rule{b, a2, e})
}

func TestRemoveRulesAcrossTables(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	b.mu.Lock()
	defer b.mu.Unlock()
	var all []*Rule
	for i := range 6 {
		r := testRule(t, uint16(i%3), uint64(i))
		r.TableID = uint8(i % 2)
		b.insertRule(r)
		all = append(all, r)
	}
	b.removeRules([]*Rule{all[0], all[3], all[4]})
	checkClassifier(t, &b.tables[0].cls, []*Rule{all[2]})
	checkClassifier(t, &b.tables[1].cls, []*Rule{all[5], all[1]})
	for i, r := range all {
		if want := i == 0 || i == 3 || i == 4; r.Removed() != want {
			t.Errorf("rule %d removed=%v", i, r.Removed())
		}
	}
}

// BenchmarkAddFlows measures adding distinct flows to one table, the
// flow_mod path of a large add-flows.
func BenchmarkAddFlows(b *testing.B) {
	for b.Loop() {
		var c classifier
		for i := range 20000 {
			var m mf.Match
			m.SetExact(mf.Reg0, uint64(i))
			r := newRule(0, uint16(i%100), &m, nil)
			if c.find(&r.Match, r.Priority) == nil {
				c.insert(r)
			}
		}
	}
}

// position finds every rule among many of the same priorities, through
// insertions, replacements and removals in any order.
func TestClassifierPosition(t *testing.T) {
	var c classifier
	var want []*Rule
	for i := range 600 {
		r := testRule(t, uint16(i%3), uint64(i))
		c.insert(r)
		want = append(want, r)
	}
	// The order the classifier keeps: priority descending, then insertion.
	slices.SortStableFunc(want, func(a, b *Rule) int { return int(b.Priority) - int(a.Priority) })
	for i := 0; i < len(want); i += 7 {
		r := want[i]
		nr := testRule(t, r.Priority, r.Match.Uint(mf.Reg0))
		c.replace(r, nr)
		want[i] = nr
	}
	for i := len(want) - 1; i >= 0; i -= 5 {
		c.remove(want[i])
		want = slices.Delete(want, i, i+1)
	}
	checkClassifier(t, &c, want)
	for i, r := range want {
		if got := c.position(r); got != i {
			t.Fatalf("position of rule %d/%d = %d, want %d", r.Priority, r.Match.Uint(mf.Reg0), got, i)
		}
	}
	if got := c.position(testRule(t, 1, 1)); got != -1 {
		t.Errorf("position of a rule not in the table = %d", got)
	}
}

// Readers under the bridge's read lock may put the rules in order while
// others count them (go test -race).
func TestClassifierConcurrentReaders(t *testing.T) {
	var c classifier
	for i := range 200 {
		c.insert(testRule(t, uint16(i%7), uint64(i)))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(2)
		go func() { defer wg.Done(); c.ordered() }()
		go func() {
			defer wg.Done()
			if n := c.count(); n != 200 {
				t.Errorf("count = %d, want 200", n)
			}
		}()
	}
	wg.Wait()
}

// Inserts wait in insertion order until a reader needs the rules in order;
// mixed with removals, replacements and reads at random moments, the order
// is always that of inserting each rule in place.
func TestClassifierInsertBursts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var c classifier
	var want []*Rule
	for i := range 3000 {
		switch op := rng.IntN(20); {
		case op < 12 || len(want) == 0:
			r := testRule(t, uint16(rng.IntN(8)), uint64(i))
			c.insert(r)
			at := sort.Search(len(want), func(j int) bool { return want[j].Priority < r.Priority })
			want = slices.Insert(want, at, r)
		case op < 15:
			j := rng.IntN(len(want))
			c.remove(want[j])
			want = slices.Delete(want, j, j+1)
		case op < 18:
			j := rng.IntN(len(want))
			nr := testRule(t, want[j].Priority, want[j].Match.Uint(mf.Reg0))
			c.replace(want[j], nr)
			want[j] = nr
		default:
			checkClassifier(t, &c, want)
		}
	}
	checkClassifier(t, &c, want)
}
