package offload

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Defaults of Config.
const (
	DefaultQueueLimit   = 4096
	DefaultBatchSize    = 64
	DefaultPollInterval = 5 * time.Second
)

// ObserverName is the name the Manager registers its observer under (shown
// by conntrack/show-hooks).
const ObserverName = "ct-offload"

// Config configures a Manager.
type Config struct {
	// Provider is the registered provider name ("dummy", "xdp").
	Provider string
	// QueueLimit bounds the adds and establishes waiting for the worker;
	// beyond it connections stay in software. Deletes and flushes are
	// never dropped. Zero means DefaultQueueLimit.
	QueueLimit int
	// BatchSize bounds the operations handed to the provider at once.
	// Zero means DefaultBatchSize.
	BatchSize int
	// PollInterval is how often offloaded connections are polled with
	// Update. Zero means DefaultPollInterval; negative disables polling
	// (tests call Poll).
	PollInterval time.Duration
}

// Manager attaches one provider to one tracker. Lock order: qmu and mu are
// never held together; the worker goroutine alone calls the provider.
type Manager struct {
	t        *conntrack.Tracker
	p        Provider
	name     string
	slot     conntrack.SlotID
	batchMax int
	limit    int

	qmu    sync.Mutex // guards queue, queued
	queue  []task
	queued int // adds and establishes in queue (bounded by limit)
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	closed atomic.Bool
	once   sync.Once

	mu      sync.Mutex // guards entries (written by the worker)
	entries map[uint64]*connState
	nextID  uint64 // worker only

	stats struct {
		added, refused, removed, errors, dropped, batches atomic.Uint64
	}

	testNotify func(conntrack.Event) // tests: sees every event first
}

// task is one unit of work for the worker.
type task struct {
	kind taskKind
	c    *conntrack.Conn
	st   *connState
	done chan struct{} // taskSync, taskPoll
}

type taskKind uint8

const (
	taskAdd taskKind = iota
	taskEstablished
	taskUnoffload // TCP started closing: back to software
	taskDelete    // removed from the tracker
	taskFlush
	taskPoll
	taskSync
)

// New creates the provider cfg names, initialises it and attaches it to t.
func New(t *conntrack.Tracker, cfg Config) (*Manager, error) {
	f, ok := Lookup(cfg.Provider)
	if !ok {
		return nil, fmt.Errorf("ct offload: unknown provider %q (available: %v)", cfg.Provider, Providers())
	}
	p := f()
	if err := p.Init(); err != nil {
		return nil, fmt.Errorf("ct offload: init provider %s: %w", cfg.Provider, err)
	}
	return Attach(t, cfg.Provider, p, cfg)
}

// Attach attaches an existing provider instance (tests, or a provider
// built with arguments); name is what ct-offload/show reports. Init is the
// caller's business.
func Attach(t *conntrack.Tracker, name string, p Provider, cfg Config) (*Manager, error) {
	if t == nil || p == nil {
		return nil, errors.New("ct offload: Attach needs a tracker and a provider")
	}
	m := &Manager{t: t, p: p, name: name, batchMax: cfg.BatchSize, limit: cfg.QueueLimit,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		entries: map[uint64]*connState{}}
	if m.batchMax <= 0 {
		m.batchMax = DefaultBatchSize
	}
	if m.limit <= 0 {
		m.limit = DefaultQueueLimit
	}
	slot, err := t.AllocSlot(nil)
	if err != nil {
		return nil, fmt.Errorf("ct offload: %w", err)
	}
	m.slot = slot
	poll := cfg.PollInterval
	if poll == 0 {
		poll = DefaultPollInterval
	}
	go m.worker(poll)
	err = t.RegisterObserver(conntrack.Observer{Name: ObserverName, Priority: conntrack.PriorityLow,
		Events: conntrack.EventsAll, Notify: m.notify})
	if err != nil {
		close(m.stop)
		<-m.done
		return nil, fmt.Errorf("ct offload: %w", err)
	}
	return m, nil
}

// ProviderName returns the name the provider was attached under.
func (m *Manager) ProviderName() string { return m.name }

// Provider returns the attached provider.
func (m *Manager) Provider() Provider { return m.p }

// Close detaches from the tracker, finishes the queued work, flushes the
// provider and clears the offloaded mark of the connections it held; the
// tracker keeps them in software. It is safe to call more than once.
func (m *Manager) Close() {
	m.once.Do(func() {
		_ = m.t.Unregister(ObserverName)
		m.closed.Store(true)
		close(m.stop)
		<-m.done
	})
}

// enqueue hands a task to the worker. Bounded tasks (adds) are refused when
// the queue is full; must tasks are always taken.
func (m *Manager) enqueue(tk task, must bool) bool {
	m.qmu.Lock()
	if !must && m.queued >= m.limit {
		m.qmu.Unlock()
		return false
	}
	if tk.kind == taskAdd || tk.kind == taskEstablished {
		m.queued++
	}
	m.queue = append(m.queue, tk)
	m.qmu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return true
}

// Sync waits until everything queued before the call has reached the
// provider (tests, orderly shutdown). After Close it returns at once.
func (m *Manager) Sync() { m.roundTrip(taskSync) }

// Poll runs one Update round over the offloaded connections now and waits
// for it, as the periodic poll does.
func (m *Manager) Poll() { m.roundTrip(taskPoll) }

func (m *Manager) roundTrip(k taskKind) {
	if m.closed.Load() {
		return
	}
	done := make(chan struct{})
	m.enqueue(task{kind: k, done: done}, true)
	select {
	case <-done:
	case <-m.done:
	}
}

// Counters are the Manager's statistics.
type Counters struct {
	Offloaded uint64 // connections the provider holds now
	Added     uint64 // successful adds
	Refused   uint64 // CanOffload said no
	Removed   uint64 // deletes (removed or returned to software)
	Errors    uint64 // failed provider operations
	Dropped   uint64 // adds not queued because the queue was full
	Batches   uint64 // submissions to the provider
}

// Stats returns the current counters.
func (m *Manager) Stats() Counters {
	m.mu.Lock()
	n := len(m.entries)
	m.mu.Unlock()
	return Counters{Offloaded: uint64(n), Added: m.stats.added.Load(), Refused: m.stats.refused.Load(),
		Removed: m.stats.removed.Load(), Errors: m.stats.errors.Load(), Dropped: m.stats.dropped.Load(),
		Batches: m.stats.batches.Load()}
}

// ConnInfo is one offloaded connection as ct-offload/show lists it.
type ConnInfo struct {
	ID          uint64
	Orig, Reply conntrack.Key
	Established bool // the provider was told Established
}

// Connections lists the connections the provider holds, by ID.
func (m *Manager) Connections() []ConnInfo {
	m.mu.Lock()
	out := make([]ConnInfo, 0, len(m.entries))
	for _, st := range m.entries {
		out = append(out, ConnInfo{ID: st.ctx.ID, Orig: st.ctx.Orig, Reply: st.ctx.Reply, Established: st.established})
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b ConnInfo) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
