package ofproto

import (
	"errors"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func TestEvictionByImportanceThenExpiry(t *testing.T) {
	b, _ := newTestBridge(t, Config{})
	mustMod(t, b, ofp.FlowDelete, "")
	if errs := b.ConfigureTables(map[uint8]TableSettings{0: {Limited: true, MaxFlows: 3, Evict: true}}); errs != nil {
		t.Fatal(errs)
	}
	mustMod(t, b, ofp.FlowAdd, "priority=1,in_port=1,importance=5,hard_timeout=10,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "priority=1,in_port=2,importance=1,hard_timeout=300,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "priority=1,in_port=3,actions=drop") // permanent: never evicted
	// Lowest importance goes first, though it expires last.
	mustMod(t, b, ofp.FlowAdd, "priority=1,in_port=4,importance=5,hard_timeout=20,actions=drop")
	got := dumpFlows(b)
	if strings.Contains(got, "in_port=2") || !strings.Contains(got, "in_port=1 ") {
		t.Errorf("after the first eviction:\n%s", got)
	}
	// Then the one expiring first.
	mustMod(t, b, ofp.FlowAdd, "priority=1,in_port=5,importance=5,hard_timeout=30,actions=drop")
	got = dumpFlows(b)
	if strings.Contains(got, "in_port=1 ") || !strings.Contains(got, "in_port=4") || !strings.Contains(got, "in_port=3") {
		t.Errorf("after the second eviction:\n%s", got)
	}
}

func TestTableFullWithoutEviction(t *testing.T) {
	b, _ := newTestBridge(t, Config{})
	mustMod(t, b, ofp.FlowDelete, "")
	b.ConfigureTables(map[uint8]TableSettings{1: {Limited: true, MaxFlows: 0}})
	err := mod(t, b, ofp.FlowAdd, "table=1,priority=1,actions=drop")
	if !errors.Is(err, ofperr.OFPFMFC_TABLE_FULL) {
		t.Errorf("add to a table limited to 0 flows: %v", err)
	}
	// Other tables are not limited.
	mustMod(t, b, ofp.FlowAdd, "table=2,priority=1,actions=drop")
	if errs := b.ConfigureTables(map[uint8]TableSettings{0: {Groups: []string{"nosuchfield"}}}); len(errs) != 1 {
		t.Errorf("bad groups: %v", errs)
	}
}
