package dpif

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// randomMask picks a few fields and a prefix of each, the way translation
// unwildcards fields (whole fields, address prefixes).
func randomMask(r *rand.Rand) FlowMask {
	var m FlowMask
	for range 1 + r.IntN(4) {
		f := KeyFields[r.IntN(len(KeyFields))]
		if f.Bits == 128 {
			m[f.Word] = ^uint64(0)
			m[f.Word+1] = ^uint64(0) << r.UintN(64)
			continue
		}
		bits := 1 + r.UintN(f.Bits)
		m[f.Word] |= (uint64(1)<<bits - 1) << (f.Bits - bits) << f.Shift
	}
	return m
}

// randomKey draws every word from a tiny value space, so random keys often
// match random megaflows.
func randomKey(r *rand.Rand) FlowKey {
	var k FlowKey
	for i := range k {
		if r.IntN(2) == 0 {
			k[i] = [...]uint64{0, ^uint64(0), 0x5555555555555555, 0xff00ff00ff00ff00}[r.IntN(4)]
		}
	}
	return k
}

// bruteMatch reports whether any live flow of flows matches key.
func bruteMatch(flows map[*Megaflow]bool, key *FlowKey) bool {
	for f := range flows {
		if key.Matches(&f.Key, &f.Mask) {
			return true
		}
	}
	return false
}

func TestClassifierMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	masks := make([]FlowMask, 40)
	for i := range masks {
		masks[i] = randomMask(r)
	}
	var c Classifier
	live := map[*Megaflow]bool{}
	keys := make([]*FlowKey, 50)
	out := make([]*Megaflow, len(keys))
	for round := range 200 {
		// Mostly inserts, some removes, an occasional re-rank.
		for range 20 {
			k, m := randomKey(r), masks[r.IntN(len(masks))]
			f, ok := c.Insert(NewMegaflow(&k, &m, round))
			if ok {
				live[f] = true
			} else if !live[f] {
				t.Fatal("Insert returned a flow that is not in the classifier")
			}
		}
		for f := range live {
			if r.IntN(4) == 0 {
				if !c.Remove(f) || !f.Dead() {
					t.Fatal("Remove of a live flow failed")
				}
				delete(live, f)
			}
		}
		if round%17 == 0 {
			c.Rank()
		}
		if c.Len() != len(live) {
			t.Fatalf("Len %d, want %d", c.Len(), len(live))
		}
		for i := range keys {
			k := randomKey(r)
			keys[i] = &k
		}
		found := c.LookupBatch(keys, out)
		hits := 0
		for i, k := range keys {
			f := c.Lookup(k)
			if f != out[i] {
				t.Fatalf("Lookup and LookupBatch disagree on %s", k.String())
			}
			if f == nil {
				if bruteMatch(live, k) {
					t.Fatalf("round %d: missed a matching flow for %s", round, k.String())
				}
				continue
			}
			hits++
			if !live[f] || !k.Matches(&f.Key, &f.Mask) {
				t.Fatalf("round %d: returned a flow that does not match or is dead", round)
			}
		}
		if found != hits {
			t.Fatalf("LookupBatch reported %d hits, found %d", found, hits)
		}
	}
	c.Flush()
	if c.Len() != 0 || c.Masks() != 0 || len(c.Flows()) != 0 {
		t.Fatal("Flush left flows behind")
	}
	for f := range live {
		if !f.Dead() {
			t.Fatal("Flush did not mark a flow dead")
		}
	}
}

func TestClassifierInsertRemove(t *testing.T) {
	var c Classifier
	var k FlowKey
	k.SetNwSrc(tIP4("10.1.1.1"))
	k.SetTpDst(80)
	var m FlowMask
	m.Fields().SetNwSrc(0xffffff00)

	f1 := NewMegaflow(&k, &m, "a")
	if got, ok := c.Insert(f1); got != f1 || !ok {
		t.Fatal("first insert refused")
	}
	// Same masked key: the first flow wins.
	k2 := k
	k2.SetNwSrc(tIP4("10.1.1.77"))
	f2 := NewMegaflow(&k2, &m, "b")
	if got, ok := c.Insert(f2); got != f1 || ok {
		t.Fatal("duplicate insert not refused")
	}
	if c.Lookup(&k2) != f1 || c.Lookup(&k2).Actions() != "a" {
		t.Fatal("lookup in the /24 missed")
	}
	f1.SetActions("c")
	if c.Lookup(&k).Actions() != "c" {
		t.Fatal("SetActions not seen")
	}
	if c.Remove(f2) {
		t.Fatal("removed a flow that was never inserted")
	}
	if !c.Remove(f1) || c.Remove(f1) || c.Lookup(&k) != nil || c.Masks() != 0 {
		t.Fatal("remove did not take the flow and its subtable away")
	}
	if got, ok := c.Insert(f1); got != f1 || !ok || f1.Dead() || c.Lookup(&k) != f1 {
		t.Fatal("re-insert of a removed flow failed")
	}
}

