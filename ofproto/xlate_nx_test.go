package ofproto

import (
	"bytes"
	"slices"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ovshash"
)

// TestXlateNXActions translates one packet through the Nicira actions
// and compares the megaflow and datapath actions with what OVS installs
// (each expectation is ovs-vswitchd 3.1's ofproto/trace output for the
// same flows and packet; the key is printed unmasked, so a partly
// wildcarded field shows its packet value where OVS shows value&mask).
func TestXlateNXActions(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flows []string
		want  string
	}{
		{"stack", []string{
			"in_port=1,tcp,actions=push:NXM_OF_TCP_SRC[],push:NXM_NX_REG0[0..3],pop:NXM_NX_REG1[0..3],pop:NXM_OF_TCP_DST[],output:2",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(src=1000,dst=80), actions:set(tcp(dst=1000)),2"},
		{"stack-partial", []string{
			"in_port=1,tcp,actions=push:NXM_OF_ETH_SRC[0..15],pop:NXM_NX_REG4[0..15],push:NXM_OF_IP_SRC[8..15],pop:NXM_OF_TCP_DST[0..7],output:2",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=00:00:00:00:00:01/00:00:00:00:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1/0.0.255.0,proto=6,frag=no),tcp(dst=80/0xff), actions:set(tcp(dst=0/0xff)),2"},
		{"multipath-partial-header", []string{
			"in_port=1,actions=multipath(nw_src,0,modulo_n,2,0,NXM_OF_ETH_DST[0..3]),output:2",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(dst=00:00:00:00:00:02/00:00:00:00:00:0f),eth_type(0x0800),ipv4(src=10.0.0.1,frag=no), actions:set(eth(dst=00:00:00:00:00:01/00:00:00:00:00:0f)),2"},
		{"stack-resubmit", []string{
			"in_port=1,tcp,actions=load:0x7->NXM_NX_REG0[],push:NXM_NX_REG0[],resubmit(,1)",
			"table=1,actions=pop:NXM_NX_REG2[],resubmit(,2)",
			"table=2,reg2=7,actions=output:3",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), actions:3"},
		{"clone-inline", []string{
			"in_port=1,actions=clone(mod_dl_dst:00:00:00:00:00:20,output:2),output:3",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(frag=no), actions:set(eth(dst=00:00:00:00:00:20)),2,set(eth(dst=00:00:00:00:00:02)),3"},
		{"clone-datapath", []string{
			"in_port=1,ip,actions=clone(ct(commit),output:2),output:3",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:clone(ct(commit),2),3"},
		{"clone-stack-restored", []string{
			"in_port=1,tcp,actions=load:0x1->NXM_NX_REG0[],push:NXM_NX_REG0[],clone(pop:NXM_NX_REG1[]),pop:NXM_NX_REG2[],resubmit(,1)",
			"table=1,reg1=0,reg2=1,actions=output:2",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,frag=no), actions:2"},
		{"output-trunc", []string{
			"in_port=1,actions=output(port=2,max_len=100),output:3,output(port=1,max_len=64)",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:trunc(100),2,3"},
		{"check-pkt-larger", []string{
			"in_port=1,actions=check_pkt_larger(100)->NXM_NX_REG0[0],resubmit(,1),output:3",
			"table=1,reg0=1,ip,actions=mod_nw_ttl:9,output:2",
			"table=1,reg0=0,actions=drop",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=6,ttl=64,frag=no), actions:check_pkt_len(size=100,gt(set(ipv4(ttl=9)),2,3),le(3))"},
		{"sample-without-ipfix", []string{
			"in_port=1,actions=sample(probability=65535,collector_set_id=1,obs_domain_id=2,obs_point_id=3),output:2",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:2"},
		{"bundle-active-backup", []string{
			"in_port=1,actions=bundle(eth_src,0,active_backup,ofport,members:5,3,2)",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:3"},
		{"bundle-load-hrw", []string{
			"in_port=1,actions=bundle_load(eth_src,0,hrw,ofport,NXM_NX_REG3[],members:2,3),resubmit(,1)",
			"table=1,reg3=2,actions=output:2",
			"table=1,reg3=3,actions=output:3",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(src=00:00:00:00:00:01),eth_type(0x0800),ipv4(frag=no), actions:" + hrwMember(t)},
		{"multipath", []string{
			"in_port=1,actions=multipath(symmetric_l3l4,0,modulo_n,2,0,NXM_NX_REG1[0..1]),resubmit(,1)",
			"table=1,reg1=0,actions=output:2",
			"table=1,reg1=1,actions=output:3",
		}, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,frag=no),tcp(src=1000,dst=80), actions:" + multipathLinkPort(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newXlateRig(t, 3, tt.flows...)
			if got := r.miss(t, tcpKey(1, 1000, 80)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// hrwMember is the port bundle_load(eth_src,0,hrw,...,members:2,3)
// picks for tcpKey's source MAC.
func hrwMember(t *testing.T) string {
	h := jhashBytes([]byte{0, 0, 0, 0, 0, 1}, 0)
	if ovshash.Words2(0, h) >= ovshash.Words2(1, h) {
		return "2"
	}
	return "3"
}

// multipathLinkPort is the port the multipath test's link maps to.
func multipathLinkPort(t *testing.T) string {
	hf := hashFlow{ethType: 0x0800, proto: 6, tpSrc: 1000, tpDst: 80}
	copy(hf.nwSrc[:], []byte{10, 0, 0, 1})
	copy(hf.nwDst[:], []byte{10, 0, 0, 2})
	if flowHashFields(&hf, 2, 0)%2 == 0 {
		return "2"
	}
	return "3"
}

// TestDatapathCheckPktLenAndTrunc sends a short and a long packet of one
// flow through the datapath: one megaflow serves both, the long one takes
// the check_pkt_len "greater" branch and leaves truncated.
func TestDatapathCheckPktLenAndTrunc(t *testing.T) {
	r := newXlateRig(t, 3,
		"in_port=1,actions=check_pkt_larger(100)->NXM_NX_REG0[0],resubmit(,1)",
		"table=1,reg0=1,actions=output(port=2,max_len=64),output:3",
		"table=1,reg0=0,actions=output:3",
	)
	short := udpFrame(1000)
	long := append(udpFrame(1000), make([]byte, 200)...)
	r.input(1, short, long, short)
	lens := func(odp uint32) []int {
		p, _ := r.dp.Port(odp)
		var n []int
		for _, f := range p.(*dpif.DummyPort).Sent() {
			n = append(n, len(f))
		}
		return n
	}
	if got := lens(2); !slices.Equal(got, []int{64}) {
		t.Errorf("port 2 sent frames of %v bytes, want [64]", got)
	}
	if got := lens(3); !slices.Equal(got, []int{46, 246, 46}) {
		t.Errorf("port 3 sent frames of %v bytes, want [46 246 46]", got)
	}
}

// TestXlateBundleFollowsLiveness: active_backup skips a member whose
// link is down, and comes back to it when it is up again.
func TestXlateBundleFollowsLiveness(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,actions=bundle(eth_src,0,active_backup,ofport,members:2,3)")
	want := func(port string) {
		t.Helper()
		got := r.miss(t, tcpKey(1, 1000, 80))
		if w := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:" + port; got != w {
			t.Errorf("got  %s\nwant %s", got, w)
		}
	}
	want("2")
	r.br.mu.Lock()
	r.br.ports[2].LinkDown = true
	r.br.mu.Unlock()
	want("3")
	r.br.mu.Lock()
	r.br.ports[2].LinkDown = false
	r.br.mu.Unlock()
	want("2")
}

// TestXlateControllerUserdata: controller(userdata=...) reaches the
// controller in NXT_PACKET_IN2's userdata property.
func TestXlateControllerUserdata(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,actions=controller(id=0,userdata=01.02.03.04,max_len=1500)")
	got := r.miss(t, tcpKey(1, 1000, 80))
	want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), actions:userspace(pid=0,controller(reason=1,dont_send=0,continuation=0,recirc_id=1,rule_cookie=0,controller_id=0,max_len=1500))"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	st, ok := r.bk.recirc.lookup(1, timeNow())
	if !ok || st.userdata != "\x01\x02\x03\x04" {
		t.Fatalf("frozen state %+v, %v", st, ok)
	}
	pi := &packetIn{data: []byte{1, 2, 3}, totalLen: 3, inPort: 1, reason: 1, userdata: []byte(st.userdata)}
	msg, err := encodePacketIn(pi, ofp.Version13, packetInNXT2)
	if err != nil {
		t.Fatal(err)
	}
	// The last property: type 7, length 8, the four bytes, no padding.
	if tail := msg[len(msg)-8:]; !bytes.Equal(tail, []byte{0, 7, 0, 8, 1, 2, 3, 4}) {
		t.Errorf("packet-in2 ends with %x", tail)
	}
}

// TestPacketOutNXActions: a packet-out's check_pkt_larger picks a branch
// by the packet's own length, and clone and output truncation run on it.
func TestPacketOutNXActions(t *testing.T) {
	r := newXlateRig(t, 3)
	acts, err := ofactions.Parse("clone(output:3),check_pkt_larger(60)->NXM_NX_REG0[0],resubmit(,1)")
	if err != nil {
		t.Fatal(err)
	}
	r.addFlows(t, "table=1,reg0=1,actions=output(port=2,max_len=50)", "table=1,reg0=0,actions=output:2")
	lens := func(odp uint32) []int {
		p, _ := r.dp.Port(odp)
		var n []int
		for _, f := range p.(*dpif.DummyPort).Sent() {
			n = append(n, len(f))
		}
		return n
	}
	for _, tt := range []struct {
		frame []byte
		want2 []int
	}{
		{udpFrame(1), []int{46}},
		{append(udpFrame(1), make([]byte, 100)...), []int{50}},
	} {
		if err := r.bk.PacketOut(r.br, tt.frame, mf.PortController, acts); err != nil {
			t.Fatal(err)
		}
		if got := lens(2); !slices.Equal(got, tt.want2) {
			t.Errorf("%d-byte packet: port 2 sent %v, want %v", len(tt.frame), got, tt.want2)
		}
		if got := lens(3); !slices.Equal(got, []int{len(tt.frame)}) {
			t.Errorf("%d-byte packet: port 3 sent %v, want the whole packet once", len(tt.frame), got)
		}
	}
}
