package coverage

import (
	"encoding/binary"
	"math/bits"
	"sort"
)

// The coverage hash fingerprints which counters were hit and how they rank,
// so two reports can be compared at a glance. It reproduces OVS's value
// (from its portable, murmur3-style hash), so our hash= field matches what
// OVS would print for the same totals.

func mhashAdd(h, data uint32) uint32 {
	if data != 0 {
		data *= 0xcc9e2d51
		data = bits.RotateLeft32(data, 15)
		data *= 0x1b873593
		h ^= data
	}
	h = bits.RotateLeft32(h, 13)
	return h*5 + 0xe6546b64
}

func mhashFinish(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func hashFinish(h, final uint32) uint32 { return mhashFinish(h ^ final) }

// hashInt mixes x into basis (two 32-bit words: x, then basis).
func hashInt(x, basis uint32) uint32 {
	return hashFinish(mhashAdd(mhashAdd(x, 0), basis), 8)
}

// hashString hashes s's bytes as little-endian 32-bit words, the tail
// zero-padded.
func hashString(s string, basis uint32) uint32 {
	h := basis
	b := []byte(s)
	for len(b) >= 4 {
		h = mhashAdd(h, binary.LittleEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) > 0 {
		var tail [4]byte
		copy(tail[:], b)
		h = mhashAdd(h, binary.LittleEndian.Uint32(tail[:]))
	}
	return hashFinish(h, uint32(len(s)))
}

// hashLocked ranks the counters by total (descending, then by name), and
// hashes each group of equal non-zero totals: its starting rank, then its
// names. Requires registry.mu.
func hashLocked() uint32 {
	type entry struct {
		name  string
		total uint64
	}
	cs := make([]entry, len(registry.counters))
	for i, c := range registry.counters {
		cs[i] = entry{c.name, c.total.Load()}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].total != cs[j].total {
			return cs[i].total > cs[j].total
		}
		return cs[i].name < cs[j].name
	})
	var h uint32
	groups := 0
	for i := 0; i < len(cs) && cs[i].total != 0; {
		groups++
		h = hashInt(uint32(i), h)
		j := i
		for ; j < len(cs) && cs[j].total == cs[i].total; j++ {
			h = hashString(cs[j].name, h)
		}
		i = j
	}
	return hashInt(uint32(groups), h)
}
