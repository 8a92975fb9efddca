package dpif

import (
	"net/netip"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

func ip4x16(s string) (a [16]byte) {
	v := netip.MustParseAddr(s).As4()
	copy(a[:], v[:])
	return a
}

func setOf(h SetHeader, fill func(v, m *FlowKey)) *SetAction {
	s := &SetAction{Header: h}
	fill(&s.Value, s.Mask.Fields())
	return s
}

// TestActionsText checks the text against OVS 3.1's (tests/odp.at valid
// forms and dpctl/dump-flows captures).
func TestActionsText(t *testing.T) {
	cases := []struct {
		acts []Action
		want string
	}{
		{nil, "drop"},
		{[]Action{{Type: ActDrop}}, "drop"},
		{[]Action{Output(1), Output(2), Output(3)}, "1,2,3"},
		{[]Action{CT(&CTAction{}), Recirc(0xb)}, "ct,recirc(0xb)"},
		{[]Action{Recirc(0)}, "recirc(0)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true}})}, "ct(commit)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, Zone: 5}})}, "ct(commit,zone=5)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, SetMark: true, Mark: 0xa0a0a0a0, MarkMask: 0xfefefefe}})},
			"ct(commit,mark=0xa0a0a0a0/0xfefefefe)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, SetLabel: true,
			Label:     conntrack.Label{Hi: 0x1234567890abcdef, Lo: 0x1234567890abcdef},
			LabelMask: conntrack.Label{Hi: 0xf1f2f3f4f5f6f7f8, Lo: 0xf9f0fafbfcfdfeff}}})},
			"ct(commit,label=0x1234567890abcdef1234567890abcdef/0xf1f2f3f4f5f6f7f8f9f0fafbfcfdfeff)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, SetMark: true, Mark: 1, MarkMask: 0xffffffff,
			SetLabel: true, Label: conntrack.Label{Lo: 0xabcdef}, LabelMask: conntrack.Label{Hi: ^uint64(0), Lo: ^uint64(0)}}}), Output(2)},
			"ct(commit,mark=0x1/0xffffffff,label=0xabcdef),2"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, Helper: "ftp"}})}, "ct(commit,helper=ftp)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true}, Timeout: "ovs_tp_1_tcp4"})}, "ct(commit,timeout=ovs_tp_1_tcp4)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{NAT: &conntrack.NATAction{}}})}, "ct(nat)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Zone: 9, NAT: &conntrack.NATAction{}}}), Recirc(0x10)}, "ct(zone=9,nat),recirc(0x10)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natSrc}}})}, "ct(commit,nat(src))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natDst}}, Timeout: "ovs_tp_1_tcp4"})},
			"ct(commit,timeout=ovs_tp_1_tcp4,nat(dst))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natSrc | natRandom,
			MinAddr: ip4x16("10.0.0.240"), MaxAddr: ip4x16("10.0.0.240"), MinPort: 32768, MaxPort: 65535}}})},
			"ct(commit,nat(src=10.0.0.240:32768-65535,random))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natDst,
			MinAddr: ip4x16("10.0.0.128"), MaxAddr: ip4x16("10.0.0.254")}}, NATHash: true})},
			"ct(commit,nat(dst=10.0.0.128-10.0.0.254,hash))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natSrc | natPersistent,
			MinAddr: ip4x16("10.0.0.240"), MaxAddr: ip4x16("10.0.0.254"), MinPort: 32768, MaxPort: 65535}}})},
			"ct(commit,nat(src=10.0.0.240-10.0.0.254:32768-65535,persistent))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: &conntrack.NATAction{Flags: natSrc | natRandom,
			MinAddr: netip.MustParseAddr("fe80::20c:29ff:fe88:1").As16(), MaxAddr: netip.MustParseAddr("fe80::20c:29ff:fe88:a18b").As16(),
			MinPort: 255, MaxPort: 4096}}, NATIPv6: true})},
			"ct(commit,nat(src=[fe80::20c:29ff:fe88:1]-[fe80::20c:29ff:fe88:a18b]:255-4096,random))"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, Force: true, Zone: 5}})}, "ct(force_commit,zone=5)"},
		{[]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, Zone: 9, NAT: &conntrack.NATAction{Flags: natSrc,
			MinAddr: ip4x16("10.1.1.100"), MaxAddr: ip4x16("10.1.1.101"), MinPort: 20000, MaxPort: 20010}}}), Output(2)},
			"ct(commit,zone=9,nat(src=10.1.1.100-10.1.1.101:20000-20010)),2"},
		{[]Action{{Type: ActCTClear}, {Type: ActTrunc, Arg: 100}}, "ct_clear,trunc(100)"},
		{[]Action{{Type: ActClone, Nested: []Action{{Type: ActClone, Nested: []Action{PushVLAN(0, 12), Output(2)}}, Output(1)}}},
			"clone(clone(push_vlan(vid=12,pcp=0),2),1)"},
		{[]Action{PushVLAN(0x9100, 13|5<<13)}, "push_vlan(tpid=0x9100,vid=13,pcp=5)"},
		{[]Action{{Type: ActPushVLAN, TPID: 0x8100, TCI: 13 | 5<<13}}, "push_vlan(vid=13,pcp=5,cfi=0)"},
		{[]Action{{Type: ActPopVLAN}}, "pop_vlan"},
		{[]Action{{Type: ActPushMPLS, LSE: 200<<12 | 7<<9 | 1<<8 | 64, EthType: 0x8847}}, "push_mpls(label=200,tc=7,ttl=64,bos=1,eth_type=0x8847)"},
		{[]Action{{Type: ActPopMPLS, EthType: 0x800}}, "pop_mpls(eth_type=0x800)"},
		{[]Action{{Type: ActMeter, Arg: 3}, {Type: ActHash, HashAlg: HashL4, Arg: 0}, {Type: ActHash, HashAlg: HashSymL4, Arg: 5}},
			"meter(3),hash(l4(0)),hash(sym_l4(5))"},
		{[]Action{{Type: ActUserspace, Userspace: &UserspaceAction{PID: 6633, Kind: UserspaceController, Reason: 1, Continuation: true,
			RecircID: 4444, RuleCookie: 0x5555, MaxLen: 65535}}},
			"userspace(pid=6633,controller(reason=1,dont_send=0,continuation=1,recirc_id=4444,rule_cookie=0x5555,controller_id=0,max_len=65535))"},
		{[]Action{{Type: ActUserspace, Userspace: &UserspaceAction{PID: 9765, Kind: UserspaceSlowPath}}}, "userspace(pid=9765,slow_path(0))"},
		{[]Action{{Type: ActUserspace, Userspace: &UserspaceAction{PID: 9765, Kind: UserspaceSlowPath, SlowPath: SlowCFM}}}, "userspace(pid=9765,slow_path(cfm))"},
		{[]Action{{Type: ActUserspace, Userspace: &UserspaceAction{PID: 1234567, Kind: UserspaceUserdata,
			Userdata: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}}},
			"userspace(pid=1234567,userdata(0102030405060708090a0b0c0d0e0f))"},
		{[]Action{Set(setOf(SetEth, func(v, m *FlowKey) {
			v.SetEthSrc(tMAC("00:01:02:03:04:05"))
			v.SetEthDst(tMAC("10:11:12:13:14:15"))
			m.SetEthSrc(tMAC("ff:ff:ff:ff:ff:ff"))
			m.SetEthDst(tMAC("ff:ff:ff:00:00:00"))
		}))}, "set(eth(src=00:01:02:03:04:05,dst=10:11:12:13:14:15/ff:ff:ff:00:00:00))"},
		{[]Action{Set(setOf(SetIPv4, func(v, m *FlowKey) {
			v.SetNwSrc(tIP4("35.8.2.41"))
			m.SetNwSrc(0xffffff00)
			v.SetNwTOS(0x80)
			m.SetNwTOS(0xff)
			v.SetNwTTL(128)
			m.SetNwTTL(0xff)
		}))}, "set(ipv4(src=35.8.2.41/255.255.255.0,tos=0x80,ttl=128))"},
		{[]Action{Set(setOf(SetIPv4, func(v, m *FlowKey) { v.SetNwTOS(0x80); m.SetNwTOS(0xfc) }))}, "set(ipv4(tos=0x80/0xfc))"},
		{[]Action{Set(setOf(SetTCP, func(v, m *FlowKey) { v.SetTpSrc(80); m.SetTpSrc(0xff00); v.SetTpDst(8080); m.SetTpDst(0xffff) }))},
			"set(tcp(src=80/0xff00,dst=8080))"},
		{[]Action{Set(setOf(SetUDP, func(v, m *FlowKey) { v.SetTpDst(6633); m.SetTpDst(0xffff) }))}, "set(udp(dst=6633))"},
		{[]Action{Set(setOf(SetIPv6, func(v, m *FlowKey) {
			v.SetIPv6Src(tIP6("::1"))
			m.SetIPv6Src(ones16())
			v.SetIPv6Dst(tIP6("::2"))
			m.SetIPv6Dst(ones16())
		}))}, "set(ipv6(src=::1,dst=::2))"},
		{[]Action{Set(setOf(SetIPv6, func(v, m *FlowKey) { m.SetIPv6Label(0xfff); v.SetNwTOS(0x70); m.SetNwTOS(0x70) }))},
			"set(ipv6(label=0/0xfff,tclass=0x70/0x70))"},
		{[]Action{Set(setOf(SetMPLS, func(v, m *FlowKey) { v.SetMPLSLSE(1<<12 | 1<<8 | 3); m.SetMPLSLSE(0xffffffff) }))},
			"set(mpls(label=1,tc=0,ttl=3,bos=1))"},
		{[]Action{Set(setOf(SetSkbMark, func(v, m *FlowKey) { v.SetPktMark(5); m.SetPktMark(0xffffffff) }))}, "set(skb_mark(0x5))"},
	}
	for _, c := range cases {
		if got := ActionsText(c.acts, nil); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
	names := PortNames{2: "refv2"}
	if got, want := ActionsText([]Action{CT(&CTAction{Action: conntrack.Action{Commit: true, Zone: 5,
		SetMark: true, Mark: 5, MarkMask: 0xffffffff}}), Output(2)}, names), "ct(commit,zone=5,mark=0x5/0xffffffff),refv2"; got != want {
		t.Errorf("names: got %s want %s", got, want)
	}
}

