package xdp

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/dpif/bpf"
	"github.com/govswitchd/govswitchd/offload"
)

// Name is the provider's registered name (other_config:ct-offload-provider).
const Name = "xdp"

// The registered factory makes an unconnected provider: enough for the
// command list; the bridge builds working ones with New.
func init() { offload.Register(Name, func() offload.Provider { return &Provider{} }) }

// Datapath is what the provider asks the datapath; *dpif.Datapath
// implements it.
type Datapath interface {
	// ConnPaths says what the datapath does with one direction's packets
	// on each afxdp port they arrive on (dpif.ErrNotOffloadable if
	// nothing the fast path can do).
	ConnPaths(c *conntrack.Conn, reply bool) ([]dpif.ConnPath, error)
	// HasOffloadPorts reports whether any port is an afxdp port.
	HasOffloadPorts() bool
}

// Maps is the program's flow map; *bpf.OffloadMaps implements it.
type Maps interface {
	PutFlow(k *bpf.CTFlowKey, v *bpf.CTFlowVal) error
	LookupFlow(k *bpf.CTFlowKey) (bpf.CTFlowVal, bool, error)
	TakeFlow(k *bpf.CTFlowKey) (bpf.CTFlowVal, bool, error)
	ReadStats() (bpf.XDPStats, error)
}

// Defaults of Options.
const (
	DefaultRevalidateInterval = 100 * time.Millisecond
	DefaultRetryFor           = 3 * time.Second
)

// Options tune a Provider.
type Options struct {
	// RevalidateInterval is how often the revalidator looks for datapath
	// changes and retries pending connections. Zero means the default;
	// negative runs no goroutine (tests call Revalidate).
	RevalidateInterval time.Duration
	// RetryFor is how long a connection whose paths do not resolve (yet)
	// is retried on every revalidator pass before it is left in
	// software; a connection in software is retried once per RetryFor.
	// Zero means the default.
	RetryFor time.Duration
	// Clock returns the time base of the program's last-used stamps
	// (CLOCK_MONOTONIC, ns); tests replace it.
	Clock func() int64
}

// Connection states (xconn.state).
type connState uint8

const (
	statePending  connState = iota // waiting for its paths to resolve
	stateKernel                    // its entries are in the map
	stateSoftware                  // not offloadable now; retried once per RetryFor
)

var stateNames = [...]string{"pending", "kernel", "software"}

func (s connState) String() string { return stateNames[s] }

// Provider is the XDP conntrack offload provider. Its methods are called
// from the offload Manager's worker; the revalidator goroutine and the
// commands share its state under mu.
type Provider struct {
	dp   Datapath
	maps Maps
	opt  Options

	mu    sync.Mutex
	conns map[uint64]*xconn // by Context.ID
	stats struct {
		installed, removed, failures, pulls uint64
	}
	stop, done chan struct{}
}

// xconn is one connection the provider holds.
type xconn struct {
	ctx     *offload.Context
	est     bool // Established was called: packets of both directions are +est
	state   connState
	reason  string // why it is not in the kernel
	since   int64  // clock when it became pending, or was last retried in software
	entries []*entry
	carried [2]conntrack.Counters // what removed entries counted, per direction
	used    uint64                // latest last-used stamp seen (clock ns)
}

// entry is one map entry: one direction on one ingress port.
type entry struct {
	reply bool
	key   bpf.CTFlowKey
	val   bpf.CTFlowVal // as written: what to do, counters zero
	path  dpif.ConnPath
	seen  bpf.CTFlowVal // counters at the last read
}

var _ offload.Provider = (*Provider)(nil)

// New makes a provider forwarding through maps what dp answers.
func New(dp Datapath, maps Maps, opt Options) *Provider {
	if opt.RevalidateInterval == 0 {
		opt.RevalidateInterval = DefaultRevalidateInterval
	}
	if opt.RetryFor == 0 {
		opt.RetryFor = DefaultRetryFor
	}
	if opt.Clock == nil {
		opt.Clock = monotonicNow
	}
	return &Provider{dp: dp, maps: maps, opt: opt, conns: map[uint64]*xconn{}}
}

func monotonicNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}

// errUnconnected is Init's answer for the registered factory's instance.
var errUnconnected = errors.New("the xdp provider needs a datapath with afxdp ports and is created by the bridge")

// Init implements offload.Provider: it starts the revalidator.
func (p *Provider) Init() error {
	if p.dp == nil || p.maps == nil {
		return errUnconnected
	}
	if p.opt.RevalidateInterval > 0 && p.stop == nil {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.revalidator()
	}
	return nil
}

// Close stops the revalidator and removes every entry.
func (p *Provider) Close() error {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	return p.Flush()
}

func (p *Provider) revalidator() {
	defer close(p.done)
	t := time.NewTicker(p.opt.RevalidateInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.Revalidate()
		}
	}
}

// Revalidate is one revalidator pass. A connection whose paths went stale
// (the datapath's revalidation changed or deleted one of its megaflows) is
// pulled out of the map at once, so its packets take the software path and
// the new tables, and becomes pending: it comes back when its paths
// resolve again. Pending connections are retried on every pass, those in
// software once per RetryFor.
func (p *Provider) Revalidate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opt.Clock()
	for _, xc := range p.conns {
		switch xc.state {
		case stateKernel:
			if !xc.stale() {
				continue
			}
			p.pull(xc)
			p.stats.pulls++
			xc.state, xc.reason, xc.since = statePending, "datapath flows changed", now
			p.tryInstall(xc, now)
		case statePending:
			if xc.est {
				p.tryInstall(xc, now)
			}
		case stateSoftware:
			if now-xc.since >= int64(p.opt.RetryFor) {
				p.tryInstall(xc, now)
			}
		}
	}
}

// stale reports whether any entry's path went stale.
func (xc *xconn) stale() bool {
	for _, e := range xc.entries {
		if e.path.Stale() {
			return true
		}
	}
	return false
}

// CanOffload implements offload.Provider: TCP and UDP, while the datapath
// has afxdp ports at all; whether the datapath's actions fit is decided
// when they are installed.
func (p *Provider) CanOffload(ctx *offload.Context) bool {
	if ctx.Orig.Proto != conntrack.ProtoTCP && ctx.Orig.Proto != conntrack.ProtoUDP {
		return false
	}
	return p.dp.HasOffloadPorts()
}

// Add implements offload.Provider. Nothing is installed before
// Established: until a reply is seen the datapath's ct() answers +new, not
// the +est that paths are computed with (the Manager offers UDP at commit).
func (p *Provider) Add(ctx *offload.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.conns[ctx.ID]; dup {
		return fmt.Errorf("xdp: connection %d added twice", ctx.ID)
	}
	p.conns[ctx.ID] = &xconn{ctx: ctx, since: p.opt.Clock(), reason: "waiting for the reply direction"}
	return nil
}

// Established implements offload.Provider: the connection's paths are
// resolved and installed now, or, if its last packet's megaflow is still
// being installed, by the revalidator's retries.
func (p *Provider) Established(ctx *offload.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	xc := p.conns[ctx.ID]
	if xc == nil {
		return fmt.Errorf("xdp established %d: %w", ctx.ID, offload.ErrNotOffloaded)
	}
	if !xc.est {
		xc.est = true
		xc.since = p.opt.Clock()
		p.tryInstall(xc, xc.since)
	}
	return nil
}

