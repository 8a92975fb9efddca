package dpif

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDumpFlowsCommand(t *testing.T) {
	d, _ := newTestDP(t, 2)
	d.SetUpcallHandler(forwardHandler(2))
	// The first frame misses and installs the flow, which counts the
	// second.
	f := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil)
	inputFrames(d, 1, f, f)
	flows := d.FlowDump()
	if len(flows) != 1 {
		t.Fatalf("%d flows", len(flows))
	}
	u := flows[0].Flow.UFID
	ufid := strings.ToLower(strings.Join([]string{hexs(u[0:4]), hexs(u[4:6]), hexs(u[6:8]), hexs(u[8:10]), hexs(u[10:16])}, "-"))
	now := flows[0].Stats.Used
	cases := []struct {
		args []string
		want string
	}{
		{nil, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=17,frag=no), packets:1, bytes:42, used:0.000s, actions:2"},
		{[]string{"--names"}, "recirc_id(0),in_port(p1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=17,frag=no), packets:1, bytes:42, used:0.000s, actions:p2"},
		{[]string{"-m", "--no-names", "dummy@h13dp2"}, "ufid:" + ufid + ", skb_priority(0/0),skb_mark(0/0),ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),recirc_id(0),dp_hash(0/0),in_port(1),packet_type(ns=0,id=0),eth(src=26:17:4e:27:47:63/00:00:00:00:00:00,dst=32:9c:ff:c8:d9:3f/00:00:00:00:00:00),eth_type(0x0800),ipv4(src=10.0.0.1/0.0.0.0,dst=10.0.0.2/0.0.0.0,proto=17,tos=0/0,ttl=64/0,frag=no),udp(src=1/0,dst=2/0), packets:1, bytes:42, used:0.000s, dp:ovs, actions:2, dp-extra-info:miniflow_bits(1,2)"},
	}
	for _, c := range cases {
		var o flowOpts
		if _, err := d.parseDpctlArgs(c.args, &o); err != nil {
			t.Fatal(err)
		}
		var names PortNames
		if o.names > 0 || o.verbose && o.names == 0 {
			names = PortNames{1: "p1", 2: "p2"}
		}
		got := d.DumpFlowsText(o.verbose, names, now)
		if want := "flow-dump from the main thread:\n" + c.want + "\n"; got != want {
			t.Errorf("%v:\ngot  %s\nwant %s", c.args, got, want)
		}
	}
	d.FlushFlows()
	if s, err := d.DumpFlowsCommand([]string{"type=ovs"}); s != "" || err != nil {
		t.Fatalf("empty dump: %q %v", s, err)
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"-x"}, "ovs-vswitchd: Unrecognized option -x (Invalid argument)\n"},
		{[]string{"--bogus"}, "ovs-vswitchd: Unrecognized option --bogus (Invalid argument)\n"},
		{[]string{"ovs-netdev"}, "ovs-vswitchd: datapath not found (Invalid argument)\n"},
		{[]string{"bogus=1"}, "ovs-vswitchd: datapath not found (Invalid argument)\n"},
	} {
		if _, err := d.DumpFlowsCommand(c.args); err == nil || err.Error() != c.err {
			t.Errorf("%v: error %v, want %q", c.args, err, c.err)
		}
	}
}

func hexs(b []byte) string {
	const h = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, h[c>>4], h[c&15])
	}
	return string(s)
}

// TestPMDThreadCommands: AF_XDP-type ports are polled by PMD threads,
// shown as "pmd thread" blocks in pmd-stats-show and pmd-rxq-show.
func TestPMDThreadCommands(t *testing.T) {
	d, err := NewDatapath("dummy", "h13pmd")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetOtherConfig(map[string]string{"pmd-cpu-mask": "0x1"})
	d.AddPort(&sinkPort{name: "xdp1", typ: "afxdp"})
	d.Start()
	d.AddPort(&sinkPort{name: "xdp0", typ: "afxdp"})
	rxq, _ := d.PMDRxqShow(nil)
	want := `Displaying last 60 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: xdp0              queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  port: xdp1              queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  overhead: NOT AVAIL
`
	if rxq != want {
		t.Fatalf("got\n%s\nwant\n%s", rxq, want)
	}
	stats, _ := d.PMDStatsShow([]string{"-pmd", "0"})
	if !strings.HasPrefix(stats, "pmd thread numa_id 0 core_id 0:\n  packets received: 0\n") || strings.Contains(stats, "main thread") {
		t.Fatalf("stats:\n%s", stats)
	}
	if s, _ := d.PMDStatsShow([]string{"-pmd", "7"}); s != "" {
		t.Fatalf("no such core: %q", s)
	}
	if s, _ := d.PMDRxqShow([]string{"-pmd", "7"}); s != "" {
		t.Fatalf("no such core: %q", s)
	}
	// Any other word names the (only) datapath.
	if s, _ := d.PMDStatsShow([]string{"bogus"}); !strings.HasSuffix(s, "main thread:\n  packets received: 0\n  packet recirculations: 0\n  avg. datapath passes per packet: 0.00\n  phwol hits: 0\n  mfex opt hits: 0\n  simple match hits: 0\n  emc hits: 0\n  smc hits: 0\n  megaflow hits: 0\n  avg. subtable lookups per megaflow hit: 0.00\n  miss with success upcall: 0\n  miss with failed upcall: 0\n  avg. packets per output batch: 0.00\n") {
		t.Fatalf("stats:\n%s", s)
	}
}

// TestConcurrentTraffic runs pollers under traffic while flows are
// dumped, revalidated and flushed (for the race detector).
func TestConcurrentTraffic(t *testing.T) {
	d, ports := newTestDP(t, 2)
	d.SetUpcallHandler(&firewall{})
	d.Start()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = ports[1].Receive(0, ckUDP("10.0.0.1", "10.0.0.2", uint16(i%50), 2, nil))
			_ = ports[1].Receive(0, hsSYN)
			ports[2].Sent()
			time.Sleep(100 * time.Microsecond)
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			d.DumpFlowsCommand([]string{"-m"})
			d.RevalidateAll()
			d.RequestRevalidation()
			d.PMDStatsShow(nil)
			d.FlushFlows()
			time.Sleep(time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if d.Stats().Missed == 0 {
		t.Fatal("no traffic was processed")
	}
}
