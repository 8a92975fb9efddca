package dpif

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// Classifier is the megaflow cache: tuple space search over one subtable per
// distinct mask, each a hash table of masked keys. Subtables are probed in
// rank order (most hits since the last Rank first), so the usual traffic
// resolves in the first probe or two. The zero Classifier is empty and ready.
//
// Lock discipline: mu serializes the writers (Insert, Remove, Rank, Flush)
// and guards byMask, nflows and each subtable's nflows and lastHits. Lookups
// take no lock: they load the immutable subtable list and each subtable's
// bucket array through atomic pointers and follow atomic chain links, so a
// writer only ever publishes a new list, a new bucket array or a new link.
// Remove marks the flow dead before unlinking it, and lookups skip dead
// flows, so a reader still walking an old array never returns a removed flow
// once Remove has returned.
type Classifier struct {
	list atomic.Pointer[subtableList]

	mu     sync.Mutex
	byMask map[FlowMask]*subtable
	nflows int
}

// subtableList is an immutable ranked snapshot of the subtables.
type subtableList struct{ subtables []*subtable }

// subtable holds the flows of one mask.
type subtable struct {
	mask  FlowMask
	words []uint8 // indices of the words where mask is nonzero
	table atomic.Pointer[flowBuckets]

	nflows   int    // mu
	lastHits uint64 // mu: hits when last ranked

	// hits is written by every poll goroutine; keep it off the cache line
	// the lookups read.
	_    [64]byte
	hits atomic.Uint64
	_    [56]byte
}

// flowBuckets is a power-of-two array of chains.
type flowBuckets struct {
	mask  uint64
	heads []atomic.Pointer[flowNode]
}

type flowNode struct {
	hash uint64
	flow *Megaflow
	next atomic.Pointer[flowNode]
}

// minFlowBuckets is a new subtable's bucket count; tables double when they
// hold more flows than buckets.
const minFlowBuckets = 8

// lookupChunk is how many keys LookupBatch resolves per bitmap.
const lookupChunk = 64

func newSubtable(mask *FlowMask) *subtable {
	st := &subtable{mask: *mask}
	for i, w := range mask {
		if w != 0 {
			st.words = append(st.words, uint8(i))
		}
	}
	st.table.Store(newFlowBuckets(minFlowBuckets))
	return st
}

func newFlowBuckets(n int) *flowBuckets {
	return &flowBuckets{mask: uint64(n - 1), heads: make([]atomic.Pointer[flowNode], n)}
}

// find returns the live flow whose masked key matches key, which hashes to h
// under this subtable's mask.
func (st *subtable) find(key *FlowKey, h uint64) *Megaflow {
	tbl := st.table.Load()
	for n := tbl.heads[h&tbl.mask].Load(); n != nil; n = n.next.Load() {
		if n.hash == h && st.matches(key, &n.flow.Key) && !n.flow.dead.Load() {
			return n.flow
		}
	}
	return nil
}

// matches compares key under the mask with a masked key, word by word over
// the words the mask keeps (the others are zero in both).
func (st *subtable) matches(key, masked *FlowKey) bool {
	for _, i := range st.words {
		if key[i]&st.mask[i] != masked[i] {
			return false
		}
	}
	return true
}

// grow doubles the bucket array. Readers may still walk the old one, so
// nodes are copied, never relinked. Called with mu held.
func (st *subtable) grow() {
	old := st.table.Load()
	tbl := newFlowBuckets(2 * len(old.heads))
	for i := range old.heads {
		for n := old.heads[i].Load(); n != nil; n = n.next.Load() {
			c := &flowNode{hash: n.hash, flow: n.flow}
			b := &tbl.heads[n.hash&tbl.mask]
			c.next.Store(b.Load())
			b.Store(c)
		}
	}
	st.table.Store(tbl)
}

// Insert adds f unless a flow with the same mask and masked key is already
// there. It returns the flow now in the classifier and whether that is f;
// two poll goroutines that miss on the same packet both end up using the
// first one's flow. A flow removed earlier may be inserted again.
func (c *Classifier) Insert(f *Megaflow) (*Megaflow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byMask == nil {
		c.byMask = make(map[FlowMask]*subtable)
	}
	if masked := f.Key.Masked(&f.Mask); masked != f.Key {
		f.Key = masked
	}
	st := c.byMask[f.Mask]
	if st == nil {
		st = newSubtable(&f.Mask)
		c.byMask[f.Mask] = st
		var subs []*subtable
		if l := c.list.Load(); l != nil {
			subs = append(subs, l.subtables...)
		}
		c.list.Store(&subtableList{append(subs, st)})
	}
	h := f.Key.maskedHash(&st.mask, st.words)
	tbl := st.table.Load()
	b := &tbl.heads[h&tbl.mask]
	for n := b.Load(); n != nil; n = n.next.Load() {
		if n.hash == h && n.flow.Key == f.Key {
			return n.flow, false
		}
	}
	f.dead.Store(false)
	n := &flowNode{hash: h, flow: f}
	n.next.Store(b.Load())
	b.Store(n)
	st.nflows++
	c.nflows++
	if st.nflows > len(tbl.heads) {
		st.grow()
	}
	return f, true
}

