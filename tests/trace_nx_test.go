package tests

// The Nicira actions of issue 3 in the ofproto/trace corpus: multipath,
// push/pop, clone, output truncation, bundle_load, sample without IPFIX,
// check_pkt_larger. Their golden is testdata/trace/nicira.txt, recorded
// from ovs-vswitchd like the rest of the corpus. (bundle_load lists ANY
// first: it always counts as live, whereas the internal ports' liveness
// depends on when their carrier comes up.)
func init() {
	traceCorpus = append(traceCorpus, traceCase{
		name: "nicira",
		flows: []string{
			"table=0,priority=10,in_port=1,tcp,actions=multipath(symmetric_l3l4,0,hrw,4,0,NXM_NX_REG1[0..1]),push:NXM_NX_REG1[0..1],pop:NXM_NX_REG2[0..1],resubmit(,1)",
			"table=1,reg2=0,actions=output:2",
			"table=1,reg2=1,actions=output:3",
			"table=1,reg2=2,actions=output:4",
			"table=1,reg2=3,actions=set_field:0x7->reg4,output:2",
			"table=0,priority=10,in_port=2,actions=clone(set_field:00:00:00:00:00:20->eth_dst,output:1),output(port=3,max_len=100)",
			"table=0,priority=10,in_port=3,actions=bundle_load(eth_src,0,active_backup,ofport,NXM_NX_REG3[],members:ANY,4,1),sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3),resubmit(,2)",
			"table=2,reg3=4,actions=output:4",
			"table=2,reg3=1,actions=output:1",
			"table=0,priority=10,in_port=4,ip,actions=check_pkt_larger(200)->NXM_NX_REG0[0],resubmit(,3),dec_ttl,output:1",
			"table=3,reg0=1,actions=output:2",
			"table=3,reg0=0,ip,actions=clone(ct(commit),output:3)",
		},
		traces: []string{
			"in_port=1," + trL2a + "," + trTCP,
			"in_port=1," + trL2a + ",tcp,nw_src=10.0.0.3,nw_dst=10.0.0.2,tp_src=999,tp_dst=80",
			"in_port=1," + trL2a + ",tcp,nw_src=10.0.0.7,nw_dst=10.0.0.9,tp_src=5,tp_dst=6",
			"in_port=2," + trL2b + "," + trIP,
			"in_port=3," + trL2a + ",udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,udp_src=1234,udp_dst=53",
			"in_port=4," + trL2a + "," + trTCP,
		},
	})
}
