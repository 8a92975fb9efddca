package conntrack

import (
	"errors"
	"sync/atomic"
)

// MaxSlots is how many private slots every connection offers. Slot ids are
// allocated per Tracker, normally once at start-up by the modules (ALG
// helpers, offload providers) that keep per-connection state.
const MaxSlots = 8

// SlotID names one private per-connection slot.
type SlotID uint8

// ErrNoSlots is returned by AllocSlot once all MaxSlots ids are taken.
var ErrNoSlots = errors.New("conntrack: all private connection slots are allocated")

// slotBox holds one slot value; boxing lets a slot hold any value, nil included,
// behind a single atomic pointer.
type slotBox struct{ v any }

// slotArray lives in the connection's extras (allocated on the first SetSlot,
// so connections no module cares about pay one nil pointer).
type slotArray [MaxSlots]atomic.Pointer[slotBox]

// slotRegistry is the tracker's table of allocated slot ids.
type slotRegistry struct {
	n     atomic.Uint32 // ids below n are allocated; dtors[i] is set before n moves past i
	dtors [MaxSlots]func(v any)
}

// AllocSlot reserves a private slot id on every connection of t. destroy, if
// not nil, is called once with each non-nil value still stored in the slot
// when a connection is removed (expiry, flush, Close); it must not block.
func (t *Tracker) AllocSlot(destroy func(v any)) (SlotID, error) {
	t.hookMu.Lock()
	defer t.hookMu.Unlock()
	n := t.slots.n.Load()
	if n >= MaxSlots {
		return 0, ErrNoSlots
	}
	t.slots.dtors[n] = destroy
	t.slots.n.Store(n + 1)
	return SlotID(n), nil
}

// Slot returns the value stored in slot id (nil if none). It takes no lock.
func (c *Conn) Slot(id SlotID) any {
	if id >= MaxSlots {
		return nil
	}
	arr := c.loadSlots()
	if arr == nil {
		return nil
	}
	if b := arr[id].Load(); b != nil {
		return b.v
	}
	return nil
}

func (c *Conn) slotArray() *slotArray { return &c.extras().slots }

// loadSlots returns the slot array, nil if no slot was ever set.
func (c *Conn) loadSlots() *slotArray {
	if x := c.ext.Load(); x != nil {
		return &x.slots
	}
	return nil
}

// SetSlot stores v in slot id and returns the value it replaced, which the
// caller now owns (no destructor runs for it). ok is false, and v is not kept,
// if the connection has already been removed: then the caller still owns v.
func (c *Conn) SetSlot(id SlotID, v any) (old any, ok bool) {
	if id >= MaxSlots {
		return nil, false
	}
	arr := c.slotArray()
	var nb *slotBox
	if v != nil {
		nb = &slotBox{v}
	}
	if ob := arr[id].Swap(nb); ob != nil {
		old = ob.v
	}
	return old, c.keepSlot(arr, id, nb)
}

// LoadOrStoreSlot returns the value in slot id if there is one; otherwise it
// stores v and returns it. loaded reports which happened. Two packets of one
// connection racing to initialise a slot end up sharing one value. If the
// connection has already been removed nothing is stored (actual is v,
// loaded false, and the caller still owns v: check Removed).
func (c *Conn) LoadOrStoreSlot(id SlotID, v any) (actual any, loaded bool) {
	if id >= MaxSlots || v == nil {
		return nil, false
	}
	arr := c.slotArray()
	nb := &slotBox{v}
	for {
		if ob := arr[id].Load(); ob != nil {
			return ob.v, true
		}
		if arr[id].CompareAndSwap(nil, nb) {
			c.keepSlot(arr, id, nb)
			return v, false
		}
	}
}

// keepSlot settles a store against a concurrent removal: removal sets the
// reclaimed flag before it empties the slots, so a store that sees the flag
// clear is certain to be destroyed by it; otherwise the store takes its value
// back unless removal already has.
func (c *Conn) keepSlot(arr *slotArray, id SlotID, nb *slotBox) bool {
	if nb == nil || c.flags.Load()&connReclaimed == 0 {
		return true
	}
	return !arr[id].CompareAndSwap(nb, nil)
}

// Removed reports whether the connection has been removed from the tracker.
func (c *Conn) Removed() bool { return c.reclaimed() }

// destroySlots empties every slot of a removed connection, running each
// allocated slot's destructor once per value.
func (t *Tracker) destroySlots(c *Conn) {
	arr := c.loadSlots()
	if arr == nil {
		return
	}
	n := t.slots.n.Load()
	for i := range arr {
		b := arr[i].Swap(nil)
		if b == nil || b.v == nil || uint32(i) >= n {
			continue
		}
		if d := t.slots.dtors[i]; d != nil {
			d(b.v)
		}
	}
}
