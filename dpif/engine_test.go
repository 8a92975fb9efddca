package dpif

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// firewall is a test translation in the shape ofproto produces for
//
//	table=0 ip,tcp,ct_state=-trk actions=ct(table=1,zone=1)
//	table=1 ct_state=+trk+new,in_port=1 actions=ct(commit,zone=1),2
//	table=1 ct_state=+trk+est actions=output:the other port
//	table=1 priority=0 actions=drop
//
// counting its calls.
type firewall struct {
	calls atomic.Int32
	estTo uint32 // 0: est packets go to the other port
}

var ctZone1 = &CTAction{Action: conntrack.Action{Zone: 1}}
var ctCommit1 = &CTAction{Action: conntrack.Action{Commit: true, Zone: 1}}

func (fw *firewall) HandleUpcall(u *Upcall) error {
	fw.calls.Add(1)
	k := u.Key
	m := u.Mask.Fields()
	m.SetEthType(0xffff)
	if k.EthType() != 0x0800 {
		return nil
	}
	m.SetNwProto(0xff)
	m.SetNwFrag(0xff)
	if k.NwProto() != 6 {
		return nil
	}
	if k.RecircID() == 0 {
		m.SetCtState(uint8(conntrack.StateTracked))
		u.Actions = []Action{CT(ctZone1), Recirc(1)}
		return nil
	}
	m.SetCtState(uint8(conntrack.StateTracked | conntrack.StateNew | conntrack.StateEstablished))
	st := conntrack.State(k.CtState())
	switch {
	case st&conntrack.StateNew != 0 && k.InPort() == 1:
		u.Actions = []Action{CT(ctCommit1), Output(2)}
	case st&conntrack.StateEstablished != 0:
		out := 3 - k.InPort()
		if fw.estTo != 0 {
			out = fw.estTo
		}
		u.Actions = []Action{Output(out)}
	}
	return nil
}

// handshake is a TCP connection from 10.0.0.1:40000 to 10.0.0.2:80.
var (
	hsSYN    = ckTCP("10.0.0.1", "10.0.0.2", 40000, 80, 0x002, 100, 0, nil)
	hsSYNACK = ckTCP("10.0.0.2", "10.0.0.1", 80, 40000, 0x012, 500, 101, nil)
	hsACK    = ckTCP("10.0.0.1", "10.0.0.2", 40000, 80, 0x010, 101, 501, nil)
	hsData   = ckTCP("10.0.0.1", "10.0.0.2", 40000, 80, 0x018, 101, 501, []byte("GET /"))
)

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(l)
	return l
}

