package conntrack

import (
	"sync"
	"sync/atomic"
)

// NAT action bits stored on a connection.
const (
	natSrc     uint8 = 1 << iota // SNAT: forward packets get a new source
	natDst                       // DNAT: forward packets get a new destination
	natSrcPort                   // an explicit source port range was given
	natDstPort                   // an explicit destination port range was given
)

// Conn flag bits (Conn.flags, accessed atomically).
const (
	connReclaimed       uint32 = 1 << iota // removed from the tables; never revived
	connForceExpired                       // expired on purpose; timers stay at 0
	connEstNotified                        // observers were told EventEstablished
	connHasExpectations                    // an ALG created expectations with this parent
	connOffloaded                          // an offload provider holds the connection
	connUnlinked                           // force-expired and already out of the hash table

	// connDead marks connections whose timers must stay at 0.
	connDead = connReclaimed | connForceExpired
)

// Conn is one committed connection. Lock discipline:
//   - key, rev, nat, tpID, zl, helper and parent (in ext) are written
//     before the connection is published and never change afterwards (read
//     freely).
//   - expiration, flags and ext are atomics; slot values belong to the
//     module that allocated the slot, offload counters are atomics too.
//   - mu guards mark, label, tcp and pstate (the protocol state).
//   - expNext belongs to the expiry list lock of list expList.
//   - fwd.next / revNode.next belong to the table shard lock.
//
// Lock order: natMu, then Conn.mu, then table shard locks, then an expiry
// list lock. Only NAT commits (under natMu) hold two shard locks. The one
// exception to the order is publication: connNotFound takes the new conn's
// mu while holding a shard lock, which is safe because nobody else can hold
// or wait for the mu of an unpublished conn while holding a shard lock.
type Conn struct {
	fwd     node       // table node for key (and rev when no NAT)
	revNode *node      // table node for rev, only with NAT
	expNext *Conn      // expiry list link; see expiryList
	zl      *zoneLimit // limit entry that admitted us, or nil

	expiration atomic.Int64 // ms; lookups skip the conn once now >= expiration
	mu         sync.Mutex

	key, rev Key
	label    Label
	mark     uint32
	tpID     uint32
	flags    atomic.Uint32

	tcp     [2]tcpPeer // TCP only: [0] originator, [1] responder
	pstate  uint8      // UDP/other/ICMP state
	nat     uint8      // natSrc / natDst / port bits
	expList uint8
	helper  uint8 // ct(alg=...) helper id (0: none), see Tracker.HelperName

	// ext holds what few connections need (private slots, offload
	// counters, an ALG data connection's parent key), allocated on first
	// use: 8 bytes here instead of 16 more in every connection keeps Conn
	// in the 208-byte size class.
	ext atomic.Pointer[connExtras]
}

// parentKey is the control connection's key of an ALG data connection, nil
// for ordinary connections.
func (c *Conn) parentKey() *Key {
	if x := c.ext.Load(); x != nil {
		return x.parent
	}
	return nil
}

// Key returns the original-direction key.
func (c *Conn) Key() Key { return c.key }

// ReplyKey returns the reply-direction key (after NAT, if any).
func (c *Conn) ReplyKey() Key { return c.rev }

// Parent returns the key of the control connection whose expectation this
// (ALG data) connection matched, and false for ordinary connections.
func (c *Conn) Parent() (Key, bool) {
	p := c.parentKey()
	if p == nil {
		return Key{}, false
	}
	return *p, true
}

// Mark returns the connection's ct_mark.
func (c *Conn) Mark() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mark
}

// Label returns the connection's ct_label.
func (c *Conn) Label() Label {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.label
}

// expired reports whether lookups must ignore the connection at now (ms).
func (c *Conn) expired(now int64) bool { return now >= c.expiration.Load() }

func (c *Conn) reclaimed() bool { return c.flags.Load()&connReclaimed != 0 }
