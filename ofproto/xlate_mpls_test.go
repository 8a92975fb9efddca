package ofproto

import (
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// mplsKey is an MPLS packet with one label stack entry on odp port in.
func mplsKey(in uint32, lse uint32) *dpif.FlowKey {
	var k dpif.FlowKey
	k.SetInPort(in)
	k.SetEthSrc([6]byte{0, 0, 0, 0, 0, 1})
	k.SetEthDst([6]byte{0, 0, 0, 0, 0, 2})
	k.SetEthType(0x8847)
	k.SetMPLSLSE(lse)
	return &k
}

// actionsOf is the datapath actions part of a miss's text.
func actionsOf(s string) string {
	_, a, _ := strings.Cut(s, ", actions:")
	return a
}

// The datapath actions are those ovs-vswitchd 3.1's ofproto/trace shows
// for the same flows and packets.
func TestXlateMPLS(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,ip,actions=push_mpls:0x8847,set_field:500->mpls_label,output:2",
		"table=0,in_port=2,ip,actions=mod_nw_ttl:9,push_mpls:0x8848,set_mpls_ttl:5,output:1",
		"table=0,in_port=3,mpls,actions=set_mpls_label:104,dec_mpls_ttl,output:2,pop_mpls:0x0800,resubmit(,1)",
		"table=1,actions=output:1",
	)
	k := tcpKey(1, 1000, 80)
	k.SetNwTOS(0x28)
	if got, want := actionsOf(r.miss(t, k)), "push_mpls(label=500,tc=2,ttl=64,bos=1,eth_type=0x8847),2"; got != want {
		t.Errorf("push_mpls: got %s, want %s", got, want)
	}
	k = tcpKey(2, 1000, 80)
	k.SetNwTTL(33)
	if got, want := actionsOf(r.miss(t, k)), "set(ipv4(ttl=9)),push_mpls(label=0,tc=0,ttl=5,bos=1,eth_type=0x8848),1"; got != want {
		t.Errorf("mod_nw_ttl, push_mpls: got %s, want %s", got, want)
	}
	got := actionsOf(r.miss(t, mplsKey(3, 3<<12|1<<8|7)))
	if want := "set(mpls(label=104,tc=0,ttl=6,bos=1)),2,pop_mpls(eth_type=0x800),recirc(0x1)"; got != want {
		t.Errorf("set, dec, pop: got %s, want %s", got, want)
	}
	// The recirculated packet resumes at table 1.
	k = tcpKey(3, 1000, 80)
	k.SetRecircID(1)
	if got, want := actionsOf(r.miss(t, k)), "1"; got != want {
		t.Errorf("after recirculation: got %s, want %s", got, want)
	}
}

func TestXlateMPLSTTLExpires(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,mpls,actions=dec_mpls_ttl,output:2")
	got := actionsOf(r.miss(t, mplsKey(1, 5<<12|1<<8|1)))
	if !strings.HasPrefix(got, "userspace(") || strings.Contains(got, ",2") {
		t.Errorf("TTL 1: got %s, want only a controller userspace action", got)
	}
}