func TestConntrackFirewallPipeline(t *testing.T) {
	d, ports := newTestDP(t, 2)
	fw := &firewall{}
	d.SetUpcallHandler(fw)
	// Every megaflow hit goes into the EMC, so the EMC's counts below are
	// certain.
	d.SetOtherConfig(map[string]string{"emc-insert-inv-prob": "1"})

	// A SYN from the outside is tracked, found new, and dropped.
	inputFrames(d, 2, ckTCP("10.0.0.2", "10.0.0.1", 80, 40001, 0x002, 1, 0, nil))
	if n := len(ports[1].Sent()); n != 0 {
		t.Fatalf("outside SYN forwarded (%d)", n)
	}
	d.FlushFlows()

	inputFrames(d, 1, hsSYN)
	inputFrames(d, 2, hsSYNACK)
	inputFrames(d, 1, hsACK)
	inputFrames(d, 1, hsData)
	inputFrames(d, 1, hsData)
	if got := ports[2].Sent(); len(got) != 4 || string(got[0]) != string(hsSYN) || string(got[3]) != string(hsData) {
		t.Fatalf("port 2 got %d frames, want SYN, ACK, data, data", len(got))
	}
	if got := ports[1].Sent(); len(got) != 1 || string(got[0]) != string(hsSYNACK) {
		t.Fatalf("port 1 got %d frames, want the SYN-ACK", len(got))
	}
	ct, err := d.Conntrack().DumpConntrack(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=40000,dport=80),reply=(src=10.0.0.2,dst=10.0.0.1,sport=80,dport=40000),zone=1,protoinfo=(state=ESTABLISHED)\n"; ct != want {
		t.Fatalf("conntrack:\n%s\nwant\n%s", ct, want)
	}

	dump, err := d.DumpFlowsCommand(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Times vary; blank them.
	for _, u := range []string{"used:0.000s", "used:0.001s", "used:0.002s", "used:0.003s"} {
		dump = strings.ReplaceAll(dump, u, "used:T")
	}
	want := []string{
		"ct_state(+new-est+trk),recirc_id(0x1),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), packets:0, bytes:0, used:never, actions:ct(commit,zone=1),2",
		"ct_state(-new+est+trk),recirc_id(0x1),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), packets:2, bytes:118, used:T, flags:P., actions:2",
		"ct_state(-new+est+trk),recirc_id(0x1),in_port(2),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), packets:0, bytes:0, used:never, actions:1",
		"ct_state(-trk),recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), packets:3, bytes:172, used:T, flags:P., actions:ct(zone=1),recirc(0x1)",
		"ct_state(-trk),recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), packets:0, bytes:0, used:never, actions:ct(zone=1),recirc(0x1)",
		"flow-dump from the main thread:",
	}
	if got := sortedLines(dump); !slices.Equal(got, want) {
		t.Fatalf("dump-flows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, want := fw.calls.Load(), int32(7); got != want {
		t.Fatalf("%d upcalls, want %d", got, want)
	}

	// The outside SYN cost two upcalls, each handshake packet one more at
	// recirc_id 1; the last data packet took the EMC at both passes.
	stats, _ := d.PMDStatsShow(nil)
	wantStats := `main thread:
  packets received: 6
  packet recirculations: 6
  avg. datapath passes per packet: 2.00
  phwol hits: 0
  mfex opt hits: 0
  simple match hits: 0
  emc hits: 2
  smc hits: 0
  megaflow hits: 3
  avg. subtable lookups per megaflow hit: 1.00
  miss with success upcall: 7
  miss with failed upcall: 0
  avg. packets per output batch: 1.00
`
	if stats != wantStats {
		t.Fatalf("pmd-stats-show:\n%s\nwant\n%s", stats, wantStats)
	}
	if got := d.Stats(); got != (DatapathStats{Hit: 5, Missed: 7, Lost: 0, Flows: 5}) {
		t.Fatalf("datapath stats %+v", got)
	}
	if s, _ := d.PMDStatsClear(nil); s != "" {
		t.Fatal(s)
	}
	if s, _ := d.PMDStatsShow(nil); !strings.Contains(s, "  packets received: 0\n") {
		t.Fatalf("after clear:\n%s", s)
	}
}

// TestRevalidation changes the translation: flows whose actions change are
// updated in place, flows whose mask changes are deleted.
func TestRevalidation(t *testing.T) {
	d, ports := newTestDP(t, 3)
	fw := &firewall{}
	d.SetUpcallHandler(fw)
	inputFrames(d, 1, hsSYN)
	inputFrames(d, 2, hsSYNACK)
	inputFrames(d, 1, hsACK)
	if n := len(ports[2].Sent()); n != 2 {
		t.Fatalf("sent %d to port 2", n)
	}
	fw.estTo = 3
	gen := d.Generation()
	rs := d.RevalidateAll()
	if rs != (RevalidateStats{Kept: 3, Modified: 2}) {
		t.Fatalf("revalidation %+v", rs)
	}
	inputFrames(d, 1, hsData)
	if n2, n3 := len(ports[2].Sent()), len(ports[3].Sent()); n2 != 0 || n3 != 1 {
		t.Fatalf("after revalidation: %d to port 2, %d to port 3", n2, n3)
	}
	// A handler that now wants a wider mask loses every flow.
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error { u.Mask.Fields().SetEthSrc([6]byte{0xff}); return nil }))
	d.RequestRevalidation()
	d.revalWG.Wait()
	if d.Generation() != gen+1 || d.Stats().Flows != 0 || len(d.FlowDump()) != 0 {
		t.Fatalf("generation %d flows %d", d.Generation(), d.Stats().Flows)
	}
}

