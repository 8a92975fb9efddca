package ofactions

import (
	"errors"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// OVS lets OpenFlow 1.0 flows rewrite headers their match does not
// guarantee and refuses the same flows from OpenFlow 1.1 on; ct() and
// set_field are refused in every version.
func TestCheckSoftAndHardInconsistencies(t *testing.T) {
	cases := []struct {
		match, actions string
		of10, of13     error
	}{
		{"", "mod_nw_src:10.0.0.1", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"ipv6", "mod_nw_src:10.0.0.1", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"ip", "mod_nw_src:10.0.0.1", nil, nil},
		{"", "mod_nw_tos:4", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"ip", "mod_tp_dst:80", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"tcp", "mod_tp_dst:80", nil, nil},
		{"", "strip_vlan", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"dl_vlan=5", "strip_vlan", nil, nil},
		{"", "mod_vlan_vid:5", nil, nil}, // pushes a tag when there is none
		{"", "dec_mpls_ttl", nil, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"udp", "ct(commit,alg=ftp)", ofperr.OFPBAC_MATCH_INCONSISTENT, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"arp", "ct(commit)", ofperr.OFPBAC_MATCH_INCONSISTENT, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"ip", "ct(commit,nat(src=[fd00::1]))", ofperr.OFPBAC_MATCH_INCONSISTENT, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"", "ct(commit)", ofperr.OFPBAC_MATCH_INCONSISTENT, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"", "set_field:10.0.0.1->ip_src", ofperr.OFPBAC_MATCH_INCONSISTENT, ofperr.OFPBAC_MATCH_INCONSISTENT},
	}
	for _, c := range cases {
		for _, v := range []struct {
			version uint8
			want    error
		}{{1, c.of10}, {4, c.of13}} {
			l, err := Parse(c.actions)
			if err != nil {
				t.Fatalf("parse %q: %v", c.actions, err)
			}
			m, err := mf.Parse(c.match)
			if err != nil {
				t.Fatalf("parse match %q: %v", c.match, err)
			}
			if got := Check(l, &m, v.version); !errors.Is(got, v.want) && got != v.want {
				t.Errorf("Check(%q, %q) in version %d = %v, want %v", c.match, c.actions, v.version, got, v.want)
			}
		}
	}
}

// A ct() without commit may only carry a bare nat; exec() and nat may come
// in any order when it commits.
func TestDecodeCTNestedRules(t *testing.T) {
	for _, c := range []struct {
		text string
		want error
	}{
		{"ct(nat)", nil},
		{"ct(zone=5,nat(src=10.0.0.1),table=91)", ofperr.OFPBAC_BAD_ARGUMENT},
		{"ct(commit,nat(src=10.0.0.1),exec(set_field:0x1->ct_mark))", nil},
		{"ct(commit,exec(set_field:0x1->ct_mark),nat(src=10.0.0.1))", nil},
	} {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatalf("parse %q: %v", c.text, err)
		}
		b, err := AppendActions(nil, l, version15)
		if err != nil {
			t.Fatalf("encode %q: %v", c.text, err)
		}
		if _, err := DecodeActions(b, version15); !errors.Is(err, c.want) && err != c.want {
			t.Errorf("decode %q: %v, want %v", c.text, err, c.want)
		}
	}
}

// A load of a whole narrow field goes to OpenFlow 1.5 as a set_field
// masked with the field's bits; decoded, it keeps that mask in its text and
// its encoding, as OVS's does.
func TestSetFieldWidthMask(t *testing.T) {
	l, err := Parse("push_mpls:0x8847,load:0x1f5->OXM_OF_MPLS_LABEL[]")
	if err != nil {
		t.Fatal(err)
	}
	b, err := AppendActions(nil, l, version15)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeActions(b, version15)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.String(), "push_mpls:0x8847,set_field:501/0xfffff->mpls_label"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	again, err := AppendActions(nil, back, version15)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(b) {
		t.Errorf("re-encoded %x, want %x", again, b)
	}
	// Written as set_field, the same value is unmasked.
	l, _ = Parse("set_field:501->mpls_label")
	b, _ = AppendActions(nil, l, version15)
	back, _ = DecodeActions(b, version15)
	if got := back.String(); got != "set_field:501->mpls_label" {
		t.Errorf("set_field decoded as %q", got)
	}
}
