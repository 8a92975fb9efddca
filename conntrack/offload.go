package conntrack

import "sync/atomic"

// This file holds what an offload provider's manager needs from the tracker
// beyond observing events: the "offloaded" mark, refreshing a connection
// from the provider's report, and deleting a connection the provider lost.

// Counters are packet and byte counts of one direction of a connection.
type Counters struct {
	Packets, Bytes uint64
}

// IsZero reports whether nothing was counted.
func (c Counters) IsZero() bool { return c.Packets == 0 && c.Bytes == 0 }

// connExtras holds the rarely used parts of a connection, allocated on
// first use so that the common connection stays small.
type connExtras struct {
	slots slotArray
	// Traffic an offload provider forwarded on the connection's behalf,
	// [0] original direction, [1] reply. The software path does not count
	// packets (OVS's userspace tracker reports no counters either).
	packets, bytes [2]atomic.Uint64
	// parent is an ALG data connection's control connection key; set
	// before the connection is published, read-only after.
	parent *Key
}

func (c *Conn) extras() *connExtras {
	if x := c.ext.Load(); x != nil {
		return x
	}
	c.ext.CompareAndSwap(nil, new(connExtras))
	return c.ext.Load()
}

// Offloaded reports whether an offload provider holds the connection.
func (c *Conn) Offloaded() bool { return c.flags.Load()&connOffloaded != 0 }

// SetOffloaded sets or clears the offloaded mark. While it is set the TCP
// tracker stops validating sequence and ack windows (it only sees the
// packets the provider hands back) and dump-conntrack -m shows
// status=OFFLOAD.
func (c *Conn) SetOffloaded(on bool) {
	if on {
		c.flags.Or(connOffloaded)
	} else {
		c.flags.And(^connOffloaded)
	}
}

// OffloadCounters returns the traffic offload providers reported for the
// original and reply directions.
func (c *Conn) OffloadCounters() (orig, reply Counters) {
	x := c.ext.Load()
	if x == nil {
		return
	}
	orig = Counters{x.packets[0].Load(), x.bytes[0].Load()}
	reply = Counters{x.packets[1].Load(), x.bytes[1].Load()}
	return orig, reply
}

// TCPStates returns the originator's and responder's TCP states; ok is false
// for other protocols.
func (c *Conn) TCPStates() (orig, reply TCPState, ok bool) {
	if c.key.Proto != ProtoTCP {
		return 0, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tcp[0].state, c.tcp[1].state, true
}

// Now returns the tracker's clock in milliseconds (the time base of
// Event.Now and of RefreshOffloaded's lastUsed).
func (t *Tracker) Now() int64 { return t.clock() }

// RefreshOffloaded applies an offload provider's report on c: the counters
// (traffic since the previous report) are added, and if lastUsed (tracker
// clock, ms; 0 means unknown) is non-zero the connection's expiry becomes
// lastUsed plus the timeout of its current state, unless it is already
// later. So a connection the provider keeps forwarding outlives its
// software timeout, and one it stopped forwarding expires on time. It
// reports false, and changes nothing, for a removed or force-expired
// connection: a provider cannot revive one.
func (t *Tracker) RefreshOffloaded(c *Conn, lastUsed int64, orig, reply Counters) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flags.Load()&connDead != 0 {
		return false
	}
	if !orig.IsZero() || !reply.IsZero() {
		x := c.extras()
		x.packets[0].Add(orig.Packets)
		x.bytes[0].Add(orig.Bytes)
		x.packets[1].Add(reply.Packets)
		x.bytes[1].Add(reply.Bytes)
	}
	if lastUsed > 0 {
		exp := lastUsed + int64(t.policies.get(c.tpID)[t.stateTimer(c)])*1000
		if exp > c.expiration.Load() {
			c.expiration.Store(exp)
		}
	}
	return true
}

// stateTimer is the timer a packet would restart in c's current state.
// c.mu must be held.
func (t *Tracker) stateTimer(c *Conn) timeoutKind {
	switch {
	case c.key.Proto == ProtoTCP:
		src, dst := &c.tcp[0], &c.tcp[1]
		switch {
		case src.state >= TCPFinWait2 && dst.state >= TCPFinWait2:
			return tmTCPClosed
		case src.state >= TCPClosing && dst.state >= TCPClosing:
			return tmTCPFinWait
		case src.state < TCPEstablished || dst.state < TCPEstablished:
			return tmTCPOpening
		case src.state >= TCPClosing || dst.state >= TCPClosing:
			return tmTCPClosing
		}
		return tmTCPEstablished
	case c.key.isICMP():
		return icmpTimeouts[c.pstate]
	}
	return otherTimeouts[c.pstate]
}

// Delete removes c now, as flushing its tuple would (observers are told,
// slot destructors run). It reports false if c was already removed. The
// offload manager uses it when a provider reports it lost a connection.
// Like Flush it must not be called from a hook or an observer.
func (t *Tracker) Delete(c *Conn) bool { return t.reclaim(c) }
