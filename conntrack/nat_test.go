package conntrack

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// l34 reads the outer addresses and ports (or echo id) of a packet and
// checks that every checksum in it still verifies.
func l34(t *testing.T, p *Packet) (src, dst netip.Addr, sport, dport uint16) {
	t.Helper()
	var ctx lookupCtx
	saved := p.MD
	if !extractKey(p, 0, &ctx) {
		t.Fatalf("rewritten packet no longer parses (bad checksum?)")
	}
	p.MD = saved
	d := p.Data[p.L3Offset:]
	if p.EthType == EthTypeIPv4 {
		src, dst = netip.AddrFrom4([4]byte(d[12:16])), netip.AddrFrom4([4]byte(d[16:20]))
	} else {
		src, dst = netip.AddrFrom16([16]byte(d[8:24])), netip.AddrFrom16([16]byte(d[24:40]))
	}
	return src, dst, binary.BigEndian.Uint16(ctx.l4), binary.BigEndian.Uint16(ctx.l4[2:])
}

func mustAddrs(t *testing.T, step string, p *Packet, src, dst string, sport, dport uint16) {
	t.Helper()
	s, d, sp, dp := l34(t, p)
	if s.String() != src || d.String() != dst || sp != sport || dp != dport {
		t.Fatalf("%s: packet %s:%d -> %s:%d, want %s:%d -> %s:%d", step, s, sp, d, dp, src, sport, dst, dport)
	}
}

func TestDNATSession(t *testing.T) {
	tr, _ := newTestTracker(t)
	nat := Action{Commit: true, Zone: 10, NAT: &NATAction{Flags: NATDst, MinAddr: addr16("10.1.1.2"), MaxAddr: addr16("10.1.1.2"), MinPort: 8002, MaxPort: 8002}}
	bare := Action{Zone: 10, NAT: &NATAction{}}
	c := newConv(t, tr, "10.1.1.1", "10.1.1.200", 35966, 80, 7)
	c.act = nat
	mustState(t, "SYN", c.send(true, tcpSYN, 0), trkNew|StateDstNAT)
	mustAddrs(t, "SYN", c.lastCli, "10.1.1.1", "10.1.1.2", 35966, 8002)
	// The server answers from its real address; the client sees the VIP.
	c.act = bare
	c.srv = "10.1.1.2"
	c.sport = 8002
	mustState(t, "SYN-ACK", c.send(false, tcpSYN|tcpACK, 0), trkEstRpl|StateSrcNAT)
	mustAddrs(t, "SYN-ACK", c.lastS, "10.1.1.200", "10.1.1.1", 80, 35966)
	c.srv, c.sport = "10.1.1.200", 80
	mustState(t, "ACK", c.send(true, tcpACK, 0), trkEst|StateDstNAT)
	mustAddrs(t, "ACK", c.lastCli, "10.1.1.1", "10.1.1.2", 35966, 8002)
	// A second ct(nat) on the same packet in the same zone does not rewrite again.
	mustState(t, "second nat", ct(tr, c.lastCli, bare), trkEst|StateDstNAT)
	mustAddrs(t, "second nat", c.lastCli, "10.1.1.1", "10.1.1.2", 35966, 8002)
	c.send(true, tcpFIN|tcpACK, 0)
	c.srv, c.sport = "10.1.1.2", 8002
	c.send(false, tcpFIN|tcpACK, 0)
	c.srv, c.sport = "10.1.1.200", 80
	c.send(true, tcpACK, 0)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.200,sport=35966,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8002,dport=35966),zone=10,protoinfo=(state=TIME_WAIT)")
	// Exact flush by the reply (post-NAT) tuple is refused; by the original works.
	if _, failed := runCmd(t, tr.FlushConntrack, "zone=10", "ct_nw_src=10.1.1.2,ct_nw_dst=10.1.1.1,ct_nw_proto=6,ct_tp_src=8002,ct_tp_dst=35966"); !failed {
		t.Fatal("flush by NATed reply tuple succeeded")
	}
	if _, failed := runCmd(t, tr.FlushConntrack, "zone=10", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.200,ct_nw_proto=6,ct_tp_src=35966,ct_tp_dst=80"); failed {
		t.Fatal("flush by original tuple failed")
	}
}

