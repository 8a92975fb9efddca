package offload

import (
	"errors"
	"regexp"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

var commit = conntrack.Action{Commit: true}

const udpTuple = "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1)"

// TestUDPAcceptedEstablishedOnce: a committed UDP connection is added at
// once, told Established on the first reply only, marked in dump-conntrack.
func TestUDPAcceptedEstablishedOnce(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	if !c.Offloaded() || d.Calls() != [numOps]uint64{OpAdd: 1} {
		t.Fatalf("after commit: offloaded %v, calls %v", c.Offloaded(), d.Calls())
	}
	mustEqual(t, "show after add", run(t, m.Show), "ct-offload provider: dummy\n"+
		"  offloaded connections: 1\n  added: 1\n  refused: 0\n  removed: 0\n  errors: 0\n  dropped (queue full): 0\n  batches: 1\n"+
		"Offloaded connections:\n  1: "+udpTuple+"\n")
	for i := 0; i < 3; i++ {
		ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{})
		ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), conntrack.Action{})
	}
	m.Sync()
	if d.Calls() != [numOps]uint64{OpAdd: 1, OpEstablished: 1} {
		t.Fatalf("calls %v", d.Calls())
	}
	mustEqual(t, "show after reply", run(t, m.Show), "ct-offload provider: dummy\n"+
		"  offloaded connections: 1\n  added: 1\n  refused: 0\n  removed: 0\n  errors: 0\n  dropped (queue full): 0\n  batches: 2\n"+
		"Offloaded connections:\n  1: "+udpTuple+",established\n")
	mustEqual(t, "dump -m", dump(t, tr, "-m"), udpTuple+",id=0,status=OFFLOAD")
	mustEqual(t, "dummy-show", run(t, d.ShowCommand), "dummy: 1 connections, 2 batches\n"+
		"  calls: add=1 established=1 update=0 delete=0 flush=0\n  failing: none\n  refuse: off\n"+
		"  1: "+udpTuple+",established\n")
}

// TestRefusedStaysInSoftware: CanOffload saying no keeps the connection in
// software, asked once.
func TestRefusedStaysInSoftware(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	run(t, d.RefuseCommand, "on")
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{})
	ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), conntrack.Action{})
	m.Sync()
	s := m.Stats()
	if c.Offloaded() || s != (Counters{Refused: 1}) || d.Calls() != [numOps]uint64{} {
		t.Fatalf("offloaded %v, stats %+v, calls %v", c.Offloaded(), s, d.Calls())
	}
	mustEqual(t, "dump -m", dump(t, tr, "-m"), udpTuple+",id=0,status=0")
	// Refusal is per connection: a new one is asked again.
	run(t, d.RefuseCommand, "off")
	c2, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	m.Sync()
	if !c2.Offloaded() || c.Offloaded() {
		t.Fatal("refusal not per connection")
	}
}

// TestAddErrorStaysInSoftware: a failed add is an error, not a retry.
func TestAddErrorStaysInSoftware(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	run(t, d.FailCommand, "on", "add")
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{})
	m.Sync()
	if s := m.Stats(); c.Offloaded() || s != (Counters{Errors: 1, Batches: 1}) {
		t.Fatalf("offloaded %v, stats %+v", c.Offloaded(), s)
	}
}

