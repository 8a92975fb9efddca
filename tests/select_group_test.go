package tests

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A select group with packets: ovs-vswitchd 3.1 selects by the datapath's
// hash, so a packet first gets hash(sym_l4(0)) and a recirculation, and the
// recirculated packet's dp_hash picks the bucket. The datapath flows of
// both passes and the frames sent must match ovs-vswitchd's
// (testdata/select-group/, recorded with `go test ./tests -run
// TestSelectGroupTraffic -real-ovs -update`). The group has one bucket, so
// that the choice does not depend on the switches' different hash
// functions; the hash value itself is normalised away.

var (
	dpHashValueRE = regexp.MustCompile(`dp_hash\(0x[0-9a-f]+/`)
	recircIDRE    = regexp.MustCompile(`recirc(_id)?\((0x[0-9a-f]+)\)`)
)

func TestSelectGroupTraffic(t *testing.T) {
	e := newEnv(t)
	e.startDaemon("--enable-dummy")
	args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"other-config:hwaddr=02:00:00:00:00:fe", "fail-mode=secure"}
	for i := range 3 {
		p := fmt.Sprintf("p%d", i+1)
		args = append(args, "--", "add-port", "br0", p, "--", "set", "interface", p, "type=dummy",
			fmt.Sprintf("ofport_request=%d", i+1), "options:tx_pcap="+e.path(p+".pcap"))
	}
	e.mustVsctl(args...)
	e.must("ovs-ofctl", "-O", "OpenFlow13", "add-group", "br0", "group_id=1,type=select,bucket=set_field:02:00:00:00:00:cc->eth_dst,output:2")
	e.must("ovs-ofctl", "-O", "OpenFlow13", "add-flow", "br0", "in_port=1,actions=set_field:7->reg0,group:1,output:3")

	for _, tp := range []string{"udp(src=1,dst=2)", "udp(src=3,dst=4)"} {
		pkt := "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800)," +
			"ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no)," + tp
		if r := withoutLogLines(e.appctl("netdev-dummy/receive", "p1", pkt)); r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("netdev-dummy/receive: %s", r)
		}
	}
	// Both packets out of both ports before anything is recorded.
	e.waitFor("4 frames sent", func() bool {
		return strings.Count(pcapHex(e.path("p2.pcap"))+pcapHex(e.path("p3.pcap")), "\n") >= 4
	})
	e.eventuallyGolden("select-group/tx.txt", func() string {
		return "### p2\n" + pcapHex(e.path("p2.pcap")) + "### p3\n" + pcapHex(e.path("p3.pcap"))
	})
	e.eventuallyGolden("select-group/dpctl-dump-flows.txt", func() string {
		lines := strings.Split(strings.TrimSpace(e.must("ovs-appctl", "dpctl/dump-flows")), "\n")
		for i, l := range lines {
			l = dpctlStatsRE.ReplaceAllString(dpctlUsedRE.ReplaceAllString(l, "used:0.0s"), "packets:<n>, bytes:<n>")
			l = dpHashValueRE.ReplaceAllString(l, "dp_hash(<hash>/")
			lines[i] = recircIDRE.ReplaceAllString(l, "recirc${1}(<id>)")
		}
		slices.Sort(lines)
		return strings.Join(slices.Compact(lines), "\n") + "\n"
	})
}
