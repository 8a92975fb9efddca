package conntrack

import "testing"

// runCmd runs a command and returns its reply body and whether it failed.
func runCmd(t *testing.T, fn func([]string) (string, error), args ...string) (string, bool) {
	t.Helper()
	out, err := fn(args)
	if err != nil {
		return err.Error(), true
	}
	return out, false
}

func TestDpctlSettings(t *testing.T) {
	tr, _ := newTestTracker(t)
	cases := []struct {
		fn      func([]string) (string, error)
		args    []string
		want    string
		wantErr bool
	}{
		{tr.CTGetMaxconns, nil, "3000000\n", false},
		{tr.CTSetMaxconns, []string{"5000"}, "setting maxconns successful", false},
		{tr.CTGetMaxconns, nil, "5000\n", false},
		{tr.CTSetMaxconns, []string{"netdev@ovs-netdev", "3000000"}, "setting maxconns successful", false},
		{tr.CTGetMaxconns, []string{"netdev@ovs-netdev"}, "3000000\n", false},
		{tr.CTSetMaxconns, []string{"abc"}, "ovs-vswitchd: maxconns missing or malformed (Invalid argument)\n", true},
		{tr.CTSetMaxconns, []string{"ovs-netdev", "5"}, "ovs-vswitchd: datapath not found (Invalid argument)\n", true},
		{tr.CTGetNconns, nil, "0\n", false},
		{tr.CTGetTCPSeqChk, nil, "TCP sequence checking: enabled\n", false},
		{tr.CTDisableTCPSeqChk, nil, "disabling TCP sequence checking successful", false},
		{tr.CTGetTCPSeqChk, nil, "TCP sequence checking: disabled\n", false},
		{tr.CTEnableTCPSeqChk, nil, "enabling TCP sequence checking successful", false},
		{tr.CTGetTCPSeqChk, nil, "TCP sequence checking: enabled\n", false},
		{tr.CTGetLimits, nil, "default limit=0\n", false},
		{tr.CTSetLimits, []string{"default=100"}, "", false},
		{tr.CTSetLimits, []string{"zone=9,limit=5", "zone=10,limit=7"}, "", false},
		{tr.CTGetLimits, nil, "default limit=100\nzone=9,limit=5,count=0\nzone=10,limit=7,count=0\n", false},
		{tr.CTGetLimits, []string{"zone=9,10,11"}, "default limit=100\nzone=9,limit=5,count=0\nzone=10,limit=7,count=0\nzone=11,limit=100,count=0\n", false},
		{tr.CTDelLimits, []string{"zone=9"}, "", false},
		{tr.CTDelLimits, []string{"zone=10,11"}, "", false},
		{tr.CTGetLimits, nil, "default limit=100\n", false},
		{tr.CTSetLimits, []string{"zone=abc,limit=5"}, "ovs-vswitchd: failed to parse field zone (Invalid argument)\n", true},
		{tr.CTSetLimits, []string{"zone=1"}, "ovs-vswitchd: failed to parse zone limit (Invalid argument)\n", true},
		{tr.CTSetLimits, []string{"zone=1,limit=2,foo=3"}, "ovs-vswitchd: invalid zone limit field: foo (Invalid argument)\n", true},
		{tr.CTSetLimits, []string{"default=x"}, "ovs-vswitchd: invalid default limit (Invalid argument)\n", true},
		{tr.CTDelLimits, []string{"9"}, "ovs-vswitchd: invalid argument 9 (Invalid argument)\n", true},
		{tr.CTDelLimits, []string{"zone=x"}, "ovs-vswitchd: invalid zone (Invalid argument)\n", true},
		{tr.CTSetLimits, []string{"default=0"}, "", false},
		{tr.CTGetLimits, nil, "default limit=0\n", false},
		{tr.DumpConntrack, []string{"ovs-netdev"}, "ovs-vswitchd: datapath not found (Invalid argument)\n", true},
		{tr.DumpConntrack, []string{"-x"}, "Unrecognized option -x", true},
		{tr.DumpConntrack, []string{"--foo"}, "Unrecognized option --foo", true},
		{tr.DumpConntrack, []string{"netdev@ovs-netdev"}, "", false},
		{tr.CTSetSweepInterval, []string{"1000"}, "setting sweep interval successful", false},
		{tr.CTGetSweepInterval, nil, "1000\n", false},
	}
	for i, c := range cases {
		got, failed := runCmd(t, c.fn, c.args...)
		if got != c.want || failed != c.wantErr {
			t.Errorf("case %d %v: got %q (err=%v), want %q (err=%v)", i, c.args, got, failed, c.want, c.wantErr)
		}
	}
	if n := len(tr.Commands()); n != 21 { // 16 + 5 dpctl/ipf-*
		t.Errorf("%d commands", n)
	}
}

