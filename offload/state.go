package offload

import (
	"sync/atomic"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Offload states of a connection (connState.state).
const (
	stCandidate  uint32 = iota // in software; offered once eligible
	stQueued                   // an add is queued for the worker
	stOffloaded                // the provider holds it
	stIneligible               // has a helper: never offloaded
	stRefused                  // the provider's CanOffload said no
	stFailed                   // the provider's Add failed
	stDone                     // removed, or returned to software for good
)

// connState is the Manager's per-connection record, kept in its private
// slot. state and the reply flags are read and written on the packet path;
// the rest belongs to the worker goroutine.
type connState struct {
	state     atomic.Uint32
	replySeen atomic.Bool // an established reply was seen
	estQueued atomic.Bool // an established op was queued (once)

	// Worker only.
	ctx         Context
	added       bool // the provider holds it (Add succeeded, no Delete yet)
	addPending  bool // an add sits in the batch being built
	estDone     bool
	lastOrig    conntrack.Counters
	lastReply   conntrack.Counters
	lastUsed    int64
	established bool // the provider confirmed Established; written under Manager.mu
}

// stateOf returns c's record, creating it if needed (nil if c is gone).
func (m *Manager) stateOf(c *conntrack.Conn) *connState {
	if v, ok := c.Slot(m.slot).(*connState); ok {
		return v
	}
	v, loaded := c.LoadOrStoreSlot(m.slot, &connState{})
	if !loaded && c.Removed() {
		// Removed around our store: the deleted event may not have seen
		// the record, so it must never lead to an add.
		return nil
	}
	st, _ := v.(*connState)
	return st
}

// eligible applies the connection policy that needs no provider: no helper,
// and TCP only while both directions are ESTABLISHED.
func (m *Manager) eligible(c *conntrack.Conn) (ok, never bool) {
	if m.t.HelperName(c) != "" {
		return false, true
	}
	if o, r, tcp := c.TCPStates(); tcp && (o != conntrack.TCPEstablished || r != conntrack.TCPEstablished) {
		return false, false
	}
	return true, false
}

// tcpClosing reports whether an offloaded TCP connection has left
// ESTABLISHED: it must finish in software, which tracks the close.
func tcpClosing(c *conntrack.Conn) bool {
	o, r, tcp := c.TCPStates()
	return tcp && (o > conntrack.TCPEstablished || r > conntrack.TCPEstablished)
}

// notify is the observer: it runs on the packet path, the sweeper or a
// flush, so it only looks at atomics and queues work.
func (m *Manager) notify(ev conntrack.Event) {
	if m.testNotify != nil {
		m.testNotify(ev)
	}
	c := ev.Conn
	switch ev.Kind {
	case conntrack.EventCommitted:
		if st := m.stateOf(c); st != nil {
			m.consider(c, st)
		}
	case conntrack.EventEstablished:
		st := m.stateOf(c)
		if st == nil {
			return
		}
		st.replySeen.Store(true)
		switch st.state.Load() {
		case stCandidate:
			m.consider(c, st)
		case stQueued, stOffloaded:
			if st.estQueued.CompareAndSwap(false, true) {
				m.enqueue(task{kind: taskEstablished, c: c, st: st}, true)
			}
		}
	case conntrack.EventUpdated:
		st, _ := c.Slot(m.slot).(*connState)
		if st == nil {
			st = m.stateOf(c) // committed before the Manager attached
			if st == nil {
				return
			}
		}
		switch st.state.Load() {
		case stCandidate:
			m.consider(c, st)
		case stOffloaded:
			if tcpClosing(c) && st.state.CompareAndSwap(stOffloaded, stDone) {
				m.enqueue(task{kind: taskUnoffload, c: c, st: st}, true)
			}
		}
	case conntrack.EventDeleted:
		st, _ := c.Slot(m.slot).(*connState)
		if st == nil {
			return
		}
		if prev := st.state.Swap(stDone); prev == stQueued || prev == stOffloaded {
			m.enqueue(task{kind: taskDelete, c: c, st: st}, true)
		}
	case conntrack.EventFlushed:
		m.enqueue(task{kind: taskFlush}, true)
	}
}

// consider queues an add for an eligible candidate.
func (m *Manager) consider(c *conntrack.Conn, st *connState) {
	ok, never := m.eligible(c)
	if never {
		st.state.CompareAndSwap(stCandidate, stIneligible)
		return
	}
	if !ok || !st.state.CompareAndSwap(stCandidate, stQueued) {
		return
	}
	if !m.enqueue(task{kind: taskAdd, c: c, st: st}, false) {
		// Queue full: stay in software and try again on a later packet.
		st.state.CompareAndSwap(stQueued, stCandidate)
		m.stats.dropped.Add(1)
	}
}
