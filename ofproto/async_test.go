package ofproto

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// asyncClient is a service connection that asked for asynchronous
// messages (nonzero miss_send_len), in NXM flow format when nxm.
func asyncClient(t *testing.T, path string, v uint8, nxm bool) *testClient {
	tc := dial(t, path, v)
	var msgs [][]byte
	if nxm {
		msgs = append(msgs, mustHex(t, "01040014 00000002 00002320 0000000c 00000002"))
	}
	msgs = append(msgs, tc.msg(ofp.RawOFPTSetConfig, 0, 0, 0, 0x80))
	if got := tc.barrier(msgs...); len(got) != 0 {
		t.Fatalf("setup: % x", got)
	}
	return tc
}

func TestExpiryAndFlowRemoved(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	nx := asyncClient(t, path, ofp.Version10, true)
	of13 := asyncClient(t, path, ofp.Version13, false)
	quiet := dial(t, path, ofp.Version10) // miss_send_len 0: no async

	mustMod(t, b, ofp.FlowAdd, "table=2,cookie=0x9,priority=7,ip,idle_timeout=5,send_flow_rem,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "table=2,priority=8,arp,hard_timeout=20,send_flow_rem,actions=drop")
	mustMod(t, b, ofp.FlowAdd, "table=2,priority=9,tcp,idle_timeout=5,actions=drop")

	// Nothing expires yet; then the idle ones, then the hard one.
	b.expire(time.Now().Add(2 * time.Second))
	wantFlows(t, b, "table=2, idle_timeout=5, priority=9,tcp actions=drop",
		"table=2, hard_timeout=20, send_flow_rem priority=8,arp actions=drop",
		"cookie=0x9, table=2, idle_timeout=5, send_flow_rem priority=7,ip actions=drop")
	b.expire(time.Now().Add(6 * time.Second))
	wantFlows(t, b, "table=2, hard_timeout=20, send_flow_rem priority=8,arp actions=drop")
	b.expire(time.Now().Add(21 * time.Second))
	wantFlows(t, b)

	// NXT_FLOW_REMOVED: cookie, priority, reason idle (0), table 2, ...
	m := nx.recv()
	mh, err := ofp.DecodeRaw(m)
	if err != nil || mh.Raw != ofp.RawNXTFlowRemoved || mh.Xid != 0 {
		t.Fatalf("got % x, want NXT_FLOW_REMOVED", m)
	}
	body := m[16:]
	if c, p, reason, table := binary.BigEndian.Uint64(body), binary.BigEndian.Uint16(body[8:]), body[10], body[11]; c != 9 || p != 7 || reason != removedIdle || table != 2 {
		t.Errorf("NX flow removed: cookie %d priority %d reason %d table %d", c, p, reason, table)
	}
	if idle := binary.BigEndian.Uint16(body[20:]); idle != 5 {
		t.Errorf("idle_timeout %d", idle)
	}
	wantMsg(t, body[24+16:], mustHex(t, "00000602 0800 0000"))
	m = nx.recv()
	if m[16+10] != removedHard || binary.BigEndian.Uint16(m[16+8:]) != 8 {
		t.Errorf("second flow removed % x, want the hard timeout of priority 8", m)
	}

	// OpenFlow 1.3 layout: cookie(8) priority(2) reason(1) table(1) ...
	m = of13.recv()
	mh, _ = ofp.DecodeRaw(m)
	if mh.Raw != ofp.RawOFPT11FlowRemoved || m[8+10] != removedIdle || m[8+11] != 2 {
		t.Errorf("OF1.3 flow removed % x", m)
	}
	wantMsg(t, m[8+40:], mustHex(t, "0001 000a 80000a02 0800 000000000000"))
	of13.recv()

	// The quiet connection got nothing: its next message is the echo reply.
	quiet.send(ofp.EncodeEchoRequest(ofp.Version10, 3, nil))
	wantMsg(t, quiet.recv(), mustHex(t, "01030008 00000003"))
}

func TestDeleteSendsFlowRemovedOF15(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	tc := asyncClient(t, path, ofp.Version15, false)
	mustMod(t, b, ofp.FlowAdd, "table=1,priority=3,send_flow_rem,actions=drop")
	mustMod(t, b, ofp.FlowDelete, "table=1")
	m := tc.recv()
	mh, _ := ofp.DecodeRaw(m)
	if mh.Raw != ofp.RawOFPT15FlowRemoved {
		t.Fatalf("got % x", m)
	}
	// table 1, reason delete, priority 3, no timeouts, cookie 0, empty match.
	wantMsg(t, m[8:32], mustHex(t, "01 02 0003 0000 0000 0000000000000000 0001 0004 00000000"))
}

func TestPortStatus(t *testing.T) {
	b, path := newTestBridge(t, Config{})
	tc := asyncClient(t, path, ofp.Version10, false)
	p := refPort(3, "p3", "02:00:00:00:00:03")
	b.SetPort(p)
	b.SetPort(p) // unchanged: no message
	p.LinkDown = false
	b.SetPort(p)
	b.RemovePort(3)
	port := "0003 020000000003 70330000000000000000000000000000 00000001 %s 000000c0 00000000 00000000 00000000"
	for _, want := range []string{
		"010c0040 00000000 00 00000000000000" + sprintf(port, "00000001"),
		"010c0040 00000000 02 00000000000000" + sprintf(port, "00000000"),
		"010c0040 00000000 01 00000000000000" + sprintf(port, "00000000"),
	} {
		wantMsg(t, tc.recv(), mustHex(t, want))
	}
	if got := b.Ports(); len(got) != 0 {
		t.Errorf("ports left: %v", got)
	}
}

func sprintf(format, arg string) string {
	out := make([]byte, 0, len(format))
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' {
			out = append(out, arg...)
			i++
			continue
		}
		out = append(out, format[i])
	}
	return string(out)
}