// TestRevalidationCreditsStats passes each flow's traffic since the last
// revalidation to the handler.
func TestRevalidationCreditsStats(t *testing.T) {
	d, ports := newTestDP(t, 2)
	var credited []uint64
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		if u.Type == UpcallRevalidate {
			credited = append(credited, u.Stats.Packets)
		}
		u.Actions = []Action{Output(2)}
		return nil
	}))
	f := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil)
	inputFrames(d, 1, f, f, f)
	d.RevalidateAll()
	inputFrames(d, 1, f)
	d.RevalidateAll()
	d.RevalidateAll()
	// The first packet missed: the upcall, not the flow, accounts it.
	if !slices.Equal(credited, []uint64{2, 1, 0}) {
		t.Fatalf("credited %v", credited)
	}
	if n := len(ports[2].Sent()); n != 4 {
		t.Fatalf("port 2 sent %d frames, want 4 (the missed one too)", n)
	}
}

func TestUpcallErrorsAndNoInstall(t *testing.T) {
	d, ports := newTestDP(t, 2)
	var uc atomic.Int32
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		switch u.Type {
		case UpcallAction:
			uc.Add(1)
			if u.Userspace.Kind != UserspaceController || u.Key.InPort() != 1 {
				t.Errorf("bad action upcall %+v", u.Userspace)
			}
			return nil
		}
		if u.Key.TpDst() == 9 {
			return errFake
		}
		u.NoInstall = true
		u.Actions = []Action{{Type: ActUserspace, Userspace: &UserspaceAction{Kind: UserspaceController}}, Output(2)}
		return nil
	}))
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 1, 9, nil), ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil))
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil))
	if uc.Load() != 2 || len(ports[2].Sent()) != 2 || d.Stats().Flows != 0 || d.Stats().Lost != 1 {
		t.Fatalf("packet-ins %d, sent %d, stats %+v", uc.Load(), len(ports[2].Sent()), d.Stats())
	}
	// The default handler drops and caches the drop.
	d.SetUpcallHandler(nil)
	inputFrames(d, 1, hsSYN)
	if d.Stats().Flows != 1 || len(ports[2].Sent()) != 0 {
		t.Fatal("default handler did not install a drop flow")
	}
	if s, _ := d.DelFlowsCommand(nil); s != "" || d.Stats().Flows != 0 {
		t.Fatal("del-flows")
	}
	if _, err := d.DelFlowsCommand([]string{"ovs-netdev"}); err == nil || err.Error() != "ovs-vswitchd: datapath not found (Invalid argument)\n" {
		t.Fatalf("bad dp: %v", err)
	}
}

type fakeErr struct{}

func (fakeErr) Error() string { return "fake" }

var errFake = fakeErr{}

// TestPollers runs the poll goroutines over dummy ports.
func TestPollers(t *testing.T) {
	d, ports := newTestDP(t, 2)
	d.SetUpcallHandler(&firewall{})
	d.Start()
	if err := ports[1].Receive(0, hsSYN); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	deadline := time.Now().Add(10 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		got = ports[2].Sent()
		time.Sleep(time.Millisecond)
	}
	if len(got) != 1 || string(got[0]) != string(hsSYN) {
		t.Fatalf("forwarded %d frames", len(got))
	}
	rxq, _ := d.PMDRxqShow(nil)
	if rxq != "Displaying last 60 seconds pmd usage %\n" {
		t.Fatalf("rxq-show %q", rxq)
	}
	// A port removed while polled stops its poller first.
	if err := d.RemovePort(2); err != nil {
		t.Fatal(err)
	}
}

