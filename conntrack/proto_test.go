package conntrack

import (
	"net/netip"
	"testing"
)

func TestUDPBidirectional(t *testing.T) {
	tr, clk := newTestTracker(t)
	c := Action{Commit: true, Zone: 5}
	mustState(t, "first", ct(tr, udpPkt("10.1.1.1", "10.1.1.2", 48033, 9999, 10), c), trkNew)
	mustState(t, "second", ct(tr, udpPkt("10.1.1.1", "10.1.1.2", 48033, 9999, 10), c), trkNew)
	mustDump(t, tr, "udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,timeout=60", "-s")
	mustState(t, "reply", ct(tr, udpPkt("10.1.1.2", "10.1.1.1", 9999, 48033, 10), c), trkEstRpl)
	mustState(t, "orig again", ct(tr, udpPkt("10.1.1.1", "10.1.1.2", 48033, 9999, 10), c), trkEst)
	clk.advance(4)
	mustDump(t, tr, "udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,timeout=26", "-s")
	// Other zones do not see it.
	mustState(t, "zone 6", ct(tr, udpPkt("10.1.1.2", "10.1.1.1", 9999, 48033, 10), Action{Zone: 6}), trkNew)
	// IPv6 and "other" protocols use the same tracker.
	mustState(t, "v6", ct(tr, udpPkt("fd00::1", "fd00::2", 40065, 9996, 3), Action{Commit: true, Zone: 6}), trkNew)
	mustState(t, "v6 reply", ct(tr, udpPkt("fd00::2", "fd00::1", 9996, 40065, 3), Action{Zone: 6}), trkEstRpl)
	mustState(t, "gre", ct(tr, ipPacket("10.0.0.1", "10.0.0.2", 47, make([]byte, 8)), Action{Commit: true}), trkNew)
	mustState(t, "gre reply", ct(tr, ipPacket("10.0.0.2", "10.0.0.1", 47, make([]byte, 8)), Action{}), trkEstRpl)
	mustDump(t, tr, "47,orig=(src=10.0.0.1,dst=10.0.0.2),reply=(src=10.0.0.2,dst=10.0.0.1)\n"+
		"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5\n"+
		"udp,orig=(src=fd00::1,dst=fd00::2,sport=40065,dport=9996),reply=(src=fd00::2,dst=fd00::1,sport=9996,dport=40065),zone=6")
}

func TestICMPEcho(t *testing.T) {
	tr, _ := newTestTracker(t)
	c := Action{Commit: true, Zone: 7}
	mustState(t, "reply without request", ct(tr, icmpEcho("10.1.1.2", "10.1.1.1", icmp4EchoReply, 4660, 1), c), trkInv)
	mustState(t, "request", ct(tr, icmpEcho("10.1.1.1", "10.1.1.2", icmp4EchoRequest, 4660, 1), c), trkNew)
	mustState(t, "request 2", ct(tr, icmpEcho("10.1.1.1", "10.1.1.2", icmp4EchoRequest, 4660, 2), c), trkNew)
	mustState(t, "reply", ct(tr, icmpEcho("10.1.1.2", "10.1.1.1", icmp4EchoReply, 4660, 1), c), trkEstRpl)
	mustState(t, "request 3", ct(tr, icmpEcho("10.1.1.1", "10.1.1.2", icmp4EchoRequest, 4660, 3), c), trkEst)
	mustState(t, "other id", ct(tr, icmpEcho("10.1.1.1", "10.1.1.2", icmp4EchoRequest, 4661, 1), Action{Zone: 7}), trkNew)
	mustState(t, "v6 request", ct(tr, icmpEcho("fd00::1", "fd00::2", icmp6EchoRequest, 9, 1), c), trkNew)
	mustState(t, "v6 reply", ct(tr, icmpEcho("fd00::2", "fd00::1", icmp6EchoReply, 9, 1), c), trkEstRpl)
	mustDump(t, tr, "icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),zone=7\n"+
		"icmpv6,orig=(src=fd00::1,dst=fd00::2,id=9,type=128,code=0),reply=(src=fd00::2,dst=fd00::1,id=9,type=129,code=0),zone=7")
	// Neighbour discovery through ct() is invalid.
	mustState(t, "nd", ct(tr, icmpEcho("fd00::1", "fd00::2", 135, 0, 0), c), trkInv)
}

