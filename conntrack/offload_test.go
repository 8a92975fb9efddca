package conntrack

import (
	"testing"
)

// TestOffloadMarkAndCounters: the offloaded mark shows as status=OFFLOAD
// with -m, the provider's counters inside orig=/reply= with -s, and
// RefreshOffloaded keeps a connection alive past its software timeout.
func TestOffloadMarkAndCounters(t *testing.T) {
	tr, clk := newTestTracker(t)
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8), Action{Commit: true})
	mustState(t, "reply", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 8), Action{}), trkEstRpl)
	c := tr.Dump(nil)
	if len(c) != 1 {
		t.Fatalf("%d conns", len(c))
	}
	conn := lookupConn(t, tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8))
	if conn.Offloaded() {
		t.Fatal("offloaded before SetOffloaded")
	}
	conn.SetOffloaded(true)
	if !tr.RefreshOffloaded(conn, 0, Counters{3, 300}, Counters{2, 120}) {
		t.Fatal("refresh refused")
	}
	if !tr.RefreshOffloaded(conn, 0, Counters{1, 100}, Counters{}) {
		t.Fatal("refresh refused")
	}
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2,packets=4,bytes=400),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1,packets=2,bytes=120),id=0,status=OFFLOAD,timeout=30", "-m", "-s")
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1)")

	// 25 s later the provider saw traffic 5 s ago: expiry = used + 30 s.
	clk.advance(25)
	tr.RefreshOffloaded(conn, tr.Now()-5000, Counters{}, Counters{})
	const counted = "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2,packets=4,bytes=400),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1,packets=2,bytes=120)"
	mustDump(t, tr, counted+",timeout=25", "-s")
	// An older last-used time never shortens the expiry.
	tr.RefreshOffloaded(conn, tr.Now()-20000, Counters{}, Counters{})
	clk.advance(20) // 45 s after the last software packet
	if n, _ := tr.Sweep(); n != 0 {
		t.Fatalf("swept %d, want 0", n)
	}
	mustDump(t, tr, counted+",timeout=5", "-s")

	conn.SetOffloaded(false)
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),id=0,status=0", "-m")

	clk.advance(5)
	if n, _ := tr.Sweep(); n != 1 {
		t.Fatalf("swept %d, want 1", n)
	}
	if tr.RefreshOffloaded(conn, tr.Now(), Counters{1, 1}, Counters{}) {
		t.Fatal("a removed connection was refreshed")
	}
}

// TestOffloadDelete: Delete removes one connection at once and tells the
// observers; a second Delete does nothing.
func TestOffloadDelete(t *testing.T) {
	tr, _ := newTestTracker(t)
	var deleted []string
	if err := tr.RegisterObserver(Observer{Name: "rec", Events: 1 << EventDeleted, Notify: func(ev Event) {
		deleted = append(deleted, ev.Kind.String())
	}}); err != nil {
		t.Fatal(err)
	}
	p := udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8)
	ct(tr, p, Action{Commit: true})
	ct(tr, udpPkt("10.0.0.3", "10.0.0.2", 1, 2, 8), Action{Commit: true})
	conn := lookupConn(t, tr, p)
	if !tr.Delete(conn) || tr.Delete(conn) {
		t.Fatal("Delete did not report exactly one removal")
	}
	if !conn.Removed() || len(deleted) != 1 || tr.NConns() != 1 {
		t.Fatalf("removed %v, events %v, nconns %d", conn.Removed(), deleted, tr.NConns())
	}
	mustDump(t, tr, "udp,orig=(src=10.0.0.3,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.3,sport=2,dport=1)")
	// Force-expired connections cannot be revived by a provider either.
	conn2 := lookupConn(t, tr, udpPkt("10.0.0.3", "10.0.0.2", 1, 2, 8))
	tr.forceExpire(conn2)
	if tr.RefreshOffloaded(conn2, tr.Now(), Counters{}, Counters{}) || conn2.expiration.Load() != 0 {
		t.Fatal("force-expired connection revived")
	}
}

// TestOffloadedSkipsWindowCheck: software sees only sporadic packets of an
// offloaded TCP connection, so their sequence numbers are not validated.
func TestOffloadedSkipsWindowCheck(t *testing.T) {
	tr, _ := newTestTracker(t)
	cv := newConv(t, tr, "10.1.1.1", "10.1.1.2", 40000, 80, 7)
	cv.handshake()
	if o, r, ok := lookupConn(t, tr, cv.lastCli).TCPStates(); !ok || o != TCPEstablished || r != TCPEstablished {
		t.Fatalf("TCPStates %v %v %v", o, r, ok)
	}
	// Hardware forwarded 10 MB meanwhile: the next segment is far ahead.
	cv.cseq += 10 << 20
	mustState(t, "jump, in software", cv.send(true, tcpACK, 10), trkInv)
	lookupConn(t, tr, cv.lastCli).SetOffloaded(true)
	mustState(t, "jump, offloaded", cv.send(true, tcpACK, 10), trkEst)
	if _, _, ok := lookupConn(t, tr, udpPktCommit(tr)).TCPStates(); ok {
		t.Fatal("TCPStates ok for UDP")
	}
}

// TestTimersRunAfterEstablishedEvent: notifying observers of an established
// connection must not freeze its timer (the flag word holds more than the
// "dead" bits).
func TestTimersRunAfterEstablishedEvent(t *testing.T) {
	tr, clk := newTestTracker(t)
	if err := tr.RegisterObserver(Observer{Name: "est", Events: 1 << EventEstablished, Notify: func(Event) {}}); err != nil {
		t.Fatal(err)
	}
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8), Action{Commit: true})
	ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 8), Action{})
	clk.advance(20)
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8), Action{})
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),timeout=30", "-s")
}

func TestFormatStatus(t *testing.T) {
	for s, want := range map[uint32]string{0: "0", StatusOffload: "OFFLOAD", StatusOffload | 1: "OFFLOAD|0x1"} {
		if got := formatStatus(s); got != want {
			t.Errorf("formatStatus(%#x) = %q, want %q", s, got, want)
		}
	}
}

// lookupConn finds the connection p belongs to.
func lookupConn(t *testing.T, tr *Tracker, p *Packet) *Conn {
	t.Helper()
	var ctx lookupCtx
	if !extractKey(p, 0, &ctx) {
		t.Fatal("cannot extract key")
	}
	c, _ := tr.table.lookup(&ctx.key, ctx.key.hash(hashSeed), tr.Now())
	if c == nil {
		t.Fatal("no connection")
	}
	return c
}

func udpPktCommit(tr *Tracker) *Packet {
	p := udpPkt("10.9.9.9", "10.9.9.8", 7, 7, 0)
	ct(tr, p, Action{Commit: true})
	return p
}
