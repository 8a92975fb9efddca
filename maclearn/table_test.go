package maclearn

import (
	"testing"
	"time"
)

var (
	macA = MAC{0x02, 0x15, 0, 0, 0, 0x0a}
	macB = MAC{0x02, 0x15, 0, 0, 0, 0x0b}
	macC = MAC{0x02, 0x15, 0, 0, 0, 0x0c}
)

func TestLearnAndLookup(t *testing.T) {
	tb, clk := newTestTable(Config{})
	if !tb.Learn(macA, 0, 1, 0) {
		t.Fatal("first learn reported no change")
	}
	if tb.Learn(macA, 0, 1, 0) {
		t.Fatal("relearn in the same second reported a change")
	}
	tb.Learn(macB, 10, 2, 0)
	if p, ok := tb.Lookup(macA, 0); !ok || p != 1 {
		t.Fatalf("lookup A = %v %v", p, ok)
	}
	if _, ok := tb.Lookup(macA, 10); ok {
		t.Fatal("A found in VLAN 10")
	}
	if _, ok := tb.Lookup(BroadcastMAC, 0); ok {
		t.Fatal("broadcast found")
	}
	if tb.Learn(MAC{0x01, 0, 0x5e, 0, 0, 1}, 0, 1, 0) {
		t.Fatal("learned a multicast source")
	}
	if tb.Learn(macC, 0, PortNone, 0) {
		t.Fatal("learned on PortNone")
	}
	clk.Advance(3 * time.Second)
	tb.Learn(macA, 0, 1, 0) // refresh: A becomes most recent
	clk.Advance(time.Second)
	checkText(t, "show", showText(tb), ""+
		" port  VLAN  MAC                Age\n"+
		"    2    10  02:15:00:00:00:0b    4\n"+
		"    1     0  02:15:00:00:00:0a    1\n")
	s := tb.Stats()
	if s.Learned != 2 || s.Entries != 2 || s.Moved != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestAging(t *testing.T) {
	tb, clk := newTestTable(Config{IdleTime: 20})
	tb.Learn(macA, 0, 1, 0)
	clk.Advance(10 * time.Second)
	tb.Learn(macB, 0, 2, 0)
	if d, ok := tb.NextExpiry(); !ok || d != 0 {
		t.Fatalf("changes pending but next expiry %v %v", d, ok)
	}
	tb.Run()
	if d, ok := tb.NextExpiry(); !ok || d != 10*time.Second {
		t.Fatalf("next expiry %v %v", d, ok)
	}
	clk.Advance(9 * time.Second)
	tb.Run()
	if len(tb.Entries()) != 2 {
		t.Fatal("expired too early")
	}
	clk.Advance(time.Second)
	if !tb.Run() {
		t.Fatal("Run reported no change after expiring")
	}
	checkText(t, "show", showText(tb), ""+
		" port  VLAN  MAC                Age\n"+
		"    2     0  02:15:00:00:00:0b   10\n")
	clk.Advance(10 * time.Second)
	tb.Run()
	if tb.Run() {
		t.Fatal("second Run reported a change")
	}
	checkText(t, "stats", FormatStats("br0", tb.Stats()), ""+
		"Statistics for bridge \"br0\":\n"+
		"  Current/maximum MAC entries in the table: 0/8192\n"+
		"  Current static MAC entries in the table : 0\n"+
		"  Total number of learned MAC entries     : 2\n"+
		"  Total number of expired MAC entries     : 2\n"+
		"  Total number of evicted MAC entries     : 0\n"+
		"  Total number of port moved MAC entries  : 0\n")
	if _, ok := tb.NextExpiry(); ok {
		t.Fatal("empty table has an expiry")
	}
}

func TestIdleTimeBoundsAndChange(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, 300}, {1, 15}, {15, 15}, {100, 100}, {9999, 3600}} {
		tb, _ := newTestTable(Config{IdleTime: tc.in})
		if int(tb.idleTime) != tc.want {
			t.Errorf("idle %d -> %d, want %d", tc.in, tb.idleTime, tc.want)
		}
	}
	tb, clk := newTestTable(Config{})
	tb.Learn(macA, 0, 1, 0)
	clk.Advance(100 * time.Second)
	tb.SetIdleTime(60) // expiry moves 240 s earlier: already due
	tb.Run()
	if len(tb.Entries()) != 0 {
		t.Fatal("entry survived a shorter aging time")
	}
}