func TestICMPErrorRelated(t *testing.T) {
	tr, _ := newTestTracker(t)
	c := Action{Commit: true, SetMark: true, Mark: 9, MarkMask: ^uint32(0)}
	fwd := udpPkt("10.0.0.1", "10.0.0.2", 5000, 53, 20)
	mustState(t, "udp", ct(tr, fwd, c), trkNew)
	// A router on the path tells the client its datagram died.
	errToClient := icmpError("192.168.9.9", "10.0.0.1", icmp4TimeExceeded, 0, fwd)
	st := ct(tr, errToClient, Action{})
	mustState(t, "error to client", st, StateTracked|StateRelated|StateReply)
	if errToClient.MD.Mark != 9 {
		t.Fatalf("related packet mark %d, want 9", errToClient.MD.Mark)
	}
	// And the server hears about its reply.
	rev := udpPkt("10.0.0.2", "10.0.0.1", 53, 5000, 20)
	mustState(t, "reply", ct(tr, rev, Action{}), trkEstRpl)
	mustState(t, "error to server", ct(tr, icmpError("10.0.0.1", "10.0.0.2", icmp4DstUnreach, 3, rev), Action{}), StateTracked|StateRelated)
	// Errors about unknown connections are invalid, even with commit.
	other := udpPkt("10.0.0.1", "10.0.0.2", 5001, 53, 20)
	mustState(t, "unknown", ct(tr, icmpError("192.168.9.9", "10.0.0.1", icmp4DstUnreach, 1, other), c), trkInv)
	// Related errors do not refresh the timer or change the state.
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=53),reply=(src=10.0.0.2,dst=10.0.0.1,sport=53,dport=5000),timeout=30,mark=9", "-s")

	// ICMPv6 packet-too-big about a TCP connection.
	cv := newConv(t, tr, "fd00::1", "fd00::2", 33000, 80, 7)
	cv.handshake()
	mustState(t, "ptb", ct(tr, icmpError("fd00::99", "fd00::1", icmp6PacketTooBig, 0, cv.lastCli), Action{}), StateTracked|StateRelated|StateReply)
}

func TestZonesIndependent(t *testing.T) {
	tr, _ := newTestTracker(t)
	for _, z := range []uint16{1, 2} {
		mustState(t, "zone first", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true, Zone: z}), trkNew)
	}
	mustState(t, "zone 1 reply", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{Zone: 1}), trkEstRpl)
	mustState(t, "zone 2 orig", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Zone: 2}), trkNew)
	mustState(t, "zone 3", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{Zone: 3}), trkNew)
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=2", "zone=2")
	// Entering another zone resets ct_state first.
	p := udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0)
	mustState(t, "zone 1 again", ct(tr, p, Action{Zone: 1}), trkEstRpl)
	mustState(t, "then zone 2", ct(tr, p, Action{Zone: 2}), trkEstRpl)
	mustState(t, "then zone 9", ct(tr, p, Action{Zone: 9}), trkNew)
}

func TestMarkLabelAndOrigTuple(t *testing.T) {
	tr, _ := newTestTracker(t)
	p := tcpPkt("10.1.1.1", "10.1.1.2", 1111, 8000, tcpSYN, tcpOpt{seq: 1, wscale: -1})
	a := Action{Commit: true, SetMark: true, Mark: 0x10, MarkMask: 0xf0,
		SetLabel: true, Label: Label{Lo: 0xabcdef}, LabelMask: Label{Lo: ^uint64(0)}}
	ct(tr, p, a)
	if p.MD.Mark != 0x10 || p.MD.Label != (Label{Lo: 0xabcdef}) {
		t.Fatalf("md mark/label %#x/%v", p.MD.Mark, p.MD.Label)
	}
	// Masked update keeps bits outside the mask.
	r := tcpPkt("10.1.1.2", "10.1.1.1", 8000, 1111, tcpSYN|tcpACK, tcpOpt{seq: 50, ack: 2, wscale: -1})
	ct(tr, r, Action{Commit: true, SetMark: true, Mark: 0x3, MarkMask: 0xf, SetLabel: true, Label: Label{Hi: 1}, LabelMask: Label{Hi: 1}})
	if r.MD.Mark != 0x13 || r.MD.Label != (Label{Hi: 1, Lo: 0xabcdef}) {
		t.Fatalf("reply md mark/label %#x/%v", r.MD.Mark, r.MD.Label)
	}
	want := OrigTuple{Src: [16]byte{10, 1, 1, 1}, Dst: [16]byte{10, 1, 1, 2}, SrcPort: 1111, DstPort: 8000, Proto: ProtoTCP}
	if r.MD.Orig != want {
		t.Fatalf("reply orig tuple %+v, want %+v", r.MD.Orig, want)
	}
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1111,dport=8000),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8000,dport=1111),mark=19,labels=0x10000000000abcdef,protoinfo=(state=ESTABLISHED)")
	// ICMP orig tuple: type and code in the port fields.
	e := icmpEcho("10.0.0.1", "10.0.0.2", icmp4EchoRequest, 3, 1)
	ct(tr, e, Action{})
	if e.MD.Orig.SrcPort != 8 || e.MD.Orig.DstPort != 0 || e.MD.Orig.Proto != ProtoICMP {
		t.Fatalf("icmp orig tuple %+v", e.MD.Orig)
	}
	// Packets that fail extraction carry zeros.
	bad := tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpSYN|tcpACK, tcpOpt{wscale: -1})
	bad.Data[len(bad.Data)-1] ^= 1
	ct(tr, bad, Action{})
	if bad.MD.Orig != (OrigTuple{}) || bad.MD.State != trkInv {
		t.Fatalf("invalid packet md %+v", bad.MD)
	}
}

