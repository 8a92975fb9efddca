// Package coverage counts unusual events cheaply (one atomic add) and
// reports them as OVS's coverage/show does, with rates over the last 5
// seconds, minute and hour. It imports only unixctl from this module.
package coverage

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sampling parameters, as in OVS: a sample every 5 s, 12 samples make the
// minute, 60 minute sums make the hour.
const (
	runInterval = 5 * time.Second
	minAvgLen   = int(time.Minute / runInterval)
	hrAvgLen    = 60
)

// Counter is one named event counter. Register counters once, at package
// level: var bridgeReconfigure = coverage.New("bridge_reconfigure").
type Counter struct {
	name  string
	total atomic.Uint64

	// Guarded by registry.mu.
	lastTotal uint64
	min       [minAvgLen]uint32 // per-sample counts for the last minute
	hr        [hrAvgLen]uint32  // per-minute counts for the last hour
}

// Inc counts one event.
func (c *Counter) Inc() { c.total.Add(1) }

// Add counts n events.
func (c *Counter) Add(n uint64) { c.total.Add(n) }

// Value is the total so far.
func (c *Counter) Value() uint64 { return c.total.Load() }

// Name is the counter's name.
func (c *Counter) Name() string { return c.name }

// registry holds all counters in registration order, which is the order
// coverage/show prints them in. mu guards everything but the totals.
var registry struct {
	mu       sync.Mutex
	counters []*Counter
	byName   map[string]*Counter
	idx      int       // next sample slot, 0 .. minAvgLen*hrAvgLen-1
	nextRun  time.Time // when the next sample is due; zero before the first
}

// New registers a counter, or returns the one already registered under name.
func New(name string) *Counter {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if c, ok := registry.byName[name]; ok {
		return c
	}
	if registry.byName == nil {
		registry.byName = make(map[string]*Counter)
	}
	c := &Counter{name: name}
	registry.counters = append(registry.counters, c)
	registry.byName[name] = c
	return c
}

// Lookup returns the counter registered under name, or nil.
func Lookup(name string) *Counter {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.byName[name]
}

// sample brings the moving averages up to now. When several intervals have
// passed since the last sample, the events are spread evenly over them (the
// remainder going to the last), as OVS does; so sampling lazily, at show
// time, gives the same figures as a steady ticker.
func sample(now time.Time) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.nextRun.IsZero() {
		registry.nextRun = now.Add(runInterval)
		return
	}
	if now.Before(registry.nextRun) {
		return
	}
	slots := int(now.Sub(registry.nextRun)/runInterval) + 1
	// After a long pause only the last hour of slots is visible; skip the
	// rest, starting on a minute boundary so the hour sums stay right.
	const window = minAvgLen * hrAvgLen
	skip := 0
	if slots > window+minAvgLen {
		skip = slots - window - minAvgLen
		skip -= (registry.idx + skip) % minAvgLen
	}
	for _, c := range registry.counters {
		total := c.total.Load()
		count := uint32(total - c.lastTotal)
		c.lastTotal = total
		portion := count / uint32(slots)
		idx := (registry.idx + skip) % window
		for j := skip; j < slots; j++ {
			m, h := idx%minAvgLen, idx/minAvgLen
			c.min[m] = portion
			if j == slots-1 {
				c.min[m] += count % uint32(slots)
			}
			if m == 0 {
				c.hr[h] = c.min[m]
			} else {
				c.hr[h] += c.min[m]
			}
			idx = (idx + 1) % window
		}
	}
	registry.idx = (registry.idx + slots) % window
	registry.nextRun = now.Add(runInterval)
}

// Start samples every 5 seconds until the returned stop function is called.
// Without it, coverage/show samples on demand, which yields the same rates.
func Start() (stop func()) {
	sample(time.Now())
	t := time.NewTicker(runInterval)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			select {
			case now := <-t.C:
				sample(now)
			case <-done:
				return
			}
		}
	}()
	return func() {
		once.Do(func() {
			t.Stop()
			close(done)
		})
	}
}

func sum(a []uint32) uint32 {
	var s uint32
	for _, v := range a {
		s += v
	}
	return s
}

// Show is the coverage/show text at time now.
func Show(now time.Time) string {
	sample(now)
	registry.mu.Lock()
	defer registry.mu.Unlock()

	var b strings.Builder
	fmt.Fprintf(&b, "Event coverage, avg rate over last: %d seconds, last minute, last hour,  hash=%08x:\n",
		int(runInterval/time.Second), hashLocked())
	neverHit := 0
	last := (registry.idx + minAvgLen*hrAvgLen - 1) % minAvgLen
	for _, c := range registry.counters {
		total := c.total.Load()
		if total == 0 {
			neverHit++
			continue
		}
		fmt.Fprintf(&b, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   total: %d\n",
			c.name,
			float64(c.min[last])*1000.0/float64(runInterval/time.Millisecond),
			float64(sum(c.min[:]))/60.0,
			float64(sum(c.hr[:]))/3600.0,
			total)
	}
	fmt.Fprintf(&b, "%d events never hit\n", neverHit)
	return b.String()
}