// TestTCPOffloadedOnlyEstablished: a TCP connection is offered once both
// directions are ESTABLISHED (add and established together), and returns to
// software when it starts to close.
func TestTCPOffloadedOnlyEstablished(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	cv := &tcpConv{tr: tr, act: commit, cli: "10.1.1.1", srv: "10.1.1.2", cport: 40000, sport: 80, cseq: 1000, sseq: 5000}
	for _, step := range []struct {
		name       string
		fromClient bool
		flags      uint8
	}{{"SYN", true, tcpSYN}, {"SYN-ACK", false, tcpSYN | tcpACK}} {
		c, st := cv.send(step.fromClient, step.flags, "")
		m.Sync()
		if c.Offloaded() || d.Calls() != [numOps]uint64{} {
			t.Fatalf("%s (%v): offloaded %v, calls %v", step.name, st, c.Offloaded(), d.Calls())
		}
	}
	c, _ := cv.send(true, tcpACK, "")
	m.Sync()
	if !c.Offloaded() || d.Calls() != [numOps]uint64{OpAdd: 1, OpEstablished: 1} {
		t.Fatalf("ACK: offloaded %v, calls %v", c.Offloaded(), d.Calls())
	}
	cv.send(false, tcpACK|tcpPSH, "hello")
	cv.send(true, tcpACK, "")
	m.Sync()
	if d.Calls() != [numOps]uint64{OpAdd: 1, OpEstablished: 1} {
		t.Fatalf("data: calls %v", d.Calls())
	}
	mustEqual(t, "dump -m", dump(t, tr, "-m"), "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),id=0,status=OFFLOAD,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0)")
	// What the provider forwarded since the last poll reaches the tracker
	// when the connection goes back to software.
	if err := d.SetTraffic(d.Conns()[0].ID, conntrack.Counters{Packets: 7, Bytes: 700}, conntrack.Counters{Packets: 5, Bytes: 500}); err != nil {
		t.Fatal(err)
	}
	_, st := cv.send(true, tcpFIN|tcpACK, "")
	m.Sync()
	if c.Offloaded() || d.Calls() != [numOps]uint64{OpAdd: 1, OpEstablished: 1, OpUpdate: 1, OpDelete: 1} || len(d.Conns()) != 0 {
		t.Fatalf("FIN (%v): offloaded %v, calls %v", st, c.Offloaded(), d.Calls())
	}
	mustEqual(t, "dump -s", regexp.MustCompile(`timeout=\d+,`).ReplaceAllString(dump(t, tr, "-s"), ""),
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80,packets=7,bytes=700),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000,packets=5,bytes=500),protoinfo=(state=CLOSING)")
	// It finishes in software and is not offered again.
	cv.send(false, tcpFIN|tcpACK, "")
	cv.send(true, tcpACK, "")
	m.Sync()
	if s := m.Stats(); s != (Counters{Added: 1, Removed: 1, Batches: 3}) || c.Removed() {
		t.Fatalf("stats %+v removed %v", s, c.Removed())
	}
}

// TestUpdateExtendsExpiry: with the provider reporting traffic the
// connection outlives its software timeout, and gets the provider's
// counters; once the traffic stops it expires and is deleted.
func TestUpdateExtendsExpiry(t *testing.T) {
	tr, m, d, clk := setup(t, Config{})
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{}) // udp_multiple: 30 s
	m.Sync()
	clk.advance(20)
	run(t, d.SetTrafficCommand, "1", "10", "1000", "5", "400")
	m.Poll()
	clk.advance(20) // 40 s after the last software packet
	if n, _ := tr.Sweep(); n != 0 {
		t.Fatalf("swept %d", n)
	}
	mustEqual(t, "dump -s", dump(t, tr, "-s"), "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2,packets=10,bytes=1000),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1,packets=5,bytes=400),timeout=10")
	// More traffic: the counters grow by the difference.
	run(t, d.SetTrafficCommand, "1", "12", "1200")
	m.Poll()
	mustEqual(t, "dump -s", dump(t, tr, "-s"), "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2,packets=12,bytes=1200),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1,packets=5,bytes=400),timeout=30")
	// Idle: polls do not extend it any more.
	clk.advance(20)
	m.Poll()
	clk.advance(10)
	m.Poll()
	if n, _ := tr.Sweep(); n != 1 || !c.Removed() {
		t.Fatalf("swept %d, removed %v", n, c.Removed())
	}
	m.Sync()
	if len(d.Conns()) != 0 || m.Stats().Removed != 1 || m.Stats().Offloaded != 0 {
		t.Fatalf("after expiry: %v, %+v", d.Conns(), m.Stats())
	}
}

// TestUpdateErrorDeletes: a provider that lost a connection makes the
// tracker delete it.
func TestUpdateErrorDeletes(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	c2, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	m.Sync()
	run(t, d.FailCommand, "on", "update")
	m.Poll()
	m.Sync()
	if !c.Removed() || !c2.Removed() || tr.NConns() != 0 {
		t.Fatal("connections survived an update error")
	}
	if s := m.Stats(); s.Errors != 2 || s.Removed != 2 || s.Offloaded != 0 || len(d.Conns()) != 0 {
		t.Fatalf("stats %+v, dummy %v", s, d.Conns())
	}
	if got := d.Calls(); got != [numOps]uint64{OpAdd: 2, OpUpdate: 2, OpDelete: 2} {
		t.Fatalf("calls %v", got)
	}
}