func TestEvictionAtLimit(t *testing.T) {
	tb, clk := newTestTable(Config{MaxEntries: 10, IdleTime: 20})
	// Replays the captured OVS run: 12 sources on port 1 in VLAN 10, then
	// the last one moves to port 2.
	for i := 0; i < 12; i++ {
		tb.Learn(MAC{0x02, 0x15, 0, 0, 0x01, byte(i)}, 10, 1, 0)
	}
	clk.Advance(time.Second)
	tb.Learn(MAC{0x02, 0x15, 0, 0, 0x01, 0x0b}, 10, 2, 0)
	clk.Advance(3 * time.Second) // the capture was taken a few seconds later
	want := readTestdata(t, "ovs-3.1-evict-move.txt")
	checkText(t, "evict+move", showText(tb)+FormatStats("br0", tb.Stats()), want)

	clk.Advance(25 * time.Second)
	tb.Run()
	checkText(t, "aged", showText(tb)+FormatStats("br0", tb.Stats()), readTestdata(t, "ovs-3.1-aged.txt"))
}

func TestEvictionIsFair(t *testing.T) {
	tb, _ := newTestTable(Config{MaxEntries: 10})
	for i := 0; i < 8; i++ { // port 1 hogs the table
		tb.Learn(MAC{2, 0, 0, 0, 1, byte(i)}, 0, 1, 0)
	}
	tb.Learn(MAC{2, 0, 0, 0, 2, 0}, 0, 2, 0)
	tb.Learn(MAC{2, 0, 0, 0, 3, 0}, 0, 3, 0)
	tb.Learn(MAC{2, 0, 0, 0, 4, 0}, 0, 4, 0) // full: port 1's oldest goes
	if _, ok := tb.Lookup(MAC{2, 0, 0, 0, 1, 0}, 0); ok {
		t.Fatal("port 1's oldest entry survived")
	}
	for _, m := range []MAC{{2, 0, 0, 0, 2, 0}, {2, 0, 0, 0, 3, 0}, {2, 0, 0, 0, 4, 0}, {2, 0, 0, 0, 1, 1}} {
		if _, ok := tb.Lookup(m, 0); !ok {
			t.Fatalf("%s evicted", m)
		}
	}
	if s := tb.Stats(); s.Evicted != 1 || s.Entries != 10 {
		t.Fatalf("stats %+v", s)
	}
}

func TestShrinkingLimitExpiresOnRun(t *testing.T) {
	tb, _ := newTestTable(Config{MaxEntries: 20})
	for i := 0; i < 15; i++ {
		tb.Learn(MAC{2, 0, 0, 0, 0, byte(i)}, 0, Port(1+i%3), 0)
	}
	tb.SetMaxEntries(10)
	tb.Run()
	s := tb.Stats()
	if s.Entries != 10 || s.Expired != 5 {
		t.Fatalf("stats %+v", s)
	}
	if _, ok := tb.Lookup(MAC{2, 0, 0, 0, 0, 4}, 0); ok {
		t.Fatal("LRU entry survived the trim")
	}
}

