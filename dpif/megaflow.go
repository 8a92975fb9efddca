package dpif

import (
	"sync/atomic"
	"time"
)

// Megaflow is one datapath flow: a masked key, the actions for packets that
// match it and their statistics. Key, Mask and UFID must not change once the
// flow is in a Classifier; actions may be swapped atomically. Statistics are
// atomics so poll goroutines account packets without locks.
type Megaflow struct {
	Key  FlowKey // masked by Mask
	Mask FlowMask
	UFID [16]byte // the flow's unique id, as dpctl/dump-flows -m prints it

	actions atomic.Pointer[megaflowActions]
	dead    atomic.Bool

	packets, bytes atomic.Uint64
	used           atomic.Int64  // Unix nanoseconds of the last packet; 0 never
	tcpFlags       atomic.Uint32 // union of the TCP flags seen
}

// megaflowActions boxes the actions so they can be replaced atomically
// whatever their type.
type megaflowActions struct{ a any }

// MegaflowStats is a snapshot of a flow's counters.
type MegaflowStats struct {
	Packets, Bytes uint64
	Used           time.Time // zero if no packet hit the flow
	TCPFlags       uint16
}

// NewMegaflow returns a flow matching key under mask (the key is masked
// here) with the given datapath actions.
func NewMegaflow(key *FlowKey, mask *FlowMask, actions any) *Megaflow {
	f := &Megaflow{Key: key.Masked(mask), Mask: *mask}
	f.SetActions(actions)
	return f
}

// Actions returns the flow's datapath actions.
func (f *Megaflow) Actions() any {
	if a := f.actions.Load(); a != nil {
		return a.a
	}
	return nil
}

// SetActions replaces the flow's actions; packets already being executed
// keep the actions they loaded.
func (f *Megaflow) SetActions(actions any) {
	f.actions.Store(&megaflowActions{actions})
}

// Dead reports whether the flow was removed from its classifier; caches that
// still point at it must drop it.
func (f *Megaflow) Dead() bool { return f.dead.Load() }

// Account adds a batch of packets that hit the flow at now.
func (f *Megaflow) Account(packets, bytes uint64, tcpFlags uint16, now time.Time) {
	f.packets.Add(packets)
	f.bytes.Add(bytes)
	if tcpFlags != 0 && uint16(f.tcpFlags.Load())&tcpFlags != tcpFlags {
		f.tcpFlags.Or(uint32(tcpFlags))
	}
	f.used.Store(now.UnixNano())
}

// Stats returns a snapshot of the counters.
func (f *Megaflow) Stats() MegaflowStats {
	s := MegaflowStats{
		Packets:  f.packets.Load(),
		Bytes:    f.bytes.Load(),
		TCPFlags: uint16(f.tcpFlags.Load()),
	}
	if u := f.used.Load(); u != 0 {
		s.Used = time.Unix(0, u)
	}
	return s
}

// ClearStats zeroes the counters (dpctl/mod-flow --clear).
func (f *Megaflow) ClearStats() {
	f.packets.Store(0)
	f.bytes.Store(0)
	f.used.Store(0)
	f.tcpFlags.Store(0)
}
