package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// arpFrame is a broadcast ARP request from 10.0.0.1 for 10.0.0.2.
func arpFrame() []byte {
	f := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0x08, 0x06,
		0, 1, 0x08, 0x00, 6, 4, 0, 1, 0, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2}
	return f
}

func mustParseActions(t *testing.T, s string) ofactions.List {
	t.Helper()
	l, err := ofactions.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return l
}

func encodePacketOut(t *testing.T, tc *testClient, po *ofp.PacketOut) []byte {
	t.Helper()
	msg, err := ofp.EncodePacketOut(po, tc.v, tc.nextXid())
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestPacketOutOverOpenFlow(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,udp,actions=output:3")
	path := MgmtPath(r.dir, "br0")
	cases := []struct {
		version uint8
		inPort  uint16
		actions string
		odp     uint32 // the port that must send exactly one packet
	}{
		{ofp.Version10, mf.PortLocal, "output:2", 2},
		{ofp.Version13, 1, "output:TABLE", 3},
		{ofp.Version15, mf.PortController, "output:2", 2},
		{ofp.Version15, mf.PortNone, "output:1", 1},
	}
	for _, c := range cases {
		tc := dial(t, path, c.version)
		before := r.sent(t, c.odp)
		po := &ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: c.inPort, Actions: mustParseActions(t, c.actions), Data: udpFrame(7)}
		if got := tc.barrier(encodePacketOut(t, tc, po)); len(got) != 0 {
			t.Fatalf("version %#x %s: replies % x", c.version, c.actions, got)
		}
		if n := r.sent(t, c.odp) - before; n != 1 {
			t.Errorf("version %#x in_port=%d actions=%s: port %d sent %d packets, want 1", c.version, c.inPort, c.actions, c.odp, n)
		}
	}
}

func TestPacketOutErrors(t *testing.T) {
	r := newXlateRig(t, 2)
	path := MgmtPath(r.dir, "br0")
	tc10 := dial(t, path, ofp.Version10)
	tc13 := dial(t, path, ofp.Version13)
	tc15 := dial(t, path, ofp.Version15)
	out2 := mustParseActions(t, "output:2")
	cases := []struct {
		name string
		tc   *testClient
		msg  []byte
		code ofperr.Code
	}{
		{"buffered", tc10, encodePacketOut(t, tc10, &ofp.PacketOut{BufferID: 7, InPort: 1, Actions: out2, Data: arpFrame()}),
			ofperr.OFPBRC_BUFFER_UNKNOWN},
		{"reserved in_port", tc10, encodePacketOut(t, tc10, &ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: 0xff05, Actions: out2, Data: arpFrame()}),
			ofperr.OFPBRC_BAD_PORT},
		{"ip action on arp", tc13, encodePacketOut(t, tc13, &ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: 1,
			Actions: mustParseActions(t, "mod_nw_dst:10.0.0.9,output:2"), Data: arpFrame()}),
			ofperr.OFPBAC_MATCH_INCONSISTENT},
		// OpenFlow 1.5 without in_port in its match.
		{"no in_port", tc15, mustHex(t, "060d0028 00000077 ffffffff 0010 0000 0001 0004 00000000 0000 0010 00000002 ffe5 000000000000"),
			ofperr.OFPBRC_BAD_PORT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, c.tc.barrier(c.msg), c.code, c.msg)
		})
	}
	if n := r.sent(t, 2); n != 0 {
		t.Errorf("port 2 sent %d packets after failed packet-outs", n)
	}
	// The connections survive their errors.
	tc13.send(ofp.EncodeEchoRequest(ofp.Version13, 99, nil))
	wantMsg(t, tc13.recv(), mustHex(t, "04030008 00000063"))
}

func TestCTFlushReachesDatapathTracker(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,udp,actions=ct(commit,zone=5),output:2")
	r.input(1, udpFrame(1000), udpFrame(1001))
	ct := r.dp.Conntrack()
	if n := len(ct.Dump(nil)); n != 2 {
		t.Fatalf("%d connections after traffic, want 2", n)
	}
	tc := dial(t, MgmtPath(r.dir, "br0"), ofp.Version10)
	// ct-flush-zone of another zone leaves them; of zone 5 empties it.
	for _, c := range []struct {
		msg  string
		want int
	}{
		{"01040018 00000002 00002320 0000001d 000000000000 0006", 2},
		{"01040018 00000003 00002320 0000001d 000000000000 0005", 0},
	} {
		if got := tc.barrier(mustHex(t, c.msg)); len(got) != 0 {
			t.Fatalf("flush: % x", got)
		}
		if n := len(ct.Dump(nil)); n != c.want {
			t.Errorf("after %s: %d connections, want %d", c.msg, n, c.want)
		}
	}
	// Detached, the bridge no longer reaches the tracker.
	r.input(1, udpFrame(1002))
	r.bk.RemoveBridge(r.br)
	tc.barrier(mustHex(t, "01040018 00000004 00002320 0000001d 000000000000 0005"))
	if n := len(ct.Dump(nil)); n != 1 {
		t.Errorf("flush after detach: %d connections, want 1", n)
	}
}
