package maclearn

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/coverage"
)

// Defaults and bounds of Bridge other_config:mac-aging-time and
// mac-table-size, as OVS applies them.
const (
	DefaultIdleTime   = 300 // seconds
	DefaultMaxEntries = 8192
	minIdleTime       = 15
	maxIdleTime       = 3600
	minMaxEntries     = 10
	maxMaxEntries     = 1000 * 1000

	// gratARPLockTime is how long, in seconds, a gratuitous ARP seen on a
	// non-bond port stops bond ports from stealing the entry back.
	gratARPLockTime = 5

	staticExpiry = math.MaxInt64
)

var (
	covLearned        = coverage.New("mac_learning_learned")
	covExpired        = coverage.New("mac_learning_expired")
	covEvicted        = coverage.New("mac_learning_evicted")
	covMoved          = coverage.New("mac_learning_moved")
	covStaticNoneMove = coverage.New("mac_learning_static_none_move")
)

// LearnFlags qualify the packet a source address is learned from.
type LearnFlags uint8

const (
	// LearnGratuitousARP marks a gratuitous ARP request or reply.
	LearnGratuitousARP LearnFlags = 1 << iota
	// LearnOnBond marks a packet received on a bond port.
	LearnOnBond
)

// Config sets up a Table. Zero values take OVS's defaults.
type Config struct {
	IdleTime   int              // mac-aging-time in seconds, clamped to 15..3600
	MaxEntries int              // mac-table-size, clamped to 10..1000000
	Clock      func() time.Time // time source; time.Now when nil
}

// Entry is a snapshot of one table entry, as fdb/show prints it.
type Entry struct {
	MAC    MAC
	VLAN   uint16
	Port   Port
	Age    int  // seconds since last learned; meaningless when Static
	Static bool // added by fdb/add; never ages or gets flushed
}

// Stats are the counters fdb/stats-show prints.
type Stats struct {
	Entries, MaxEntries, StaticEntries int
	Learned, Expired, Evicted, Moved   uint64
}

type key struct {
	mac  MAC
	vlan uint16
}

// entry is one (VLAN, MAC) → port binding. It sits on two intrusive lists:
// the table-wide LRU list and the LRU list of its port, which fair eviction
// uses.
type entry struct {
	key
	port        Port // PortNone until assigned
	expires     int64
	gratARPLock int64
	lru         link
	byPort      link
	owner       *portEntries
}

type link struct{ prev, next *entry }

// portEntries counts and orders the entries learned on one port.
type portEntries struct {
	port  Port
	count int
	head  entry // sentinel of the byPort list
}

// Table is a MAC learning table. Lookups and the common "nothing changed"
// learning case take only the read lock; the packet path never allocates.
//
// Lock discipline: mu guards every field below it. Generation is atomic so
// caches can check it without locking.
type Table struct {
	clock func() time.Time
	epoch time.Time
	gen   atomic.Uint64

	mu         sync.RWMutex
	entries    map[key]*entry
	lru        entry // sentinel; front is least recently used
	ports      map[Port]*portEntries
	floodVLANs *VLANSet // VLANs that never learn; nil for none
	idleTime   int64
	maxEntries int
	statics    int
	stats      Stats // only the cumulative counters are used
	changed    bool  // something affecting forwarding changed since Run
}

// NewTable returns an empty table configured by cfg.
func NewTable(cfg Config) *Table {
	t := &Table{
		clock:   cfg.Clock,
		entries: make(map[key]*entry),
		ports:   make(map[Port]*portEntries),
	}
	if t.clock == nil {
		t.clock = time.Now
	}
	t.epoch = t.clock()
	t.lru.lru = link{&t.lru, &t.lru}
	t.idleTime = normalizeIdleTime(cfg.IdleTime)
	t.maxEntries = normalizeMaxEntries(cfg.MaxEntries)
	return t
}

func normalizeIdleTime(s int) int64 {
	switch {
	case s == 0:
		return DefaultIdleTime
	case s < minIdleTime:
		return minIdleTime
	case s > maxIdleTime:
		return maxIdleTime
	}
	return int64(s)
}