// Remove takes f out of the classifier and marks it dead, so exact-match
// caches drop it on their next hit. It reports false if f was not there.
func (c *Classifier) Remove(f *Megaflow) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.byMask[f.Mask]
	if st == nil {
		return false
	}
	h := f.Key.maskedHash(&st.mask, st.words)
	tbl := st.table.Load()
	link := &tbl.heads[h&tbl.mask]
	for n := link.Load(); n != nil; n = n.next.Load() {
		if n.flow == f {
			f.dead.Store(true)
			link.Store(n.next.Load())
			st.nflows--
			c.nflows--
			if st.nflows == 0 {
				c.dropSubtable(st)
			}
			return true
		}
		link = &n.next
	}
	return false
}

// dropSubtable unpublishes an empty subtable. Called with mu held.
func (c *Classifier) dropSubtable(st *subtable) {
	delete(c.byMask, st.mask)
	old := c.list.Load().subtables
	subs := make([]*subtable, 0, len(old)-1)
	for _, s := range old {
		if s != st {
			subs = append(subs, s)
		}
	}
	c.list.Store(&subtableList{subs})
}

// Flush removes every flow, marking each dead.
func (c *Classifier) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forEach(func(f *Megaflow) { f.dead.Store(true) })
	c.list.Store(nil)
	c.byMask = nil
	c.nflows = 0
}

// forEach calls fn on every flow. Called with mu held.
func (c *Classifier) forEach(fn func(*Megaflow)) {
	l := c.list.Load()
	if l == nil {
		return
	}
	for _, st := range l.subtables {
		tbl := st.table.Load()
		for i := range tbl.heads {
			for n := tbl.heads[i].Load(); n != nil; n = n.next.Load() {
				fn(n.flow)
			}
		}
	}
}

// Flows returns every flow, subtable by subtable in rank order.
func (c *Classifier) Flows() []*Megaflow {
	c.mu.Lock()
	defer c.mu.Unlock()
	flows := make([]*Megaflow, 0, c.nflows)
	c.forEach(func(f *Megaflow) { flows = append(flows, f) })
	return flows
}

// Len is the number of flows.
func (c *Classifier) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nflows
}

// Masks is the number of subtables (distinct masks).
func (c *Classifier) Masks() int {
	if l := c.list.Load(); l != nil {
		return len(l.subtables)
	}
	return 0
}

// Rank re-sorts the subtables by hits since the previous Rank, most first;
// the poll loop calls it periodically (OVS does so every second).
func (c *Classifier) Rank() {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.list.Load()
	if l == nil {
		return
	}
	type ranked struct {
		st    *subtable
		delta uint64
	}
	rs := make([]ranked, len(l.subtables))
	for i, st := range l.subtables {
		h := st.hits.Load()
		rs[i] = ranked{st, h - st.lastHits}
		st.lastHits = h
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(b.delta, a.delta) })
	subs := make([]*subtable, len(rs))
	for i, r := range rs {
		subs[i] = r.st
	}
	c.list.Store(&subtableList{subs})
}

// Lookup returns a flow matching key, or nil. If flows of several masks
// match (translation normally prevents that), the best-ranked one wins.
func (c *Classifier) Lookup(key *FlowKey) *Megaflow {
	l := c.list.Load()
	if l == nil {
		return nil
	}
	for _, st := range l.subtables {
		if f := st.find(key, key.maskedHash(&st.mask, st.words)); f != nil {
			st.hits.Add(1)
			return f
		}
	}
	return nil
}

// LookupBatch sets flows[i] to a flow matching keys[i], or nil, and returns
// how many matched. Like OVS's dpcls it probes one subtable for every
// unresolved key before moving to the next, and counts hits once per
// subtable per batch. flows must be at least as long as keys.
func (c *Classifier) LookupBatch(keys []*FlowKey, flows []*Megaflow) int {
	flows = flows[:len(keys)]
	clear(flows)
	l := c.list.Load()
	if l == nil {
		return 0
	}
	found := 0
	for base := 0; base < len(keys); base += lookupChunk {
		chunk := keys[base:min(base+lookupChunk, len(keys))]
		out := flows[base:]
		todo := ^uint64(0) >> (64 - len(chunk))
		for _, st := range l.subtables {
			var hits uint64
			for m := todo; m != 0; m &= m - 1 {
				i := bits.TrailingZeros64(m)
				k := chunk[i]
				if f := st.find(k, k.maskedHash(&st.mask, st.words)); f != nil {
					out[i] = f
					todo &^= 1 << i
					hits++
				}
			}
			if hits != 0 {
				st.hits.Add(hits)
				found += int(hits)
			}
			if todo == 0 {
				break
			}
		}
	}
	return found
}
