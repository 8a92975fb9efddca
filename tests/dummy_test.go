package tests

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The dummy-port pipeline test: a bridge with datapath_type=dummy and three
// dummy ports on a daemon started with --enable-dummy, packets injected
// with netdev-dummy/receive in datapath flow syntax, and the results read
// back through ovs-ofctl dump-flows, dpctl/dump-flows, ofproto/trace
// -generate and the frames p2 transmitted (options:tx_pcap). The expected
// outputs in testdata/dummy/ are ovs-vswitchd's: `go test ./tests -run
// TestDummyPipeline -real-ovs -update` records them.

// dummyFlows is the OpenFlow 1.3 pipeline: multi-table with resubmit,
// set_field, VLAN push/pop, a group, NORMAL and ct recirculation.
var dummyFlows = []string{
	"table=0,priority=10,in_port=1,tcp,actions=resubmit(,1)",
	"table=0,priority=10,in_port=1,udp,actions=push_vlan:0x8100,set_field:4106->vlan_vid,output:2",
	"table=0,priority=10,in_port=1,arp,actions=NORMAL",
	"table=0,priority=10,in_port=1,icmp,actions=group:1",
	"table=0,priority=10,in_port=2,dl_vlan=10,actions=pop_vlan,output:3",
	"table=0,priority=10,in_port=3,ip,actions=ct(table=2)",
	"table=1,priority=10,tcp,tp_dst=80,actions=set_field:10.0.0.99->ip_dst,output:2",
	"table=1,priority=0,actions=drop",
	"table=2,priority=10,ct_state=+trk+new,ip,actions=ct(commit),output:2",
	"table=2,priority=0,actions=drop",
}

var dummyGroups = []string{"group_id=1,type=all,bucket=output:2,bucket=output:3"}

const (
	dmL2a = "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)"
	dmL2b = "eth(src=50:54:00:00:00:02,dst=50:54:00:00:00:01)"
)

// dummyPackets are netdev-dummy/receive argument lists, in order.
var dummyPackets = [][]string{
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80)"},
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=22)"},
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1234,dst=53)", "--len", "100"},
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)"},
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"},
	{"p2", "in_port(2)," + dmL2b + ",eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.2,dst=10.0.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=53,dst=1234))"},
	{"p3", "in_port(3)," + dmL2b + ",eth_type(0x0800),ipv4(src=10.0.0.3,dst=10.0.0.1,proto=6,tos=0,ttl=64,frag=no),tcp(src=40000,dst=443),tcp_flags(syn)"},
	{"p1", "505400000002505400000001080045000014000000004006000000000000000000000000"},
	{"p1", "in_port(1),bogus(1)"},
	{"p9", "in_port(1)," + dmL2a + ",eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1)"},
	{"p1", "in_port(1)," + dmL2a + ",eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1)", "--len", "20"},
}

// dummyTraces are ofproto/trace argument lists.
var dummyTraces = [][]string{
	{"br0", "in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1234,tp_dst=80", "-generate"},
	{"br0", "in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,udp_src=1,udp_dst=2", "--generate", "--l7-len", "10"},
	{"br0", "in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2", "-generate"},
	{"br0", "in_port=3,dl_src=50:54:00:00:00:02,dl_dst=50:54:00:00:00:01,tcp,nw_src=10.0.0.3,nw_dst=10.0.0.1,tp_dst=443", "-generate"},
	// A packet in hex: the trace follows the packet's headers.
	{"br0", "in_port=1", "50540000000250540000000108004500002e00000000401166b90a0000010a00000204d20035001a0000000102030405060708090a0b0c0d0e0f1011"},
	{"br0", "in_port=1,tcp", "-generate", "--l7", "zz"},
	{"br0", "in_port=1,tcp", "--bogus"},
	// The datapath flow form: the datapath port picks the bridge.
	{"ovs-dummy", "in_port(1)," + dmL2a + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80)"},
	{"in_port(p2)," + dmL2b + ",eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.2,dst=10.0.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=53,dst=1234))", "-generate"},
	{"ovs-dummy", "in_port(9)," + dmL2a + ",eth_type(0x0806)"},
	{"ovs-nosuch", "in_port(1)," + dmL2a + ",eth_type(0x0806)"},
}

var (
	ofctlDurationRE = regexp.MustCompile(` duration=[0-9.]+s,| idle_age=[0-9]+,| hard_age=[0-9]+,`)
	dpctlUsedRE     = regexp.MustCompile(`used:([0-9.]+s|never)`)
)

