package xdp

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/dpif/bpf"
	"github.com/govswitchd/govswitchd/offload"
)

// fakeDP answers ConnPaths from a table the test sets.
type fakeDP struct {
	mu      sync.Mutex
	paths   [2][]dpif.ConnPath // [orig, reply]
	err     error
	noPorts bool
}

func (d *fakeDP) HasOffloadPorts() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.noPorts
}

func (d *fakeDP) ConnPaths(_ *conntrack.Conn, reply bool) ([]dpif.ConnPath, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	i := 0
	if reply {
		i = 1
	}
	out := append([]dpif.ConnPath(nil), d.paths[i]...)
	for j := range out {
		out[j].Snapshot()
	}
	return out, nil
}

func (d *fakeDP) set(f func(d *fakeDP)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(d)
}

// fakeMaps is the flow map in memory; the test plays the XDP program by
// bumping counters with forward.
type fakeMaps struct {
	mu    sync.Mutex
	flows map[bpf.CTFlowKey]bpf.CTFlowVal
	fail  error
}

func newFakeMaps() *fakeMaps { return &fakeMaps{flows: map[bpf.CTFlowKey]bpf.CTFlowVal{}} }

func (m *fakeMaps) PutFlow(k *bpf.CTFlowKey, v *bpf.CTFlowVal) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.flows[*k] = *v
	return nil
}

func (m *fakeMaps) LookupFlow(k *bpf.CTFlowKey) (bpf.CTFlowVal, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.flows[*k]
	return v, ok, nil
}

func (m *fakeMaps) TakeFlow(k *bpf.CTFlowKey) (bpf.CTFlowVal, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.flows[*k]
	delete(m.flows, *k)
	return v, ok, nil
}

func (m *fakeMaps) ReadStats() (bpf.XDPStats, error) { return bpf.XDPStats{Hit: 7, Miss: 1}, nil }

func (m *fakeMaps) forward(t *testing.T, k bpf.CTFlowKey, packets, bytes uint64, at int64) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.flows[k]
	if !ok {
		t.Fatalf("no entry for %+v", k)
	}
	v.Packets += packets
	v.Bytes += bytes
	v.LastUsed = uint64(at)
	m.flows[k] = v
}

func (m *fakeMaps) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.flows)
}

type fixture struct {
	dp    *fakeDP
	maps  *fakeMaps
	p     *Provider
	clock int64 // ns
	flows [2]*dpif.Megaflow
	keys  [2]bpf.CTFlowKey
	ctx   *offload.Context
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{dp: &fakeDP{}, maps: newFakeMaps(), clock: int64(time.Hour)}
	var key dpif.FlowKey
	mask := dpif.ExactMask()
	f.flows[0] = dpif.NewMegaflow(&key, &mask, []dpif.Action{dpif.Output(2)})
	f.flows[1] = dpif.NewMegaflow(&key, &mask, []dpif.Action{dpif.Output(1)})
	orig := plainPath()
	orig.Flows = []*dpif.Megaflow{f.flows[0]}
	reply := dpif.ConnPath{InPort: 2, OutPort: 1, InIfindex: 12, OutIfindex: 11,
		In: tcpHeaders("10.0.0.2", "10.0.0.1", 8000, 40000), Flows: []*dpif.Megaflow{f.flows[1]}}
	reply.Out = reply.In
	f.dp.paths = [2][]dpif.ConnPath{{orig}, {reply}}
	f.keys[0], _, _ = BuildEntry(&orig)
	f.keys[1], _, _ = BuildEntry(&reply)
	f.p = New(f.dp, f.maps, Options{RevalidateInterval: -1, RetryFor: time.Second, Clock: func() int64 { return f.clock }})
	if err := f.p.Init(); err != nil {
		t.Fatal(err)
	}
	f.ctx = &offload.Context{ID: 1, Orig: conntrack.Key{Proto: conntrack.ProtoTCP}, Now: 100_000}
	return f
}

func (f *fixture) state(t *testing.T) string {
	t.Helper()
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	xc := f.p.conns[f.ctx.ID]
	if xc == nil {
		return "gone"
	}
	return fmt.Sprintf("%s/%d", xc.state, len(xc.entries))
}