func TestFlushConntrack(t *testing.T) {
	tr := referenceTracker(t)
	errCases := map[string][]string{
		"ovs-vswitchd: failed to parse zone (Invalid argument)\n":                   {"zone=abc"},
		"ovs-vswitchd: port is set without protocol (Invalid argument)\n":           {"ct_nw_src=10.1.1.1,ct_tp_src=5"},
		"ovs-vswitchd: invalid conntrack tuple field: foo (Invalid argument)\n":     {"ct_nw_src=10.1.1.1,foo=1"},
		"ovs-vswitchd: field a missing value (Invalid argument)\n":                  {"a", "b", "c", "d"},
		"ovs-vswitchd: invalid L4 fields (Invalid argument)\n":                      {"icmp_id=3"},
		"ovs-vswitchd: failed to parse field ct_nw_src (Invalid argument)\n":        {"ct_nw_src=fd00::1"},
		"ovs-vswitchd: the L3 protocol does not match fd00::1 (Invalid argument)\n": {"ct_nw_src=10.0.0.1,ct_ipv6_dst=fd00::1"},
		"ovs-vswitchd: invalid arguments (Invalid argument)\n":                      {"zone=1", "", "", "x", "y"},
		"ovs-vswitchd: failed to flush conntrack (No such file or directory)\n":     {"ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=17,ct_tp_src=1,ct_tp_dst=2"},
	}
	for want, args := range errCases {
		if got, failed := runCmd(t, tr.FlushConntrack, args...); !failed || got != want {
			t.Errorf("%v: got %q, want error %q", args, got, want)
		}
	}
	flush := func(args ...string) {
		t.Helper()
		if got, failed := runCmd(t, tr.FlushConntrack, args...); failed || got != "" {
			t.Fatalf("flush %v: %q", args, got)
		}
	}
	// Exact tuple in zone 5.
	flush("zone=5", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=17,ct_tp_src=48033,ct_tp_dst=9999")
	// Partial: reply destination port.
	flush("", "ct_nw_proto=6,ct_tp_dst=55694")
	// Partial with no hit is fine.
	flush("ct_nw_proto=132")
	mustDump(t, tr, "icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),zone=7\n"+
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=57888,dport=8001),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8001,dport=57888),mark=1,labels=0xabcdef,protoinfo=(state=ESTABLISHED)")
	// ICMP exact tuple needs id/type/code.
	flush("zone=7", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=1,icmp_id=4660,icmp_type=8,icmp_code=0")
	if got, failed := runCmd(t, tr.FlushConntrack, "mark=x"); !failed || got != "ovs-vswitchd: failed to parse mark (Invalid argument)\n" {
		t.Fatalf("mark=x: %q", got)
	}
	if got, failed := runCmd(t, tr.FlushConntrack, "labels=0x1/0xg"); !failed || got != "ovs-vswitchd: failed to parse labels (Invalid argument)\n" {
		t.Fatalf("labels: %q", got)
	}
	// Label mismatch under the mask: nothing goes.
	flush("mark=1/1", "labels=0xabcdee/0xffffff")
	if got := dumpLines(t, tr); got == "" {
		t.Fatal("label mismatch flushed")
	}
	flush("mark=0x1/0x1", "labels=0x10000000000abcdef/0xabcdef")
	if got := dumpLines(t, tr); got != "" {
		t.Fatalf("left after flushes: %q", got)
	}
	// Flushing everything, and by zone.
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true, Zone: 3})
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true, Zone: 4})
	flush("zone=3")
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=4")
	flush()
	if tr.NConns() != 0 {
		t.Fatalf("nconns %d after flush", tr.NConns())
	}
	// A flushed connection is gone for the live session too.
	mustState(t, "after flush", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 0), Action{Zone: 4}), trkNew)
}
