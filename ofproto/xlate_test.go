package ofproto

import (
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// xlateRig is a bridge with OpenFlow ports 1..n on dummy datapath ports
// (odp numbers 1..n, in order) behind a Backer.
type xlateRig struct {
	dp *dpif.Datapath
	bk *Backer
	br *Bridge
	// dir is the run directory holding the bridge's management socket.
	dir string
}

func newXlateRig(t *testing.T, nports int, flows ...string) *xlateRig {
	t.Helper()
	dp, err := dpif.NewDatapath("dummy", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dp.Close() })
	dir := t.TempDir()
	br, err := NewBridge("br0", dir, dp, Config{FailSecure: len(flows) > 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { br.Close() })
	bk := NewBacker(dp)
	t.Cleanup(bk.Close)
	bk.AddBridge(br)
	for i := 1; i <= nports; i++ {
		p, err := dp.OpenPort("dummy", "p"+uitoa(uint64(i)), nil)
		if err != nil {
			t.Fatal(err)
		}
		odp := dp.AddPort(p)
		br.SetPort(Port{PortNo: uint16(i), Name: p.Name()})
		if err := bk.SetPort(br, uint16(i), odp); err != nil {
			t.Fatal(err)
		}
	}
	r := &xlateRig{dp: dp, bk: bk, br: br, dir: dir}
	r.addFlows(t, flows...)
	return r
}

func (r *xlateRig) addFlows(t *testing.T, flows ...string) {
	t.Helper()
	for _, f := range flows {
		fm, err := ofp.ParseFlow(f, ofp.FlowAdd)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := r.br.FlowMod(fm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

// tcpKey is a TCP packet from 10.0.0.1:sport to 10.0.0.2:dport on odp port in.
func tcpKey(in uint32, sport, dport uint16) *dpif.FlowKey {
	var k dpif.FlowKey
	k.SetInPort(in)
	k.SetEthSrc([6]byte{0, 0, 0, 0, 0, 1})
	k.SetEthDst([6]byte{0, 0, 0, 0, 0, 2})
	k.SetEthType(0x0800)
	k.SetNwSrc(0x0a000001)
	k.SetNwDst(0x0a000002)
	k.SetNwProto(6)
	k.SetNwTTL(64)
	k.SetTpSrc(sport)
	k.SetTpDst(dport)
	return &k
}

// miss translates key as a datapath miss and returns the megaflow and
// actions as dpctl/dump-flows prints them.
func (r *xlateRig) miss(t *testing.T, key *dpif.FlowKey) string {
	t.Helper()
	u := &dpif.Upcall{Type: dpif.UpcallMiss, Key: key}
	if err := r.bk.HandleUpcall(u); err != nil {
		t.Fatal(err)
	}
	m := u.Mask
	m.Fields().SetInPort(0xffffffff)
	m.Fields().SetRecircID(0xffffffff)
	return dpif.MegaflowKeyText(key, &m, false, nil) + ", actions:" + dpif.ActionsText(u.Actions, nil)
}

func TestXlateOutputAndWildcards(t *testing.T) {
	r := newXlateRig(t, 3,
		"priority=10,in_port=1,ip,nw_dst=10.0.0.2,actions=output:2",
		"priority=5,in_port=1,actions=output:3",
		"priority=1,actions=drop",
	)
	got := r.miss(t, tcpKey(1, 1000, 80))
	want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:2"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	k := tcpKey(1, 1000, 80)
	k.SetNwDst(0x0a000003)
	got = r.miss(t, k)
	want = "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no), actions:3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = r.miss(t, tcpKey(2, 1000, 80))
	want = "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:drop"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestXlateSetFieldResubmitFlood(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,tcp,actions=mod_nw_dst:10.0.0.9,mod_tp_dst:8080,resubmit(,1),load:0x5->NXM_NX_REG0[],resubmit(,2)",
		"table=1,actions=output:2,dec_ttl,output:3",
		"table=2,reg0=5,actions=FLOOD",
	)
	got := r.miss(t, tcpKey(1, 1000, 80))
	want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(dst=10.0.0.2,proto=6,ttl=64,frag=no),tcp(dst=80), actions:" +
		"set(ipv4(dst=10.0.0.9)),set(tcp(dst=8080)),2,set(ipv4(ttl=63)),3,2,3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestXlateConntrackRecirc(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone=5)",
		"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit,zone=5,exec(set_field:0x1->ct_mark)),output:2",
		"table=1,ip,ct_state=+trk+est,actions=output:1",
	)
	got := r.miss(t, tcpKey(1, 1000, 80))
	want := "ct_state(-trk),recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:ct(zone=5),recirc(0x1)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	k := tcpKey(1, 1000, 80)
	k.SetRecircID(1)
	k.SetCtState(0x21) // trk|new
	k.SetCtZone(5)
	got = r.miss(t, k)
	want = "ct_state(+new+trk),recirc_id(0x1),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:ct(commit,zone=5,mark=0x1/0xffffffff),2"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if n := r.bk.recirc.len(); n != 1 {
		t.Errorf("%d recirculation ids, want 1", n)
	}
	k.SetRecircID(99)
	got = r.miss(t, k)
	want = "recirc_id(0x63),in_port(1),packet_type(ns=0,id=0), actions:drop"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestXlateNormal(t *testing.T) {
	r := newXlateRig(t, 3)
	got := r.miss(t, tcpKey(1, 1000, 80))
	want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(frag=no), actions:2,3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The reply finds 00:..:01 learned on port 1.
	k := tcpKey(2, 80, 1000)
	k.SetEthSrc([6]byte{0, 0, 0, 0, 0, 2})
	k.SetEthDst([6]byte{0, 0, 0, 0, 0, 1})
	got = r.miss(t, k)
	want = "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth(src=00:00:00:00:00:02,dst=00:00:00:00:00:01),eth_type(0x0800),ipv4(frag=no), actions:1"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestXlateRevalidateCreditsRules(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,actions=output:2")
	u := &dpif.Upcall{Type: dpif.UpcallRevalidate, Key: tcpKey(1, 1, 2), Stats: dpif.MegaflowStats{Packets: 3, Bytes: 180}}
	if err := r.bk.HandleUpcall(u); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, t := range r.br.tables[0].cls.ordered() {
		p, b := t.Stats()
		lines = append(lines, t.Match.String()+" "+uitoa(p)+" "+uitoa(b))
	}
	if got, want := strings.Join(lines, "\n"), "in_port=1 3 180"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// traceFlows are the flows the ofproto/trace goldens were recorded with
// from ovs-vswitchd 3.1 (dummy datapath, ports p1..p3 on 1..3).
var traceFlows = []string{
	"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1,zone=5)",
	"table=0,priority=10,arp,in_port=1,actions=output:2",
	"table=0,priority=200,in_port=3,tcp,actions=mod_nw_dst:10.0.0.9,mod_tp_dst:8080,resubmit(,2),load:0x5->NXM_NX_REG0[],resubmit(,3)",
	"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit,zone=5),output:2",
	"table=1,ip,ct_state=+trk+est,actions=output:1",
	"table=2,actions=output:2,dec_ttl,resubmit(,4)",
	"table=3,reg0=5,actions=output:1",
	"table=4,actions=output:1",
}

func TestTraceMatchesOVS(t *testing.T) {
	r := newXlateRig(t, 3, traceFlows...)
	find := func(name string) (*Bridge, *Backer, bool) {
		if name == "br0" {
			return r.br, r.bk, true
		}
		return nil, nil, false
	}
	trace := TraceCommand(find)
	for _, c := range []struct {
		args []string
		want string
		err  string
	}{
		{args: []string{"br0", "in_port=1,arp,arp_spa=10.0.0.1"}, want: `Flow: arp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,arp_spa=10.0.0.1,arp_tpa=0.0.0.0,arp_op=0,arp_sha=00:00:00:00:00:00,arp_tha=00:00:00:00:00:00

bridge("br0")
-------------
 0. arp,in_port=1, priority 10
    output:2

Final flow: unchanged
Megaflow: recirc_id=0,ct_state=-trk,eth,arp,in_port=1
Datapath actions: 2
`},
		{args: []string{"br0", "in_port=2,arp,arp_spa=10.0.0.1"}, want: `Flow: arp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,arp_spa=10.0.0.1,arp_tpa=0.0.0.0,arp_op=0,arp_sha=00:00:00:00:00:00,arp_tha=00:00:00:00:00:00

bridge("br0")
-------------
 0. No match.
    drop

Final flow: unchanged
Megaflow: recirc_id=0,ct_state=-trk,eth,arp,in_port=2
Datapath actions: drop
`},
		{args: []string{"br0", "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02"}, want: `Flow: tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
 0. ct_state=-trk,ip, priority 100
    ct(table=1,zone=5)
    drop
     -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 1.
     -> Sets the packet to an untracked state, and clears all the conntrack fields.

Final flow: unchanged
Megaflow: recirc_id=0,ct_state=-trk,eth,ip,in_port=1,nw_frag=no
Datapath actions: ct(zone=5),recirc(0x1)

===============================================================================
recirc(0x1) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)
===============================================================================

Flow: recirc_id=0x1,ct_state=new|trk,ct_zone=5,eth,tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
    thaw
        Resuming from table 1
 1. ct_state=+new+trk,ip,in_port=1, priority 32768
    ct(commit,zone=5)
    drop
     -> Sets the packet to an untracked state, and clears all the conntrack fields.
    output:2

Final flow: recirc_id=0x1,eth,tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0
Megaflow: recirc_id=0x1,ct_state=+new+trk,eth,ip,in_port=1,nw_frag=no
Datapath actions: ct(commit,zone=5),2
`},
		{args: []string{"br0", "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=80", "--ct-next", "est,trk"}, want: `Flow: tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
 0. ct_state=-trk,ip, priority 100
    ct(table=1,zone=5)
    drop
     -> A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table 1.
     -> Sets the packet to an untracked state, and clears all the conntrack fields.

Final flow: unchanged
Megaflow: recirc_id=0,ct_state=-trk,eth,ip,in_port=1,nw_frag=no
Datapath actions: ct(zone=5),recirc(0x1)

===============================================================================
recirc(0x1) - resume conntrack with ct_state=est|trk
===============================================================================

Flow: recirc_id=0x1,ct_state=est|trk,ct_zone=5,eth,tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
    thaw
        Resuming from table 1
 1. ct_state=+est+trk,ip, priority 32768
    output:1
     >> skipping output to input port

Final flow: unchanged
Megaflow: recirc_id=0x1,ct_state=-new+est+trk,eth,ip,in_port=1,nw_frag=no
Datapath actions: drop
`},
		{args: []string{"br0", "in_port=3,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tp_dst=80,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02"}, want: `Flow: tcp,in_port=3,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=0,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
 0. tcp,in_port=3, priority 200
    mod_nw_dst:10.0.0.9
    mod_tp_dst:8080
    resubmit(,2)
     2. priority 32768
            output:2
            dec_ttl
            resubmit(,4)
         4. priority 32768
            output:1
    load:0x5->NXM_NX_REG0[]
    resubmit(,3)
 3. reg0=0x5, priority 32768
    output:1

Final flow: tcp,reg0=0x5,in_port=3,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.9,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,tp_src=0,tp_dst=8080,tcp_flags=0
Megaflow: recirc_id=0,eth,tcp,in_port=3,nw_dst=10.0.0.2,nw_ttl=64,nw_frag=no,tp_dst=80
Datapath actions: set(ipv4(dst=10.0.0.9)),set(tcp(dst=8080)),2,set(ipv4(ttl=63)),1,1
`},
		{args: []string{"nobr", "in_port=1"}, err: "nobr: unknown bridge"},
		{args: []string{"br0"}, err: "syntax error at br0 (or the bridge name was omitted)"},
		{args: []string{"br0", "in_port=1", "--ct-next", "bogus"}, err: "bogus: unknown connection tracking state flag"},
		{args: []string{"br0", "in_port=2,arp,bogus=1"}, err: "Bad openflow flow syntax: in_port=2,arp,bogus=1: unknown field bogus"},
	} {
		got, err := trace(c.args)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got != c.want {
			t.Errorf("%q:\ngot\n%s\nwant\n%s", c.args, got, c.want)
		}
	}
}

func TestXlateGroups(t *testing.T) {
	r := newXlateRig(t, 3)
	out := func(p uint16) ofactions.List { return ofactions.List{&ofactions.Output{Port: p}} }
	r.br.mu.Lock()
	r.br.groups[1] = &group{id: 1, typ: groupTypeAll, buckets: []bucket{
		{ID: 0, WatchPort: mf.PortNone, WatchGroup: groupAny, Actions: out(1)},
		{ID: 1, WatchPort: mf.PortNone, WatchGroup: groupAny, Actions: ofactions.List{
			&ofactions.SetEthAddr{Addr: [6]byte{0, 0, 0, 0, 0, 9}}, &ofactions.Output{Port: 1}}},
	}}
	r.br.groups[2] = &group{id: 2, typ: groupTypeFF, buckets: []bucket{
		{ID: 0, WatchPort: 7, WatchGroup: groupAny, Actions: out(1)},
		{ID: 1, WatchPort: 3, WatchGroup: groupAny, Actions: out(3)},
	}}
	r.br.groups[3] = &group{id: 3, typ: groupTypeIndirect, buckets: []bucket{
		{ID: 0, WatchPort: mf.PortNone, WatchGroup: groupAny, Actions: out(2)},
	}}
	r.br.mu.Unlock()
	r.addFlows(t, "in_port=3,ip,actions=group:1,output:2", "in_port=2,actions=group:2", "in_port=1,actions=group:3")
	for _, c := range []struct {
		in   uint32
		want string
	}{
		{3, "1,set(eth(src=00:00:00:00:00:09)),1,set(eth(src=00:00:00:00:00:01)),2"},
		{2, "3"},
		{1, "2"},
	} {
		u := &dpif.Upcall{Type: dpif.UpcallMiss, Key: tcpKey(c.in, 1, 2)}
		if err := r.bk.HandleUpcall(u); err != nil {
			t.Fatal(err)
		}
		if got := dpif.ActionsText(u.Actions, nil); got != c.want {
			t.Errorf("in_port %d: actions %s, want %s", c.in, got, c.want)
		}
	}
}
