package conntrack

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHookOrderClaimAndFallThrough(t *testing.T) {
	tr, _ := newTestTracker(t)
	var calls []string
	var mu sync.Mutex
	hook := func(name string, claim bool) func(*Update) bool {
		return func(u *Update) bool {
			mu.Lock()
			calls = append(calls, name)
			mu.Unlock()
			if claim {
				u.Default()
				u.Packet.MD.State |= StateRelated // visible proof the claimer ran
			}
			return claim
		}
	}
	for _, h := range []Hook{
		{Name: "low", Priority: PriorityLow, Update: hook("low", false)},
		{Name: "high", Priority: PriorityHigh, Update: hook("high", false)},
		{Name: "normal-a", Priority: PriorityNormal, Update: hook("normal-a", false)},
		{Name: "normal-b", Priority: PriorityNormal, Update: hook("normal-b", false)},
		{Name: "odd", Priority: 7, Update: hook("odd", false)},
	} {
		if err := tr.RegisterHook(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.RegisterHook(Hook{Name: "high", Update: hook("x", false)}); !errors.Is(err, ErrHookExists) {
		t.Fatalf("duplicate: %v", err)
	}
	// New connections are not updates: no hook runs.
	mustState(t, "new", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true}), trkNew)
	if len(calls) != 0 {
		t.Fatalf("hooks ran on commit: %v", calls)
	}
	// Nobody claims: every hook in order, then the default update.
	mustState(t, "reply", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{}), trkEstRpl)
	if got := strings.Join(calls, ","); got != "odd,high,normal-a,normal-b,low" {
		t.Fatalf("order %s", got)
	}
	// A claim stops the chain; the claimer's result stands.
	calls = nil
	if err := tr.RegisterHook(Hook{Name: "claimer", Priority: PriorityNormal, Update: hook("claimer", true)}); err != nil {
		t.Fatal(err)
	}
	mustState(t, "claimed", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{}), trkEstRpl|StateRelated)
	if got := strings.Join(calls, ","); got != "odd,high,normal-a,normal-b,claimer" {
		t.Fatalf("order %s", got)
	}
	// Removal takes effect on the next packet.
	calls = nil
	for _, n := range []string{"claimer", "odd"} {
		if err := tr.Unregister(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Unregister("odd"); !errors.Is(err, ErrHookNotFound) {
		t.Fatalf("unregister twice: %v", err)
	}
	mustState(t, "after removal", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{}), trkEstRpl)
	if got := strings.Join(calls, ","); got != "high,normal-a,normal-b,low" {
		t.Fatalf("order %s", got)
	}
	out, err := tr.ShowHooks(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "State update hooks (in call order):\n" +
		"  high: priority=50\n" +
		"  ftp: priority=100, helper=ftp\n" +
		"  tftp: priority=100, helper=tftp, on commit\n" +
		"  normal-a: priority=100\n" +
		"  normal-b: priority=100\n" +
		"  low: priority=150\n" +
		"Observers (in call order):\n" +
		"  (none)\n"
	if out != want {
		t.Fatalf("show-hooks:\n%s\nwant:\n%s", out, want)
	}
}

func TestHelperHooksOnlySeeTheirConnections(t *testing.T) {
	tr, _ := newTestTracker(t)
	var n atomic.Int32
	if err := tr.RegisterHook(Hook{Name: "sip", Helper: "sip", Protocol: ProtoUDP, Priority: PriorityHigh,
		Update: func(*Update) bool { n.Add(1); return false }}); err != nil {
		t.Fatal(err)
	}
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 5060, 5060, 0), Action{Commit: true})
	ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 5060, 5060, 0), Action{})
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 5061, 5060, 0), Action{Commit: true, Helper: "sip"})
	ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 5060, 5061, 0), Action{})
	// alg= on the wrong protocol records nothing.
	ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 5062, 5060, tcpSYN, tcpOpt{seq: 1, wscale: -1}), Action{Commit: true, Helper: "sip"})
	ct(tr, tcpPkt("10.0.0.2", "10.0.0.1", 5060, 5062, tcpSYN|tcpACK, tcpOpt{seq: 9, ack: 2, wscale: -1}), Action{})
	if n.Load() != 1 {
		t.Fatalf("sip hook ran %d times, want 1", n.Load())
	}
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5062,dport=5060),reply=(src=10.0.0.2,dst=10.0.0.1,sport=5060,dport=5062),protoinfo=(state=ESTABLISHED)\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5060,dport=5060),reply=(src=10.0.0.2,dst=10.0.0.1,sport=5060,dport=5060)\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5061,dport=5060),reply=(src=10.0.0.2,dst=10.0.0.1,sport=5060,dport=5061),helper=sip")
}