func normalizeMaxEntries(n int) int {
	switch {
	case n == 0:
		return DefaultMaxEntries
	case n < minMaxEntries:
		return minMaxEntries
	case n > maxMaxEntries:
		return maxMaxEntries
	}
	return n
}

// now is the clock in whole seconds since the table was made, OVS's coarse
// time_now().
func (t *Table) now() int64 { return int64(t.clock().Sub(t.epoch) / time.Second) }

// Generation changes whenever a change may alter a forwarding decision
// (an entry added, moved or removed). Flow caches compare it to know when to
// revalidate.
func (t *Table) Generation() uint64 { return t.gen.Load() }

func (t *Table) markChanged() {
	t.changed = true
	t.gen.Add(1)
}

// SetIdleTime changes the aging time (0 means the default), shifting the
// expiry of existing dynamic entries by the difference as OVS does.
func (t *Table) SetIdleTime(seconds int) {
	idle := normalizeIdleTime(seconds)
	t.mu.Lock()
	defer t.mu.Unlock()
	if delta := idle - t.idleTime; delta != 0 {
		for e := t.lru.lru.next; e != &t.lru; e = e.lru.next {
			if e.expires != staticExpiry {
				e.expires += delta
			}
		}
		t.idleTime = idle
	}
}

// SetMaxEntries changes the size limit (0 means the default). Surplus
// entries go at the next Run.
func (t *Table) SetMaxEntries(n int) {
	t.mu.Lock()
	t.maxEntries = normalizeMaxEntries(n)
	t.mu.Unlock()
}

