package ofproto

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

type fakeFlusher struct {
	zones   []*uint16
	matches []*conntrack.FlushMatch
}

func (f *fakeFlusher) Flush(zone *uint16, m *conntrack.FlushMatch) error {
	f.zones = append(f.zones, zone)
	f.matches = append(f.matches, m)
	return nil
}

func TestConntrackFlush(t *testing.T) {
	b, path := newTestBridge(t, Config{})
	ct := &fakeFlusher{}
	b.SetConntrack(ct)
	tc := dial(t, path, ofp.Version10)
	// The messages ovs-ofctl sends (reference 4.8).
	for _, h := range []string{
		"0104001800000002 00002320 0000001d 000000000000 0005",
		"01040068 00000002 00002320 00000020 06 00 000000000000" +
			" 0000 0048 00000000" +
			" 0000 0014 00000000 00000000 0000ffff 0a010101 00000000" +
			" 0001 0014 00000000 00000000 0000ffff 0a010102 00000000" +
			" 0002 0008 03e8 0000 0003 0008 0050 0000" +
			" 0002 0008 0005 0000",
	} {
		if got := tc.barrier(mustHex(t, h)); len(got) != 0 {
			t.Fatalf("flush: % x", got)
		}
	}
	if len(ct.zones) != 2 || *ct.zones[0] != 5 || ct.matches[0] != nil || *ct.zones[1] != 5 {
		t.Fatalf("flushes: zones %v matches %v", ct.zones, ct.matches)
	}
	want := &conntrack.FlushMatch{Family: 4, Proto: 6, Orig: conntrack.FlushTuple{
		Src: netip.MustParseAddr("10.1.1.1"), Dst: netip.MustParseAddr("10.1.1.2"), SrcPort: 1000, DstPort: 80}}
	if !reflect.DeepEqual(ct.matches[1], want) {
		t.Errorf("match %+v, want %+v", ct.matches[1], want)
	}
	bad := mustHex(t, "0104001800000003 00002320 0000001d 000000000001 0005")
	wantError(t, tc.barrier(bad), ofperr.NXBRC_MUST_BE_ZERO, bad)
}
