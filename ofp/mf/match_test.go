package mf

import (
	"encoding/hex"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func TestParseFormatRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ip,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x10/0xff,ct_label=0x1/0xff", "ct_state=-new+est+trk,ct_zone=5,ct_mark=0x10/0xff,ct_label=0x1/0xff,ip"},
		{"in_port=1,ip,nw_src=10.0.0.0/8", "ip,in_port=1,nw_src=10.0.0.0/8"},
		{"tcp,tp_dst=80,tcp_flags=+syn-ack", "tcp,tp_dst=80,tcp_flags=+syn-ack"},
		{"arp,nw_src=10.0.0.1,arp_op=1", "arp,arp_spa=10.0.0.1,arp_op=1"},
		{"dl_vlan=5,dl_vlan_pcp=3", "dl_vlan=5,dl_vlan_pcp=3"},
		{"in_port=LOCAL", "in_port=LOCAL"},
		{"ipv6,ipv6_src=fd00::1/64", "ipv6,ipv6_src=fd00::/64"},
		{"reg0=0x5/0xff,metadata=0x1", "reg0=0x5/0xff,metadata=0x1"},
		{"ct_state=trk", "ct_state=trk"},
		{"icmp6,icmp_type=135,nd_target=fd00::1", "icmp6,icmp_type=135,nd_target=fd00::1"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNXMReference(t *testing.T) {
	// ovs-interfaces.md 5.1.
	m, err := Parse("table=7,priority=1,ip,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x10/0xff,ct_label=0x1/0xff,ct_nw_proto=6,ct_nw_src=10.0.0.0/8,ct_nw_dst=10.1.1.2,ct_tp_src=80,ct_tp_dst=1000/0xff00"[len("table=7,priority=1,"):])
	if err != nil {
		t.Fatal(err)
	}
	want := "00000602 0800" + "0001d308 00000022 00000023" + "0001d402 0005" + "0001d708 00000010 000000ff" +
		"0001d920 00000000000000000000000000000001 000000000000000000000000000000ff" +
		"0001f108 0a000000 ff000000" + "0001f204 0a010102" + "0001ee01 06" + "0001f802 0050" + "0001fb04 0300 ff00"
	got := hex.EncodeToString(AppendNXM(nil, &m, 1, 0, 0))
	if got != stripSpaces(want) {
		t.Fatalf("NXM\n got %s\nwant %s", got, stripSpaces(want))
	}
	var back Match
	raw, _ := hex.DecodeString(got)
	if _, _, err := DecodeNXM(raw, DecodeOptions{Strict: true}, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(&m) {
		t.Fatalf("decode mismatch: %s vs %s", back.String(), m.String())
	}
}

func stripSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\n' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

func TestDecodeNXMAllocs(t *testing.T) {
	m, err := Parse("tcp,ct_state=+trk+est,ct_mark=0x1/0xff,nw_src=10.0.0.0/8,tp_dst=80,reg0=0x5")
	if err != nil {
		t.Fatal(err)
	}
	b := AppendNXM(nil, &m, 1, 0, 0)
	var back Match
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := DecodeNXM(b, DecodeOptions{Strict: true}, &back); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("DecodeNXM allocates %v times per match", allocs)
	}
	buf := make([]byte, 0, 256)
	allocs = testing.AllocsPerRun(100, func() { buf = AppendNXM(buf[:0], &m, 4, 0, 0) })
	if allocs != 0 {
		t.Fatalf("AppendNXM allocates %v times", allocs)
	}
}

func TestValidatePrereqs(t *testing.T) {
	tests := []struct {
		match string
		want  error
	}{
		{"tcp,tp_dst=80", nil},
		{"tp_dst=80", ofperr.OFPBMC_BAD_PREREQ},
		{"ipv6,ct_state=+trk,ct_ipv6_src=fd00::1", ofperr.OFPBMC_BAD_PREREQ},
		{"ipv6,ct_state=+trk+new,ct_ipv6_src=fd00::1", nil},
		{"ip,ct_state=+trk-inv,ct_nw_src=10.0.0.1", nil},
		{"icmp6,icmp_type=135,nd_target=fd00::1", nil},
		{"icmp6,icmp_type=128,nd_target=fd00::1", ofperr.OFPBMC_BAD_PREREQ},
		{"arp,arp_op=1", nil},
		{"dl_vlan_pcp=3", nil},
	}
	for _, tt := range tests {
		m, err := Parse(tt.match)
		if err != nil {
			t.Fatalf("%s: %v", tt.match, err)
		}
		if err := m.Validate(); err != tt.want {
			t.Errorf("Validate(%s) = %v, want %v", tt.match, err, tt.want)
		}
	}
}

func TestOF10MatchRoundTrip(t *testing.T) {
	for _, s := range []string{"", "in_port=1", "tcp,nw_src=10.0.0.0/8,tp_dst=80", "dl_vlan=5,dl_vlan_pcp=3", "vlan_tci=0x0000", "arp,arp_spa=1.2.3.4,arp_op=2", "icmp,icmp_type=8"} {
		m, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		b := AppendOF10Match(nil, &m)
		var back Match
		if err := DecodeOF10Match(b, &back); err != nil || back.String() != m.String() {
			t.Errorf("%q: got %q (%v)", s, back.String(), err)
		}
	}
}

func TestFieldTable(t *testing.T) {
	for _, tt := range []struct {
		name  string
		id    FieldID
		nxm   string
		hdr13 Header
	}{
		{"ct_state", CtState, "NXM_NX_CT_STATE", 0x0001d204},
		{"dl_src", EthSrc, "NXM_OF_ETH_SRC", 0x80000806},
		{"tp_dst", TCPDst, "NXM_OF_TCP_DST", 0x80001c02},
		{"reg0", Reg0, "NXM_NX_REG0", 0x00010004},
		{"in_port", InPort, "NXM_OF_IN_PORT", 0x00000002},
		{"in_port_oxm", InPortOXM, "OXM_OF_IN_PORT", 0x80000004},
		{"metadata", Metadata, "OXM_OF_METADATA", 0x80000408},
		{"dp_hash", DpHash, "NXM_NX_DP_HASH", 0x00014604},
		{"xreg1", XReg1, "OXM_OF_PKT_REG1", 0x80010208},
	} {
		f := ByName(tt.name)
		if f == nil || f.ID != tt.id {
			t.Fatalf("ByName(%s) = %v", tt.name, f)
		}
		if got := f.NXMName(0); got != tt.nxm {
			t.Errorf("%s: NXMName = %s, want %s", tt.name, got, tt.nxm)
		}
		if h, _ := f.HeaderFor(4); h != tt.hdr13 {
			t.Errorf("%s: OF1.3 header %#x, want %#x", tt.name, h, tt.hdr13)
		}
		if ByName(tt.nxm) != f {
			t.Errorf("ByName(%s) did not find %s", tt.nxm, tt.name)
		}
	}
	if ByName("nw_src").OF10Wildcard != 63<<8 || ByName("tp_src").OF10Wildcard != 1<<6 || ByName("ct_state").OF10Wildcard != 0 {
		t.Error("OF1.0 wildcard bits wrong")
	}
}
