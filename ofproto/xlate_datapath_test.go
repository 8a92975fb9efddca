package ofproto

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// udpFrame is a UDP packet 10.0.0.1:sport -> 10.0.0.2:53 between two MACs.
func udpFrame(sport uint16) []byte {
	f := make([]byte, 14+20+8+4)
	copy(f[0:6], []byte{0, 0, 0, 0, 0, 2})
	copy(f[6:12], []byte{0, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:34]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], 32)
	copy(ip[12:16], []byte{10, 0, 0, 1})
	copy(ip[16:20], []byte{10, 0, 0, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], 53)
	binary.BigEndian.PutUint16(f[38:], 12)
	return f
}

// input runs frames through the datapath as received on odp port in.
func (r *xlateRig) input(in uint32, frames ...[]byte) {
	var b dpif.Batch
	for i, f := range frames {
		buf := make([]byte, dpif.Headroom+len(f))
		copy(buf[dpif.Headroom:], f)
		b.Pkts[i].Reset(buf, dpif.Headroom, len(f))
	}
	b.N = len(frames)
	r.dp.Input(in, &b)
}

func (r *xlateRig) sent(t *testing.T, odp uint32) int {
	t.Helper()
	p, ok := r.dp.Port(odp)
	if !ok {
		t.Fatalf("no port %d", odp)
	}
	return len(p.(*dpif.DummyPort).Sent())
}

func TestDatapathForwardsRevalidatesAndCredits(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,udp,actions=output:2")
	r.input(1, udpFrame(1000), udpFrame(1000), udpFrame(1001))
	if n := r.sent(t, 2); n != 3 {
		t.Fatalf("port 2 sent %d packets, want 3", n)
	}
	r.dp.RevalidateAll()
	rule := r.br.tables[0].cls.ordered()[0]
	if p, b := rule.Stats(); p != 3 || b != 3*46 {
		t.Errorf("rule counters %d packets %d bytes, want 3 and %d", p, b, 3*46)
	}

	// A modified flow takes effect on the installed megaflow.
	fm, err := ofp.ParseFlow("in_port=1,udp,actions=output:3", ofp.FlowModify)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.br.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	r.dp.RevalidateAll()
	r.input(1, udpFrame(1000))
	if n := r.sent(t, 3); n != 1 {
		t.Errorf("port 3 sent %d packets after the modify, want 1", n)
	}
	if n := r.sent(t, 2); n != 0 {
		t.Errorf("port 2 sent %d more packets after the modify, want 0", n)
	}
}

func TestDatapathConntrackFirewall(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1)",
		"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit),output:2",
		"table=1,ip,ct_state=+trk+est,actions=output:1",
	)
	reply := udpFrame(53)
	copy(reply[0:6], []byte{0, 0, 0, 0, 0, 1})
	copy(reply[6:12], []byte{0, 0, 0, 0, 0, 2})
	copy(reply[26:30], []byte{10, 0, 0, 2})
	copy(reply[30:34], []byte{10, 0, 0, 1})
	binary.BigEndian.PutUint16(reply[34:], 53)
	binary.BigEndian.PutUint16(reply[36:], 5000)

	// Unsolicited traffic from port 2 is dropped.
	r.input(2, reply)
	if n := r.sent(t, 1); n != 0 {
		t.Fatalf("port 1 sent %d packets before any request", n)
	}
	r.input(1, udpFrame(5000))
	if n := r.sent(t, 2); n != 1 {
		t.Fatalf("port 2 sent %d packets, want the request", n)
	}
	r.input(2, reply)
	if n := r.sent(t, 1); n != 1 {
		t.Fatalf("port 1 sent %d packets, want the reply", n)
	}
	if n := r.bk.recirc.len(); n != 2 {
		t.Errorf("%d recirculation ids, want one per input port", n)
	}
	// Unused ids go once no megaflow refers to them.
	r.dp.FlushFlows()
	if n := r.bk.recirc.sweep(time.Now().Add(recircIdle+time.Second), recircIdle, nil); n != 2 {
		t.Errorf("swept %d ids, want 2", n)
	}
}

func TestRecircTableSharesIDs(t *testing.T) {
	rt := newRecircTable()
	now := time.Now()
	a := rt.idFor(frozenState{table: 1}, now)
	b := rt.idFor(frozenState{table: 1}, now)
	c := rt.idFor(frozenState{table: 2}, now)
	if a != b || a == c || a == 0 || c == 0 {
		t.Errorf("ids %d %d %d: equal states must share, others not, never 0", a, b, c)
	}
	if n := rt.sweep(now, time.Second, nil); n != 0 {
		t.Errorf("swept %d fresh ids", n)
	}
	if _, ok := rt.lookup(a, now.Add(2*time.Second)); !ok {
		t.Fatal("lookup failed")
	}
	if n := rt.sweep(now.Add(2*time.Second), time.Second, nil); n != 1 {
		t.Errorf("swept %d ids, want only the idle one", n)
	}
	if d := rt.idFor(frozenState{table: 2}, now); d == c {
		t.Errorf("a freed id (%d) was handed out again", d)
	}
}

func TestPacketOut(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,udp,actions=output:3")
	bk, ok := BackerOf(r.br)
	if !ok || bk != r.bk {
		t.Fatal("BackerOf does not find the rig's Backer")
	}
	if err := bk.PacketOut(r.br, udpFrame(1), mf.PortController, ofactions.List{&ofactions.Output{Port: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := bk.PacketOut(r.br, udpFrame(1), 1, ofactions.List{&ofactions.Output{Port: mf.PortTable}}); err != nil {
		t.Fatal(err)
	}
	if n2, n3 := r.sent(t, 2), r.sent(t, 3); n2 != 1 || n3 != 1 {
		t.Errorf("ports 2 and 3 sent %d and %d packets, want 1 each", n2, n3)
	}
}
