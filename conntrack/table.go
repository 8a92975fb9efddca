package conntrack

import (
	"sync"
	"sync/atomic"
)

// node links a connection into a table chain. A connection without NAT has
// one node (its key and reverse key hash alike); with NAT the reverse key
// gets a second node.
type node struct {
	next atomic.Pointer[node]
	conn *Conn
}

const (
	shardBits       = 8
	numShards       = 1 << shardBits
	minShardBuckets = 16
)

type bucketArray struct {
	heads []atomic.Pointer[node]
	mask  uint64
}

// shard is a slice of the table. Readers walk its chains without locking;
// writers (insert, remove, grow) hold mu. A reader racing a writer may miss
// an entry, never see a torn chain: callers that act on a miss re-check under
// the lock.
type shard struct {
	mu      sync.Mutex
	buckets atomic.Pointer[bucketArray]
	n       int // nodes, under mu
	_       [40]byte
}

// table is the connection table: numShards shards selected by the top bits
// of the symmetric key hash.
type table struct {
	shards [numShards]shard
}

func newTable() *table {
	t := &table{}
	for i := range t.shards {
		t.shards[i].buckets.Store(&bucketArray{
			heads: make([]atomic.Pointer[node], minShardBuckets),
			mask:  minShardBuckets - 1,
		})
	}
	return t
}

func (t *table) shardFor(h uint64) *shard { return &t.shards[h>>(64-shardBits)] }

// lookup finds a live connection whose forward or reverse key equals k and
// reports whether k matched the reverse key.
func (t *table) lookup(k *Key, h uint64, now int64) (c *Conn, reply bool) {
	ba := t.shardFor(h).buckets.Load()
	for n := ba.heads[h&ba.mask].Load(); n != nil; n = n.next.Load() {
		c := n.conn
		if c.expired(now) {
			continue
		}
		if c.key == *k {
			return c, false
		}
		if c.rev == *k {
			return c, true
		}
	}
	return nil, false
}

// insertLocked links n under key hash h; the shard lock must be held.
func (s *shard) insertLocked(n *node, h uint64) {
	ba := s.buckets.Load()
	if s.n >= len(ba.heads)*2 {
		ba = s.growLocked(ba)
	}
	head := &ba.heads[h&ba.mask]
	n.next.Store(head.Load())
	head.Store(n)
	s.n++
}

// growLocked relinks every node into a table twice the size. Each node's next
// is rewritten once to point into the new (acyclic) structure, so a reader
// still walking the old one ends on nil and at worst misses an entry.
func (s *shard) growLocked(old *bucketArray) *bucketArray {
	nb := &bucketArray{heads: make([]atomic.Pointer[node], len(old.heads)*2)}
	nb.mask = uint64(len(nb.heads) - 1)
	for i := range old.heads {
		n := old.heads[i].Load()
		for n != nil {
			next := n.next.Load()
			h := n.hash()
			head := &nb.heads[h&nb.mask]
			n.next.Store(head.Load())
			head.Store(n)
			n = next
		}
	}
	s.buckets.Store(nb)
	return nb
}

// removeLocked unlinks n; the shard lock must be held. The removed node keeps
// its next pointer so concurrent readers standing on it continue safely.
func (s *shard) removeLocked(n *node, h uint64) bool {
	ba := s.buckets.Load()
	prev := &ba.heads[h&ba.mask]
	for cur := prev.Load(); cur != nil; cur = cur.next.Load() {
		if cur == n {
			prev.Store(cur.next.Load())
			s.n--
			return true
		}
		prev = &cur.next
	}
	return false
}

// hash recomputes the hash the node was inserted under.
func (n *node) hash() uint64 {
	c := n.conn
	if n == &c.fwd {
		return c.key.hash(hashSeed)
	}
	return c.rev.hash(hashSeed)
}

// forEach calls fn for every connection once (forward nodes only), in hash
// order, without locks.
func (t *table) forEach(fn func(c *Conn)) {
	for i := range t.shards {
		ba := t.shards[i].buckets.Load()
		for j := range ba.heads {
			for n := ba.heads[j].Load(); n != nil; n = n.next.Load() {
				if n == &n.conn.fwd {
					fn(n.conn)
				}
			}
		}
	}
}
