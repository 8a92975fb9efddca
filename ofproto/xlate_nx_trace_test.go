package ofproto

import "testing"

// TestTraceNXActionsMatchOVS compares ofproto/trace of the Nicira actions
// (multipath, push/pop, clone, output truncation, bundle, sample,
// check_pkt_larger) with traces recorded from ovs-vswitchd 3.1 (dummy
// datapath, ports p1..p3 on 1..3) for the same flows and packets.
func TestTraceNXActionsMatchOVS(t *testing.T) {
	r := newXlateRig(t, 4,
		"table=0,priority=100,in_port=1,tcp,actions=multipath(symmetric_l3l4,0,modulo_n,2,0,NXM_NX_REG1[0..1]),push:NXM_NX_REG1[],pop:NXM_NX_REG2[],resubmit(,1)",
		"table=0,priority=100,in_port=2,actions=clone(mod_dl_dst:00:00:00:00:00:20,output:1),output(port=3,max_len=100)",
		"table=0,priority=100,in_port=3,actions=bundle(eth_src,0,active_backup,ofport,members:1,2),sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3)",
		"table=0,priority=90,actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,2)",
		"table=1,reg2=1,actions=output:2",
		"table=1,reg2=0,actions=output:3",
		"table=2,reg0=1,actions=output:1",
		"table=2,reg0=0,actions=drop",
	)
	find := func(string) (*Bridge, *Backer, bool) { return r.br, r.bk, true }
	for _, c := range []struct{ flow, want string }{
		{"in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=80", `Flow: tcp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,tp_src=1000,tp_dst=80,tcp_flags=0

bridge("br0")
-------------
 0. tcp,in_port=1, priority 100
    multipath(symmetric_l3l4,0,modulo_n,2,0,NXM_NX_REG1[0..1])
     -> NXM_NX_REG1[0..1] is now 0
    push:NXM_NX_REG1[]
    pop:NXM_NX_REG2[]
     -> NXM_NX_REG2[] is now 0
    resubmit(,1)
 1. reg2=0, priority 32768
    output:3

Final flow: unchanged
Megaflow: recirc_id=0,eth,tcp,in_port=1,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_frag=no,tp_src=1000,tp_dst=80
Datapath actions: 3
`},
		{"in_port=2,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2", `Flow: icmp,in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,icmp_type=0,icmp_code=0

bridge("br0")
-------------
 0. in_port=2, priority 100
    clone(mod_dl_dst:00:00:00:00:00:20,output:1)
    mod_dl_dst:00:00:00:00:00:20
    output:1
    output(port=3,max_len=100)

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=2,dl_dst=00:00:00:00:00:00,nw_frag=no
Datapath actions: set(eth(dst=00:00:00:00:00:20)),1,trunc(100),set(eth(dst=00:00:00:00:00:00)),3
`},
		{"in_port=3,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2", `Flow: icmp,in_port=3,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,icmp_type=0,icmp_code=0

bridge("br0")
-------------
 0. in_port=3, priority 100
    bundle(eth_src,0,active_backup,ofport,members:1,2)
    sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3)

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=3,nw_frag=no
Datapath actions: 1
`},
		{"in_port=4,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2", `Flow: icmp,in_port=4,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=0,nw_frag=no,icmp_type=0,icmp_code=0

bridge("br0")
-------------
 0. priority 90
    check_pkt_larger(200)->NXM_NX_REG0[0]
    resubmit(,2)
     2. reg0=0x1, priority 32768
            output:1
    resubmit(,2)
 2. reg0=0, priority 32768
    drop

Final flow: unchanged
Megaflow: recirc_id=0,eth,ip,in_port=4,nw_frag=no
Datapath actions: check_pkt_len(size=200,gt(1),le(drop))
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