// refUDPFlow is the megaflow of OVS's dump-flows -m example (ovs-interfaces
// 3.10): a recirculated UDP packet matched on ct_state, eth and proto.
func refUDPFlow() (FlowKey, FlowMask) {
	var k FlowKey
	k.SetCtState(0x21)
	k.SetCtZone(5)
	k.SetCtNwProto(17)
	k.SetCtNwSrc(tIP4("10.1.1.1"))
	k.SetCtNwDst(tIP4("10.1.1.2"))
	k.SetCtTpSrc(42995)
	k.SetCtTpDst(9999)
	k.SetRecircID(0xe)
	k.SetInPort(3)
	k.SetEthSrc(tMAC("26:17:4e:27:47:63"))
	k.SetEthDst(tMAC("32:9c:ff:c8:d9:3f"))
	k.SetEthType(0x0800)
	k.SetNwSrc(tIP4("10.1.1.1"))
	k.SetNwDst(tIP4("10.1.1.2"))
	k.SetNwProto(17)
	k.SetNwTTL(64)
	k.SetTpSrc(42995)
	k.SetTpDst(9999)
	var m FlowMask
	f := m.Fields()
	f.SetCtState(0x21)
	f.SetRecircID(0xffffffff)
	f.SetInPort(0xffffffff)
	f.SetEthSrc(tMAC("ff:ff:ff:ff:ff:ff"))
	f.SetEthDst(tMAC("ff:ff:ff:ff:ff:ff"))
	f.SetEthType(0xffff)
	f.SetNwProto(0xff)
	f.SetNwFrag(0xff)
	return k, m
}