// Update implements offload.Provider: the entries' counters (plus those
// of entries removed since Add) and the latest last-used time, converted
// to the tracker's clock. The megaflows the packets bypassed are credited
// with the traffic since the previous read.
func (p *Provider) Update(ctx *offload.Context) (offload.Stats, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	xc := p.conns[ctx.ID]
	if xc == nil {
		return offload.Stats{}, fmt.Errorf("xdp update %d: %w", ctx.ID, offload.ErrNotOffloaded)
	}
	now := p.opt.Clock()
	var lost bool
	for _, e := range xc.entries {
		v, ok, err := p.maps.LookupFlow(&e.key)
		if err != nil {
			return offload.Stats{}, fmt.Errorf("xdp update %d: %w", ctx.ID, err)
		}
		if !ok {
			lost = true // someone else removed it: count what we saw
			continue
		}
		p.account(xc, e, &v, now)
	}
	if lost {
		p.pull(xc)
		xc.state, xc.reason, xc.since = statePending, "entry vanished from the map", now
	}
	st := offload.Stats{Orig: xc.carried[0], Reply: xc.carried[1]}
	for _, e := range xc.entries {
		c := &st.Orig
		if e.reply {
			c = &st.Reply
		}
		c.Packets += e.seen.Packets
		c.Bytes += e.seen.Bytes
	}
	if xc.used != 0 {
		age := (now - int64(xc.used)) / int64(time.Millisecond)
		st.LastUsed = ctx.Now - max(age, 0)
	}
	return st, nil
}

// account takes a fresh read of e's counters: the traffic since the last
// read is credited to the path's megaflows.
func (p *Provider) account(xc *xconn, e *entry, v *bpf.CTFlowVal, now int64) {
	if v.Packets > e.seen.Packets {
		used := time.Now()
		if v.LastUsed != 0 {
			used = used.Add(-time.Duration(now - int64(v.LastUsed)))
		}
		e.path.Credit(v.Packets-e.seen.Packets, v.Bytes-e.seen.Bytes, used)
	}
	if v.LastUsed > xc.used {
		xc.used = v.LastUsed
	}
	e.seen.Packets, e.seen.Bytes, e.seen.LastUsed = v.Packets, v.Bytes, v.LastUsed
}

// Delete implements offload.Provider.
func (p *Provider) Delete(ctx *offload.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	xc := p.conns[ctx.ID]
	if xc == nil {
		return fmt.Errorf("xdp delete %d: %w", ctx.ID, offload.ErrNotOffloaded)
	}
	p.pull(xc)
	delete(p.conns, ctx.ID)
	return nil
}

// Flush implements offload.Provider.
func (p *Provider) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, xc := range p.conns {
		p.pull(xc)
		delete(p.conns, id)
	}
	return nil
}

// tryInstall resolves both directions and installs their entries; on
// failure the connection stays pending until RetryFor has passed.
func (p *Provider) tryInstall(xc *xconn, now int64) {
	err := p.install(xc)
	if err == nil {
		xc.state, xc.reason = stateKernel, ""
		return
	}
	xc.reason = err.Error()
	switch {
	case xc.state == stateSoftware:
		xc.since = now // next retry in RetryFor
	case now-xc.since >= int64(p.opt.RetryFor):
		xc.state, xc.since = stateSoftware, now
		p.stats.failures++
	}
}

// install writes the entries of both directions, or none.
func (p *Provider) install(xc *xconn) error {
	var entries []*entry
	for _, reply := range []bool{false, true} {
		paths, err := p.dp.ConnPaths(xc.ctx.Conn, reply)
		if err != nil {
			return err
		}
		for i := range paths {
			k, v, err := BuildEntry(&paths[i])
			if err != nil {
				return err
			}
			entries = append(entries, &entry{reply: reply, key: k, val: v, path: paths[i]})
		}
	}
	for i, e := range entries {
		if err := p.maps.PutFlow(&e.key, &e.val); err != nil {
			for _, done := range entries[:i] {
				p.maps.TakeFlow(&done.key)
			}
			return err
		}
	}
	xc.entries = entries
	p.stats.installed += uint64(len(entries))
	return nil
}

// pull takes xc's entries out of the map, keeping what they counted.
func (p *Provider) pull(xc *xconn) {
	now := p.opt.Clock()
	for _, e := range xc.entries {
		if v, ok, err := p.maps.TakeFlow(&e.key); err == nil && ok {
			p.account(xc, e, &v, now)
		}
		d := 0
		if e.reply {
			d = 1
		}
		xc.carried[d].Packets += e.seen.Packets
		xc.carried[d].Bytes += e.seen.Bytes
		p.stats.removed++
	}
	xc.entries = nil
}
