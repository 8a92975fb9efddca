package ofproto

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

func TestParseTraceArgs(t *testing.T) {
	pktHex := "505400000002505400000001080045000014000000004006000000000000000000000000"
	for _, tc := range []struct {
		args     []string
		words    []string
		generate bool
		packet   bool
		l7Len    int
		err      string
	}{
		{args: []string{"br0", "in_port=1"}, words: []string{"br0", "in_port=1"}, l7Len: 64},
		{args: []string{"br0", "in_port=1", "-generate"}, words: []string{"br0", "in_port=1"}, generate: true, l7Len: 64},
		{args: []string{"br0", "in_port=1", "--generate", "--l7-len", "10"}, words: []string{"br0", "in_port=1"}, generate: true, l7Len: 10},
		{args: []string{"br0", "in_port=1", pktHex}, words: []string{"br0", "in_port=1"}, packet: true, l7Len: 64},
		{args: []string{"br0", "in_port=1", "--l7"}, err: "Missing argument for option --l7"},
		{args: []string{"br0", "in_port=1", "--l7", "zz"}, err: "Trailing garbage in packet data"},
		{args: []string{"br0", "in_port=1", "--l7-len", "70000"}, err: "70000: too much L7 data"},
		{args: []string{"br0", "in_port=1", "-x"}, err: "-x: unknown option"},
		{args: []string{"br0", "in_port=1", "nothex"}, err: "Trailing garbage in packet data"},
		{args: []string{"a", "b", "c", "d"}, err: "too many arguments"},
	} {
		ta, err := parseTraceArgs(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseTraceArgs(%q) error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseTraceArgs(%q): %v", tc.args, err)
			continue
		}
		if !slices.Equal(ta.words, tc.words) || ta.generate != tc.generate || (ta.packet != nil) != tc.packet || ta.l7Len != tc.l7Len {
			t.Errorf("parseTraceArgs(%q) = %+v", tc.args, ta)
		}
	}
}

// TestTracePacketFlow: a packet's headers replace the flow's, its
// metadata stays.
func TestTracePacketFlow(t *testing.T) {
	m, err := mf.Parse("in_port=7,reg0=5,pkt_mark=9,tcp,nw_src=1.1.1.1,tp_dst=80")
	if err != nil {
		t.Fatal(err)
	}
	k, err := dpif.ParseODPFlow("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)")
	if err != nil {
		t.Fatal(err)
	}
	pkt := dpif.ComposePacket(&k, nil, 4)
	f := tracePacketFlow(&m.Flow, pkt)
	for id, want := range map[mf.FieldID]uint64{
		mf.InPort: 7, mf.PktMark: 9, mf.Reg0: 0, mf.IPProto: 17, mf.IPv4Src: 0x0a000001, mf.UDPDst: 2, mf.IPTTL: 64,
	} {
		if got := fieldUint(&f, id); got != want {
			t.Errorf("%s = %d, want %d (packet %s)", mf.ByID(id).Name, got, want, hex.EncodeToString(pkt))
		}
	}
	ta := &traceArgs{generate: true, l7Len: 4}
	if g := ta.tracePacket(&m.Flow); len(g) == 0 {
		t.Error("-generate composed no packet")
	}
}

// TestComposeFlow: an OpenFlow match composes the packet of the
// equivalent datapath flow; a bad flow gets the datapath parser's error.
func TestComposeFlow(t *testing.T) {
	odp, err := ComposeFlow("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=80)", 0)
	if err != nil {
		t.Fatal(err)
	}
	of, err := ComposeFlow("tcp,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tp_src=1,tp_dst=80", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(odp, of) {
		t.Errorf("OpenFlow flow composed\n%x\nwant\n%x", of, odp)
	}
	if p, err := ComposeFlow("udp,nw_src=10.0.0.1", 100); err != nil || len(p) != 100 {
		t.Errorf("--len 100: %d bytes, %v", len(p), err)
	}
	if _, err := ComposeFlow("nosuchfield=1", 0); err == nil || err.Error() != "syntax error at nosuchfield=1" {
		t.Errorf("bad flow: %v", err)
	}
}