// TestRegistrationDuringTraffic registers and removes hooks and observers
// while goroutines push packets (meaningful under -race).
func TestRegistrationDuringTraffic(t *testing.T) {
	tr, _ := newTestTracker(t)
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true})
	var stop atomic.Bool
	var wg sync.WaitGroup
	var seen atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0)
			for !stop.Load() {
				p.MD = Metadata{}
				tr.Execute(p, &Action{})
				if p.MD.State&StateEstablished == 0 {
					t.Errorf("state %v", p.MD.State)
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if err := tr.RegisterHook(Hook{Name: "h", Priority: i % 200, Update: func(u *Update) bool {
			seen.Add(1)
			return i%2 == 0 && !u.Default()
		}}); err != nil {
			t.Fatal(err)
		}
		if err := tr.RegisterObserver(Observer{Name: "o", Notify: func(Event) { seen.Add(1) }}); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.ShowHooks(nil); err != nil {
			t.Fatal(err)
		}
		if err := tr.Unregister("h"); err != nil {
			t.Fatal(err)
		}
		if err := tr.Unregister("o"); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
}

func TestObserverEvents(t *testing.T) {
	tr, clk := newTestTracker(t)
	var log []string
	obs := func(name string) func(Event) {
		return func(ev Event) {
			s := name + ":" + ev.Kind.String()
			if ev.Conn != nil {
				s += ":" + itoa(int(ev.Conn.Key().Src.Port))
			}
			log = append(log, s)
		}
	}
	if err := tr.RegisterObserver(Observer{Name: "offload", Priority: PriorityLow, Notify: obs("offload")}); err != nil {
		t.Fatal(err)
	}
	if err := tr.RegisterObserver(Observer{Name: "audit", Priority: PriorityHigh,
		Events: 1<<EventCommitted | 1<<EventDeleted, Notify: obs("audit")}); err != nil {
		t.Fatal(err)
	}
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 7, 2, 0), Action{Commit: true})
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 7, 2, 0), Action{}) // still new: updated only
	ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 7, 0), Action{}) // first est reply
	ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 7, 0), Action{}) // established only once
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 8, 2, 0), Action{Commit: true})
	clk.advance(31)
	tr.Sweep() // port 7 has seen a reply (30 s); port 8 has 60 s
	if err := tr.Flush(nil, nil); err != nil {
		t.Fatal(err)
	}
	want := "audit:committed:7 offload:committed:7 offload:updated:7 offload:established:7 offload:updated:7 " +
		"offload:updated:7 audit:committed:8 offload:committed:8 audit:deleted:7 offload:deleted:7 " +
		"audit:deleted:8 offload:deleted:8 offload:flushed"
	if got := strings.Join(log, " "); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
	out, _ := tr.ShowHooks(nil)
	if !strings.HasSuffix(out, "Observers (in call order):\n"+
		"  audit: priority=50, events=committed,deleted\n"+
		"  offload: priority=150, events=committed,established,updated,deleted,flushed\n") {
		t.Fatalf("show-hooks:\n%s", out)
	}
}

func TestSlots(t *testing.T) {
	tr, clk := newTestTracker(t)
	var destroyed []string
	var mu sync.Mutex
	ids := make([]SlotID, 0, MaxSlots)
	for len(ids) < MaxSlots-1 { // the FTP ALG already holds one
		id, err := tr.AllocSlot(func(v any) {
			mu.Lock()
			destroyed = append(destroyed, v.(string))
			mu.Unlock()
		})
		if err != nil {
			t.Fatalf("slot %d: %v", len(ids), err)
		}
		ids = append(ids, id)
	}
	if _, err := tr.AllocSlot(nil); !errors.Is(err, ErrNoSlots) {
		t.Fatalf("exhaustion: %v", err)
	}
	if ids[0] != 1 || ids[len(ids)-1] != MaxSlots-1 {
		t.Fatalf("ids %v", ids)
	}
	conn := func(sport uint16) *Conn {
		p := udpPkt("10.0.0.1", "10.0.0.2", sport, 2, 0)
		ct(tr, p, Action{Commit: true})
		return p.MD.Conn()
	}
	a, b, c := conn(1), conn(2), conn(3)
	if a.Slot(ids[0]) != nil {
		t.Fatal("fresh slot not empty")
	}
	if old, ok := a.SetSlot(ids[0], "a0"); old != nil || !ok {
		t.Fatal(old, ok)
	}
	if old, _ := a.SetSlot(ids[0], "a0'"); old != "a0" { // replaced value is the caller's
		t.Fatal(old)
	}
	a.SetSlot(ids[1], "a1")
	if v, loaded := a.LoadOrStoreSlot(ids[1], "zz"); v != "a1" || !loaded {
		t.Fatal(v, loaded)
	}
	if v, loaded := b.LoadOrStoreSlot(ids[2], "b2"); v != "b2" || loaded {
		t.Fatal(v, loaded)
	}
	c.SetSlot(ids[3], "c3")
	if a.Slot(ids[1]) != "a1" || b.Slot(ids[2]) != "b2" || a.Slot(MaxSlots) != nil {
		t.Fatal("read back")
	}
	// Flush of one tuple, then expiry of another, then Close for the rest.
	if err := tr.Flush(nil, &FlushMatch{Proto: ProtoUDP, Orig: FlushTuple{SrcPort: 1}}); err != nil {
		t.Fatal(err)
	}
	mustDestroyed := func(want string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if got := strings.Join(destroyed, ","); got != want {
			t.Fatalf("destroyed %q, want %q", got, want)
		}
	}
	mustDestroyed("a0',a1")
	if _, ok := a.SetSlot(ids[0], "late"); ok || !a.Removed() {
		t.Fatal("SetSlot on a removed connection kept the value")
	}
	clk.advance(61)
	c2 := conn(4) // still alive after the sweep
	c2.SetSlot(ids[4], "d4")
	tr.Sweep()
	mustDestroyed("a0',a1,b2,c3")
	tr.Sweep()
	tr.Close()
	tr.Close()
	mustDestroyed("a0',a1,b2,c3,d4")
}

