package ofactions

import (
	"errors"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// extCases are actionCases for MPLS, mod_nw_ttl, NSH and tunnel metadata
// actions (same columns).
var extCases = []actionCase{
	{text: "set_mpls_label(104),set_mpls_ttl(10),output:2", match: "mpls",
		want13: "set_field:104->mpls_label,set_mpls_ttl(10),output:2", want15: "set_field:104->mpls_label,set_mpls_ttl(10),output:2"},
	{text: "set_mpls_tc(5),output:1", match: "mpls", want13: "set_field:5->mpls_tc,output:1", want15: "set_field:5->mpls_tc,output:1"},
	{text: "push_mpls:0x8848,set_mpls_label(501),set_mpls_tc(2),set_mpls_ttl(64),output:1", match: "ip",
		want13: "push_mpls:0x8848,set_field:501->mpls_label,set_field:2->mpls_tc,set_mpls_ttl(64),output:1",
		want15: "push_mpls:0x8848,set_field:501->mpls_label,set_field:2->mpls_tc,set_mpls_ttl(64),output:1"},
	{text: "push_mpls:0x8847,load:0x1f5->OXM_OF_MPLS_LABEL[],output:2", match: "ipv6",
		want15: "push_mpls:0x8847,set_field:501/0xfffff->mpls_label,output:2"},
	{text: "dec_ttl,dec_mpls_ttl", match: "mpls"},
	{text: "mod_nw_ttl:10,output:1", match: "ip", want10: "load:0xa->NXM_NX_IP_TTL[],output:1"},
	{text: "ct(commit,table=12,zone=12,exec(set_field:0x3->ct_mark,set_field:0x3->ct_label),nat(src=192.0.2.3))", match: "ip",
		want10: "ct(commit,table=12,zone=12,exec(load:0x3->NXM_NX_CT_MARK[],load:0x3->NXM_NX_CT_LABEL[0..63],load:0->NXM_NX_CT_LABEL[64..127],nat(src=192.0.2.3)))",
		want13: "ct(commit,table=12,zone=12,exec(set_field:0x3->ct_mark,set_field:0x3->ct_label,nat(src=192.0.2.3)))",
		want15: "ct(commit,table=12,zone=12,exec(set_field:0x3->ct_mark,set_field:0x3->ct_label,nat(src=192.0.2.3)))"},
	{text: "ct(commit,nat(dst=10.0.0.5),exec(move:NXM_NX_REG2[]->NXM_NX_CT_MARK[]))", match: "ip"},
	{text: "pop_mpls:0x8847,set_mpls_label(7)", match: "mpls", want13: "pop_mpls:0x8847,set_field:7->mpls_label", want15: "pop_mpls:0x8847,set_field:7->mpls_label"},
}

func TestExtActionsTextRoundTrip(t *testing.T) {
	checkTextRoundTrips(t, extCases)
}

// TestExtActionsMatchOVSDecoder has ovs-ofctl parse-actions decode our
// encodings: it must print what our decoder prints.
func TestExtActionsMatchOVSDecoder(t *testing.T) {
	for _, v := range []uint8{version10, version13, version15} {
		checkCasesWithOVS(t, extCases, v, version10)
	}
}

// TestCheckTracksMPLS: push_mpls makes the flow MPLS for the actions after
// it, pop_mpls makes it the popped type; MPLS rewrites without MPLS are
// refused except in OpenFlow 1.0.
func TestCheckTracksMPLS(t *testing.T) {
	for _, c := range []struct {
		actions, match string
		version        uint8
		want           error
	}{
		{"push_mpls:0x8847,set_field:500->mpls_label,output:1", "ip", version13, nil},
		{"push_mpls:0x8847,load:0x1f5->OXM_OF_MPLS_LABEL[]", "ipv6", version10, nil},
		{"set_field:500->mpls_label", "ip", version13, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"push_mpls:0x8847,set_field:10.0.0.1->ip_src", "ip", version13, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"pop_mpls:0x0800,set_field:10.0.0.1->ip_src", "mpls", version13, nil},
		{"set_mpls_label(5)", "ip", version13, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"set_mpls_label(5)", "ip", version10, nil},
		{"mod_nw_ttl:5", "arp", version13, ofperr.OFPBAC_MATCH_INCONSISTENT},
		{"mod_nw_ttl:5", "ipv6", version13, nil},
	} {
		l, err := Parse(c.actions)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.actions, err)
		}
		m, err := mf.Parse(c.match)
		if err != nil {
			t.Fatal(err)
		}
		before := m
		if err := Check(l, &m, c.version); !errors.Is(err, c.want) && err != c.want {
			t.Errorf("Check(%s | %s, v%d) = %v, want %v", c.match, c.actions, c.version, err, c.want)
		}
		if m != before {
			t.Errorf("Check(%s | %s) changed the caller's match", c.match, c.actions)
		}
	}
}

func TestMPLSParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"set_mpls_label(0x100000)": "0x100000: not a valid MPLS label",
		"set_mpls_tc(8)":           "8: not a valid MPLS TC",
		"set_mpls_label()":         "set_mpls_label: expected label.",
	} {
		if _, err := Parse(in); err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}
