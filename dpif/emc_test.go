package dpif

import (
	"testing"
	"time"
)

func emcKey(i int) FlowKey {
	var k FlowKey
	k.SetInPort(1)
	k.SetNwSrc(uint32(i))
	return k
}

func TestEMCHitMiss(t *testing.T) {
	c := new(EMC)
	var cls Classifier
	m := ExactMask()
	k := emcKey(1)
	f, _ := cls.Insert(NewMegaflow(&k, &m, "out:2"))
	h := EMCHash(&k)
	if c.Lookup(&k, h) != nil {
		t.Fatal("hit in an empty cache")
	}
	c.Insert(&k, h, f)
	if c.Lookup(&k, h) != f || c.Len() != 1 {
		t.Fatal("miss after insert")
	}
	// Same hash, other key: a miss (the key is compared, not just the hash).
	k2 := emcKey(2)
	if c.Lookup(&k2, h) != nil {
		t.Fatal("hit on a different key with the same hash")
	}
	// Re-inserting the same key replaces the flow in place.
	g, _ := cls.Insert(NewMegaflow(&k2, &m, "out:3"))
	c.Insert(&k, h, g)
	if c.Lookup(&k, h) != g || c.Len() != 1 {
		t.Fatal("re-insert did not replace in place")
	}
	c.Clear()
	if c.Lookup(&k, h) != nil || c.Len() != 0 {
		t.Fatal("Clear left entries")
	}
}

func TestEMCInvalidatedByRemove(t *testing.T) {
	c := new(EMC)
	var cls Classifier
	m := ExactMask()
	k := emcKey(1)
	f, _ := cls.Insert(NewMegaflow(&k, &m, nil))
	h := EMCHash(&k)
	c.Insert(&k, h, f)
	cls.Remove(f)
	if c.Lookup(&k, h) != nil {
		t.Fatal("hit on a removed megaflow")
	}
	if c.entries[h&emcMask].flow != nil {
		t.Fatal("the dead entry was not freed on lookup")
	}
}

// TestEMCTwoWays fills both slots a hash may use: a third key evicts one,
// preferring a slot whose flow died.
func TestEMCTwoWays(t *testing.T) {
	c := new(EMC)
	var cls Classifier
	m := ExactMask()
	const h = 0x00a5_0123 // slots 0x0123 and 0x0528
	k1, k2, k3 := emcKey(1), emcKey(2), emcKey(3)
	f1, _ := cls.Insert(NewMegaflow(&k1, &m, 1))
	f2, _ := cls.Insert(NewMegaflow(&k2, &m, 2))
	f3, _ := cls.Insert(NewMegaflow(&k3, &m, 3))
	c.Insert(&k1, h, f1)
	c.Insert(&k2, h, f2)
	if c.Lookup(&k1, h) != f1 || c.Lookup(&k2, h) != f2 {
		t.Fatal("two keys of one hash do not both fit")
	}
	cls.Remove(f1)
	c.Insert(&k3, h, f3)
	if c.Lookup(&k3, h) != f3 || c.Lookup(&k2, h) != f2 {
		t.Fatal("insert did not take the dead slot")
	}
	k4 := emcKey(4)
	f4, _ := cls.Insert(NewMegaflow(&k4, &m, 4))
	c.Insert(&k4, h, f4)
	if c.Lookup(&k4, h) != f4 || c.Len() != 2 {
		t.Fatal("a full bucket pair did not evict one entry")
	}
	if (c.Lookup(&k2, h) == nil) == (c.Lookup(&k3, h) == nil) {
		t.Fatal("exactly one of the older keys should have been evicted")
	}
}

func TestEMCSlowSweep(t *testing.T) {
	c := new(EMC)
	var cls Classifier
	m := ExactMask()
	for i := range 1000 {
		k := emcKey(i)
		f, _ := cls.Insert(NewMegaflow(&k, &m, nil))
		c.Insert(&k, EMCHash(&k), f)
	}
	cls.Flush()
	for range EMCEntries / emcSweepEntries {
		c.SlowSweep()
	}
	for i := range c.entries {
		if c.entries[i].flow != nil {
			t.Fatalf("entry %d still points at a dead flow after a full sweep", i)
		}
	}
}

func TestMegaflowStats(t *testing.T) {
	var k FlowKey
	m := ExactMask()
	f := NewMegaflow(&k, &m, nil)
	if s := f.Stats(); s != (MegaflowStats{}) {
		t.Fatalf("new flow stats %+v", s)
	}
	t1 := time.Unix(100, 5e6)
	f.Account(2, 120, 0x002, t1)
	f.Account(1, 60, 0x010, t1.Add(time.Second))
	f.Account(1, 60, 0, t1.Add(2*time.Second))
	want := MegaflowStats{Packets: 4, Bytes: 240, Used: t1.Add(2 * time.Second), TCPFlags: 0x012}
	if s := f.Stats(); !s.Used.Equal(want.Used) || s.Packets != 4 || s.Bytes != 240 || s.TCPFlags != 0x012 {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
	f.ClearStats()
	if s := f.Stats(); s != (MegaflowStats{}) {
		t.Fatalf("cleared stats %+v", s)
	}
}

// TestFastPathAllocations holds the per-packet path (extract, EMC hit,
// megaflow hit, accounting) at zero allocations.
func TestFastPathAllocations(t *testing.T) {
	pkt := extractCases()[0].pkt
	var cls Classifier
	var m FlowMask
	m.Fields().SetNwDst(^uint32(0))
	m.Fields().SetNwProto(^uint8(0))
	var key FlowKey
	Extract(pkt, 3, &key)
	f, _ := cls.Insert(NewMegaflow(&key, &m, nil))
	emc := new(EMC)
	emc.Insert(&key, EMCHash(&key), f)
	keys := []*FlowKey{&key}
	out := make([]*Megaflow, 1)
	now := time.Unix(1, 0)
	allocs := testing.AllocsPerRun(1000, func() {
		Extract(pkt, 3, &key)
		h := EMCHash(&key)
		if emc.Lookup(&key, h) != f || cls.Lookup(&key) != f || cls.LookupBatch(keys, out) != 1 {
			panic("fast path missed")
		}
		f.Account(1, uint64(len(pkt)), key.TCPFlags(), now)
		emc.SlowSweep()
	})
	if allocs != 0 {
		t.Fatalf("fast path allocates %.1f times per packet", allocs)
	}
}