func TestCachedConnFastPath(t *testing.T) {
	tr, _ := newTestTracker(t)
	p := udpPkt("10.0.0.1", "10.0.0.2", 7, 8, 0)
	ct(tr, p, Action{Commit: true})
	if p.MD.Conn() == nil {
		t.Fatal("no cached conn after commit")
	}
	// Same zone: no state update, only writes.
	mustState(t, "fast", ct(tr, p, Action{SetMark: true, Mark: 4, MarkMask: ^uint32(0)}), trkNew)
	c := p.MD.Conn()
	if c.Mark() != 4 || c.pstate != otherFirst {
		t.Fatalf("mark %d pstate %d after fast path", c.Mark(), c.pstate)
	}
	p.MD.Clear()
	if p.MD.Conn() != nil || p.MD.State != 0 {
		t.Fatal("Clear left state")
	}
	// force on a reply-direction match replaces the connection.
	r := udpPkt("10.0.0.2", "10.0.0.1", 8, 7, 0)
	mustState(t, "force", ct(tr, r, Action{Commit: true, Force: true}), trkNew)
	mustDump(t, tr, "udp,orig=(src=10.0.0.2,dst=10.0.0.1,sport=8,dport=7),reply=(src=10.0.0.1,dst=10.0.0.2,sport=7,dport=8)")
	// force in the original direction changes nothing.
	mustState(t, "force orig", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 8, 7, 0), Action{Commit: true, Force: true}), trkNew)
	if tr.NConns() != 2 {
		t.Fatalf("nconns %d, want 2", tr.NConns())
	}
}

func TestLimits(t *testing.T) {
	tr, _ := newTestTracker(t)
	commit := func(zone uint16, sport uint16) State {
		return ct(tr, udpPkt("10.0.0.1", "10.0.0.2", sport, 2, 0), Action{Commit: true, Zone: zone})
	}
	tr.SetMaxConns(2)
	commit(0, 1)
	commit(0, 2)
	mustState(t, "over maxconns", commit(0, 3), trkNew)
	if tr.NConns() != 2 {
		t.Fatalf("nconns %d, want 2", tr.NConns())
	}
	tr.SetMaxConns(DefaultMaxConns)

	tr.SetZoneLimit(9, 1)
	commit(9, 1)
	mustState(t, "zone full", commit(9, 2), trkNew)
	if l, n := tr.ZoneLimit(9); l != 1 || n != 1 {
		t.Fatalf("zone 9 limit %d count %d", l, n)
	}
	tr.SetZoneLimit(10, 0)
	commit(10, 1)
	tr.SetDefaultZoneLimit(1)
	commit(11, 1)
	commit(11, 2)
	commit(12, 1)
	// default=0 means unlimited again (OVS 3.1 refused everything).
	tr.SetDefaultZoneLimit(0)
	commit(11, 3)
	out, _ := tr.CTGetLimits([]string{"zone=9,10,11,12"})
	want := "default limit=0\nzone=9,limit=1,count=1\nzone=10,limit=0,count=0\nzone=11,limit=0,count=0\nzone=12,limit=0,count=0\n"
	if out != want {
		t.Fatalf("ct-get-limits:\n%s\nwant:\n%s", out, want)
	}
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1)\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=11\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=12\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=9\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=2,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=2)\n"+
		"udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=3,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=3),zone=11")
	// Removing a connection frees its zone slot.
	z := uint16(9)
	if err := tr.Flush(&z, nil); err != nil {
		t.Fatal(err)
	}
	mustState(t, "zone 9 after flush", commit(9, 2), trkNew)
	if _, n := tr.ZoneLimit(9); n != 1 {
		t.Fatalf("zone 9 count %d after flush+commit", n)
	}
}

