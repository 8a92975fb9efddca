package ofproto

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Lookups use tuple space search, as OVS's classifier does: a table's
// rules are grouped by mask into subtables, each a hash table of masked
// match values, visited in order of their highest priority until no
// remaining subtable can hold a better rule. A lookup costs one hash
// probe per subtable, not one comparison per rule, so a table of 10,000
// rules of one shape costs what a table of ten does.
//
// Each subtable also indexes the prefixes of its rules' values cut at
// OVS's lookup stages (metadata, L2, L3, L4). A probe that finds no rule
// sharing the flow's prefix stops there, and only the bits up to that
// stage go into the megaflow mask: a packet ruled out by its in_port
// leaves its L3 and L4 fields wildcarded.
//
// When a subtable that matches transport ports has no rule for a flow
// whose earlier stages did match, the megaflow gets the port bits only up
// to the first one in which the flow's ports differ from every rule's, as
// OVS's ports trie gives: a packet to port 22 ruled out by rules for ports
// 80 and 443 leaves tp_dst=22/0xffc0, not an exact port.

// maskWord is one nonzero 64-bit word of a mask, at byte offset off.
type maskWord struct {
	off  uint16
	mask uint64
}

// subtable holds the rules of one mask.
type subtable struct {
	mask mf.Flow
	// words are mask's nonzero words; stages[i] are the words of mask cut
	// after stage i, for each stage that adds bits and is not the whole
	// mask, with the set of the rules' values under it.
	words  []maskWord
	stages []stagePrefix
	// buckets holds the rules by the hash of their masked value, each
	// bucket in lookup order (priority descending, then seq).
	buckets map[uint64][]*Rule
	// priorities counts the rules of each priority, so maxPriority
	// follows removals without a scan of the rules.
	priorities  map[uint16]int
	maxPriority uint16
	n           int
	// order breaks ties between subtables of the same maxPriority: the
	// older subtable first.
	order uint64
	// ports is the rules' transport ports under the mask, if it has any
	// port bits (see portSet).
	ports *portSet
}

// stagePrefix is one stage's cut of a subtable's mask and the number of
// rules whose value has each hash under it.
type stagePrefix struct {
	words []maskWord
	set   map[uint64]int32
}

