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
type expiryList struct {
	mu   sync.Mutex
	head *Conn
	_    [48]byte
}

func (l *expiryList) push(c *Conn) {
	l.mu.Lock()
	c.expNext = l.head
	if l.head != nil {
		l.head.expPrev = c
	}
	l.head = c
	l.mu.Unlock()
}

func (l *expiryList) unlink(c *Conn) {
	l.mu.Lock()
	if c.expPrev != nil {
		c.expPrev.expNext = c.expNext
	} else if l.head == c {
		l.head = c.expNext
	}
	if c.expNext != nil {
		c.expNext.expPrev = c.expPrev
	}
	c.expPrev, c.expNext = nil, nil
	l.mu.Unlock()
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
		batch := t.sweepBuf[:0]
		l.mu.Lock()
		for c := l.head; c != nil && removed+len(batch) < budget; c = c.expNext {
			if c.expired(now) {
				batch = append(batch, c)
			}
		}
		l.mu.Unlock()
		// Reclaiming takes table and list locks, so do it outside l.mu.
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
	c.mu.Unlock()
	t.lists[c.expList].unlink(c)
	t.unlinkNode(&c.fwd, c.key.hash(hashSeed))
	if c.revNode != nil {
		t.unlinkNode(c.revNode, c.rev.hash(hashSeed))
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

func (t *Tracker) unlinkNode(n *node, h uint64) {
	s := t.table.shardFor(h)
	s.mu.Lock()
	s.removeLocked(n, h)
	s.mu.Unlock()
}

// forceExpire makes c invisible to lookups at once (port reuse, force commit);
// the sweeper frees it later. A flag keeps a racing update from reviving it.
func (t *Tracker) forceExpire(c *Conn) {
	c.mu.Lock()
	c.flags.Or(connForceExpired)
	c.expiration.Store(0)
	c.mu.Unlock()
}
