package dpif

import "testing"

// keySetters sets each KeyFields entry to all ones through the typed setter,
// so the field table and the accessors cannot drift apart.
var keySetters = map[string]func(k *FlowKey){
	"in_port":      func(k *FlowKey) { k.SetInPort(^uint32(0)) },
	"recirc_id":    func(k *FlowKey) { k.SetRecircID(^uint32(0)) },
	"dp_hash":      func(k *FlowKey) { k.SetDpHash(^uint32(0)) },
	"skb_priority": func(k *FlowKey) { k.SetSkbPriority(^uint32(0)) },
	"pkt_mark":     func(k *FlowKey) { k.SetPktMark(^uint32(0)) },
	"ct_state":     func(k *FlowKey) { k.SetCtState(^uint8(0)) },
	"ct_nw_proto":  func(k *FlowKey) { k.SetCtNwProto(^uint8(0)) },
	"ct_zone":      func(k *FlowKey) { k.SetCtZone(^uint16(0)) },
	"ct_mark":      func(k *FlowKey) { k.SetCtMark(^uint32(0)) },
	"ct_tp_src":    func(k *FlowKey) { k.SetCtTpSrc(^uint16(0)) },
	"ct_tp_dst":    func(k *FlowKey) { k.SetCtTpDst(^uint16(0)) },
	"ct_label":     func(k *FlowKey) { k.SetCtLabel(^uint64(0), ^uint64(0)) },
	"ct_nw_src":    func(k *FlowKey) { k.SetCtNwSrc(^uint32(0)) },
	"ct_nw_dst":    func(k *FlowKey) { k.SetCtNwDst(^uint32(0)) },
	"ct_ipv6_src":  func(k *FlowKey) { k.SetCtIPv6Src(ones16()) },
	"ct_ipv6_dst":  func(k *FlowKey) { k.SetCtIPv6Dst(ones16()) },
	"eth_dst":      func(k *FlowKey) { k.SetEthDst([6]byte{255, 255, 255, 255, 255, 255}) },
	"eth_type":     func(k *FlowKey) { k.SetEthType(^uint16(0)) },
	"eth_src":      func(k *FlowKey) { k.SetEthSrc([6]byte{255, 255, 255, 255, 255, 255}) },
	"vlan0":        func(k *FlowKey) { k.SetVLAN(0, ^uint16(0), ^uint16(0)) },
	"vlan1":        func(k *FlowKey) { k.SetVLAN(1, ^uint16(0), ^uint16(0)) },
	"mpls_lse":     func(k *FlowKey) { k.SetMPLSLSE(^uint32(0)) },
	"ipv6_label":   func(k *FlowKey) { k.SetIPv6Label(^uint32(0)) },
	"nw_src":       func(k *FlowKey) { k.SetNwSrc(^uint32(0)) },
	"nw_dst":       func(k *FlowKey) { k.SetNwDst(^uint32(0)) },
	"ipv6_src":     func(k *FlowKey) { k.SetIPv6Src(ones16()) },
	"ipv6_dst":     func(k *FlowKey) { k.SetIPv6Dst(ones16()) },
	"nw_proto":     func(k *FlowKey) { k.SetNwProto(^uint8(0)) },
	"nw_tos":       func(k *FlowKey) { k.SetNwTOS(^uint8(0)) },
	"nw_ttl":       func(k *FlowKey) { k.SetNwTTL(^uint8(0)) },
	"nw_frag":      func(k *FlowKey) { k.SetNwFrag(^uint8(0)) },
	"tp_src":       func(k *FlowKey) { k.SetTpSrc(^uint16(0)) },
	"tp_dst":       func(k *FlowKey) { k.SetTpDst(^uint16(0)) },
	"arp_sha":      func(k *FlowKey) { k.SetARPSha([6]byte{255, 255, 255, 255, 255, 255}) },
	"tcp_flags":    func(k *FlowKey) { k.SetTCPFlags(^uint16(0)) },
	"arp_tha":      func(k *FlowKey) { k.SetARPTha([6]byte{255, 255, 255, 255, 255, 255}) },
	"nd_target":    func(k *FlowKey) { k.SetNDTarget(ones16()) },
}

func ones16() (a [16]byte) {
	for i := range a {
		a[i] = 0xff
	}
	return a
}