func TestDummyPipeline(t *testing.T) {
	e := newEnv(t)
	e.startDaemon("--enable-dummy")

	var cmds []string
	for _, l := range strings.Split(e.must("ovs-appctl", "list-commands"), "\n") {
		if strings.Contains(l, "netdev-dummy/") {
			cmds = append(cmds, l)
		}
	}
	e.golden("dummy/list-commands.txt", strings.Join(cmds, "\n")+"\n")

	args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"other-config:hwaddr=02:00:00:00:00:fe", "fail-mode=secure", "protocols=OpenFlow10,OpenFlow13"}
	for i := range 3 {
		p := fmt.Sprintf("p%d", i+1)
		args = append(args, "--", "add-port", "br0", p, "--", "set", "interface", p, "type=dummy",
			fmt.Sprintf("ofport_request=%d", i+1))
	}
	args = append(args, "--", "set", "interface", "p2", "options:tx_pcap="+e.path("p2.pcap"))
	e.mustVsctl(args...)
	for _, g := range dummyGroups {
		e.must("ovs-ofctl", "-O", "OpenFlow13", "add-group", "br0", g)
	}
	for _, f := range dummyFlows {
		e.must("ovs-ofctl", "-O", "OpenFlow13", "add-flow", "br0", f)
	}

	var replies strings.Builder
	for _, p := range dummyPackets {
		r := withoutLogLines(e.appctl(append([]string{"netdev-dummy/receive"}, p...)...))
		fmt.Fprintf(&replies, "### netdev-dummy/receive %s (exit %d)\n%s%s", strings.Join(p, " "), r.code, r.stdout, r.stderr)
	}
	e.golden("dummy/receive.txt", replies.String())

	e.eventuallyGolden("dummy/dump-flows.txt", func() string {
		e.appctl("revalidator/wait")
		// Sorted, as OVS's tests do: rules of one priority come in no
		// particular order.
		lines := strings.Split(strings.TrimSpace(e.must("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "br0")), "\n")
		for i, l := range lines {
			lines[i] = ofctlDurationRE.ReplaceAllString(l, "")
		}
		slices.Sort(lines[1:])
		return strings.Join(lines, "\n") + "\n"
	})
	e.eventuallyGolden("dummy/dpctl-dump-flows.txt", func() string {
		lines := strings.Split(strings.TrimSpace(e.must("ovs-appctl", "dpctl/dump-flows", "dummy@ovs-dummy")), "\n")
		for i, l := range lines {
			lines[i] = sortOutputs(dpctlUsedRE.ReplaceAllString(l, "used:0.0s"))
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n") + "\n"
	})
	e.eventuallyGolden("dummy/p2-tx.txt", func() string { return pcapHex(e.path("p2.pcap")) })

	var traces strings.Builder
	for _, tr := range dummyTraces {
		r := withoutLogLines(e.appctl(append([]string{"ofproto/trace"}, tr...)...))
		fmt.Fprintf(&traces, "### ofproto/trace %s (exit %d)\n%s%s\n", strings.Join(tr, " "), r.code, r.stdout, r.stderr)
	}
	e.golden("dummy/trace.txt", traces.String())
}

// pcapHex prints each frame of a pcap file as a hex line; a missing or
// short file prints what it holds so far.
func pcapHex(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 {
		return ""
	}
	var sb strings.Builder
	for b = b[24:]; len(b) >= 16; {
		n := int(binary.LittleEndian.Uint32(b[8:]))
		if len(b) < 16+n {
			break
		}
		sb.WriteString(hex.EncodeToString(b[16:16+n]) + "\n")
		b = b[16+n:]
	}
	return sb.String()
}

var dpctlOutputsRE = regexp.MustCompile(`actions:[0-9]+(,[0-9]+)+$`)

// sortOutputs sorts a flood's output ports, which OVS lists in no fixed
// order.
func sortOutputs(line string) string {
	return dpctlOutputsRE.ReplaceAllStringFunc(line, func(s string) string {
		ports := strings.Split(strings.TrimPrefix(s, "actions:"), ",")
		slices.SortFunc(ports, func(a, b string) int { return len(a) - len(b) + strings.Compare(a, b)*boolInt(len(a) == len(b)) })
		return "actions:" + strings.Join(ports, ",")
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
