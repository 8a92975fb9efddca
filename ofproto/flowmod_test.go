package ofproto

import (
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// mod applies a text flow_mod through the API, as a decoded message would.
func mod(t *testing.T, b *Bridge, command uint8, text string) error {
	t.Helper()
	fm, err := ofp.ParseFlow(text, command)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return b.FlowMod(fm)
}

func mustMod(t *testing.T, b *Bridge, command uint8, text string) {
	t.Helper()
	if err := mod(t, b, command, text); err != nil {
		t.Fatalf("%q: %v", text, err)
	}
}

// dumpFlows lists every rule as dump-flows --no-stats would.
func dumpFlows(b *Bridge) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var lines []string
	for _, r := range b.collect(&criteria{table: ofp.TableAll, outPort: mf.PortNone, outGroup: ofp.GroupAny}) {
		fs := r.flowStats(time.Now())
		fs.IdleAge, fs.HardAge = -1, -1
		lines = append(lines, fs.Format(false))
	}
	return strings.Join(lines, "\n")
}

func wantFlows(t *testing.T, b *Bridge, want ...string) {
	t.Helper()
	if got := dumpFlows(b); got != strings.Join(want, "\n") {
		t.Errorf("flows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestDefaultFlowAndFailSecure(t *testing.T) {
	b, _ := newTestBridge(t, Config{})
	wantFlows(t, b, "priority=0 actions=NORMAL")
	s, _ := newTestBridge(t, Config{FailSecure: true})
	wantFlows(t, s)
}

func TestAddReplacesAndKeepsCounters(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	mustMod(t, b, ofp.FlowAdd, "priority=5,ip,actions=output:1")
	var f mf.Flow
	m, _ := mf.Parse("ip")
	f = m.Flow
	r := b.Lookup(0, &f)
	if r == nil {
		t.Fatal("no match for an IP packet")
	}
	r.Credit(2, 120)
	// An identical add without reset_counts keeps the counters.
	mustMod(t, b, ofp.FlowAdd, "priority=5,ip,actions=output:2")
	nr := b.Lookup(0, &f)
	if p, by := nr.Stats(); p != 2 || by != 120 || !r.Removed() {
		t.Errorf("after replace: %d packets %d bytes, old removed %v", p, by, r.Removed())
	}
	// With reset_counts they start over.
	mustMod(t, b, ofp.FlowAdd, "priority=5,ip,reset_counts,actions=output:3")
	if p, _ := b.Lookup(0, &f).Stats(); p != 0 {
		t.Errorf("reset_counts kept %d packets", p)
	}
	wantFlows(t, b, "reset_counts priority=5,ip actions=output:3")
}

func TestCheckOverlap(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	mustMod(t, b, ofp.FlowAdd, "priority=5,ip,actions=drop")
	if err := mod(t, b, ofp.FlowAdd, "priority=5,tcp,check_overlap,actions=drop"); err != ofperr.OFPFMFC_OVERLAP {
		t.Errorf("overlapping add: %v, want OFPFMFC_OVERLAP", err)
	}
	// Different priority, disjoint match or the identical rule: no overlap.
	mustMod(t, b, ofp.FlowAdd, "priority=6,tcp,check_overlap,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "priority=5,arp,check_overlap,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "priority=5,ip,check_overlap,actions=output:1")
	wantFlows(t, b, "check_overlap priority=6,tcp actions=drop",
		"check_overlap priority=5,ip actions=output:1", "check_overlap priority=5,arp actions=drop")
}

func TestModifyAndDelete(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	for _, f := range []string{
		"table=1,cookie=0x1,priority=5,ip,actions=output:1",
		"table=1,cookie=0x2,priority=6,tcp,actions=output:2",
		"table=2,cookie=0x1,priority=5,ip,idle_timeout=60,actions=output:1",
		"table=2,cookie=0x3,priority=7,arp,actions=group:1",
	} {
		if strings.Contains(f, "group") {
			if err := mod(t, b, ofp.FlowAdd, f); err != ofperr.OFPBAC_BAD_OUT_GROUP {
				t.Errorf("flow to a missing group: %v", err)
			}
			continue
		}
		mustMod(t, b, ofp.FlowAdd, f)
	}
	// Loose modify of "ip" in table 1 hits ip and tcp; the match, priority
	// and timeouts stay, the actions change.
	fm, _ := ofp.ParseFlow("table=1,ip,actions=drop", ofp.FlowModify)
	fm.NewCookie = ofp.CookieNoChange
	if err := b.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	// Strict modify needs the exact priority.
	mustMod(t, b, ofp.FlowModifyStrict, "table=2,priority=4,ip,actions=output:9")
	fm, _ = ofp.ParseFlow("table=2,priority=5,ip,actions=output:3", ofp.FlowModifyStrict)
	fm.NewCookie = ofp.CookieNoChange
	if err := b.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	wantFlows(t, b,
		"cookie=0x2, table=1, priority=6,tcp actions=drop",
		"cookie=0x1, table=1, priority=5,ip actions=drop",
		"cookie=0x1, table=2, idle_timeout=60, priority=5,ip actions=output:3",
		// The strict modify that found nothing added its flow (OF1.0 rule).
		"table=2, priority=4,ip actions=output:9")

	// Cookie-masked modify only touches the matching cookie and cannot add.
	fm, _ = ofp.ParseFlow("cookie=0x1/-1,actions=output:4", ofp.FlowModify)
	fm.NewCookie = ofp.CookieNoChange
	if err := b.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	// Delete with out_port, then strict delete.
	mustMod(t, b, ofp.FlowDelete, "out_port=9")
	mustMod(t, b, ofp.FlowDeleteStrict, "table=1,priority=6,tcp")
	wantFlows(t, b,
		"cookie=0x1, table=1, priority=5,ip actions=output:4",
		"cookie=0x1, table=2, idle_timeout=60, priority=5,ip actions=output:4")
	mustMod(t, b, ofp.FlowDelete, "")
	wantFlows(t, b)
}

func TestFlowModTableErrors(t *testing.T) {
	b, _ := newTestBridge(t, Config{})
	if err := mod(t, b, ofp.FlowAdd, "table=254,actions=drop"); err != ofperr.OFPBRC_EPERM {
		t.Errorf("add to table 254: %v, want OFPBRC_EPERM", err)
	}
	fm, _ := ofp.ParseFlow("priority=3,actions=drop", ofp.FlowAdd)
	fm.BufferID = 7
	if err := b.FlowMod(fm); err != ofperr.OFPBRC_BUFFER_UNKNOWN {
		t.Errorf("add with a buffer id: %v, want OFPBRC_BUFFER_UNKNOWN", err)
	}
	if err := mod(t, b, ofp.FlowDelete, "table=254"); err != ofperr.OFPBRC_EPERM {
		t.Errorf("delete in table 254: %v, want OFPBRC_EPERM", err)
	}
	if err := mod(t, b, ofp.FlowAdd, "table=3,actions=goto_table:3"); err != ofperr.OFPBIC_BAD_TABLE_ID {
		t.Errorf("goto_table backwards: %v, want OFPBIC_BAD_TABLE_ID", err)
	}
}

func TestLookupOrderCountersAndAllocations(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	mustMod(t, b, ofp.FlowAdd, "priority=1,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "priority=10,ip,actions=output:1")
	mustMod(t, b, ofp.FlowAdd, "priority=20,tcp,tp_dst=80,actions=output:2")
	mustMod(t, b, ofp.FlowAdd, "priority=10,arp,actions=output:3")
	flow := func(s string) mf.Flow {
		m, err := mf.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return m.Flow
	}
	for _, c := range []struct{ pkt, want string }{
		{"tcp,tp_dst=80", "output:2"},
		{"tcp,tp_dst=81", "output:1"},
		{"arp", "output:3"},
		{"ipv6", "drop"},
	} {
		f := flow(c.pkt)
		r := b.Lookup(0, &f)
		if r == nil || r.Actions.String() != c.want {
			t.Errorf("%s: got %v, want %s", c.pkt, r, c.want)
		}
	}
	f := flow("ipv6")
	if r := b.Lookup(1, &f); r != nil {
		t.Errorf("empty table 1 matched %v", r)
	}
	if l, m := b.tables[0].lookups.Load(), b.tables[0].matched.Load(); l != 4 || m != 4 {
		t.Errorf("table 0: lookup=%d matched=%d", l, m)
	}
	if l, m := b.tables[1].lookups.Load(), b.tables[1].matched.Load(); l != 1 || m != 0 {
		t.Errorf("table 1: lookup=%d matched=%d", l, m)
	}
	f = flow("tcp,tp_dst=81")
	if n := testing.AllocsPerRun(100, func() { b.Lookup(0, &f) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}

func TestOverlapAndCoverHelpers(t *testing.T) {
	m := func(s string) *mf.Match {
		x, err := mf.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return &x
	}
	if !covers(m("ip"), m("tcp,tp_dst=80")) || covers(m("tcp"), m("ip")) || !covers(m(""), m("arp")) {
		t.Error("covers")
	}
	if !overlaps(m("ip"), m("nw_src=10.0.0.1,ip")) || overlaps(m("ip"), m("arp")) {
		t.Error("overlaps")
	}
}