func TestLargeDumpIsSplit(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	const n = 3000
	for i := 0; i < n; i++ {
		fm, err := ofp.ParseFlow("priority=100,ip,nw_src=10.0.0.1,nw_dst=10.0.0.2,actions=output:1", ofp.FlowAdd)
		if err != nil {
			t.Fatal(err)
		}
		fm.Priority = uint16(i + 1)
		if err := b.FlowMod(fm); err != nil {
			t.Fatal(err)
		}
	}
	tc := dial(t, path, ofp.Version13)
	req := tc.msg(ofp.RawOFPST11FlowRequest, mustHex(t, "ff000000 ffffffff ffffffff 00000000 0000000000000000 0000000000000000 0001 0004 00000000")...)
	got := tc.barrier(req)
	if len(got) < 2 {
		t.Fatalf("%d replies, want the dump split", len(got))
	}
	total := 0
	for i, m := range got {
		entries, mh, err := ofp.DecodeFlowStatsReply(m)
		if err != nil {
			t.Fatal(err)
		}
		if mh.More() != (i < len(got)-1) {
			t.Errorf("reply %d: more=%v", i, mh.More())
		}
		total += len(entries)
	}
	if total != n {
		t.Errorf("%d flows dumped, want %d", total, n)
	}
}

func TestControllers(t *testing.T) {
	dir := t.TempDir()
	// An active controller on a unix socket.
	ctrlPath := dir + "/ctrl.sock"
	ln, err := net.Listen("unix", ctrlPath)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	passive := dir + "/passive.sock"
	b, err := NewBridge("br0", dir, nil, Config{DatapathID: 7, Controllers: []string{"unix:" + ctrlPath, "punix:" + passive, "bogus:x"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// With controllers there is no default flow.
	wantFlows(t, b)

	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	ctrl := &testClient{t: t, c: nc}
	t.Cleanup(func() { nc.Close() })
	ctrl.hello = ctrl.recv()
	ctrl.send(ofp.EncodeHello(1<<ofp.Version13, 1))
	ctrl.v = ofp.Version13
	got := ctrl.barrier(setXid(ctrl.msg(ofp.RawOFPTFeaturesRequest), 2))
	wantMsg(t, got[0], mustHex(t, "04060020 00000002 0000000000000007 00000000 fe000000 0000004f 00000000"))

	// The passive one accepts connections.
	pc := dial(t, passive, ofp.Version10)
	pc.send(ofp.EncodeEchoRequest(ofp.Version10, 4, nil))
	wantMsg(t, pc.recv(), mustHex(t, "01030008 00000004"))

	// Removing the controllers drops both connections and the listener.
	b.SetControllers(nil)
	ctrl.expectEOF()
	pc.expectEOF()
	if c, err := net.Dial("unix", passive); err == nil {
		c.Close()
		t.Error("passive controller socket still accepts connections")
	}
	if _, _, _, err := parseTarget("udp:1.2.3.4:6653"); err == nil {
		t.Error("unknown target kinds must be refused")
	}
	if passive, network, addr, err := parseTarget("ptcp:6653:127.0.0.1"); err != nil || !passive || network != "tcp" || addr != "127.0.0.1:6653" {
		t.Errorf("ptcp target: %v %s %s %v", passive, network, addr, err)
	}
	_ = mf.PortLocal
}

func TestControllerInactivityProbe(t *testing.T) {
	old := inactivityProbe
	inactivityProbe = 250 * time.Millisecond
	defer func() { inactivityProbe = old }()
	dir := t.TempDir()
	passive := dir + "/ctl.sock"
	b, err := NewBridge("br0", dir, nil, Config{Controllers: []string{"punix:" + passive}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tc := dial(t, passive, ofp.Version13)
	// A silent controller is probed with an echo request...
	m := tc.recv()
	if m[1] != 2 {
		t.Fatalf("got % x, want an echo request", m)
	}
	// ...answering keeps it connected (the next message is another probe),
	rep, _ := ofp.EncodeEchoReply(m)
	tc.send(rep)
	if m = tc.recv(); m[1] != 2 {
		t.Fatalf("got % x, want another echo request", m)
	}
	// ...and ignoring the probe gets it disconnected.
	tc.expectEOF()
}
