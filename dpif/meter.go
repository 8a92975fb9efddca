package dpif

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// MeterBand is one drop band of a datapath meter: packets beyond Rate
// (kb/s, or packets/s for a packet meter) once Burst is spent are dropped.
// The userspace datapath has drop bands only, as in OVS.
type MeterBand struct {
	Rate  uint32
	Burst uint32 // kbits or packets; 0 means Rate
}

// MeterConfig is a meter as the OpenFlow layer installs it.
type MeterConfig struct {
	PacketsPerSecond bool // rates count packets, else kilobits
	Bands            []MeterBand
}

// MeterBandStats counts what one band dropped.
type MeterBandStats struct{ Packets, Bytes uint64 }

// MeterStats counts what entered a meter and what each band dropped.
type MeterStats struct {
	Packets, Bytes uint64
	Bands          []MeterBandStats
}

// ErrNoMeter is returned for a meter id the datapath does not have.
var ErrNoMeter = errors.New("no such meter")

// maxMeterBands bounds a meter's bands, as OpenFlow's meter features say.
const maxMeterBands = 8

// dpMeter is one installed meter. Its token buckets hold thousandths of a
// packet or bits, so that a millisecond times a rate is a whole number
// of tokens; mu serializes the poll goroutines that share the meter.
type dpMeter struct {
	pktps bool

	mu      sync.Mutex
	used    time.Time
	packets uint64
	bytes   uint64
	bands   []meterBandState
}

type meterBandState struct {
	rate, burst uint64 // per millisecond, and the bucket's capacity, in tokens
	tokens      uint64
	dropped     MeterBandStats
}

// meterTable maps datapath meter ids to meters. Readers on the packet path
// load the map without locking; writers copy it under mu.
type meterTable struct {
	mu     sync.Mutex
	meters atomic.Pointer[map[uint32]*dpMeter]
}

func newMeter(c MeterConfig, now time.Time) (*dpMeter, error) {
	if len(c.Bands) == 0 || len(c.Bands) > maxMeterBands {
		return nil, fmt.Errorf("meter with %d bands: need 1 to %d", len(c.Bands), maxMeterBands)
	}
	m := &dpMeter{pktps: c.PacketsPerSecond, used: now, bands: make([]meterBandState, len(c.Bands))}
	for i, b := range c.Bands {
		if b.Rate == 0 {
			return nil, fmt.Errorf("meter band %d: rate 0", i)
		}
		burst := b.Burst
		if burst == 0 {
			burst = b.Rate
		}
		// Start full, as a freshly configured meter lets a burst through.
		m.bands[i] = meterBandState{rate: uint64(b.Rate), burst: uint64(burst) * 1000, tokens: uint64(burst) * 1000}
	}
	return m, nil
}

// AddMeter installs a meter and returns its datapath id.
func (d *Datapath) AddMeter(c MeterConfig) (uint32, error) {
	m, err := newMeter(c, time.Now())
	if err != nil {
		return 0, fmt.Errorf("add meter: %w", err)
	}
	t := &d.meterTable
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.load()
	// The lowest free id, as OVS's id pool gives: meter(0) is the first.
	id := uint32(0)
	for old[id] != nil {
		id++
	}
	t.store(old, id, m)
	return id, nil
}

// SetMeter replaces meter id's configuration; its counters start again, as
// OVS's do when a meter is modified.
func (d *Datapath) SetMeter(id uint32, c MeterConfig) error {
	m, err := newMeter(c, time.Now())
	if err != nil {
		return fmt.Errorf("set meter %d: %w", id, err)
	}
	t := &d.meterTable
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.load()
	if old[id] == nil {
		return fmt.Errorf("set meter %d: %w", id, ErrNoMeter)
	}
	t.store(old, id, m)
	return nil
}

// DeleteMeter removes meter id; packets that name it pass unmetered.
func (d *Datapath) DeleteMeter(id uint32) {
	t := &d.meterTable
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.load(); old[id] != nil {
		t.store(old, id, nil)
	}
}

// MeterStats returns meter id's counters.
func (d *Datapath) MeterStats(id uint32) (MeterStats, error) {
	m := d.meterTable.load()[id]
	if m == nil {
		return MeterStats{}, fmt.Errorf("meter %d stats: %w", id, ErrNoMeter)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := MeterStats{Packets: m.packets, Bytes: m.bytes, Bands: make([]MeterBandStats, len(m.bands))}
	for i := range m.bands {
		s.Bands[i] = m.bands[i].dropped
	}
	return s, nil
}

func (t *meterTable) load() map[uint32]*dpMeter {
	if p := t.meters.Load(); p != nil {
		return *p
	}
	return nil
}

// store publishes a copy of old with id set to m (deleted when m is nil).
func (t *meterTable) store(old map[uint32]*dpMeter, id uint32, m *dpMeter) {
	next := make(map[uint32]*dpMeter, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	if m == nil {
		delete(next, id)
	} else {
		next[id] = m
	}
	t.meters.Store(&next)
}

// runMeter passes refs through meter id at time now and returns the
// packets that conform, compacted in place. Each packet that exceeds some
// band is dropped by the exceeded band with the highest rate, as OVS does.
func (e *executor) runMeter(refs []pktRef, id uint32, now time.Time) []pktRef {
	m := e.dp.meterTable.load()[id]
	if m == nil || len(refs) == 0 {
		return refs
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ms := now.Sub(m.used).Milliseconds()
	if ms < 0 {
		ms = 0 // another poll goroutine metered later packets first
	}
	if ms > 0 {
		m.used = now
	}
	for i := range m.bands {
		b := &m.bands[i]
		// Refill, never past the burst; the cap also bounds the product.
		if fill := b.burst / b.rate; uint64(ms) >= fill {
			b.tokens = b.burst
		} else if b.tokens += uint64(ms) * b.rate; b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	n := 0
	for _, r := range refs {
		size := uint64(r.p.Len())
		m.packets++
		m.bytes += size
		cost := size * 8
		if m.pktps {
			cost = 1000
		}
		drop := -1
		for i := range m.bands {
			b := &m.bands[i]
			if b.tokens >= cost {
				b.tokens -= cost
			} else if drop < 0 || b.rate > m.bands[drop].rate {
				drop = i
			}
		}
		if drop >= 0 {
			m.bands[drop].dropped.Packets++
			m.bands[drop].dropped.Bytes += size
			continue
		}
		refs[n] = r
		n++
	}
	return refs[:n]
}
