package ofproto

import (
	"math/bits"
	"slices"
	"sync"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// portSet is the transport ports of a subtable's rules, each as one 32-bit
// value (tp_src in the high half, tp_dst in the low, as OVS's ports trie
// keys them) under the subtable's port mask. It answers how many leading
// bits of a flow's ports tell them from every rule's.
type portSet struct {
	mask  uint32
	early []maskWord // the subtable's mask without its L4 stage
	count map[uint32]int32

	// sorted is count's keys in order, rebuilt on first use after a
	// change: lookups run concurrently under the bridge's read lock.
	mu     sync.Mutex
	sorted []uint32
	dirty  bool
}

func (ps *portSet) add(v uint32) {
	ps.mu.Lock()
	if ps.count[v]++; ps.count[v] == 1 {
		ps.dirty = true
	}
	ps.mu.Unlock()
}

func (ps *portSet) remove(v uint32) {
	ps.mu.Lock()
	if ps.count[v]--; ps.count[v] <= 0 {
		delete(ps.count, v)
		ps.dirty = true
	}
	ps.mu.Unlock()
}

// prefix returns how many leading bits of v (masked ports) differ from
// every rule's by their last one, as OVS's trie lookup counts them; ok is
// false when v agrees with some rule on every bit the mask covers, and the
// whole mask is needed.
func (ps *portSet) prefix(v uint32) (n int, ok bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.dirty {
		ps.sorted = ps.sorted[:0]
		for k := range ps.count {
			ps.sorted = append(ps.sorted, k)
		}
		slices.Sort(ps.sorted)
		ps.dirty = false
	}
	// The value sharing the longest prefix with v is next to where v
	// would sort.
	i, _ := slices.BinarySearch(ps.sorted, v)
	common := -1
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(ps.sorted) {
			common = max(common, bits.LeadingZeros32(v^ps.sorted[j]))
		}
	}
	if common < 0 || common >= 32-bits.TrailingZeros32(ps.mask) {
		return 0, false
	}
	return common + 1, true
}

// tpSrcOff and tpDstOff are where the transport ports sit in the flow
// layout, big-endian.
var tpSrcOff, tpDstOff = func() (int, int) {
	find := func(id mf.FieldID) int {
		var m mf.Flow
		markField(&m, id)
		for i, b := range m.Bytes() {
			if b != 0 {
				return i
			}
		}
		panic("no flow bytes for a transport port")
	}
	return find(mf.TCPSrc), find(mf.TCPDst)
}()

// portsOf is f's transport ports as one value.
func portsOf(f *[flowSize]byte) uint32 {
	return uint32(f[tpSrcOff])<<24 | uint32(f[tpSrcOff+1])<<16 | uint32(f[tpDstOff])<<8 | uint32(f[tpDstOff+1])
}

// orPorts sets the bits of m, a ports value, in the mask f.
func orPorts(f *[flowSize]byte, m uint32) {
	f[tpSrcOff] |= byte(m >> 24)
	f[tpSrcOff+1] |= byte(m >> 16)
	f[tpDstOff] |= byte(m >> 8)
	f[tpDstOff+1] |= byte(m)
}