// SetFloodVLANs sets Bridge flood_vlans: VLANs on which nothing is learned
// and everything floods. Out-of-range values are ignored.
func (t *Table) SetFloodVLANs(vlans []int) {
	set := NewVLANSet(vlans)
	if len(vlans) == 0 {
		set = nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !set.Equal(t.floodVLANs) {
		t.floodVLANs = set
		t.markChanged()
	}
}

func (t *Table) isLearningVLAN(vlan uint16) bool {
	return t.floodVLANs == nil || !t.floodVLANs.Has(vlan)
}

func (t *Table) mayLearn(src MAC, vlan uint16) bool {
	return t.isLearningVLAN(vlan) && !src.IsMulticast()
}

func (t *Table) age(e *entry, now int64) int {
	return int(t.idleTime - (e.expires - now))
}

// Lookup returns the port dst was learned on in vlan. Multicast
// destinations and flood VLANs never have one.
func (t *Table) Lookup(dst MAC, vlan uint16) (Port, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if e := t.lookup(dst, vlan); e != nil {
		return e.port, true
	}
	return PortNone, false
}

func (t *Table) lookup(dst MAC, vlan uint16) *entry {
	if dst.IsMulticast() || !t.isLearningVLAN(vlan) {
		return nil
	}
	return t.entries[key{dst, vlan}]
}

// Learn records that src was seen in vlan on port and reports whether the
// table changed in a way that may alter forwarding (new entry or move).
// Merely refreshing an entry's age does not count. PortNone is never
// learned, and static entries never move.
func (t *Table) Learn(src MAC, vlan uint16, port Port, flags LearnFlags) bool {
	if port == PortNone {
		return false
	}
	now := t.now()
	t.mu.RLock()
	need := t.updateNeeded(src, vlan, port, flags, now)
	t.mu.RUnlock()
	if !need {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.update(src, vlan, port, flags, now)
}

// updateNeeded is the read-locked first look: most packets change nothing.
// It must agree with update.
func (t *Table) updateNeeded(src MAC, vlan uint16, port Port, flags LearnFlags, now int64) bool {
	if !t.mayLearn(src, vlan) {
		return false
	}
	e := t.lookup(src, vlan)
	switch {
	case e == nil:
		return true
	case e.expires == staticExpiry:
		if e.port != port {
			covStaticNoneMove.Inc()
		}
		return false
	case t.age(e, now) > 0:
		return true // refresh the age, at most once a second
	}
	if flags&LearnGratuitousARP != 0 {
		if flags&LearnOnBond == 0 {
			return true // set the gratuitous ARP lock
		}
		if now < e.gratARPLock {
			return false
		}
	}
	return e.port != port
}

func (t *Table) update(src MAC, vlan uint16, port Port, flags LearnFlags, now int64) bool {
	if !t.mayLearn(src, vlan) {
		return false
	}
	if e := t.lookup(src, vlan); e != nil && e.expires == staticExpiry {
		return false // became static since the read-locked look
	}
	e := t.insert(src, vlan, false, now)
	if flags&LearnGratuitousARP != 0 {
		if flags&LearnOnBond == 0 {
			e.gratARPLock = now + gratARPLockTime
		} else if now < e.gratARPLock {
			return false
		}
	}
	if e.port == port {
		return false
	}
	if e.port != PortNone {
		covMoved.Inc()
		t.stats.Moved++
	}
	t.setPort(e, port)
	return true
}

// insert finds or creates the entry for (mac, vlan), evicting fairly when
// full, and marks it most recently used with a fresh expiry.
func (t *Table) insert(mac MAC, vlan uint16, static bool, now int64) *entry {
	k := key{mac, vlan}
	e := t.entries[k]
	if e == nil {
		if len(t.entries) >= t.maxEntries {
			t.evictFairly()
		}
		e = &entry{key: k, port: PortNone, gratARPLock: math.MinInt64}
		t.entries[k] = e
		if !static {
			covLearned.Inc()
			t.stats.Learned++
		}
	} else {
		unlinkLRU(e)
		if e.owner != nil {
			unlinkPort(e)
			pushPort(e.owner, e)
		}
	}
	pushLRU(&t.lru, e)
	if static {
		if e.expires != staticExpiry {
			t.statics++
		}
		e.expires = staticExpiry
	} else {
		e.expires = now + t.idleTime
	}
	return e
}

// evictFairly drops the least recently used dynamic entry of the port that
// holds the most entries, so one port flooding sources cannot push out
// everyone else's.
func (t *Table) evictFairly() {
	var busiest *portEntries
	for _, pe := range t.ports {
		if busiest == nil || pe.count > busiest.count ||
			(pe.count == busiest.count && pe.port < busiest.port) {
			busiest = pe
		}
	}
	var victim *entry
	if busiest != nil {
		for e := busiest.head.byPort.next; e != &busiest.head; e = e.byPort.next {
			if e.expires != staticExpiry {
				victim = e
				break
			}
		}
	}
	if victim == nil {
		victim = t.oldestDynamic()
	}
	if victim == nil {
		return // only static entries: the table may exceed its limit
	}
	covEvicted.Inc()
	t.stats.Evicted++
	t.expire(victim)
}

func (t *Table) oldestDynamic() *entry {
	for e := t.lru.lru.next; e != &t.lru; e = e.lru.next {
		if e.expires != staticExpiry {
			return e
		}
	}
	return nil
}

// setPort moves e onto port's list, keeping per-port counts for eviction.
func (t *Table) setPort(e *entry, port Port) {
	if e.port == port {
		return
	}
	t.markChanged()
	if pe := e.owner; pe != nil {
		unlinkPort(e)
		pe.count--
		if pe.count == 0 {
			delete(t.ports, pe.port)
		}
		e.owner = nil
	}
	e.port = port
	if port == PortNone {
		return
	}
	pe := t.ports[port]
	if pe == nil {
		pe = &portEntries{port: port}
		pe.head.byPort = link{&pe.head, &pe.head}
		t.ports[port] = pe
	}
	pe.count++
	pushPort(pe, e)
	e.owner = pe
}

func (t *Table) expire(e *entry) {
	t.setPort(e, PortNone)
	t.markChanged()
	delete(t.entries, e.key)
	unlinkLRU(e)
}

func pushLRU(head, e *entry) {
	e.lru = link{head.lru.prev, head}
	head.lru.prev.lru.next = e
	head.lru.prev = e
}

func unlinkLRU(e *entry) {
	e.lru.prev.lru.next = e.lru.next
	e.lru.next.lru.prev = e.lru.prev
	e.lru = link{}
}

func pushPort(pe *portEntries, e *entry) {
	head := &pe.head
	e.byPort = link{head.byPort.prev, head}
	head.byPort.prev.byPort.next = e
	head.byPort.prev = e
}

func unlinkPort(e *entry) {
	e.byPort.prev.byPort.next = e.byPort.next
	e.byPort.next.byPort.prev = e.byPort.prev
	e.byPort = link{}
}

// AddStatic adds or converts (mac, vlan) to a static entry on port, as
// fdb/add does. When an entry existed it returns its previous state.
func (t *Table) AddStatic(mac MAC, vlan uint16, port Port) (old Entry, existed bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.lookup(mac, vlan); e != nil {
		old, existed = t.snapshot(e, now), true
	}
	e := t.insert(mac, vlan, true, now)
	t.setPort(e, port)
	return old, existed
}

// DelStatic removes a static entry, reporting whether there was one.
// Dynamic entries are left alone.
func (t *Table) DelStatic(mac MAC, vlan uint16) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.lookup(mac, vlan)
	if e == nil || e.expires != staticExpiry {
		return false
	}
	t.expire(e)
	t.statics--
	return true
}

// Flush removes every dynamic entry; static ones stay.
func (t *Table) Flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.oldestDynamic(); e != nil; e = t.oldestDynamic() {
		t.expire(e)
	}
}