// TestFlushDeletesAll: flushing the tracker deletes every connection from
// the provider and flushes it.
func TestFlushDeletesAll(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	for p := uint16(1); p <= 3; p++ {
		ct(tr, udp("10.0.0.1", "10.0.0.2", p, 9), commit)
	}
	m.Sync()
	if len(d.Conns()) != 3 {
		t.Fatalf("%d offloaded", len(d.Conns()))
	}
	run(t, tr.FlushConntrack)
	m.Sync()
	if s := m.Stats(); len(d.Conns()) != 0 || s.Offloaded != 0 || s.Removed != 3 || s.Added != 3 {
		t.Fatalf("stats %+v", s)
	}
	if got := d.Calls(); got != [numOps]uint64{OpAdd: 3, OpDelete: 3, OpFlush: 1} {
		t.Fatalf("calls %v", got)
	}
}

// gated is a dummy whose first batch waits for the test.
type gated struct {
	*Dummy
	entered, gate chan struct{}
	first         bool
}

func (g *gated) SubmitBatch(ops []Op) {
	if !g.first {
		g.first = true
		close(g.entered)
		<-g.gate
	}
	g.Dummy.SubmitBatch(ops)
}

func setupGated(t *testing.T, cfg Config) (*conntrack.Tracker, *Manager, *gated) {
	t.Helper()
	tr := conntrack.New(conntrack.Config{NoSweeper: true})
	t.Cleanup(tr.Close)
	g := &gated{Dummy: NewDummy(), entered: make(chan struct{}), gate: make(chan struct{})}
	cfg.PollInterval = -1
	m, err := Attach(tr, "gated", g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return tr, m, g
}

// TestDeleteRacesAdd: connections removed while their adds are queued or
// in flight are never left behind in the provider.
func TestDeleteRacesAdd(t *testing.T) {
	tr, m, g := setupGated(t, Config{})
	a, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	<-g.entered // a's add is in flight
	b, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	tr.Flush(nil, nil)
	close(g.gate)
	m.Sync()
	if a.Offloaded() || b.Offloaded() || len(g.Conns()) != 0 || len(m.Connections()) != 0 {
		t.Fatalf("left behind: %v %v", g.Conns(), m.Connections())
	}
	if got := g.Calls(); got != [numOps]uint64{OpAdd: 1, OpDelete: 1, OpFlush: 1} {
		t.Fatalf("calls %v", got)
	}
}

// TestQueueFull: with the worker busy and the queue full, a connection
// stays in software and is offered again on its next packet.
func TestQueueFull(t *testing.T) {
	tr, m, g := setupGated(t, Config{QueueLimit: 1})
	a, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	<-g.entered
	b, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 5, 6), commit)
	close(g.gate)
	m.Sync()
	if !a.Offloaded() || !b.Offloaded() || c.Offloaded() || m.Stats().Dropped != 1 {
		t.Fatalf("offloaded %v %v %v, stats %+v", a.Offloaded(), b.Offloaded(), c.Offloaded(), m.Stats())
	}
	ct(tr, udp("10.0.0.1", "10.0.0.2", 5, 6), conntrack.Action{})
	m.Sync()
	if !c.Offloaded() {
		t.Fatal("not offered again")
	}
}

// plain hides the dummy's Batcher: operations go one at a time.
type plain struct{ Provider }

