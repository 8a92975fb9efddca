package conntrack

import (
	"sync"
	"sync/atomic"
)

// DefaultMaxConns is the global connection limit of a fresh tracker.
const DefaultMaxConns = 3000000

// zoneLimit is the accounting entry of one zone. Connections keep a pointer to
// the entry that admitted them and decrement that same entry when removed, so
// a re-created entry is never decremented by older connections.
type zoneLimit struct {
	zone     uint16
	limit    atomic.Uint32
	explicit bool // set by ct-set-limits zone=N (else follows the default); under limits.mu
	count    atomic.Int64
}

// limits holds the per-zone limits. A default of 0 means "no default": zones
// without their own limit are unlimited (OVS 3.1 instead refused every
// commit). An explicit zone limit of 0 blocks all commits in that zone, as in
// OVS.
type limits struct {
	mu    sync.RWMutex
	def   uint32
	zones map[uint16]*zoneLimit
}

// forCommit returns the entry a new connection in zone counts against, or nil
// when the zone is unlimited. Entries for default-limited zones are created
// on first use.
func (l *limits) forCommit(zone uint16) *zoneLimit {
	l.mu.RLock()
	zl, def := l.zones[zone], l.def
	l.mu.RUnlock()
	if zl != nil || def == 0 {
		return zl
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if zl = l.zones[zone]; zl == nil && l.def != 0 {
		zl = &zoneLimit{zone: zone}
		zl.limit.Store(l.def)
		l.zones[zone] = zl
	}
	return zl
}

// admit takes one slot of zl, or reports the zone full.
func (zl *zoneLimit) admit() bool {
	if zl.count.Add(1) > int64(zl.limit.Load()) {
		zl.count.Add(-1)
		return false
	}
	return true
}

func (l *limits) setDefault(v uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.def = v
	for z, zl := range l.zones {
		if zl.explicit {
			continue
		}
		if v == 0 {
			delete(l.zones, z)
		} else {
			zl.limit.Store(v)
		}
	}
}

func (l *limits) setZone(zone uint16, v uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	zl := l.zones[zone]
	if zl == nil {
		zl = &zoneLimit{zone: zone}
		l.zones[zone] = zl
	}
	zl.explicit = true
	zl.limit.Store(v)
}

// delZone returns the zone to the default (or to unlimited).
func (l *limits) delZone(zone uint16) {
	l.mu.Lock()
	defer l.mu.Unlock()
	zl := l.zones[zone]
	if zl == nil {
		return
	}
	if l.def == 0 {
		delete(l.zones, zone)
		return
	}
	zl.explicit = false
	zl.limit.Store(l.def)
}

// get returns (limit, count) for a zone as ct-get-limits reports them.
func (l *limits) get(zone uint16) (uint32, int64, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if zl := l.zones[zone]; zl != nil {
		return zl.limit.Load(), zl.count.Load(), zl.explicit
	}
	return l.def, 0, false
}
