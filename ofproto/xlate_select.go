package ofproto

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Select groups pick their bucket the way OVS 3.1's userspace datapath
// does. Without a selection method, or with "dp_hash", the group uses
// the datapath's hash: the first translation (dp_hash still 0) ends with
// hash(...) and a recirculation that continues at the group itself, and
// the recirculated packet's dp_hash then indexes a table of hash values
// spread over the buckets by weight. Only the dp_hash bits that table
// uses are matched, so one megaflow per bucket slot serves every flow,
// and the first pass matches no L3/L4 field at all. When the weights need
// too many hash values, and for the "hash" method, the bucket is picked
// in the slow path from a hash of the packet's fields.

// maxSelectHashValues bounds a dp_hash table (OVS's
// MAX_SELECT_GROUP_HASH_VALUES).
const maxSelectHashValues = 256

// dpHashSelect is a select group's dp_hash configuration.
type dpHashSelect struct {
	alg, basis uint32
	mask       uint32
	slots      []int // bucket index per masked hash value
}

// groupSelectionMethod reads the NTR selection method property of a
// group: its method name ("" when absent) and parameter.
func groupSelectionMethod(props []byte) (string, uint64) {
	for len(props) >= 12 {
		n := int(binary.BigEndian.Uint16(props[2:]))
		if n < 12 || n > len(props) {
			break
		}
		if binary.BigEndian.Uint16(props) == 0xffff && binary.BigEndian.Uint32(props[4:]) == ntrVendor &&
			binary.BigEndian.Uint32(props[8:]) == ntrSelectionMethod && n >= 16+selectionMethodLength+8 {
			method := props[16 : 16+selectionMethodLength]
			if i := bytes.IndexByte(method, 0); i >= 0 {
				method = method[:i]
			}
			return string(method), binary.BigEndian.Uint64(props[16+selectionMethodLength:])
		}
		props = props[min(len(props), (n+7)&^7):]
	}
	return "", 0
}

// newDPHashSelect decides whether a select group uses dp_hash and builds
// its table, as ofproto-dpif.c's group_set_selection_method and
// group_setup_dp_hash_table do: at least 16 hash values, a power of two
// large enough that the lightest bucket gets one, handed out by the
// Webster (Sainte-Laguë) method. It returns nil for slow-path selection.
func newDPHashSelect(props []byte, buckets []bucket) *dpHashSelect {
	method, param := groupSelectionMethod(props)
	s := &dpHashSelect{alg: dpif.HashSymL4}
	maxHash := uint64(maxSelectHashValues)
	switch method {
	case "":
	case "dp_hash":
		s.alg, s.basis = uint32(param>>32), uint32(param)
		if s.alg > dpif.HashSymL4 {
			s.alg = dpif.HashL4
		}
	default:
		return nil
	}
	var total uint64
	minWeight := uint64(0xffff)
	for i := range buckets {
		w := uint64(buckets[i].Weight)
		if w > 0 && w < minWeight {
			minWeight = w
		}
		total += w
	}
	if len(buckets) == 0 || total == 0 {
		return nil
	}
	minSlots := (total + minWeight - 1) / minWeight
	nHash := uint64(16)
	for nHash < minSlots {
		nHash <<= 1
	}
	if nHash > maxHash {
		return nil
	}
	s.mask = uint32(nHash - 1)
	s.slots = make([]int, nHash)
	divisor := make([]uint32, len(buckets))
	value := make([]float64, len(buckets))
	for i := range buckets {
		divisor[i], value[i] = 1, float64(buckets[i].Weight)
	}
	for h := range s.slots {
		win := 0
		for i := 1; i < len(buckets); i++ {
			if value[i] > value[win] {
				win = i
			}
		}
		divisor[win] += 2
		value[win] = float64(buckets[win].Weight) / float64(divisor[win])
		s.slots[h] = win
	}
	return s
}

// pickSelect chooses a select group's bucket; nil means none (no live
// bucket, or translation is freezing to let the datapath hash first).
func (x *xlate) pickSelect(s *dpHashSelect, buckets []bucket) *bucket {
	if s == nil {
		return x.selectBucket(buckets)
	}
	// A computed dp_hash is never 0, so 0 means "not hashed yet" and the
	// field need not be matched to tell.
	h := uint32(fieldUint(&x.flow, mf.DpHash))
	if h == 0 {
		x.freezeForHash(s.alg, s.basis)
		return nil
	}
	cur := uint32(fieldUint(&x.wc, mf.DpHash))
	setFieldUint(&x.wc, mf.DpHash, uint64(cur|s.mask))
	for i := uint32(0); i <= s.mask; i++ {
		if b := &buckets[s.slots[(h+i)&s.mask]]; x.bucketLive(b) {
			return b
		}
	}
	return nil
}

// freezeForHash ends translation here, to continue after the datapath has
// hashed the packet: the group action and everything after it are frozen
// as a controller(pause) freezes them, and finishPause emits the hash and
// the recirculation instead of a packet-in.
func (x *xlate) freezeForHash(alg, basis uint32) {
	if x.pause != nil {
		return
	}
	x.pause = &pauseState{header: -1, hash: &dpif.Action{Type: dpif.ActHash, HashAlg: uint8(alg), Arg: basis}}
	x.exit = true
}

// finishHashFreeze completes freezeForHash (called from finishPause):
// the packet's pending changes are committed, then it is hashed and
// recirculated with the frozen pipeline as its recirculation state.
func (x *xlate) finishHashFreeze(p *pauseState) {
	x.commit()
	cont := x.frozenPipeline(p.items)
	st := frozenState{bridge: x.br, inPort: x.inPort(), meta: x.frozenMeta(), cont: cont.encode(), recirc: true}
	x.acts = append(x.acts, *p.hash, dpif.Recirc(x.bk.recirc.idFor(st, x.now)))
}

// thaw continues a pipeline frozen by freezeForHash for a recirculated
// packet: the frozen actions run as the top level, then the action set.
func (x *xlate) thaw(cont string) {
	if len(cont) < 8 {
		x.fail(fmt.Errorf("recirculation state: short continuation"))
		return
	}
	c, err := ofp.DecodeContinuation([]byte(cont)[8:])
	if err != nil {
		x.fail(fmt.Errorf("recirculation state: %w", err))
		return
	}
	pp, err := decodePausedPipeline(c, contVersion)
	if err != nil {
		x.fail(fmt.Errorf("recirculation state: %w", err))
		return
	}
	x.runPaused(pp)
}
