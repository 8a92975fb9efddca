package conntrack

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Expectation defaults (Config fields of the same names override them).
const (
	DefaultMaxExpectations        = 4096
	DefaultMaxExpectationsPerConn = 8
	DefaultExpectationTimeout     = 300000 // ms, as Linux's FTP helper
)

// expectation describes an ALG data connection still to come: its key with
// the source port wildcarded (zero), the control connection it belongs to,
// what the data connection inherits, and how it follows the parent's NAT.
// Unlike OVS's, expectations time out and are bounded in number.
type expectation struct {
	key       Key // Src.Port == 0: any source port
	parent    *Conn
	parentKey Key
	mark      uint32
	label     Label
	natAddr   [16]byte // address the data connection's NAT puts in
	natRplDst bool     // natAddr replaces the reply destination (SNAT) rather than the reply source (DNAT)
	expires   int64
}

// expectTable holds the pending expectations. The packet path checks n
// before taking any lock, so trackers without ALG traffic pay one atomic load
// per new connection.
type expectTable struct {
	mu       sync.RWMutex
	byKey    map[Key]*expectation
	byParent map[*Conn][]*expectation // oldest first
	n        atomic.Int32

	max, perConn int
	timeout      int64
}

func newExpectTable(cfg *Config) *expectTable {
	e := &expectTable{byKey: map[Key]*expectation{}, byParent: map[*Conn][]*expectation{},
		max: cfg.MaxExpectations, perConn: cfg.MaxExpectationsPerConn, timeout: cfg.ExpectationTimeout}
	if e.max <= 0 {
		e.max = DefaultMaxExpectations
	}
	if e.perConn <= 0 {
		e.perConn = DefaultMaxExpectationsPerConn
	}
	if e.timeout <= 0 {
		e.timeout = DefaultExpectationTimeout
	}
	return e
}

// Expect registers the data connection the control packet of this update
// announces: towards dstPort, from any source port, between the control
// connection's endpoints as the data connection's initiator will see them.
// A packet in the original direction (FTP PORT/EPRT, a TFTP request)
// announces a connection from the server side to the client side; a reply
// (FTP 227/229) one from the client to the server. The data connection
// inherits mark, label and zone and follows the control connection's NAT.
// It reports false if the expectation table is full.
func (u *Update) Expect(dstPort uint16) bool {
	return u.t.expect(u.Conn, u.Reply, dstPort, u.Now)
}

func (t *Tracker) expect(c *Conn, reply bool, dstPort uint16, now int64) bool {
	fwd, rev := &c.key, &c.rev
	e := &expectation{parent: c, parentKey: *fwd, expires: now + t.exp.timeout}
	var src, dst [16]byte
	dnat := c.nat&natDst != 0
	if reply {
		src, dst = fwd.Src.Addr, fwd.Dst.Addr
		if dnat {
			e.natAddr = rev.Src.Addr
		} else {
			e.natAddr, e.natRplDst = rev.Dst.Addr, true
		}
	} else {
		src, dst = rev.Src.Addr, rev.Dst.Addr
		if dnat {
			e.natAddr, e.natRplDst = fwd.Dst.Addr, true
		} else {
			e.natAddr = fwd.Src.Addr
		}
	}
	e.key = Key{Zone: fwd.Zone, Proto: fwd.Proto, IPv6: fwd.IPv6}
	e.key.Src.Addr, e.key.Dst.Addr, e.key.Dst.Port = src, dst, dstPort
	c.mu.Lock()
	e.mark, e.label = c.mark, c.label
	c.mu.Unlock()
	return t.exp.add(e, c, now, t.warnf)
}

