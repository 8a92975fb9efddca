package ofproto

import "testing"

// TestTraceVLANAndRewritesMatchOVS compares ofproto/trace with traces
// recorded from ovs-vswitchd 3.1 (dummy datapath, ports p1..p3 on 1..3):
// VLAN pops and pushes, rewrites, resubmit with another in_port.
func TestTraceVLANAndRewritesMatchOVS(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,priority=100,in_port=1,ip,actions=mod_vlan_vid:10,output:2,strip_vlan,output:3",
		"table=0,priority=100,in_port=2,dl_vlan=10,ip,actions=strip_vlan,mod_nw_tos:16,output:1",
		"table=0,priority=90,in_port=2,actions=resubmit(3,1)",
		"table=1,in_port=3,ip,actions=mod_nw_src:10.1.1.1,dec_ttl,output:1,output:in_port",
		"table=0,priority=100,in_port=3,tcp,tp_dst=80,actions=ct(commit,nat(dst=10.0.0.9:8080)),output:1",
		"table=0,priority=90,in_port=3,udp,actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:1",
		"table=0,priority=80,in_port=3,ip,actions=move:NXM_OF_IP_SRC[]->NXM_NX_REG1[],resubmit(,2)",
		"table=2,reg1=0x0a000001,actions=output:2",
		"table=2,priority=1,actions=ALL",
	)
	find := func(string) (*Bridge, *Backer, bool) { return r.br, r.bk, true }
	for _, c := range []struct{ flow, want string }{
		{"in_port=2,dl_vlan=10,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2", `Flow: icmp,in_port=2,dl_vlan=10,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,icmp_type=0,icmp_code=0

bridge("br0")
-------------
 0. ip,in_port=2,dl_vlan=10, priority 100
    strip_vlan
    mod_nw_tos:16
    output:1

Final flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=16,nw_ecn=0,nw_ttl=0,nw_frag=no,icmp_type=0,icmp_code=0
Megaflow: recirc_id=0,eth,icmp,in_port=2,dl_vlan=10,dl_vlan_pcp=0,nw_tos=0,nw_frag=no
Datapath actions: set(ipv4(tos=0x10/0xfc)),pop_vlan,1
`},
		{"in_port=2,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64", `Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,icmp_type=0,icmp_code=0

bridge("br0")
-------------
 0. in_port=2, priority 90
    resubmit(3,1)
 1. ip,in_port=3, priority 32768
    mod_nw_src:10.1.1.1
    dec_ttl
    output:1
    IN_PORT

Final flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.1.1.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=63,nw_frag=no,icmp_type=0,icmp_code=0
Megaflow: recirc_id=0,eth,icmp,in_port=2,nw_src=10.0.0.1,nw_ttl=64,nw_frag=no
Datapath actions: set(ipv4(src=10.1.1.1,ttl=63)),1,2
`},
		{"in_port=3,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,udp_dst=53", `Flow: udp,in_port=3,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=53

bridge("br0")
-------------
 0. udp,in_port=3, priority 90
    push_vlan:0x8100
    set_field:4101->vlan_vid
    output:1

Final flow: udp,in_port=3,dl_vlan=5,dl_vlan_pcp=0,vlan_tci1=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=0,tp_dst=53
Megaflow: recirc_id=0,eth,udp,in_port=3,nw_frag=no
Datapath actions: push_vlan(vid=5,pcp=0),1
`},
	} {
		got, err := TraceCommand(find)([]string{"br0", c.flow})
		if err != nil {
			t.Errorf("%s: %v", c.flow, err)
		} else if got != c.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", c.flow, got, c.want)
		}
	}
}