func TestExpiry(t *testing.T) {
	tr, clk := newTestTracker(t)
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true})
	ct(tr, icmpEcho("10.0.0.1", "10.0.0.2", icmp4EchoRequest, 1, 1), Action{Commit: true})
	cv := newConv(t, tr, "10.0.0.1", "10.0.0.2", 3, 4, -1)
	cv.handshake()
	clk.advance(59.999)
	if n := len(tr.Dump(nil)); n != 3 {
		t.Fatalf("%d conns before timeout, want 3", n)
	}
	clk.advance(0.001)
	// UDP and ICMP first-packet timers (60 s) are over; lookups ignore them
	// at once, memory waits for the sweeper.
	mustState(t, "udp after expiry", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{}), trkNew)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=3,dport=4),reply=(src=10.0.0.2,dst=10.0.0.1,sport=4,dport=3),timeout=86340,protoinfo=(state=ESTABLISHED)", "-s")
	if tr.NConns() != 3 {
		t.Fatalf("nconns %d before sweep", tr.NConns())
	}
	if removed, busy := tr.Sweep(); removed != 2 || busy || tr.NConns() != 1 {
		t.Fatalf("sweep: removed %d busy %v nconns %d", removed, busy, tr.NConns())
	}
	// Budget: maxconns/64 per round.
	tr.SetMaxConns(64)
	for i := uint16(10); i < 15; i++ {
		ct(tr, udpPkt("10.0.0.1", "10.0.0.2", i, 2, 0), Action{Commit: true})
	}
	clk.advance(61)
	if removed, busy := tr.Sweep(); removed != 1 || !busy {
		t.Fatalf("budgeted sweep: removed %d busy %v", removed, busy)
	}
	// Timeout policies change the timers of existing connections.
	if err := tr.SetTimeoutPolicy(0, map[string]uint32{"tcp_established": 100, "tcp_unack": 5}); err != nil {
		t.Fatal(err)
	}
	cv.send(true, tcpACK, 1)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=3,dport=4),reply=(src=10.0.0.2,dst=10.0.0.1,sport=4,dport=3),timeout=100,protoinfo=(state=ESTABLISHED)", "-s", "zone=0")
	if err := tr.SetTimeoutPolicy(1, map[string]uint32{"bogus": 1}); err == nil {
		t.Fatal("unknown attribute accepted")
	}
}

func TestSweeperGoroutine(t *testing.T) {
	clk := &fakeClock{}
	rounds := make(chan int, 100)
	tr := newTracker(Config{Clock: clk.now}, func(n int) {
		select {
		case rounds <- n:
		default:
		}
	})
	defer tr.Close()
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true})
	clk.advance(61)
	tr.SetSweepInterval(1) // wakes the sweeper
	for removed := 0; removed == 0; removed = <-rounds {
	}
	if tr.NConns() != 0 {
		t.Fatalf("nconns %d after background sweep", tr.NConns())
	}
	tr.Close()
	tr.Close() // idempotent
}

func TestOrigTupleLookupAfterNAT(t *testing.T) {
	// A packet NATed by an earlier ct() is found by a later plain ct()
	// through its original tuple.
	tr, _ := newTestTracker(t)
	na := &NATAction{Flags: NATSrc, MinAddr: addr16("10.9.9.9"), MaxAddr: addr16("10.9.9.9")}
	p := udpPkt("10.0.0.1", "10.0.0.2", 1000, 53, 4)
	mustState(t, "snat commit", ct(tr, p, Action{Commit: true, Zone: 1, NAT: na}), trkNew|StateSrcNAT)
	mustState(t, "plain ct, same zone", ct(tr, p, Action{Zone: 1}), trkNew|StateSrcNAT)
}

func addr16(s string) [16]byte {
	a := netip.MustParseAddr(s)
	var out [16]byte
	putAddr(&out, a)
	return out
}