func (x *expectTable) add(e *expectation, c *Conn, now int64, warnf func(string, ...any)) bool {
	// Flag first, then check: removal sets reclaimed before it reads the
	// flag, so either it will clean up after us or we see it and back off.
	c.flags.Or(connHasExpectations)
	if c.reclaimed() {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old := x.byKey[e.key]; old != nil && old.expires > now {
		if old.parent == c {
			old.expires = e.expires // announced again: keep it alive
		}
		return true
	} else if old != nil {
		x.removeLocked(old)
	}
	if len(x.byKey) >= x.max {
		x.sweepLocked(now)
		if len(x.byKey) >= x.max {
			if warnf != nil {
				warnf("Too many pending ALG expectations (%d); not expecting data connection", x.max)
			}
			return false
		}
	}
	if list := x.byParent[c]; len(list) >= x.perConn {
		x.removeLocked(list[0]) // one control connection cannot hog the table
	}
	x.byKey[e.key] = e
	x.byParent[c] = append(x.byParent[c], e)
	x.n.Store(int32(len(x.byKey)))
	return true
}

func (x *expectTable) removeLocked(e *expectation) {
	if x.byKey[e.key] == e {
		delete(x.byKey, e.key)
	}
	list := x.byParent[e.parent]
	for i, o := range list {
		if o == e {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(x.byParent, e.parent)
	} else {
		x.byParent[e.parent] = list
	}
	x.n.Store(int32(len(x.byKey)))
}

// match returns a copy of the live expectation a new connection's key
// matches (source port wildcarded), or nil. Expectations are not consumed:
// several data connections may follow one announcement, as in OVS.
func (x *expectTable) match(k *Key, now int64) *expectation {
	if x.n.Load() == 0 || !hasPorts(k.Proto) {
		return nil
	}
	wk := *k
	wk.Src.Port = 0
	x.mu.RLock()
	defer x.mu.RUnlock()
	if e := x.byKey[wk]; e != nil && e.expires > now && !e.parent.reclaimed() {
		cp := *e // the table's copy may change or go once we unlock
		return &cp
	}
	return nil
}

// removeParent drops the expectations of a removed control connection.
func (x *expectTable) removeParent(c *Conn) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range x.byParent[c] {
		if x.byKey[e.key] == e {
			delete(x.byKey, e.key)
		}
	}
	delete(x.byParent, c)
	x.n.Store(int32(len(x.byKey)))
}

// sweep drops timed-out expectations.
func (x *expectTable) sweep(now int64) {
	if x.n.Load() == 0 {
		return
	}
	x.mu.Lock()
	x.sweepLocked(now)
	x.mu.Unlock()
}

func (x *expectTable) sweepLocked(now int64) {
	for _, e := range x.byKey {
		if e.expires <= now {
			x.removeLocked(e)
		}
	}
}

// Expectation is a pending ALG expectation as Expectations reports it.
type Expectation struct {
	Key     Key // Src.Port is 0: any source port
	Parent  Key
	Mark    uint32
	Label   Label
	Timeout uint32 // seconds left
}

// Expectations returns the live expectations, optionally of one zone, in no
// particular order.
func (t *Tracker) Expectations(zone *uint16) []Expectation {
	now := t.clock()
	x := t.exp
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Expectation
	for _, e := range x.byKey {
		if e.expires <= now || zone != nil && e.key.Zone != *zone {
			continue
		}
		out = append(out, Expectation{Key: e.key, Parent: e.parentKey, Mark: e.mark, Label: e.label,
			Timeout: uint32((e.expires - now) / 1000)})
	}
	return out
}

// DumpConntrackExp implements dpctl/dump-conntrack-exp [dp] [zone=N] in the
// format OVS 3.2 introduced it with (the source port of a pending data
// connection shows as 0). OVS 3.1 has no such command, so Commands does not
// list it; a daemon emulating a later release may register it.
func (t *Tracker) DumpConntrackExp(args []string) (string, error) {
	var zone *uint16
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "zone=") {
		if z, ok := parseU16(args[n-1][5:]); ok {
			zone = &z
			args = args[:n-1]
		}
	}
	if _, err := openDP(args, 2); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range t.Expectations(zone) {
		b.WriteString(protoName(e.Key.Proto))
		b.WriteString(",orig=(")
		formatTuple(&b, &e.Key)
		b.WriteString(")")
		if e.Key.Zone != 0 {
			fmt.Fprintf(&b, ",zone=%d", e.Key.Zone)
		}
		if e.Mark != 0 {
			fmt.Fprintf(&b, ",mark=%d", e.Mark)
		}
		if !e.Label.IsZero() {
			b.WriteString(",labels=" + e.Label.String())
		}
		b.WriteString(",parent=(")
		formatTuple(&b, &e.Parent)
		b.WriteString(")\n")
	}
	return b.String(), nil
}