func TestClassifierGrowsAndRanks(t *testing.T) {
	var c Classifier
	var exact, byPort FlowMask = ExactMask(), FlowMask{}
	byPort.Fields().SetTpDst(0xffff)
	for i := range 10000 {
		var k FlowKey
		k.SetNwSrc(uint32(i))
		c.Insert(NewMegaflow(&k, &exact, i))
	}
	var p FlowKey
	p.SetTpDst(443)
	pf, _ := c.Insert(NewMegaflow(&p, &byPort, "port"))
	for i := range 10000 {
		var k FlowKey
		k.SetNwSrc(uint32(i))
		if f := c.Lookup(&k); f == nil || f.Actions() != i {
			t.Fatalf("flow %d lost after growth", i)
		}
	}
	if c.list.Load().subtables[0].mask != exact {
		t.Fatal("subtables not in insertion order before ranking")
	}
	for range 20000 {
		c.Lookup(&p)
	}
	c.Rank()
	if c.list.Load().subtables[0].mask != byPort {
		t.Fatal("Rank did not move the busier subtable first")
	}
	if c.Lookup(&p) != pf || c.Len() != 10001 || c.Masks() != 2 || len(c.Flows()) != 10001 {
		t.Fatal("classifier inconsistent after ranking")
	}
}

func TestLookupBatchLong(t *testing.T) {
	var c Classifier
	var m FlowMask
	m.Fields().SetInPort(^uint32(0))
	keys := make([]*FlowKey, 150)
	for i := range keys {
		k := new(FlowKey)
		k.SetInPort(uint32(i))
		keys[i] = k
		if i%3 == 0 {
			c.Insert(NewMegaflow(k, &m, i))
		}
	}
	out := make([]*Megaflow, len(keys))
	if n := c.LookupBatch(keys, out); n != 50 {
		t.Fatalf("found %d, want 50", n)
	}
	for i, f := range out {
		if (f != nil) != (i%3 == 0) || f != nil && f.Actions() != i {
			t.Fatalf("key %d: wrong result", i)
		}
	}
}

// TestClassifierConcurrent has readers look up while a writer inserts and
// removes: readers must only ever see matching flows, and once Remove has
// returned nobody may find the removed flow.
func TestClassifierConcurrent(t *testing.T) {
	var c Classifier
	masks := []FlowMask{ExactMask(), {}, {}}
	masks[1].Fields().SetNwSrc(0xffffff00)
	masks[2].Fields().SetTpDst(0xffff)
	key := func(i int) FlowKey {
		var k FlowKey
		k.SetNwSrc(uint32(i))
		k.SetTpDst(uint16(i % 97))
		return k
	}
	var stop atomic.Bool
	var accounted atomic.Uint64
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			emc := new(EMC)
			keys := make([]*FlowKey, 32)
			out := make([]*Megaflow, 32)
			var n uint64
			defer func() { accounted.Add(n) }()
			for !stop.Load() {
				for i := range keys {
					k := key(r.IntN(2000))
					keys[i] = &k
				}
				c.LookupBatch(keys, out)
				for i, f := range out {
					h := EMCHash(keys[i])
					if cached := emc.Lookup(keys[i], h); cached != nil && r.IntN(2) == 0 {
						f = cached
					} else if f != nil {
						emc.Insert(keys[i], h, f)
					}
					if f == nil {
						continue
					}
					if !keys[i].Matches(&f.Key, &f.Mask) {
						t.Error("lookup returned a flow that does not match")
						return
					}
					f.Account(1, 60, 0x02, time.Unix(1, 0))
					n++
				}
				emc.SlowSweep()
				if r.IntN(64) == 0 {
					c.Rank()
				}
			}
		})
	}
	r := rand.New(rand.NewPCG(7, 7))
	var flows, all []*Megaflow
	for range 20000 {
		if len(flows) > 0 && r.IntN(3) == 0 {
			j := r.IntN(len(flows))
			f := flows[j]
			flows[j] = flows[len(flows)-1]
			flows = flows[:len(flows)-1]
			c.Remove(f)
			if got := c.Lookup(&f.Key); got == f {
				t.Fatal("removed flow still found")
			}
			continue
		}
		k := key(r.IntN(2000))
		if f, ok := c.Insert(NewMegaflow(&k, &masks[r.IntN(len(masks))], nil)); ok {
			flows = append(flows, f)
			all = append(all, f)
		}
	}
	stop.Store(true)
	wg.Wait()
	if c.Len() != len(flows) {
		t.Fatalf("Len %d, want %d", c.Len(), len(flows))
	}
	var packets, bytes uint64
	for _, f := range all {
		s := f.Stats()
		packets += s.Packets
		bytes += s.Bytes
	}
	if packets != accounted.Load() || bytes != 60*packets {
		t.Fatalf("flows counted %d packets (%d bytes), readers accounted %d", packets, bytes, accounted.Load())
	}
}