// TestUnbatchedProvider: a provider without SubmitBatch gets every
// operation through its single-operation methods.
func TestUnbatchedProvider(t *testing.T) {
	tr := conntrack.New(conntrack.Config{NoSweeper: true})
	defer tr.Close()
	d := NewDummy()
	m, err := Attach(tr, "plain", plain{d}, Config{PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{})
	m.Sync()
	m.Poll()
	tr.Flush(nil, nil)
	m.Close()
	if got := d.Calls(); got != [numOps]uint64{OpAdd: 1, OpEstablished: 1, OpUpdate: 1, OpDelete: 1, OpFlush: 2} {
		t.Fatalf("calls %v", got)
	}
	if d.nbatch != 0 {
		t.Fatalf("%d batches reached the dummy", d.nbatch)
	}
	op := Op{Kind: OpKind(9)}
	RunOp(d, &op)
	if op.Err == nil || op.Err.Error() != "offload: unknown operation op9" {
		t.Fatalf("unknown op: %v", op.Err)
	}
}

// TestCloseReturnsToSoftware: closing the Manager flushes the provider and
// clears the offloaded marks; the tracker keeps the connections.
func TestCloseReturnsToSoftware(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	c, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	m.Close()
	if c.Offloaded() || c.Removed() || len(d.Conns()) != 0 || d.Calls()[OpFlush] != 1 {
		t.Fatalf("offloaded %v removed %v conns %v", c.Offloaded(), c.Removed(), d.Conns())
	}
	ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	if d.Calls()[OpAdd] != 1 {
		t.Fatal("provider called after Close")
	}
}

func TestConfigFromOtherConfig(t *testing.T) {
	for _, tc := range []struct {
		oc      map[string]string
		cfg     Config
		enabled bool
		err     string
	}{
		{nil, Config{}, false, ""},
		{map[string]string{"hw-offload": "false", "ct-offload-provider": "dummy"}, Config{}, false, ""},
		{map[string]string{"hw-offload": "yes"}, Config{}, false, ""},
		{map[string]string{"hw-offload": "true", "ct-offload-provider": "dummy"}, Config{Provider: "dummy"}, true, ""},
		{map[string]string{"hw-offload": "true"}, Config{}, false, "other_config:ct-offload-provider=xdp: no such conntrack offload provider (available: dummy)"},
		{map[string]string{"hw-offload": "true", "ct-offload-provider": "nic"}, Config{}, false, "other_config:ct-offload-provider=nic: no such conntrack offload provider (available: dummy)"},
	} {
		cfg, on, err := ConfigFromOtherConfig(tc.oc)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if cfg != tc.cfg || on != tc.enabled || msg != tc.err {
			t.Errorf("%v: got %+v %v %q", tc.oc, cfg, on, msg)
		}
	}
}

func TestRegistry(t *testing.T) {
	if got := Providers(); len(got) != 1 || got[0] != DummyName {
		t.Fatalf("Providers() = %v", got)
	}
	for _, f := range []func(){
		func() { Register(DummyName, func() Provider { return NewDummy() }) },
		func() { Register("x", nil) },
		func() { Register("", func() Provider { return NewDummy() }) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad Register did not panic")
				}
			}()
			f()
		}()
	}
	tr := conntrack.New(conntrack.Config{NoSweeper: true})
	defer tr.Close()
	if _, err := New(tr, Config{Provider: "nic"}); err == nil || err.Error() != `ct offload: unknown provider "nic" (available: [dummy])` {
		t.Fatalf("unknown provider: %v", err)
	}
	if _, err := Attach(tr, "x", nil, Config{}); err == nil {
		t.Fatal("nil provider accepted")
	}
	m, err := New(tr, Config{Provider: DummyName})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(tr, Config{Provider: DummyName}); !errors.Is(err, conntrack.ErrHookExists) {
		t.Fatalf("second manager: %v", err)
	}
	m.Close()
	m.Close()
	m.Sync() // after Close: returns at once
}

// TestObservedPathAllocs: with the Manager attached, packets of offloaded
// and of never-offloaded connections cost no allocation.
func TestObservedPathAllocs(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	m.Sync()
	run(t, d.RefuseCommand, "on")
	ct(tr, udp("10.0.0.1", "10.0.0.2", 5, 6), commit)
	m.Sync()
	for _, p := range []*conntrack.Packet{udp("10.0.0.2", "10.0.0.1", 2, 1), udp("10.0.0.2", "10.0.0.1", 6, 5)} {
		a := conntrack.Action{}
		ct(tr, p, a) // first reply: established is queued once
		allocs := testing.AllocsPerRun(200, func() {
			p.MD = conntrack.Metadata{}
			tr.Execute(p, &a)
		})
		if allocs != 0 {
			t.Errorf("%v allocs per packet", allocs)
		}
	}
}

// TestForceExpiredLeavesProvider: a force commit replaces an offloaded
// connection; the next poll takes the old one out of the provider, and the
// new one is offloaded in its own right.
func TestForceExpiredLeavesProvider(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	old, _ := ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	fresh, st := ct(tr, udp("10.0.0.2", "10.0.0.1", 2, 1), conntrack.Action{Commit: true, Force: true})
	if fresh == old || st != conntrack.StateTracked|conntrack.StateNew {
		t.Fatalf("force commit: %v", st)
	}
	m.Sync()
	m.Poll()
	if old.Offloaded() || !fresh.Offloaded() {
		t.Fatalf("offloaded: old %v, new %v", old.Offloaded(), fresh.Offloaded())
	}
	conns := d.Conns()
	if len(conns) != 1 || conns[0].ID != 2 || conns[0].Orig != fresh.Key() {
		t.Fatalf("provider holds %v", conns)
	}
	tr.Sweep() // frees the old one: nothing more to tell the provider
	m.Sync()
	// The force-expired one: a last update, then its delete.
	if got := d.Calls(); got != [numOps]uint64{OpAdd: 2, OpUpdate: 3, OpDelete: 1} {
		t.Fatalf("calls %v", got)
	}
}