// TestConntrackDNAT: ct(nat) + recirc, then ct(commit,nat(dst=...)) on the
// first packet; replies are un-NATed; checksums stay valid.
func TestConntrackDNAT(t *testing.T) {
	d, ports := newTestDP(t, 2)
	dnat := &CTAction{Action: conntrack.Action{Commit: true, Zone: 10, NAT: &conntrack.NATAction{Flags: natDst,
		MinAddr: ip4x16("10.0.0.9"), MaxAddr: ip4x16("10.0.0.9"), MinPort: 8080, MaxPort: 8080}}}
	nat := &CTAction{Action: conntrack.Action{Zone: 10, NAT: &conntrack.NATAction{}}}
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		k := u.Key
		if k.NwProto() != 6 {
			return nil
		}
		u.Mask.Fields().SetNwProto(0xff)
		if k.RecircID() == 0 {
			u.Actions = []Action{CT(nat), Recirc(2)}
			return nil
		}
		u.Mask.Fields().SetCtState(0xff)
		st := conntrack.State(k.CtState())
		switch {
		case st&conntrack.StateNew != 0 && k.InPort() == 1:
			u.Actions = []Action{CT(dnat), Output(2)}
		case st&conntrack.StateEstablished != 0:
			u.Actions = []Action{Output(3 - k.InPort())}
		}
		return nil
	}))
	inputFrames(d, 1, ckTCP("10.0.0.1", "10.0.0.200", 40000, 80, 0x002, 100, 0, nil))
	inputFrames(d, 2, ckTCP("10.0.0.9", "10.0.0.1", 8080, 40000, 0x012, 500, 101, nil))
	got2, got1 := ports[2].Sent(), ports[1].Sent()
	if len(got2) != 1 || len(got1) != 1 {
		t.Fatalf("sent %d to port 2, %d to port 1", len(got2), len(got1))
	}
	if want := ckTCP("10.0.0.1", "10.0.0.9", 40000, 8080, 0x002, 100, 0, nil); !bytes.Equal(got2[0], want) {
		t.Errorf("DNATed SYN\ngot  %x\nwant %x", got2[0], want)
	}
	if want := ckTCP("10.0.0.200", "10.0.0.1", 80, 40000, 0x012, 500, 101, nil); !bytes.Equal(got1[0], want) {
		t.Errorf("un-NATed SYN-ACK\ngot  %x\nwant %x", got1[0], want)
	}
	for _, f := range [][]byte{got2[0], got1[0]} {
		if err := verifyCsums(f); err != nil {
			t.Error(err)
		}
	}
}

func TestExpireIdle(t *testing.T) {
	d, _ := newTestDP(t, 2)
	d.SetUpcallHandler(forwardHandler(2))
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil))
	inputFrames(d, 1, hsSYN)
	if n := d.ExpireIdle(time.Now(), time.Hour); n != 0 || d.Stats().Flows != 2 {
		t.Fatalf("expired %d of fresh flows", n)
	}
	if n := d.ExpireIdle(time.Now().Add(time.Hour), time.Minute); n != 2 || d.Stats().Flows != 0 {
		t.Fatalf("expired %d, %d left", n, d.Stats().Flows)
	}
}

// TestEMCInsertInvProb checks other_config:emc-insert-inv-prob as OVS reads
// it and what each setting does to one established connection's packets,
// each sent alone: 1 caches the first hit of each pass, 0 never looks in
// the EMC, and the default (1/100) caches some hit, but not the first ones.
func TestEMCInsertInvProb(t *testing.T) {
	const n = 2000
	for _, tc := range []struct {
		prob   string
		min    uint32
		lo, hi uint64 // EMC hits expected over 2n passes
	}{
		{"1", math.MaxUint32, 2*n - 2, 2*n - 2},
		{"0", 0, 0, 0},
		{"", math.MaxUint32 / 100, 1, 2*n - 3},
		{"100", math.MaxUint32 / 100, 1, 2*n - 3},
		{"x", math.MaxUint32 / 100, 1, 2*n - 3},
		{"4294967296", math.MaxUint32 / 100, 1, 2*n - 3},
	} {
		t.Run("prob="+tc.prob, func(t *testing.T) {
			d, _ := newTestDP(t, 2)
			d.SetUpcallHandler(&firewall{})
			d.SetOtherConfig(map[string]string{"emc-insert-inv-prob": tc.prob})
			if got := d.emcInsertMin.Load(); got != tc.min {
				t.Fatalf("insert min %#x, want %#x", got, tc.min)
			}
			inputFrames(d, 1, hsSYN)
			inputFrames(d, 2, hsSYNACK)
			inputFrames(d, 1, hsACK)
			d.main.ctr.emcHits.Store(0)
			for range n {
				inputFrames(d, 1, hsData)
			}
			if got := d.main.ctr.emcHits.Load(); got < tc.lo || got > tc.hi {
				t.Fatalf("%d EMC hits, want %d to %d", got, tc.lo, tc.hi)
			}
		})
	}
}