// TestKeyLayout checks that every field's setter writes exactly the bits the
// field table names, that fields do not overlap, and that the table covers
// every setter.
func TestKeyLayout(t *testing.T) {
	if len(keySetters) != len(KeyFields) {
		t.Fatalf("%d setters for %d fields", len(keySetters), len(KeyFields))
	}
	var used FlowKey
	for _, f := range KeyFields {
		set, ok := keySetters[f.Name]
		if !ok {
			t.Fatalf("no setter for %s", f.Name)
		}
		var got, want FlowKey
		set(&got)
		if f.Bits == 128 {
			want[f.Word], want[f.Word+1] = ^uint64(0), ^uint64(0)
		} else {
			want[f.Word] = (uint64(1)<<f.Bits - 1) << f.Shift
		}
		if got != want {
			t.Errorf("%s: setter wrote %x, table says %x", f.Name, got, want)
		}
		for i := range got {
			if used[i]&got[i] != 0 {
				t.Errorf("%s overlaps another field in word %d", f.Name, i)
			}
			used[i] |= got[i]
		}
	}
}

func TestKeyAccessorsRoundTrip(t *testing.T) {
	var k FlowKey
	k.SetInPort(0x01020304)
	k.SetRecircID(0xe)
	k.SetCtState(0x21)
	k.SetCtZone(5)
	k.SetCtMark(0x55)
	k.SetCtLabel(0xabc, 0xdef)
	k.SetCtIPv6Src(tIP6("2001:db8::7"))
	k.SetEthDst(tMAC(tDst))
	k.SetVLAN(0, 0x8100, 0x1064)
	k.SetVLAN(1, 0x88a8, 0x1005)
	k.SetNwTOS(0xb9)
	k.SetTpSrc(8)
	k.SetTpDst(3)
	k.SetNDTarget(tIP6("fe80::1"))
	if k.InPort() != 0x01020304 || k.RecircID() != 0xe || k.CtState() != 0x21 || k.CtZone() != 5 || k.CtMark() != 0x55 {
		t.Errorf("metadata round trip: %s", k.String())
	}
	if hi, lo := k.CtLabel(); hi != 0xabc || lo != 0xdef {
		t.Errorf("ct_label %x %x", hi, lo)
	}
	if k.CtIPv6Src() != tIP6("2001:db8::7") || k.EthDst() != tMAC(tDst) || k.NDTarget() != tIP6("fe80::1") {
		t.Errorf("address round trip: %s", k.String())
	}
	if tpid, tci := k.VLAN(1); tpid != 0x88a8 || tci != 0x1005 || k.VLANTCI() != 0x1064 {
		t.Errorf("vlan round trip: %s", k.String())
	}
	if k.NwDSCP() != 0xb8 || k.NwECN() != 1 || k.ICMPType() != 8 || k.ICMPCode() != 3 {
		t.Errorf("derived fields: %s", k.String())
	}
	want := "in_port=0x1020304,recirc_id=0xe,ct_state=0x21,ct_zone=0x5,ct_mark=0x55," +
		"ct_label=0x0000000000000abc0000000000000def,ct_ipv6_src=0x20010db8000000000000000000000007," +
		"eth_dst=0x329cffc8d93f,vlan0=0x81001064,vlan1=0x88a81005,nw_tos=0xb9,tp_src=0x8,tp_dst=0x3," +
		"nd_target=0xfe800000000000000000000000000001"
	if got := k.String(); got != want {
		t.Errorf("String:\n got %s\nwant %s", got, want)
	}
}

func TestMaskHelpers(t *testing.T) {
	var m FlowMask
	if !m.IsZero() {
		t.Fatal("zero mask not zero")
	}
	m.Fields().SetNwSrc(0xffffff00)
	var k FlowKey
	k.SetNwSrc(tIP4("10.1.2.3"))
	k.SetTpDst(80)
	mk := k.Masked(&m)
	var want FlowKey
	want.SetNwSrc(tIP4("10.1.2.0"))
	if mk != want {
		t.Fatalf("masked:%s", keyDiff(&mk, &want))
	}
	var other FlowKey
	other.SetNwSrc(tIP4("10.1.2.200"))
	if !other.Matches(&mk, &m) {
		t.Error("10.1.2.200 does not match 10.1.2.0/24")
	}
	other.SetNwSrc(tIP4("10.1.3.1"))
	if other.Matches(&mk, &m) {
		t.Error("10.1.3.1 matches 10.1.2.0/24")
	}
	e := ExactMask()
	if k.Masked(&e) != k || e.IsZero() {
		t.Error("exact mask changes the key")
	}
}