func TestSNATRangeAndCollisions(t *testing.T) {
	var warnings []string
	clk := &fakeClock{}
	tr := New(Config{Clock: clk.now, NoSweeper: true, Warnf: func(f string, a ...any) { warnings = append(warnings, f) }})
	defer tr.Close()
	// The address comes from the hash and only ports are searched, so use a
	// one-address range to fill it exactly.
	na := &NATAction{Flags: NATSrc, MinAddr: addr16("10.1.1.100"), MaxAddr: addr16("10.1.1.100"), MinPort: 20000, MaxPort: 20010}
	seen := map[netip.AddrPort]bool{}
	for i := uint16(0); i < 11; i++ {
		p := udpPkt("10.1.1.1", "10.1.1.2", 34000+i, 8080, 4)
		mustState(t, "snat", ct(tr, p, Action{Commit: true, Zone: 9, NAT: na}), trkNew|StateSrcNAT)
		s, d, sp, dp := l34(t, p)
		if d.String() != "10.1.1.2" || dp != 8080 || sp < 20000 || sp > 20010 || s.String() != "10.1.1.100" {
			t.Fatalf("snat %d: %s:%d -> %s:%d", i, s, sp, d, dp)
		}
		ap := netip.AddrPortFrom(s, sp)
		if seen[ap] {
			t.Fatalf("snat %d reused %s", i, ap)
		}
		seen[ap] = true
		// The reply to the translated address comes back to the client.
		r := udpPkt("10.1.1.2", s.String(), 8080, sp, 4)
		mustState(t, "reply", ct(tr, r, Action{Zone: 9, NAT: &NATAction{}}), trkEstRpl|StateDstNAT)
		mustAddrs(t, "reply", r, "10.1.1.2", "10.1.1.1", 8080, 34000+i)
	}
	// 11 ports are all there is.
	p := udpPkt("10.1.1.1", "10.1.1.2", 33999, 8080, 4)
	mustState(t, "exhausted", ct(tr, p, Action{Commit: true, Zone: 9, NAT: na}), trkNew)
	mustAddrs(t, "exhausted", p, "10.1.1.1", "10.1.1.2", 33999, 8080)
	if tr.NConns() != 11 {
		t.Fatalf("nconns %d, want 11", tr.NConns())
	}
	if len(warnings) != 1 || warnings[0] != "Unable to NAT due to tuple space exhaustion - if DoS attack, use firewalling and/or zone partitioning." {
		t.Fatalf("warnings %q", warnings)
	}
	// Two-address ranges spread connections over both addresses.
	two := &NATAction{Flags: NATSrc, MinAddr: addr16("10.1.2.100"), MaxAddr: addr16("10.1.2.101")}
	addrs := map[string]bool{}
	for i := uint16(0); i < 64; i++ {
		p := udpPkt("10.1.1.1", "10.1.1.2", 30000+i, 8080, 0)
		ct(tr, p, Action{Commit: true, Zone: 8, NAT: two})
		s, _, _, _ := l34(t, p)
		addrs[s.String()] = true
	}
	if !addrs["10.1.2.100"] || !addrs["10.1.2.101"] || len(addrs) != 2 {
		t.Fatalf("addresses used: %v", addrs)
	}

	// Without a port range, a colliding source port moves within its class.
	one := &NATAction{Flags: NATSrc, MinAddr: addr16("192.0.2.1"), MaxAddr: addr16("192.0.2.1")}
	a := udpPkt("10.0.0.1", "198.51.100.1", 5353, 53, 0)
	b := udpPkt("10.0.0.2", "198.51.100.1", 5353, 53, 0)
	ct(tr, a, Action{Commit: true, NAT: one})
	ct(tr, b, Action{Commit: true, NAT: one})
	mustAddrs(t, "first client", a, "192.0.2.1", "198.51.100.1", 5353, 53)
	mustAddrs(t, "second client", b, "192.0.2.1", "198.51.100.1", 5354, 53)
	// Privileged source ports stay in 600..1023 (as OVS 3.1 picked 701).
	c3 := udpPkt("10.0.0.3", "198.51.100.1", 700, 53, 0)
	c4 := udpPkt("10.0.0.4", "198.51.100.1", 700, 53, 0)
	ct(tr, c3, Action{Commit: true, NAT: one})
	ct(tr, c4, Action{Commit: true, NAT: one})
	mustAddrs(t, "third client", c3, "192.0.2.1", "198.51.100.1", 700, 53)
	mustAddrs(t, "fourth client", c4, "192.0.2.1", "198.51.100.1", 701, 53)

	// ICMP echo: the id is the port (OVS main behaviour; 3.1 could not
	// translate a second client with the same id).
	for i, want := range []uint16{500, 501, 502} {
		e := icmpEcho("10.0.1."+string(rune('1'+i)), "198.51.100.1", icmp4EchoRequest, 500, 1)
		ct(tr, e, Action{Commit: true, Zone: 2, NAT: one})
		l34(t, e) // checksums
		if id := binary.BigEndian.Uint16(e.Data[e.L3Offset+24:]); id != want {
			t.Fatalf("icmp client %d: id %d, want %d", i, id, want)
		}
	}
}