func TestXlateMPLSPushOnMPLS(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,mpls,actions=push_mpls:0x8847,set_mpls_label(9),output:2")
	got := actionsOf(r.miss(t, mplsKey(1, 3<<12|2<<9|1<<8|7)))
	if want := "push_mpls(label=9,tc=2,ttl=7,bos=0,eth_type=0x8847),2"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestDatapathMPLSRoundTrip pushes a label on one bridge port and pops it
// on the way back, through the datapath's own execution.
func TestDatapathMPLSRoundTrip(t *testing.T) {
	r := newXlateRig(t, 3,
		"in_port=1,udp,actions=push_mpls:0x8847,set_mpls_label:500,set_mpls_tc:3,output:2",
		"in_port=2,mpls,mpls_label=500,actions=pop_mpls:0x0800,output:3",
	)
	frame := udpFrame(1000)
	r.input(1, frame)
	p, _ := r.dp.Port(2)
	sent := p.(*dpif.DummyPort).Sent()
	if len(sent) != 1 {
		t.Fatalf("port 2 sent %d packets, want 1", len(sent))
	}
	got := sent[0]
	// Label 500, TC 3, bottom of stack, TTL from the IP header (64).
	lse := []byte{0x00, 0x1f, 0x47, 0x40}
	want := append(append(append(append([]byte{}, frame[:12]...), 0x88, 0x47), lse...), frame[14:]...)
	if string(got) != string(want) {
		t.Fatalf("pushed frame\n got %x\nwant %x", got, want)
	}
	r.input(2, got)
	p, _ = r.dp.Port(3)
	back := p.(*dpif.DummyPort).Sent()
	if len(back) != 1 || string(back[0]) != string(frame) {
		t.Fatalf("popped frames %x, want [%x]", back, frame)
	}
}

// ct(exec(...),nat(...)) and exec(move:...) reach the tracker together;
// the datapath text is what ovs-vswitchd 3.1 installs for them.
func TestXlateCTExecWithNAT(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,in_port=1,ip,actions=load:0x7->NXM_NX_REG2[],ct(commit,table=1,zone=12,exec(set_field:0x3->ct_mark,set_field:0x3->ct_label),nat(src=192.0.2.3))",
		"table=0,in_port=2,ip,actions=load:0x7->NXM_NX_REG2[],ct(commit,zone=3,exec(move:NXM_NX_REG2[]->NXM_NX_CT_MARK[]))",
	)
	got := actionsOf(r.miss(t, tcpKey(1, 1000, 80)))
	if want := "ct(commit,zone=12,mark=0x3/0xffffffff,label=0x3,nat(src=192.0.2.3)),recirc(0x1)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = actionsOf(r.miss(t, tcpKey(2, 1000, 80)))
	if want := "ct(commit,zone=3,mark=0x7/0xffffffff)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Tunnel metadata set by one table is matched by the next; delete_field
// clears it. Without tunnels nothing reaches the datapath.
func TestXlateTunMetadata(t *testing.T) {
	if err := mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{4, 8}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{}) })
	r := newXlateRig(t, 3,
		"table=0,in_port=1,actions=set_field:0x5->tun_metadata0,load:0x7->NXM_NX_TUN_METADATA1[0..7],resubmit(,1)",
		"table=0,in_port=2,actions=set_field:0x5->tun_metadata0,delete_field:tun_metadata0,resubmit(,1)",
		"table=1,priority=10,tun_metadata0=0x5,tun_metadata1=0x7/0xff,actions=move:NXM_NX_TUN_METADATA0[0..31]->NXM_NX_REG0[],resubmit(,2)",
		"table=1,priority=5,actions=output:3",
		"table=2,reg0=5,actions=output:2",
	)
	if got := actionsOf(r.miss(t, tcpKey(1, 1000, 80))); got != "2" {
		t.Errorf("set, match, move: got %s, want 2", got)
	}
	if got := actionsOf(r.miss(t, tcpKey(2, 1000, 80))); got != "3" {
		t.Errorf("delete_field: got %s, want 3", got)
	}
}

// Tunnel metadata set before ct(table=N) is there when the packet resumes.
func TestXlateTunMetadataSurvivesRecirc(t *testing.T) {
	if err := mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{}) })
	r := newXlateRig(t, 3,
		"table=0,ip,actions=set_field:0x9->tun_metadata0,ct(table=1)",
		"table=1,priority=10,tun_metadata0=0x9,actions=output:2",
		"table=1,priority=5,actions=output:3",
	)
	if got := actionsOf(r.miss(t, tcpKey(1, 1000, 80))); got != "ct,recirc(0x1)" {
		t.Fatalf("got %s, want ct,recirc(0x1)", got)
	}
	k := tcpKey(1, 1000, 80)
	k.SetRecircID(1)
	k.SetCtState(0x21)
	if got := actionsOf(r.miss(t, k)); got != "2" {
		t.Errorf("after recirculation: got %s, want 2", got)
	}
}