func (f *fixture) update(t *testing.T) offload.Stats {
	t.Helper()
	st, err := f.p.Update(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestProviderLifecycle(t *testing.T) {
	f := newFixture(t)
	if !f.p.CanOffload(f.ctx) {
		t.Fatal("TCP refused")
	}
	if f.p.CanOffload(&offload.Context{Orig: conntrack.Key{Proto: conntrack.ProtoICMP}}) {
		t.Fatal("ICMP accepted")
	}
	f.dp.set(func(d *fakeDP) { d.noPorts = true })
	if f.p.CanOffload(f.ctx) {
		t.Fatal("accepted without afxdp ports")
	}
	f.dp.set(func(d *fakeDP) { d.noPorts = false })
	if err := f.p.Add(f.ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing before the reply direction is established, whatever the
	// revalidator does.
	f.p.Revalidate()
	if s := f.state(t); s != "pending/0" || f.maps.len() != 0 {
		t.Fatalf("before Established: %s with %d map entries, want pending/0 and 0", s, f.maps.len())
	}
	if err := f.p.Established(f.ctx); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != "kernel/2" || f.maps.len() != 2 {
		t.Fatalf("after add: %s with %d map entries, want kernel/2 and 2", s, f.maps.len())
	}
	if st := f.update(t); st != (offload.Stats{}) {
		t.Fatalf("idle connection reports %+v", st)
	}

	// Traffic 250 ms ago in the original direction, 100 ms ago in reply.
	f.maps.forward(t, f.keys[0], 10, 15000, f.clock-int64(250*time.Millisecond))
	f.maps.forward(t, f.keys[1], 5, 330, f.clock-int64(100*time.Millisecond))
	want := offload.Stats{LastUsed: f.ctx.Now - 100, Orig: conntrack.Counters{Packets: 10, Bytes: 15000},
		Reply: conntrack.Counters{Packets: 5, Bytes: 330}}
	if st := f.update(t); st != want {
		t.Fatalf("update:\n got %+v\nwant %+v", st, want)
	}
	if s := f.flows[0].Stats(); s.Packets != 10 || s.Bytes != 15000 || s.Used.IsZero() {
		t.Fatalf("orig megaflow credited %+v", s)
	}
	if s := f.flows[1].Stats(); s.Packets != 5 || s.Bytes != 330 {
		t.Fatalf("reply megaflow credited %+v", s)
	}
	// A second read credits only what is new.
	f.update(t)
	if s := f.flows[0].Stats(); s.Packets != 10 {
		t.Fatalf("megaflow credited twice: %+v", s)
	}

	// Nothing changed: a pass keeps everything.
	f.p.Revalidate()
	if c := f.p.Stats(); c.Kernel != 1 || c.Pulls != 0 {
		t.Fatalf("an idle pass changed something: %+v", c)
	}

	// Revalidation gives a megaflow new actions: the entries leave the
	// map at once, their counts are kept, and they come back once the
	// paths resolve again.
	f.dp.set(func(d *fakeDP) { d.err = fmt.Errorf("%w: no datapath flow", dpif.ErrNotOffloadable) })
	f.flows[1].SetActions([]dpif.Action{dpif.Output(3)})
	f.p.Revalidate()
	if s := f.state(t); s != "pending/0" || f.maps.len() != 0 {
		t.Fatalf("after a datapath change: %s with %d map entries, want pending/0 and 0", s, f.maps.len())
	}
	if st := f.update(t); st.Orig != want.Orig || st.Reply != want.Reply {
		t.Fatalf("counters lost by the pull: %+v", st)
	}
	f.dp.set(func(d *fakeDP) { d.err = nil })
	f.p.Revalidate()
	if s := f.state(t); s != "kernel/2" {
		t.Fatalf("after settling: %s, want kernel/2", s)
	}
	f.maps.forward(t, f.keys[0], 1, 100, f.clock)
	if st := f.update(t); st.Orig != (conntrack.Counters{Packets: 11, Bytes: 15100}) || st.LastUsed != f.ctx.Now {
		t.Fatalf("counters after re-install: %+v", st)
	}

	out, err := f.p.Show(nil)
	if err != nil {
		t.Fatal(err)
	}
	wantShow := "XDP conntrack offload:\n" +
		"  fast path: forwarded=7 missed=1 tcp_control=0 unparsed=0 l2_mismatch=0 no_port=0\n" +
		"  connections: kernel=1 pending=0 software=0\n" +
		"  entries: 2 (installed 4, removed 2)\n" +
		"  left in software: 0\n  pulled by datapath changes: 1\n" +
		"Connections:\n" +
		"  1: kernel\n" +
		"    orig: in_port=1 out_port=2 packets=1 bytes=100\n" +
		"    reply: in_port=2 out_port=1 packets=0 bytes=0\n"
	if out != wantShow {
		t.Errorf("ct-offload/xdp-show:\n%s\nwant\n%s", out, wantShow)
	}

	if err := f.p.Delete(f.ctx); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != "gone" || f.maps.len() != 0 {
		t.Fatalf("after delete: %s with %d entries", s, f.maps.len())
	}
	if _, err := f.p.Update(f.ctx); !errors.Is(err, offload.ErrNotOffloaded) {
		t.Fatalf("update after delete: %v", err)
	}
}

// A connection offered before its megaflows exist is retried, and left in
// software after RetryFor, from where it is retried once per RetryFor.
func TestProviderPendingAndRefused(t *testing.T) {
	f := newFixture(t)
	notYet := fmt.Errorf("%w: no datapath flow", dpif.ErrNotOffloadable)
	f.dp.set(func(d *fakeDP) { d.err = notYet })
	if err := f.p.Add(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.p.Established(f.ctx)
	if s := f.state(t); s != "pending/0" {
		t.Fatalf("state %s, want pending/0", s)
	}
	f.dp.set(func(d *fakeDP) { d.err = nil })
	f.p.Revalidate()
	if s := f.state(t); s != "kernel/2" {
		t.Fatalf("state %s, want kernel/2", s)
	}

	// Now the tables drop the traffic: pulled, retried, then left alone.
	f.dp.set(func(d *fakeDP) { d.err = notYet })
	f.flows[0].SetActions([]dpif.Action{})
	f.p.Revalidate()
	f.p.Revalidate()
	if s := f.state(t); s != "pending/0" {
		t.Fatalf("state %s, want pending/0", s)
	}
	f.clock += int64(2 * time.Second)
	f.p.Revalidate()
	if s := f.state(t); s != "software/0" {
		t.Fatalf("state %s, want software/0", s)
	}
	if c := f.p.Stats(); c.Software != 1 || c.Failures != 1 {
		t.Fatalf("stats %+v", c)
	}
	// It is retried once per RetryFor.
	f.dp.set(func(d *fakeDP) { d.err = nil })
	f.p.Revalidate()
	if s := f.state(t); s != "software/0" {
		t.Fatalf("retried early: state %s, want software/0", s)
	}
	f.clock += int64(time.Second)
	f.p.Revalidate()
	if s := f.state(t); s != "kernel/2" {
		t.Fatalf("state %s, want kernel/2", s)
	}
	if err := f.p.Flush(); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != "gone" || f.maps.len() != 0 {
		t.Fatalf("after flush: %s with %d entries", s, f.maps.len())
	}
}

// A path the fast path cannot do is never written; a failed write leaves
// nothing half installed.
func TestProviderUnsupportedAndWriteFailure(t *testing.T) {
	f := newFixture(t)
	f.dp.set(func(d *fakeDP) {
		d.paths[1][0].Out.VLANTPID, d.paths[1][0].Out.VLANTCI = 0x8100, 0x1001
		d.paths[1][0].In.VLANTPID, d.paths[1][0].In.VLANTCI = 0x88a8, 0x1001
	})
	f.p.Add(f.ctx)
	f.p.Established(f.ctx)
	if s := f.state(t); s != "pending/0" || f.maps.len() != 0 {
		t.Fatalf("state %s with %d entries", s, f.maps.len())
	}
	f.p.mu.Lock()
	reason := f.p.conns[1].reason
	f.p.mu.Unlock()
	if !strings.Contains(reason, "TPID") {
		t.Errorf("reason %q", reason)
	}

	g := newFixture(t)
	g.maps.fail = errors.New("map full")
	g.p.Add(g.ctx)
	g.p.Established(g.ctx)
	if s := g.state(t); s != "pending/0" || g.maps.len() != 0 {
		t.Fatalf("state %s with %d entries", s, g.maps.len())
	}
}

// An entry removed behind the provider's back makes the connection pending
// again with its counts kept.
func TestProviderEntryVanished(t *testing.T) {
	f := newFixture(t)
	f.p.Add(f.ctx)
	f.p.Established(f.ctx)
	f.maps.forward(t, f.keys[1], 3, 300, f.clock)
	f.update(t)
	f.maps.TakeFlow(&f.keys[1])
	st := f.update(t)
	if s := f.state(t); s != "pending/0" {
		t.Fatalf("state %s", s)
	}
	if st.Reply != (conntrack.Counters{Packets: 3, Bytes: 300}) {
		t.Fatalf("stats %+v", st)
	}
}

// The registered instance only lists commands.
func TestRegisteredFactory(t *testing.T) {
	f, ok := offload.Lookup(Name)
	if !ok {
		t.Fatal("xdp not registered")
	}
	p := f()
	if err := p.Init(); !errors.Is(err, errUnconnected) {
		t.Fatalf("Init = %v", err)
	}
	if c, ok := p.(offload.Commander); !ok || len(c.Commands()) != 1 {
		t.Fatal("no commands")
	}
}

// The revalidator goroutine starts with Init and stops with Close.
func TestRevalidatorGoroutine(t *testing.T) {
	f := newFixture(t)
	p := New(f.dp, f.maps, Options{RevalidateInterval: time.Millisecond})
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	f.dp.set(func(d *fakeDP) { d.err = errors.New("not yet") })
	p.Add(f.ctx)
	p.Established(f.ctx)
	f.dp.set(func(d *fakeDP) { d.err = nil })
	for p.Stats().Kernel != 1 {
		time.Sleep(time.Millisecond)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if f.maps.len() != 0 {
		t.Fatal("Close left entries")
	}
}