func TestMoves(t *testing.T) {
	tb, clk := newTestTable(Config{})
	tb.Learn(macA, 5, 1, 0)
	gen := tb.Generation()
	if !tb.Learn(macA, 5, 2, 0) {
		t.Fatal("move not reported")
	}
	if tb.Generation() == gen {
		t.Fatal("generation unchanged by a move")
	}
	if p, _ := tb.Lookup(macA, 5); p != 2 {
		t.Fatalf("port %v after move", p)
	}
	clk.Advance(2 * time.Second)
	gen = tb.Generation()
	if tb.Learn(macA, 5, 2, 0) || tb.Generation() != gen {
		t.Fatal("a refresh counted as a change")
	}
	if s := tb.Stats(); s.Moved != 1 || s.Learned != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestGratuitousARPLock(t *testing.T) {
	tb, clk := newTestTable(Config{})
	// A gratuitous ARP on a plain port locks the entry ...
	tb.Learn(macA, 0, 1, LearnGratuitousARP)
	// ... so its reflection from a bond does not steal it back ...
	if tb.Learn(macA, 0, 2, LearnGratuitousARP|LearnOnBond) {
		t.Fatal("bond reflection moved a locked entry")
	}
	clk.Advance(2 * time.Second)
	if tb.Learn(macA, 0, 2, LearnGratuitousARP|LearnOnBond) {
		t.Fatal("bond reflection moved a locked entry after a refresh")
	}
	if p, _ := tb.Lookup(macA, 0); p != 1 {
		t.Fatalf("port %v", p)
	}
	// ... until the lock runs out.
	clk.Advance(5 * time.Second)
	if !tb.Learn(macA, 0, 2, LearnGratuitousARP|LearnOnBond) {
		t.Fatal("no move after the lock expired")
	}
	// Ordinary traffic from a bond moves it at once.
	tb.Learn(macB, 0, 1, LearnGratuitousARP)
	if !tb.Learn(macB, 0, 2, LearnOnBond) {
		t.Fatal("non-ARP traffic did not move the entry")
	}
}

func TestStaticEntries(t *testing.T) {
	tb, clk := newTestTable(Config{})
	tb.Learn(macA, 0, 1, 0)
	old, existed := tb.AddStatic(macA, 0, 2)
	if !existed || old.Static || old.Port != 1 {
		t.Fatalf("old %+v %v", old, existed)
	}
	if _, existed := tb.AddStatic(macB, 0, 2); existed {
		t.Fatal("fresh static reported as existing")
	}
	// Statics do not move, age out or flush.
	if tb.Learn(macA, 0, 3, 0) {
		t.Fatal("static entry moved")
	}
	clk.Advance(time.Hour)
	tb.Run()
	tb.Flush()
	checkText(t, "show", showText(tb), ""+
		" port  VLAN  MAC                Age\n"+
		"    2     0  02:15:00:00:00:0a  static\n"+
		"    2     0  02:15:00:00:00:0b  static\n")
	if s := tb.Stats(); s.StaticEntries != 2 || s.Learned != 1 {
		t.Fatalf("stats %+v", s)
	}
	if tb.DelStatic(macC, 0) {
		t.Fatal("deleted a missing entry")
	}
	tb.Learn(macC, 0, 1, 0)
	if tb.DelStatic(macC, 0) {
		t.Fatal("deleted a dynamic entry")
	}
	if !tb.DelStatic(macA, 0) || tb.DelStatic(macA, 0) {
		t.Fatal("DelStatic of A")
	}
	if s := tb.Stats(); s.StaticEntries != 1 || s.Entries != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestStaticEntriesSurviveEviction(t *testing.T) {
	tb, _ := newTestTable(Config{MaxEntries: 10})
	for i := 0; i < 9; i++ {
		tb.AddStatic(MAC{2, 0, 0, 0, 0, byte(i)}, 0, 1)
	}
	tb.Learn(macA, 0, 2, 0)
	tb.Learn(macB, 0, 2, 0) // evicts A, the only dynamic entry
	if _, ok := tb.Lookup(macA, 0); ok {
		t.Fatal("A survived")
	}
	if s := tb.Stats(); s.Entries != 10 || s.StaticEntries != 9 || s.Evicted != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFloodVLANs(t *testing.T) {
	tb, _ := newTestTable(Config{})
	tb.Learn(macA, 7, 1, 0)
	tb.SetFloodVLANs([]int{7, 9, 5000})
	if tb.Learn(macB, 9, 1, 0) {
		t.Fatal("learned in a flood VLAN")
	}
	if _, ok := tb.Lookup(macA, 7); ok {
		t.Fatal("lookup in a flood VLAN")
	}
	tb.SetFloodVLANs(nil)
	if _, ok := tb.Lookup(macA, 7); !ok {
		t.Fatal("entry lost while its VLAN flooded")
	}
}

func TestFlushPort(t *testing.T) {
	tb, _ := newTestTable(Config{})
	tb.Learn(macA, 0, 1, 0)
	tb.Learn(macB, 0, 2, 0)
	tb.AddStatic(macC, 0, 1)
	tb.FlushPort(1)
	tb.FlushPort(9)
	checkText(t, "show", showText(tb), ""+
		" port  VLAN  MAC                Age\n"+
		"    2     0  02:15:00:00:00:0b    0\n"+
		"    1     0  02:15:00:00:00:0c  static\n")
}

func TestConcurrentLearnLookup(t *testing.T) {
	tb, clk := newTestTable(Config{MaxEntries: 64})
	done := make(chan struct{})
	for w := 0; w < 4; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 2000; i++ {
				m := MAC{2, 0, 0, 0, byte(w), byte(i)}
				tb.Learn(m, uint16(i%3), Port(w+1), 0)
				tb.Lookup(m, uint16(i%3))
				if i%500 == 0 {
					clk.Advance(time.Second)
					tb.Run()
					_ = tb.Entries()
				}
			}
		}(w)
	}
	for w := 0; w < 4; w++ {
		<-done
	}
	if s := tb.Stats(); s.Entries > 64 {
		t.Fatalf("table over limit: %+v", s)
	}
}
