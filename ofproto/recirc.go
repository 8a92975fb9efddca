package ofproto

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// frozenState is where a recirculated packet resumes translation: the
// bridge and table, the OpenFlow input port, and the translation-only
// fields (metadata and registers) as they were when the pipeline was
// frozen. It is comparable, so equal continuations share one id.
type frozenState struct {
	bridge *Bridge
	table  uint8
	inPort uint16
	meta   mf.Flow // only the translation-only fields are nonzero
	// userdata is a controller action's userdata for its packet-in
	// (xlate_nx_controller.go); a string to keep the state comparable.
	userdata string
	// cont is a paused pipeline's continuation (resume_freeze.go).
	cont string
	// recirc says a recirculated packet resumes cont (a select group
	// waiting for dp_hash, xlate_select.go), not table.
	recirc bool
}

// recircEntry is one allocated recirculation id.
type recircEntry struct {
	id    uint32
	state frozenState
	used  atomic.Int64 // unix nanoseconds of the last translation using it
}

// recircIdle is how long an id may go unused by any translation before
// it is freed. Revalidation re-translates every installed megaflow far
// more often, so an id still referenced by a megaflow (in its actions or
// its key) stays alive; in-flight packets get this much grace.
const recircIdle = 10 * time.Second

// recircTable allocates recirculation ids for frozen states (OVS's
// recirc_id pool). Ids only grow, so a stale megaflow can never resume
// into somebody else's continuation.
//
// mu guards every field.
type recircTable struct {
	mu      sync.Mutex
	next    uint32
	byID    map[uint32]*recircEntry
	byState map[frozenState]*recircEntry
}

func newRecircTable() *recircTable {
	return &recircTable{next: 1, byID: map[uint32]*recircEntry{}, byState: map[frozenState]*recircEntry{}}
}

// idFor returns the id of st, allocating one the first time.
func (t *recircTable) idFor(st frozenState, now time.Time) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byState[st]
	if e == nil {
		for t.byID[t.next] != nil || t.next == 0 {
			t.next++
		}
		e = &recircEntry{id: t.next, state: st}
		t.next++
		t.byID[e.id] = e
		t.byState[st] = e
	}
	e.used.Store(now.UnixNano())
	return e.id
}

// lookup returns the state of id and marks it used.
func (t *recircTable) lookup(id uint32, now time.Time) (frozenState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.byID[id]
	if e == nil {
		return frozenState{}, false
	}
	e.used.Store(now.UnixNano())
	return e.state, true
}

// sweep frees ids unused since before now-idle and those of bridge gone
// (nil gone keeps all bridges). It returns how many it freed.
func (t *recircTable) sweep(now time.Time, idle time.Duration, gone func(*Bridge) bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	limit := now.Add(-idle).UnixNano()
	for id, e := range t.byID {
		if e.used.Load() < limit || gone != nil && gone(e.state.bridge) {
			delete(t.byID, id)
			delete(t.byState, e.state)
			n++
		}
	}
	return n
}

// len is the number of allocated ids.
func (t *recircTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID)
}
