package tests

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// NORMAL with VLANs from the Port table, with packets: a dummy bridge whose
// p1 is untagged (a trunk of every VLAN), p2 an access port of VLAN 10, p3
// of VLAN 20 and p4 a trunk of 10 and 20. Tagged and untagged frames
// injected with netdev-dummy/receive must leave each port as ovs-vswitchd
// sends them (tx_pcap), tagged towards trunks, untagged towards access
// ports, only within their VLAN, and be learned per VLAN (fdb/show).
// testdata/normal-vlan/ holds ovs-vswitchd's results: `go test ./tests
// -run TestNormalVLANTraffic -real-ovs -update` records them.

const (
	nvIP = "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
)

// nvEth is an Ethernet header from host a to host b (0 is broadcast).
func nvEth(a, b int) string {
	dst := "ff:ff:ff:ff:ff:ff"
	if b != 0 {
		dst = fmt.Sprintf("50:54:00:00:00:%02x", b)
	}
	return fmt.Sprintf("eth(src=50:54:00:00:00:%02x,dst=%s)", a, dst)
}

// nvTagged wraps the IP payload in an 802.1Q tag.
func nvTagged(vid int) string {
	return fmt.Sprintf("eth_type(0x8100),vlan(vid=%d,pcp=0),encap(%s)", vid, nvIP)
}

var normalVLANPackets = [][]string{
	// Untagged broadcast on p1: VLAN 0 reaches no access port and no
	// trunk without VLAN 0, only br0.
	{"p1", "in_port(1)," + nvEth(1, 0) + "," + nvIP},
	// Host 2 on access port p2 (VLAN 10) floods: tagged 10 to p1 and p4.
	{"p2", "in_port(2)," + nvEth(2, 0) + "," + nvIP},
	// Host 4 on trunk p4 in VLAN 10 to host 2: learned, untagged to p2.
	{"p4", "in_port(4)," + nvEth(4, 2) + "," + nvTagged(10)},
	// The same in VLAN 20, where host 2 is unknown: untagged to p3,
	// tagged 20 to p1.
	{"p4", "in_port(4)," + nvEth(5, 2) + "," + nvTagged(20)},
	// Host 3 on access port p3 (VLAN 20) to host 4, known in VLAN 10
	// only: flooded in VLAN 20.
	{"p3", "in_port(3)," + nvEth(3, 4) + "," + nvIP},
	// Host 2 answers host 4 in VLAN 10: forwarded tagged to p4.
	{"p2", "in_port(2)," + nvEth(2, 4) + "," + nvIP},
	// Dropped: a tagged frame on an access port, a VLAN p4 does not trunk.
	{"p2", "in_port(2)," + nvEth(6, 0) + "," + nvTagged(10)},
	{"p4", "in_port(4)," + nvEth(7, 0) + "," + nvTagged(30)},
}

var fdbAnyAgeRE = regexp.MustCompile(`(?m)^( +\S+ +\d+  [0-9a-f:]{17} +)\d+$`)

func TestNormalVLANTraffic(t *testing.T) {
	e := newEnv(t)
	e.startDaemon("--enable-dummy")
	args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"other-config:hwaddr=02:00:00:00:00:fe", "fail-mode=secure"}
	portCfg := [][]string{nil, {"tag=10"}, {"tag=20"}, {"trunks=10,20"}}
	for i := range 4 {
		p := fmt.Sprintf("p%d", i+1)
		args = append(args, "--", "add-port", "br0", p)
		args = append(args, portCfg[i]...)
		args = append(args, "--", "set", "interface", p, "type=dummy", fmt.Sprintf("ofport_request=%d", i+1),
			"options:tx_pcap="+e.path(p+".pcap"))
	}
	e.mustVsctl(args...)
	e.must("ovs-ofctl", "add-flow", "br0", "actions=NORMAL")

	var replies strings.Builder
	for _, p := range normalVLANPackets {
		r := withoutLogLines(e.appctl(append([]string{"netdev-dummy/receive"}, p...)...))
		fmt.Fprintf(&replies, "### netdev-dummy/receive %s (exit %d)\n%s%s", strings.Join(p, " "), r.code, r.stdout, r.stderr)
	}
	e.golden("normal-vlan/receive.txt", replies.String())

	// What each port sent, in order: the frames of one injected packet
	// reach the ports in flood order, which differs, but each port's own
	// sequence does not.
	e.eventuallyGolden("normal-vlan/tx.txt", func() string {
		var sb strings.Builder
		for i := range 4 {
			p := fmt.Sprintf("p%d", i+1)
			sb.WriteString("### " + p + "\n" + pcapHex(e.path(p+".pcap")))
		}
		return sb.String()
	})
	e.eventuallyGolden("normal-vlan/fdb-show.txt", func() string {
		r := e.appctl("fdb/show", "br0")
		return fmt.Sprintf("exit %d\n%s", r.code, sortedLines(fdbAnyAgeRE.ReplaceAllString(r.stdout, "${1}<age>")))
	})
	e.eventuallyGolden("normal-vlan/dpctl-dump-flows.txt", func() string {
		lines := strings.Split(strings.TrimSpace(e.must("ovs-appctl", "dpctl/dump-flows")), "\n")
		for i, l := range lines {
			// The counters are left out: govswitchd counts a miss's
			// own packet in its megaflow, ovs-vswitchd does not.
			l = dpctlStatsRE.ReplaceAllString(dpctlUsedRE.ReplaceAllString(l, "used:0.0s"), "packets:<n>, bytes:<n>")
			lines[i] = canonicalDpctlOutputs(l)
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n") + "\n"
	})
}

var dpctlStatsRE = regexp.MustCompile(`packets:\d+, bytes:\d+`)

var dpctlKeyVLANRE = regexp.MustCompile(`\bvlan\(vid=(\d+),pcp=(\d+)\)`)

// canonicalDpctlOutputs writes the actions of a dpctl/dump-flows line
// that floods (outputs with VLAN pushes and pops) as the sorted set of
// ports with the tags each receives, as canonicalOutputs does for
// ofproto/trace: the switches flood in different orders.
func canonicalDpctlOutputs(line string) string {
	key, acts, ok := strings.Cut(line, ", actions:")
	if !ok {
		return line
	}
	ports := map[string]string{}
	for _, tok := range strings.Split(acts, ",") {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			ports[tok] = tok
		}
	}
	var vlans []string
	if m := dpctlKeyVLANRE.FindStringSubmatch(key); m != nil {
		vlans = []string{"vid=" + m[1] + ",pcp=" + m[2]}
	}
	c := canonicalOutputs("Datapath actions: "+acts, ports, vlans)
	return key + ", actions:" + strings.TrimPrefix(c, "Datapath actions: ")
}
