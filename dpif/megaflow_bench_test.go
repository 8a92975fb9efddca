package dpif

import (
	"fmt"
	"testing"
	"time"
)

func BenchmarkExtract(b *testing.B) {
	for _, c := range extractCases()[:1] {
		var k FlowKey
		b.SetBytes(int64(len(c.pkt)))
		b.ReportAllocs()
		for b.Loop() {
			Extract(c.pkt, 3, &k)
		}
	}
}

func BenchmarkExtractIPv6ND(b *testing.B) {
	var pkt []byte
	for _, c := range extractCases() {
		if c.name == "nd neighbor advertisement with tll after an unknown option" {
			pkt = c.pkt
		}
	}
	var k FlowKey
	b.ReportAllocs()
	for b.Loop() {
		Extract(pkt, 3, &k)
	}
}

func BenchmarkEMCHit(b *testing.B) {
	var cls Classifier
	emc := new(EMC)
	m := ExactMask()
	keys := make([]FlowKey, 1024)
	for i := range keys {
		keys[i] = emcKey(i)
		f, _ := cls.Insert(NewMegaflow(&keys[i], &m, nil))
		emc.Insert(&keys[i], EMCHash(&keys[i]), f)
	}
	// Keep the keys that survived collisions in the two-way cache.
	hit := keys[:0]
	for _, k := range keys {
		if emc.Lookup(&k, EMCHash(&k)) != nil {
			hit = append(hit, k)
		}
	}
	keys = hit
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := &keys[i%len(keys)]
		if emc.Lookup(k, EMCHash(k)) == nil {
			b.Fatal("miss")
		}
		i++
	}
}

// benchClassifier has n flows spread over masks distinct masks; every mask
// also matches nw_src exactly and key i carries nw_src i, so each key
// matches exactly one flow and a lookup probes subtables until it finds it.
func benchClassifier(masks, n int) (*Classifier, []*FlowKey) {
	c := new(Classifier)
	keys := make([]*FlowKey, n)
	for i := range n {
		var m FlowMask
		m.Fields().SetPktMark(uint32(i%masks) + 1)
		m.Fields().SetNwSrc(^uint32(0))
		k := new(FlowKey)
		k.SetPktMark(0xffffffff)
		k.SetNwSrc(uint32(i))
		keys[i] = k
		if _, ok := c.Insert(NewMegaflow(k, &m, i)); !ok {
			panic("duplicate bench flow")
		}
	}
	if c.Masks() != masks {
		panic(fmt.Sprintf("%d masks, want %d", c.Masks(), masks))
	}
	return c, keys
}

func BenchmarkMegaflowLookup(b *testing.B) {
	for _, tc := range []struct{ masks, flows int }{
		{1, 1}, {1, 10}, {1, 100}, {1, 10000},
		{10, 10}, {100, 100}, {10000, 10000},
	} {
		c, keys := benchClassifier(tc.masks, tc.flows)
		b.Run(fmt.Sprintf("masks=%d/flows=%d", tc.masks, tc.flows), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if c.Lookup(keys[i%len(keys)]) == nil {
					b.Fatal("miss")
				}
				i++
			}
		})
	}
}

// BenchmarkMegaflowLookupBatch looks up batches of 32 keys that all hit the
// same (best-ranked) subtable among masks, the common case after Rank.
func BenchmarkMegaflowLookupBatch(b *testing.B) {
	for _, masks := range []int{1, 10, 100, 10000} {
		c, keys := benchClassifier(masks, masks)
		hot := keys[:1]
		for range 1000 {
			c.Lookup(hot[0])
		}
		c.Rank()
		batch := make([]*FlowKey, BatchSize)
		for i := range batch {
			batch[i] = hot[0]
		}
		out := make([]*Megaflow, BatchSize)
		b.Run(fmt.Sprintf("masks=%d", masks), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.LookupBatch(batch, out) != BatchSize {
					b.Fatal("miss")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*BatchSize), "ns/pkt")
		})
	}
}

func BenchmarkFastPath(b *testing.B) {
	pkt := extractCases()[0].pkt
	var cls Classifier
	var m FlowMask
	m.Fields().SetNwDst(^uint32(0))
	var key FlowKey
	Extract(pkt, 3, &key)
	f, _ := cls.Insert(NewMegaflow(&key, &m, nil))
	emc := new(EMC)
	emc.Insert(&key, EMCHash(&key), f)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		Extract(pkt, 3, &key)
		if g := emc.Lookup(&key, EMCHash(&key)); g != nil {
			g.Account(1, uint64(len(pkt)), key.TCPFlags(), now)
		}
	}
}

// BenchmarkEMCMiss looks up keys that are not cached in full EMCs, as every
// packet of a new connection does. Several EMCs (as several poll
// goroutines have) make the working set larger than a CPU cache, as a busy
// switch's is.
func BenchmarkEMCMiss(b *testing.B) {
	const nEMC = 16
	var cls Classifier
	m := ExactMask()
	emcs := make([]*EMC, nEMC)
	for j := range emcs {
		emcs[j] = new(EMC)
		for i := range EMCEntries {
			k := emcKey(j*EMCEntries + i)
			f, _ := cls.Insert(NewMegaflow(&k, &m, nil))
			emcs[j].Insert(&k, EMCHash(&k), f)
		}
	}
	misses := make([]FlowKey, 4096)
	hashes := make([]uint32, len(misses))
	for i := range misses {
		misses[i] = emcKey(nEMC*EMCEntries + i)
		hashes[i] = EMCHash(&misses[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if emcs[i%nEMC].Lookup(&misses[i%len(misses)], hashes[i%len(misses)]) != nil {
			b.Fatal("hit")
		}
		i++
	}
}
