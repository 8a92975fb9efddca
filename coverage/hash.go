package coverage

import (
	"sort"

	"github.com/govswitchd/govswitchd/ovshash"
)

// The coverage hash fingerprints which counters were hit and how they rank,
// so two reports can be compared at a glance. It reproduces OVS's value
// (from its portable, murmur3-style hash), so our hash= field matches what
// OVS would print for the same totals.

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
		h = ovshash.Words2(uint32(i), h)
		j := i
		for ; j < len(cs) && cs[j].total == cs[i].total; j++ {
			h = ovshash.Bytes([]byte(cs[j].name), h)
		}
		i = j
	}
	return ovshash.Words2(uint32(groups), h)
}