// hashWords hashes the words of f under ws. Collisions only cost a
// comparison (buckets) or a wider megaflow mask than needed (stages).
func hashWords(f *[flowSize]byte, ws []maskWord) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, w := range ws {
		h = (h ^ binary.NativeEndian.Uint64(f[w.off:])&w.mask) * 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// wordsOf lists the nonzero words of m.
func wordsOf(m *[flowSize]byte) []maskWord {
	var ws []maskWord
	for i := 0; i < flowSize; i += 8 {
		if w := binary.NativeEndian.Uint64(m[i:]); w != 0 {
			ws = append(ws, maskWord{uint16(i), w})
		}
	}
	return ws
}

func newSubtable(mask *mf.Flow, order uint64) *subtable {
	st := &subtable{
		mask:       *mask,
		buckets:    make(map[uint64][]*Rule),
		priorities: make(map[uint16]int),
		order:      order,
	}
	st.words = wordsOf(mask.Bytes())
	var cut mf.Flow
	prev := 0
	for s := range len(lookupStages) - 1 {
		c, m, sm := cut.Bytes(), mask.Bytes(), lookupStages[s].Bytes()
		for i := range c {
			c[i] |= m[i] & sm[i]
		}
		ws := wordsOf(c)
		n := 0
		for _, w := range ws {
			n += bits.OnesCount64(w.mask)
		}
		if n == prev || cut == *mask {
			continue // the stage adds nothing, or is the whole mask
		}
		prev = n
		st.stages = append(st.stages, stagePrefix{words: ws, set: make(map[uint64]int32)})
	}
	if pm := portsOf(mask.Bytes()); pm != 0 {
		var early mf.Flow // the mask without its last (L4) stage
		e, m, l4 := early.Bytes(), mask.Bytes(), lookupStages[3].Bytes()
		for i := range e {
			e[i] = m[i] &^ l4[i]
		}
		st.ports = &portSet{mask: pm, early: wordsOf(e), count: make(map[uint32]int32)}
	}
	return st
}

// before reports whether a is looked at before b within a bucket.
func before(a, b *Rule) bool {
	return a.Priority > b.Priority || a.Priority == b.Priority && a.seq < b.seq
}

func (st *subtable) add(r *Rule) {
	v := r.Match.Flow.Bytes()
	h := hashWords(v, st.words)
	b := st.buckets[h]
	i := len(b)
	for i > 0 && before(r, b[i-1]) {
		i--
	}
	st.buckets[h] = slices.Insert(b, i, r)
	for i := range st.stages {
		st.stages[i].set[hashWords(v, st.stages[i].words)]++
	}
	if st.ports != nil {
		st.ports.add(portsOf(v) & st.ports.mask)
	}
	st.priorities[r.Priority]++
	if st.n == 0 || r.Priority > st.maxPriority {
		st.maxPriority = r.Priority
	}
	st.n++
}

// remove drops r, reporting whether it was there.
func (st *subtable) remove(r *Rule) bool {
	v := r.Match.Flow.Bytes()
	h := hashWords(v, st.words)
	b := st.buckets[h]
	i := slices.Index(b, r)
	if i < 0 {
		return false
	}
	if len(b) == 1 {
		delete(st.buckets, h)
	} else {
		st.buckets[h] = slices.Delete(b, i, i+1)
	}
	for i := range st.stages {
		set := st.stages[i].set
		k := hashWords(v, st.stages[i].words)
		if set[k]--; set[k] == 0 {
			delete(set, k)
		}
	}
	if st.ports != nil {
		st.ports.remove(portsOf(v) & st.ports.mask)
	}
	if st.priorities[r.Priority]--; st.priorities[r.Priority] == 0 {
		delete(st.priorities, r.Priority)
		if r.Priority == st.maxPriority {
			st.maxPriority = 0
			for p := range st.priorities {
				st.maxPriority = max(st.maxPriority, p)
			}
		}
	}
	st.n--
	return true
}

// tupleSpace is a table's subtables, in lookup order.
type tupleSpace struct {
	subtables []*subtable
	byMask    map[mf.Flow]*subtable
	created   uint64
}

func (ts *tupleSpace) add(r *Rule) {
	st := ts.byMask[r.Match.Mask]
	if st == nil {
		if ts.byMask == nil {
			ts.byMask = make(map[mf.Flow]*subtable)
		}
		ts.created++
		st = newSubtable(&r.Match.Mask, ts.created)
		ts.byMask[r.Match.Mask] = st
		ts.subtables = append(ts.subtables, st)
	}
	old := st.maxPriority
	st.add(r)
	if st.n == 1 || st.maxPriority != old {
		ts.sort()
	}
}

func (ts *tupleSpace) remove(r *Rule) {
	st := ts.byMask[r.Match.Mask]
	if st == nil {
		return
	}
	old := st.maxPriority
	if !st.remove(r) {
		return
	}
	if st.n == 0 {
		delete(ts.byMask, r.Match.Mask)
		ts.subtables = slices.DeleteFunc(ts.subtables, func(s *subtable) bool { return s == st })
	} else if st.maxPriority != old {
		ts.sort()
	}
}

// sort puts the subtables in lookup order. Their number is the number of
// distinct masks, small next to the number of rules.
func (ts *tupleSpace) sort() {
	slices.SortFunc(ts.subtables, func(a, b *subtable) int {
		if a.maxPriority != b.maxPriority {
			return int(b.maxPriority) - int(a.maxPriority)
		}
		return int(a.order - b.order)
	})
}

// lookup returns the best rule matching flow and, if wc is not nil, ORs
// into it the bits the answer depended on. It does not allocate.
func (ts *tupleSpace) lookup(flow *mf.Flow, wc *mf.Flow) *Rule {
	f := flow.Bytes()
	var best *Rule
	for _, st := range ts.subtables {
		// As in OVS, a subtable that cannot beat the rule found is not
		// looked at; equal priorities go to the earlier subtable.
		if best != nil && best.Priority >= st.maxPriority {
			break
		}
		if !st.prefixesMatch(f, wc) {
			continue
		}
		var found *Rule
		for _, r := range st.buckets[hashWords(f, st.words)] {
			if best != nil && !before(r, best) {
				break
			}
			if matchesWords(r.Match.Flow.Bytes(), f, st.words) {
				found = r
				break
			}
		}
		if found != nil {
			best = found
		}
		if wc != nil {
			st.unwildcard(f, wc, found != nil)
		}
	}
	return best
}

// unwildcard adds to wc the bits of st's mask the lookup of f depended on:
// all of them, unless no rule was found and a prefix of the ports tells f
// from every rule.
func (st *subtable) unwildcard(f *[flowSize]byte, wc *mf.Flow, found bool) {
	if !found && st.ports != nil {
		if bits, ok := st.ports.prefix(portsOf(f) & st.ports.mask); ok {
			orWords(wc.Bytes(), st.ports.early)
			orPorts(wc.Bytes(), st.ports.mask&^(1<<(32-bits)-1))
			return
		}
	}
	orWords(wc.Bytes(), st.words)
}

// prefixesMatch reports whether some rule of st agrees with f up to every
// stage; if none does, it adds to wc the bits up to the stage that rules
// st out.
func (st *subtable) prefixesMatch(f *[flowSize]byte, wc *mf.Flow) bool {
	for i := range st.stages {
		sp := &st.stages[i]
		if _, ok := sp.set[hashWords(f, sp.words)]; !ok {
			if wc != nil {
				orWords(wc.Bytes(), sp.words)
			}
			return false
		}
	}
	return true
}

func orWords(dst *[flowSize]byte, ws []maskWord) {
	for _, w := range ws {
		binary.NativeEndian.PutUint64(dst[w.off:], binary.NativeEndian.Uint64(dst[w.off:])|w.mask)
	}
}

// matchesWords reports whether f equals v under ws.
func matchesWords(v, f *[flowSize]byte, ws []maskWord) bool {
	for _, w := range ws {
		if (binary.NativeEndian.Uint64(v[w.off:])^binary.NativeEndian.Uint64(f[w.off:]))&w.mask != 0 {
			return false
		}
	}
	return true
}
