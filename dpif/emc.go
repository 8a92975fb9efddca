package dpif

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// EMCEntries is the number of entries of an exact-match cache, as OVS's
// EM_FLOW_HASH_ENTRIES.
const EMCEntries = 1 << emcShift

const (
	emcShift = 13
	emcMask  = EMCEntries - 1
	// emcSweepEntries is how many entries SlowSweep checks per call.
	emcSweepEntries = 64
)

// EMC is a poll goroutine's exact-match cache: full flow keys mapped to the
// megaflows they last matched, so a packet of an established flow costs one
// key compare instead of a classifier search. Each key may live in two slots
// (two-way associative, like OVS) chosen by two slices of its hash. Entries
// are never told about removals: a hit on a dead megaflow is a miss and frees
// the slot. An EMC is owned by one goroutine and is not safe for concurrent
// use; it is large (about 1.7 MiB), so allocate it once per poll goroutine.
//
// The slots' hashes are kept apart from their keys: a lookup that misses,
// which is every packet of a new connection, then reads one 32 KiB array
// that stays in the CPU's cache instead of two cold slots of the large one.
type EMC struct {
	hashes  [EMCEntries]uint32
	entries [EMCEntries]emcEntry
	sweep   int // next entry SlowSweep checks
}

type emcEntry struct {
	flow *Megaflow
	key  FlowKey
}

// emcInsertInvProbDefault is OVS's default emc-insert-inv-prob: one megaflow
// hit in 100 is cached. Caching every hit costs more than it saves when most
// flows are short (a new 5-tuple per connection): each insert writes a whole
// key into a cold slot and evicts an entry that was still useful.
const (
	emcInsertInvProbDefault = 100
	emcInsertMinDefault     = math.MaxUint32 / emcInsertInvProbDefault
)

// setEMCInsertInvProb applies other_config:emc-insert-inv-prob: N caches a
// hit with probability 1/N, 0 disables the EMC; a value that is missing, not
// a number or beyond uint32 means the default, as in OVS.
func (d *Datapath) setEMCInsertInvProb(oc map[string]string) {
	prob, err := strconv.ParseUint(oc["emc-insert-inv-prob"], 10, 64)
	if err != nil || prob > math.MaxUint32 {
		prob = emcInsertInvProbDefault
	}
	var minVal uint32
	if prob != 0 {
		minVal = uint32(math.MaxUint32 / prob)
	}
	if d.emcInsertMin.Swap(minVal) == minVal {
		return
	}
	if minVal == 0 {
		pmdLog.Info("EMC insertion probability changed to zero")
	} else {
		pmdLog.Info("EMC insertion probability changed to 1/%d (~%.2f%%)", prob, 100/float32(prob))
	}
}

// emcShouldInsert draws whether a megaflow hit goes into the EMC, given
// the datapath's emcInsertMin (OVS's emc_probabilistic_insert).
func emcShouldInsert(minVal uint32) bool {
	return minVal != 0 && rand.Uint32() <= minVal
}

func (e *emcEntry) alive() bool { return e.flow != nil && !e.flow.dead.Load() }

// EMCHash is the hash of key the EMC indexes by.
func EMCHash(key *FlowKey) uint32 { return uint32(key.Hash()) }

// Lookup returns the live megaflow cached for key (whose EMCHash is hash),
// or nil.
func (c *EMC) Lookup(key *FlowKey, hash uint32) *Megaflow {
	h := hash
	for range 2 {
		i := h & emcMask
		if c.hashes[i] == hash {
			if e := &c.entries[i]; e.flow != nil && e.key == *key {
				if e.flow.dead.Load() {
					e.flow = nil
					return nil
				}
				return e.flow
			}
		}
		h >>= emcShift
	}
	return nil
}

// Insert caches f for key. If key is already cached its flow is replaced;
// otherwise an empty or dead slot is preferred, then the slot whose hash is
// lower (a cheap pseudo-random choice, as OVS makes).
func (c *EMC) Insert(key *FlowKey, hash uint32, f *Megaflow) {
	victim := -1
	h := hash
	for range 2 {
		i := int(h & emcMask)
		e := &c.entries[i]
		if e.flow != nil && c.hashes[i] == hash && e.key == *key {
			e.flow = f
			return
		}
		if victim < 0 || c.entries[victim].alive() && (!e.alive() || c.hashes[i] < c.hashes[victim]) {
			victim = i
		}
		h >>= emcShift
	}
	c.hashes[victim] = hash
	c.entries[victim] = emcEntry{flow: f, key: *key}
}

// SlowSweep releases a few slots that point at dead megaflows, so removed
// flows do not stay reachable (and uncollected) in idle slots; the poll loop
// calls it once per iteration.
func (c *EMC) SlowSweep() {
	for range emcSweepEntries {
		if e := &c.entries[c.sweep]; e.flow != nil && e.flow.dead.Load() {
			e.flow = nil
		}
		c.sweep = (c.sweep + 1) & emcMask
	}
}

// Clear empties the cache.
func (c *EMC) Clear() {
	for i := range c.entries {
		c.entries[i].flow = nil
	}
}

// Len counts the entries that point at live megaflows.
func (c *EMC) Len() int {
	n := 0
	for i := range c.entries {
		if c.entries[i].alive() {
			n++
		}
	}
	return n
}
