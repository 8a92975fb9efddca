package bridge

import (
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/vswitchdb"
)

func TestChangedFieldsOnlyDifferencesOnce(t *testing.T) {
	now := time.Unix(1000, 0)
	w := newRecentWrites()
	w.now = func() time.Time { return now }
	have := &vswitchdb.Interface{UUID: "u", Ofport: ptr(1), Statistics: map[string]int{}}
	want := &vswitchdb.Interface{UUID: "u", Ofport: ptr(1), Error: nil, Status: nil, Statistics: nil,
		MTU: ptr(1500), LinkState: ptr("down")}
	names := func(fields []any) []string {
		var out []string
		for _, f := range fields {
			for _, c := range interfaceColumns {
				if c.field(want) == f {
					out = append(out, c.name)
				}
			}
		}
		return out
	}
	got := names(changedFields(interfaceColumns, "u", want, have, nil, w))
	checkText(t, "changed", joinLines(got), "link_state\nmtu\n")
	w.commit()

	// The cache has not caught up yet: nothing is written again.
	checkText(t, "in flight", joinLines(names(changedFields(interfaceColumns, "u", want, have, nil, w))), "")
	// Long after, a cache that still differs is rewritten.
	now = now.Add(recentWriteTTL)
	checkText(t, "expired", joinLines(names(changedFields(interfaceColumns, "u", want, have, nil, w))), "link_state\nmtu\n")
	w.abort()
	// Restricting the columns (a failed interface) leaves the others alone.
	only := map[string]bool{"mtu": true}
	checkText(t, "only", joinLines(names(changedFields(interfaceColumns, "u", want, have, only, w))), "mtu\n")
}

func TestSameValueSetsIgnoreOrder(t *testing.T) {
	a, b := []string{"netdev", "dummy"}, []string{"dummy", "netdev"}
	if !sameValue(&a, &b) {
		t.Error("sets in different order differ")
	}
	c := []string{"dummy"}
	if sameValue(&a, &c) {
		t.Error("different sets compare equal")
	}
	var nilMap, emptyMap map[string]string = nil, map[string]string{}
	if !sameValue(&nilMap, &emptyMap) {
		t.Error("nil and empty map differ")
	}
	x, y := ptr(1), (*int)(nil)
	if sameValue(&x, &y) {
		t.Error("1 and empty optional compare equal")
	}
}

func TestOnlyOwnColumns(t *testing.T) {
	old := &vswitchdb.Interface{UUID: "u1", Name: "p1", Ofport: ptr(1)}
	written := *old
	written.Ofport = ptr(2)
	written.Statistics = map[string]int{"rx_packets": 5}
	if !onlyOwnColumns(old, &written) {
		t.Errorf("an update of ofport and statistics only should count as our own write")
	}
	configured := *old
	configured.OfportRequest = ptr(7)
	if onlyOwnColumns(old, &configured) {
		t.Errorf("an update of ofport_request must trigger reconfiguration")
	}
	root := &vswitchdb.OpenvSwitch{UUID: "r", NextCfg: 1, CurCfg: 0}
	done := *root
	done.CurCfg = 1
	if !onlyOwnColumns(root, &done) {
		t.Errorf("cur_cfg is ours")
	}
	bumped := *root
	bumped.NextCfg = 2
	if onlyOwnColumns(root, &bumped) {
		t.Errorf("a next_cfg bump must trigger reconfiguration")
	}
	if onlyOwnColumns(&vswitchdb.Port{Name: "a"}, &vswitchdb.Port{Name: "b"}) {
		t.Errorf("Port rows have no columns of ours")
	}
}