// FlushPort removes the dynamic entries learned on port, for when the port
// goes away or its VLAN settings change.
func (t *Table) FlushPort(port Port) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pe := t.ports[port]
	if pe == nil {
		return
	}
	for e := pe.head.byPort.next; e != &pe.head; {
		next := e.byPort.next
		if e.expires != staticExpiry {
			t.expire(e)
		}
		e = next
	}
}

// Run ages out expired entries and trims the table to its size limit.
// It returns true when something changed since the last Run that may
// require flow revalidation. Call it about once a second.
func (t *Table) Run() bool {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.oldestDynamic(); e != nil &&
		(len(t.entries) > t.maxEntries || now >= e.expires); e = t.oldestDynamic() {
		covExpired.Inc()
		t.stats.Expired++
		t.expire(e)
	}
	changed := t.changed
	t.changed = false
	return changed
}

// NextExpiry is how long until Run has work to do, or false when the table
// holds no dynamic entries.
func (t *Table) NextExpiry() (time.Duration, bool) {
	now := t.now()
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.entries) > t.maxEntries || t.changed {
		return 0, true
	}
	e := t.oldestDynamic()
	if e == nil {
		return 0, false
	}
	if e.expires <= now {
		return 0, true
	}
	return time.Duration(e.expires-now) * time.Second, true
}

// Entries lists the table from least to most recently used, as fdb/show
// prints it.
func (t *Table) Entries() []Entry {
	now := t.now()
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Entry, 0, len(t.entries))
	for e := t.lru.lru.next; e != &t.lru; e = e.lru.next {
		out = append(out, t.snapshot(e, now))
	}
	return out
}

func (t *Table) snapshot(e *entry, now int64) Entry {
	s := Entry{MAC: e.mac, VLAN: e.vlan, Port: e.port, Static: e.expires == staticExpiry}
	if !s.Static {
		s.Age = t.age(e, now)
	}
	return s
}

// Stats returns the current counters.
func (t *Table) Stats() Stats {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := t.stats
	s.Entries, s.MaxEntries, s.StaticEntries = len(t.entries), t.maxEntries, t.statics
	return s
}

// ClearStats zeroes the cumulative counters, as fdb/stats-clear does.
func (t *Table) ClearStats() {
	t.mu.Lock()
	t.stats = Stats{}
	t.mu.Unlock()
}