func TestMegaflowKeyText(t *testing.T) {
	k, m := refUDPFlow()
	if got, want := MegaflowKeyText(&k, &m, false, nil),
		"ct_state(+new+trk),recirc_id(0xe),in_port(3),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63,dst=32:9c:ff:c8:d9:3f),eth_type(0x0800),ipv4(proto=17,frag=no)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got, want := MegaflowKeyText(&k, &m, true, PortNames{3: "refv1"}),
		"skb_priority(0/0),skb_mark(0/0),ct_state(0x21/0x21),ct_zone(0x5/0),ct_mark(0/0),ct_label(0/0),ct_tuple4(src=10.1.1.1/0.0.0.0,dst=10.1.1.2/0.0.0.0,proto=17/0,tp_src=42995/0,tp_dst=9999/0),recirc_id(0xe),dp_hash(0/0),in_port(refv1),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63,dst=32:9c:ff:c8:d9:3f),eth_type(0x0800),ipv4(src=10.1.1.1/0.0.0.0,dst=10.1.1.2/0.0.0.0,proto=17,tos=0/0,ttl=64/0,frag=no),udp(src=42995/0,dst=9999/0)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// ct_state(-trk) on TCP with partially masked addresses and ports.
	var k2 FlowKey
	k2.SetInPort(2)
	k2.SetEthType(0x0800)
	k2.SetNwSrc(tIP4("10.1.1.2"))
	k2.SetNwDst(tIP4("10.1.1.1"))
	k2.SetNwProto(6)
	k2.SetTpSrc(8000)
	k2.SetTpDst(49704)
	var m2 FlowMask
	f := m2.Fields()
	f.SetCtState(0x20)
	f.SetRecircID(0xffffffff)
	f.SetInPort(0xffffffff)
	f.SetEthType(0xffff)
	f.SetNwSrc(0xffffffff)
	f.SetNwDst(0xffffff80)
	f.SetNwProto(0xff)
	f.SetNwFrag(0xff)
	f.SetTpSrc(0xfffe)
	f.SetTpDst(0x8000)
	if got, want := MegaflowKeyText(&k2, &m2, false, nil),
		"ct_state(-trk),recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(src=10.1.1.2,dst=10.1.1.1/255.255.255.128,proto=6,frag=no),tcp(src=8000/0xfffe,dst=49704/0x8000)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// A VLAN-tagged IPv6 key nests the inner headers in encap().
	var k3 FlowKey
	k3.SetInPort(1)
	k3.SetVLAN(0, 0x8100, 10|VLANCFI)
	k3.SetEthType(0x86dd)
	var m3 FlowMask
	f = m3.Fields()
	f.SetInPort(0xffffffff)
	f.SetRecircID(0xffffffff)
	f.SetVLAN(0, 0xffff, 0xffff)
	f.SetEthType(0xffff)
	f.SetNwFrag(0xff)
	if got, want := MegaflowKeyText(&k3, &m3, false, nil),
		"recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x86dd),ipv6(frag=no))"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFlowLine(t *testing.T) {
	k, m := refUDPFlow()
	f := NewMegaflow(&k, &m, nil)
	f.UFID = [16]byte{0xc2, 0x5e, 0xc6, 0x6d, 0xce, 0x8f, 0x44, 0x95, 0xb2, 0x3f, 0xa4, 0x52, 0xb4, 0xa7, 0xa2, 0xd2}
	now := time.Unix(1000, 0)
	f.Account(2, 94, 0, now.Add(-20*time.Millisecond))
	df := DumpedFlow{Flow: f, Key: k, Stats: f.Stats(), Actions: []Action{
		CT(&CTAction{Action: conntrack.Action{Commit: true, Zone: 5, SetMark: true, Mark: 5, MarkMask: 0xffffffff}}), Output(2)}}
	if got, want := FlowLine(&df, false, nil, now),
		"ct_state(+new+trk),recirc_id(0xe),in_port(3),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63,dst=32:9c:ff:c8:d9:3f),eth_type(0x0800),ipv4(proto=17,frag=no), packets:2, bytes:94, used:0.020s, actions:ct(commit,zone=5,mark=0x5/0xffffffff),2"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got := FlowLine(&df, true, PortNames{3: "refv1", 2: "refv2"}, now)
	want := "ufid:c25ec66d-ce8f-4495-b23f-a452b4a7a2d2, skb_priority(0/0),skb_mark(0/0),ct_state(0x21/0x21),ct_zone(0x5/0),ct_mark(0/0),ct_label(0/0),ct_tuple4(src=10.1.1.1/0.0.0.0,dst=10.1.1.2/0.0.0.0,proto=17/0,tp_src=42995/0,tp_dst=9999/0),recirc_id(0xe),dp_hash(0/0),in_port(refv1),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63,dst=32:9c:ff:c8:d9:3f),eth_type(0x0800),ipv4(src=10.1.1.1/0.0.0.0,dst=10.1.1.2/0.0.0.0,proto=17,tos=0/0,ttl=64/0,frag=no),udp(src=42995/0,dst=9999/0), packets:2, bytes:94, used:0.020s, dp:ovs, actions:ct(commit,zone=5,mark=0x5/0xffffffff),refv2, dp-extra-info:miniflow_bits(2,3)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	f.ClearStats()
	f.Account(7, 480, 0x01b, now.Add(-5025*time.Millisecond))
	df.Stats = f.Stats()
	df.Actions = nil
	if got, want := FlowLine(&df, false, nil, now)[len("ct_state(+new+trk),recirc_id(0xe),in_port(3),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63,dst=32:9c:ff:c8:d9:3f),eth_type(0x0800),ipv4(proto=17,frag=no)"):],
		", packets:7, bytes:480, used:5.025s, flags:SFP., actions:drop"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
