package offload

import (
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

func TestCommandList(t *testing.T) {
	_, m, _, _ := setup(t, Config{})
	var got []string
	for _, c := range m.Commands() {
		got = append(got, c.Name+" "+c.Usage)
	}
	mustEqual(t, "commands", strings.Join(got, "\n"), strings.Join([]string{
		"ct-offload/show ",
		"dpctl/offload-stats-show [dp]",
		"ct-offload/dummy-show ",
		"ct-offload/dummy-set-traffic ID PACKETS BYTES [REPLY_PACKETS REPLY_BYTES]",
		"ct-offload/dummy-fail on|off [add|established|update|delete|flush]",
		"ct-offload/dummy-refuse on|off",
	}, "\n"))
}

func TestShowEmptyAndStats(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	mustEqual(t, "show", run(t, m.Show), "ct-offload provider: dummy\n"+
		"  offloaded connections: 0\n  added: 0\n  refused: 0\n  removed: 0\n  errors: 0\n  dropped (queue full): 0\n  batches: 0\n"+
		"Offloaded connections:\n  (none)\n")
	ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), commit)
	m.Sync()
	run(t, d.RefuseCommand, "on")
	ct(tr, udp("10.0.0.1", "10.0.0.2", 5, 6), commit)
	m.Sync()
	run(t, d.FailCommand, "on", "update")
	m.Poll()
	m.Sync()
	want := "HW Offload stats:\n" +
		"            CT Offloaded connections:      0\n" +
		"                CT Added connections:      2\n" +
		"              CT Refused connections:      1\n" +
		"              CT Removed connections:      2\n" +
		"                   CT Offload errors:      2\n"
	mustEqual(t, "offload-stats-show", run(t, m.OffloadStatsShow), want)
	mustEqual(t, "offload-stats-show dp", run(t, m.OffloadStatsShow, conntrack.DatapathName), want)
	if _, err := m.OffloadStatsShow([]string{"system@ovs-system"}); err == nil || err.Error() != "ovs-vswitchd: datapath not found (Invalid argument)\n" {
		t.Fatalf("bad dp: %v", err)
	}
	if _, err := m.Show([]string{"x"}); err == nil || err.Error() != "ct-offload/show takes no arguments\n" {
		t.Fatalf("show x: %v", err)
	}
}

func TestDummyCommands(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	ct(tr, udp("10.0.0.1", "10.0.0.2", 1, 2), commit)
	m.Sync()
	ct(tr, udp("10.0.0.1", "10.0.0.2", 3, 4), conntrack.Action{Commit: true, Zone: 7})
	m.Sync()
	run(t, d.SetTrafficCommand, "2", "3", "300")
	run(t, d.SetTrafficCommand, "1", "1", "64", "2", "128")
	run(t, d.FailCommand, "on")
	run(t, d.FailCommand, "off", "add")
	run(t, d.RefuseCommand, "on")
	mustEqual(t, "dummy-show", run(t, d.ShowCommand), "dummy: 2 connections, 2 batches\n"+
		"  calls: add=2 established=0 update=0 delete=0 flush=0\n"+
		"  failing: established,update,delete,flush\n  refuse: on\n"+
		"  1: "+udpTuple+",packets=1,bytes=64,reply_packets=2,reply_bytes=128\n"+
		"  2: udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=3,dport=4),reply=(src=10.0.0.2,dst=10.0.0.1,sport=4,dport=3),zone=7,packets=3,bytes=300,reply_packets=0,reply_bytes=0\n")
	run(t, d.FailCommand, "off")
	run(t, d.RefuseCommand, "off")
	mustEqual(t, "dummy-show", strings.SplitN(run(t, d.ShowCommand), "\n", 5)[2]+strings.SplitN(run(t, d.ShowCommand), "\n", 5)[3], "  failing: none  refuse: off")

	for _, tc := range []struct {
		f    func([]string) (string, error)
		args []string
		err  string
	}{
		{d.SetTrafficCommand, []string{"9", "1", "1"}, "ct-offload/dummy-set-traffic: no offloaded connection 9\n"},
		{d.SetTrafficCommand, []string{"1", "x", "1"}, "ct-offload/dummy-set-traffic: invalid number \"x\"\n"},
		{d.SetTrafficCommand, []string{"1", "1", "1", "1"}, "ct-offload/dummy-set-traffic: expected ID PACKETS BYTES [REPLY_PACKETS REPLY_BYTES]\n"},
		{d.FailCommand, []string{"maybe"}, "ct-offload/dummy-fail: expected on|off [add|established|update|delete|flush]\n"},
		{d.FailCommand, nil, "ct-offload/dummy-fail: expected on|off [add|established|update|delete|flush]\n"},
		{d.FailCommand, []string{"on", "frob"}, "ct-offload/dummy-fail: unknown operation \"frob\"\n"},
		{d.RefuseCommand, []string{"yes"}, "ct-offload/dummy-refuse: expected on|off\n"},
		{d.ShowCommand, []string{"x"}, "ct-offload/dummy-show: takes no arguments\n"},
	} {
		if _, err := tc.f(tc.args); err == nil || err.Error() != tc.err {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.err)
		}
	}
}
