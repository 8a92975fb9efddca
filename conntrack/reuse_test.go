package conntrack

import "testing"

// chainNodes counts the table nodes that carry k (as key or reverse key) in
// k's bucket, dead or alive.
func chainNodes(tr *Tracker, k Key) int {
	h := k.hash(hashSeed)
	ba := tr.table.shardFor(h).buckets.Load()
	n := 0
	for nd := ba.heads[h&ba.mask].Load(); nd != nil; nd = nd.next.Load() {
		if nd.conn.key == k || nd.conn.rev == k {
			n++
		}
	}
	return n
}

// listed counts the connections on the expiry lists.
func listed(tr *Tracker) int {
	n := 0
	for i := range tr.lists {
		l := &tr.lists[i]
		l.mu.Lock()
		for c := l.head; c != nil; c = c.expNext {
			n++
		}
		l.mu.Unlock()
	}
	return n
}

// TestPortReuseLeavesNoDeadNodes: a SYN reopening a closed connection's
// tuple replaces it; the old connection leaves the hash table at once (no
// dead entries in the chain new connections of that tuple walk) but, as in
// OVS, stays counted until the sweeper reclaims it.
func TestPortReuseLeavesNoDeadNodes(t *testing.T) {
	tr, _ := newTestTracker(t)
	cv := newConv(t, tr, "10.2.0.1", "10.2.0.2", 40000, 80, -1)
	var key Key
	for round := range 5 {
		cv.handshake()
		mustState(t, "RST", cv.send(true, tcpRST|tcpACK, 0), trkEst)
		cv.cseq += 100000
		if round == 0 {
			key = tr.Dump(nil)[0].Orig
		}
	}
	mustState(t, "SYN after RST", cv.send(true, tcpSYN, 0), trkNew)
	if n := chainNodes(tr, key); n != 1 {
		t.Fatalf("%d table nodes for the tuple after 5 reuses, want 1", n)
	}
	if n := len(tr.Dump(nil)); n != 1 {
		t.Fatalf("dump shows %d connections, want 1", n)
	}
	if n := tr.NConns(); n != 6 {
		t.Fatalf("nconns %d, want 6 (5 replaced ones await the sweeper)", n)
	}
	if removed, _ := tr.Sweep(); removed != 5 || tr.NConns() != 1 || listed(tr) != 1 {
		t.Fatalf("sweep removed %d, nconns %d, listed %d; want 5, 1, 1", removed, tr.NConns(), listed(tr))
	}
}

// TestFlushTakesReplacedConns: connections replaced (port reuse, force) are
// out of the table but a flush still removes and counts them, and leaves
// nothing on the expiry lists.
func TestFlushTakesReplacedConns(t *testing.T) {
	tr, _ := newTestTracker(t)
	var deleted int
	if err := tr.RegisterObserver(Observer{Name: "count", Notify: func(e Event) {
		if e.Kind == EventDeleted {
			deleted++
		}
	}}); err != nil {
		t.Fatal(err)
	}
	na := &NATAction{Flags: NATSrc, MinAddr: addr16("10.9.0.1"), MaxAddr: addr16("10.9.0.1")}
	for zone := uint16(1); zone <= 2; zone++ {
		mustState(t, "commit", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 7, 8, 0), Action{Commit: true, Zone: zone, NAT: na}), trkNew|StateSrcNAT)
		// A forced commit of the reply direction replaces the NATed
		// connection: both its nodes leave the table.
		mustState(t, "force", ct(tr, udpPkt("10.0.0.2", "10.9.0.1", 8, 7, 0), Action{Commit: true, Force: true, Zone: zone}), trkNew)
		orig := Key{Zone: zone, Proto: ProtoUDP}
		orig.Src.Addr, orig.Dst.Addr = addr16("10.0.0.1"), addr16("10.0.0.2")
		orig.Src.Port, orig.Dst.Port = 7, 8
		if n := chainNodes(tr, orig); n != 0 {
			t.Fatalf("zone %d: replaced connection still has %d table nodes", zone, n)
		}
	}
	if tr.NConns() != 4 || listed(tr) != 4 {
		t.Fatalf("nconns %d listed %d, want 4, 4", tr.NConns(), listed(tr))
	}
	z := uint16(1)
	if err := tr.Flush(&z, nil); err != nil {
		t.Fatal(err)
	}
	if tr.NConns() != 2 || listed(tr) != 2 || deleted != 2 {
		t.Fatalf("after zone flush: nconns %d listed %d deleted %d, want 2, 2, 2", tr.NConns(), listed(tr), deleted)
	}
	if err := tr.Flush(nil, nil); err != nil {
		t.Fatal(err)
	}
	if tr.NConns() != 0 || listed(tr) != 0 || deleted != 4 {
		t.Fatalf("after flush: nconns %d listed %d deleted %d, want 0, 0, 4", tr.NConns(), listed(tr), deleted)
	}
}

// TestDeleteLeavesListUntilSweep: removing one connection outside a sweep
// (an offload provider's Delete) only flags it; the next sweep unlinks it
// from its expiry list without counting it as expired.
func TestDeleteLeavesListUntilSweep(t *testing.T) {
	tr, _ := newTestTracker(t)
	p := udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0)
	ct(tr, p, Action{Commit: true})
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 3, 4, 0), Action{Commit: true})
	c := p.MD.Conn()
	if !tr.Delete(c) || tr.NConns() != 1 || listed(tr) != 2 {
		t.Fatalf("delete: nconns %d listed %d", tr.NConns(), listed(tr))
	}
	if removed, busy := tr.Sweep(); removed != 0 || busy || listed(tr) != 1 || tr.NConns() != 1 {
		t.Fatalf("sweep: removed %d busy %v listed %d nconns %d; want 0 false 1 1", removed, busy, listed(tr), tr.NConns())
	}
}