func TestNATIPv6AndICMPError(t *testing.T) {
	tr, _ := newTestTracker(t)
	na := &NATAction{Flags: NATSrc, MinAddr: addr16("2001:db8::100"), MaxAddr: addr16("2001:db8::100")}
	p := udpPkt("fd00::1", "2001:db8::2", 4000, 53, 8)
	mustState(t, "snat v6", ct(tr, p, Action{Commit: true, NAT: na}), trkNew|StateSrcNAT)
	mustAddrs(t, "snat v6", p, "2001:db8::100", "2001:db8::2", 4000, 53)
	// A router beyond the NAT reports the translated datagram.
	e := icmpError("2001:db8::ff", "2001:db8::100", icmp6DstUnreach, 4, p)
	mustState(t, "error", ct(tr, e, Action{NAT: &NATAction{}}), StateTracked|StateRelated|StateReply|StateDstNAT)
	s, d, _, _ := l34(t, e)
	if s.String() != "2001:db8::ff" || d.String() != "fd00::1" {
		t.Fatalf("outer %s -> %s", s, d)
	}
	var ik Key
	_, il4, ok := parseIPv6(&ik, e.Data[e.L3Offset+48:], false)
	if !ok || netip.AddrFrom16(ik.Src.Addr).String() != "fd00::1" || binary.BigEndian.Uint16(il4) != 4000 {
		t.Fatalf("inner header not un-NATed: %+v", ik)
	}

	// IPv4 TCP SNAT and an ICMP error quoting it.
	v4 := &NATAction{Flags: NATSrc, MinAddr: addr16("192.0.2.9"), MaxAddr: addr16("192.0.2.9"), MinPort: 6000, MaxPort: 6000}
	syn := tcpPkt("10.0.0.1", "203.0.113.5", 40000, 443, tcpSYN, tcpOpt{seq: 1, wscale: 5})
	ct(tr, syn, Action{Commit: true, Zone: 3, NAT: v4})
	mustAddrs(t, "snat v4", syn, "192.0.2.9", "203.0.113.5", 6000, 443)
	e4 := icmpError("198.18.0.1", "192.0.2.9", icmp4TimeExceeded, 0, syn)
	mustState(t, "error v4", ct(tr, e4, Action{Zone: 3, NAT: &NATAction{}}), StateTracked|StateRelated|StateReply|StateDstNAT)
	s, d, _, _ = l34(t, e4)
	if s.String() != "198.18.0.1" || d.String() != "10.0.0.1" {
		t.Fatalf("outer v4 %s -> %s", s, d)
	}
	in := e4.Data[e4.L3Offset+28:]
	if netip.AddrFrom4([4]byte(in[12:16])).String() != "10.0.0.1" || binary.BigEndian.Uint16(in[20:]) != 40000 ||
		csumFold(csumAdd(0, in[:20])) != 0 {
		t.Fatalf("inner v4 header not un-NATed or bad checksum: % x", in[:24])
	}
}