// TestSlotRaceWithRemoval stores into slots while the connection is removed:
// each value is destroyed at most once and a kept value always is.
func TestSlotRaceWithRemoval(t *testing.T) {
	for round := 0; round < 50; round++ {
		tr, _ := newTestTracker(t)
		var destroyed atomic.Int32
		id, _ := tr.AllocSlot(func(any) { destroyed.Add(1) })
		p := udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0)
		ct(tr, p, Action{Commit: true})
		c := p.MD.Conn()
		var kept atomic.Int32
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				old, ok := c.SetSlot(id, i)
				if ok {
					kept.Add(1)
				}
				if old != nil {
					kept.Add(-1) // the replaced value came back to us, stored or not
				}
			}
		}()
		go func() { defer wg.Done(); tr.Flush(nil, nil) }()
		wg.Wait()
		tr.Close()
		if destroyed.Load() != kept.Load() {
			t.Fatalf("round %d: %d destroyed, %d kept", round, destroyed.Load(), kept.Load())
		}
	}
}

// TestObservedPathAllocs keeps the established path allocation-free with the
// default ALG hooks and an observer of every event registered.
func TestObservedPathAllocs(t *testing.T) {
	tr, _ := newTestTracker(t)
	var n atomic.Int64
	if err := tr.RegisterObserver(Observer{Name: "count", Priority: PriorityLow, Notify: func(Event) { n.Add(1) }}); err != nil {
		t.Fatal(err)
	}
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8), Action{Commit: true})
	p := udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 8)
	a := Action{}
	allocs := testing.AllocsPerRun(200, func() {
		p.MD = Metadata{}
		tr.Execute(p, &a)
	})
	if allocs != 0 || n.Load() < 200 {
		t.Fatalf("%v allocs per packet, %d events", allocs, n.Load())
	}
}

func TestNoDefaultHelpers(t *testing.T) {
	tr := New(Config{NoSweeper: true, NoDefaultHelpers: true})
	defer tr.Close()
	if out, err := tr.ShowHooks(nil); err != nil || out != "State update hooks (in call order):\n  (none)\nObservers (in call order):\n  (none)\n" {
		t.Fatalf("%q %v", out, err)
	}
	if _, err := tr.ShowHooks([]string{"x"}); err == nil {
		t.Fatal("arguments accepted")
	}
	ftp := Action{Commit: true, Helper: "ftp"}
	ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpSYN, 100, 0, ""), ftp)
	if err := tr.RegisterFTP(PriorityHigh); err != nil {
		t.Fatal(err)
	}
	if err := tr.RegisterFTP(PriorityHigh); !errors.Is(err, ErrHookExists) {
		t.Fatalf("second RegisterFTP: %v", err)
	}
	ct(tr, seg("10.0.0.1", "20.0.0.2", 40001, 21, tcpSYN, 100, 0, ""), ftp)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40000),protoinfo=(state=SYN_SENT)\n"+
		"tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40001),protoinfo=(state=SYN_SENT),helper=ftp")
	// Without its hook a helper connection is tracked like any other.
	if err := tr.Unregister("ftp"); err != nil {
		t.Fatal(err)
	}
	ct(tr, seg("20.0.0.2", "10.0.0.1", 21, 40001, tcpSYN|tcpACK, 500, 101, ""), Action{})
	mustState(t, "PORT without hook", ct(tr, seg("10.0.0.1", "20.0.0.2", 40001, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,1,1\r\n"), Action{}), trkEst)
	if n := len(tr.Expectations(nil)); n != 0 {
		t.Fatalf("%d expectations", n)
	}
}
