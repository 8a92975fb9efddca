package conntrack

import "sync"

const (
	numExpiryLists = 100
	// DefaultSweepInterval is how often (ms) the sweeper reclaims expired
	// connections.
	DefaultSweepInterval = 20000
	sweepBusyRetry       = 200 // ms before resuming when the budget ran out
)

// expiryList is one of the round-robin lists connections are reclaimed from.
// Lists are never sorted: the sweeper checks every entry's expiration.
//
// The lists are singly linked, which saves a pointer per connection:
// removing a connection (flush, offload loss) only flags it reclaimed, and
// the next walk of its list (Sweep, or prune after a flush) unlinks it.
type expiryList struct {
	mu   sync.Mutex
	head *Conn
	_    [48]byte
}

func (l *expiryList) push(c *Conn) {
	l.mu.Lock()
	c.expNext = l.head
	l.head = c
	l.mu.Unlock()
}

// collect unlinks reclaimed connections and, up to max of them, the expired
// ones, which it appends to batch for the caller to reclaim outside l.mu.
// A negative max collects none.
func (l *expiryList) collect(now int64, max int, batch []*Conn) []*Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := &l.head
	for c := *prev; c != nil; c = *prev {
		switch {
		case c.reclaimed():
		case len(batch) < max && c.expired(now):
			batch = append(batch, c)
		default:
			prev = &c.expNext
			continue
		}
		*prev = c.expNext
		c.expNext = nil
	}
	return batch
}

// Sweep reclaims expired connections, at most maxconns/64 of them, and
// reports how many it removed and whether it stopped on the budget. The
// background sweeper calls it; tests call it directly with a fake clock.
func (t *Tracker) Sweep() (removed int, budgetHit bool) {
	now := t.clock()
	budget := int(t.maxConns.Load() / 64)
	if budget < 1 {
		budget = 1
	}
	t.sweepMu.Lock()
	defer t.sweepMu.Unlock()
	t.exp.sweep(now)
	for i := 0; i < numExpiryLists && removed < budget; i++ {
		l := &t.lists[(t.sweepNext+i)%numExpiryLists]
		batch := l.collect(now, budget-removed, t.sweepBuf[:0])
		// Reclaiming takes table locks, so do it outside l.mu.
		for j, c := range batch {
			if t.reclaim(c) {
				removed++
			}
			batch[j] = nil
		}
		t.sweepBuf = batch[:0]
		if removed >= budget {
			t.sweepNext = (t.sweepNext + i) % numExpiryLists
			return removed, true
		}
	}
	t.sweepNext = 0
	return removed, false
}

// reclaim removes c from the tables, its expiry list and the counters. Only
// the first caller for a connection does anything.
func (t *Tracker) reclaim(c *Conn) bool {
	c.mu.Lock() // timers are refreshed under c.mu; see setExpiration
	if c.flags.Load()&connReclaimed != 0 {
		c.mu.Unlock()
		return false
	}
	c.flags.Or(connReclaimed)
	c.expiration.Store(0)
	unlinked := c.flags.Load()&connUnlinked != 0
	c.mu.Unlock()
	// The expiry list lets go of c on its next walk (see expiryList).
	if !unlinked {
		t.unlinkNodes(c)
	}
	t.nconns.Add(-1)
	if c.zl != nil {
		c.zl.count.Add(-1)
	}
	// Every removal (sweep, flush, close) passes through here exactly once.
	if c.flags.Load()&connHasExpectations != 0 {
		t.exp.removeParent(c)
	}
	if hs := t.hookSet.Load(); hs.events.Has(EventDeleted) {
		hs.notify(Event{Kind: EventDeleted, Conn: c, Now: t.clock()})
	}
	t.destroySlots(c) // after the observers, who may still read their slots
	return true
}

func (t *Tracker) unlinkNodes(c *Conn) {
	t.unlinkNode(&c.fwd, c.key.hash(hashSeed))
	if c.revNode != nil {
		t.unlinkNode(c.revNode, c.rev.hash(hashSeed))
	}
}

func (t *Tracker) unlinkNode(n *node, h uint64) {
	s := t.table.shardFor(h)
	s.mu.Lock()
	s.removeLocked(n, h)
	s.mu.Unlock()
}

// forceExpire makes c invisible to lookups at once (port reuse, force commit);
// the sweeper frees it later. A flag keeps a racing update from reviving it.
//
// As in OVS the connection stays counted (ct-get-nconns, zone limits) and
// observers hear of its deletion only when the sweeper reclaims it, but it
// leaves the hash table now: a dead entry can never match again, and
// clients that recycle ports (close by RST, no TIME_WAIT) would otherwise
// pile one up per reuse in the very chain every new connection of that
// tuple walks (three times: lookup, NAT tuple check, insert re-check),
// until the next sweep. Flush finds such connections on the expiry lists.
func (t *Tracker) forceExpire(c *Conn) {
	c.mu.Lock()
	if c.flags.Load()&(connReclaimed|connUnlinked) != 0 {
		c.flags.Or(connForceExpired)
		c.expiration.Store(0)
		c.mu.Unlock()
		return
	}
	c.flags.Or(connForceExpired | connUnlinked)
	c.expiration.Store(0)
	c.mu.Unlock()
	t.unlinkNodes(c)
}

// pruneLists unlinks reclaimed connections from the expiry lists, so that a
// flush frees their memory at once rather than at the next sweep.
func (t *Tracker) pruneLists() {
	for i := range t.lists {
		t.lists[i].collect(0, -1, nil)
	}
}

// forEachUnlinked calls fn for every force-expired connection that is out of
// the hash table but not yet reclaimed (see forceExpire). fn runs without
// list locks held, so it may reclaim.
func (t *Tracker) forEachUnlinked(fn func(c *Conn)) {
	var batch []*Conn
	for i := range t.lists {
		l := &t.lists[i]
		batch = batch[:0]
		l.mu.Lock()
		for c := l.head; c != nil; c = c.expNext {
			if c.flags.Load()&(connUnlinked|connReclaimed) == connUnlinked {
				batch = append(batch, c)
			}
		}
		l.mu.Unlock()
		for _, c := range batch {
			fn(c)
		}
	}
}
