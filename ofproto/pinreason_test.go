package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

func TestExplicitMiss(t *testing.T) {
	miss := newRule(0, 0, nil, nil)
	var m mf.Match
	if err := m.SetExact(mf.InPort, 1); err != nil {
		t.Fatal(err)
	}
	zeroPrioMatch := newRule(0, 0, &m, nil)
	catchAll := newRule(0, 1, nil, nil)
	for _, c := range []struct {
		reason uint8
		r      *Rule
		want   uint8
	}{
		{pinAction, miss, pinExplicitMiss},
		{pinAction, zeroPrioMatch, pinAction},
		{pinAction, catchAll, pinAction},
		{pinGroup, miss, pinGroup},
	} {
		if got := explicitMiss(c.reason, c.r); got != c.want {
			t.Errorf("explicitMiss(%d, priority %d) = %d, want %d", c.reason, c.r.Priority, got, c.want)
		}
	}
}

// TestWireReason follows OVS's table: what each version can express.
func TestWireReason(t *testing.T) {
	for _, c := range []struct {
		reason, v, want uint8
	}{
		{pinExplicitMiss, ofp.Version10, pinAction},
		{pinExplicitMiss, ofp.Version12, pinAction},
		{pinExplicitMiss, ofp.Version13, pinNoMatch},
		{pinExplicitMiss, ofp.Version15, pinNoMatch},
		{pinImplicitMiss, ofp.Version10, pinNoMatch},
		{pinImplicitMiss, ofp.Version15, pinNoMatch},
		{pinAction, ofp.Version13, pinAction},
		{pinPacketOut, ofp.Version13, pinAction},
		{pinPacketOut, ofp.Version14, pinPacketOut},
		{pinGroup, ofp.Version10, pinAction},
		{pinActionSet, ofp.Version15, pinActionSet},
		{2, ofp.Version10, 2}, // invalid_ttl
	} {
		if got := wireReason(c.reason, c.v); got != c.want {
			t.Errorf("wireReason(%d, 0x%02x) = %d, want %d", c.reason, c.v, got, c.want)
		}
	}
}
