package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// manyFlowsCount is the size of issue 3's flow table load.
const manyFlowsCount = 100000

// manyFlowKinds are the shapes of the generated flows: each kind lives in
// its own table, with its own matches and actions. in is what add-flows
// reads and out is how dump-flows prints the same flow, after the
// per-flow statistics prefix. Both take the flow's index within its kind,
// which makes every flow's match distinct.
var manyFlowKinds = []struct {
	in, out func(i int) string
}{
	{ // table 0: IPv4 source addresses, outputs spread over three ports
		in: func(i int) string {
			return fmt.Sprintf("table=0,priority=300,ip,in_port=%d,nw_src=10.%d.%d.%d,actions=output:%d",
				1+i%2, i>>16&255, i>>8&255, i&255, 1+i%3)
		},
		out: func(i int) string {
			return fmt.Sprintf("priority=300,ip,in_port=%d,nw_src=10.%d.%d.%d actions=output:%d",
				1+i%2, i>>16&255, i>>8&255, i&255, 1+i%3)
		},
	},
	{ // table 1: TCP destinations with cookies, VLAN push and output
		in: func(i int) string {
			return fmt.Sprintf("table=1,cookie=%#x,priority=200,tcp,nw_dst=172.16.%d.%d,tp_dst=%d,actions=mod_vlan_vid:%d,output:2",
				0x1000+i, i>>8&255, i&255, 1000+i%50000, 1+i%4094)
		},
		out: func(i int) string {
			return fmt.Sprintf("priority=200,tcp,nw_dst=172.16.%d.%d,tp_dst=%d actions=mod_vlan_vid:%d,output:2",
				i>>8&255, i&255, 1000+i%50000, 1+i%4094)
		},
	},
	{ // table 2: Ethernet source and VLAN, strip and resubmit
		in: func(i int) string {
			return fmt.Sprintf("table=2,priority=100,dl_vlan=%d,dl_src=02:00:00:%02x:%02x:%02x,actions=strip_vlan,resubmit(,3)",
				1+i%4094, i>>16&255, i>>8&255, i&255)
		},
		out: func(i int) string {
			return fmt.Sprintf("priority=100,dl_vlan=%d,dl_src=02:00:00:%02x:%02x:%02x actions=strip_vlan,resubmit(,3)",
				1+i%4094, i>>16&255, i>>8&255, i&255)
		},
	},
	{ // table 3: IPv6 sources with a TTL decrement
		in: func(i int) string {
			return fmt.Sprintf("table=3,priority=50,ipv6,ipv6_src=2001:db8::%x:%x,actions=dec_ttl,output:3",
				1+i>>16, i&0xffff)
		},
		out: func(i int) string {
			return fmt.Sprintf("priority=50,ipv6,ipv6_src=2001:db8::%x:%x actions=dec_ttl,output:3",
				1+i>>16, i&0xffff)
		},
	},
	{ // table 4: ARP targets at varied priorities, register loads
		in: func(i int) string {
			return fmt.Sprintf("table=4,priority=%d,arp,arp_tpa=192.168.%d.%d,actions=load:%#x->NXM_NX_REG0[],resubmit(,5)",
				10+i%100, i>>8&255, i&255, i+1)
		},
		out: func(i int) string {
			return fmt.Sprintf("priority=%d,arp,arp_tpa=192.168.%d.%d actions=load:%#x->NXM_NX_REG0[],resubmit(,5)",
				10+i%100, i>>8&255, i&255, i+1)
		},
	},
}

// manyFlows returns n flows for add-flows and the sorted lines dump-flows
// prints for them once normalised by normalizeDump.
func manyFlows(n int) (in, want []string) {
	k := len(manyFlowKinds)
	for j := range n {
		kind, i := j%k, j/k
		in = append(in, manyFlowKinds[kind].in(i))
		cookie := 0
		if kind == 1 {
			cookie = 0x1000 + i
		}
		want = append(want, fmt.Sprintf(" cookie=%#x, duration=?, table=%d, n_packets=0, n_bytes=0, %s",
			cookie, kind, manyFlowKinds[kind].out(i)))
	}
	slices.Sort(want)
	return in, want
}

// flowReplyRE is the header of each reply message of a flow dump; how
// many messages carry the flows is the switch's business.
var flowReplyRE = regexp.MustCompile(`^NXST_FLOW reply \(xid=0x[0-9a-f]+\):( flags=\[more\])?$`)

// normalizeDump hides durations and ages, drops the reply headers and
// sorts the flow lines.
func normalizeDump(s string) []string {
	s = durationRE.ReplaceAllString(s, "duration=?")
	s = ageRE.ReplaceAllString(s, "")
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if !flowReplyRE.MatchString(l) {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// diffLines describes the first few differences between two sorted line
// lists; a full 100,000-line dump would bury them.
func diffLines(got, want []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "got %d lines, want %d\n", len(got), len(want))
	shown := 0
	for i, j := 0, 0; (i < len(got) || j < len(want)) && shown < 10; {
		switch {
		case j == len(want) || i < len(got) && got[i] < want[j]:
			fmt.Fprintf(&b, "+ %s\n", got[i])
			i++
			shown++
		case i == len(got) || want[j] < got[i]:
			fmt.Fprintf(&b, "- %s\n", want[j])
			j++
			shown++
		default:
			i++
			j++
		}
	}
	return b.String()
}

var aggregateRE = regexp.MustCompile(`\(xid=0x[0-9a-f]+\)`)

// TestManyFlows loads 100,000 flows with ovs-ofctl add-flows, dumps them
// back and deletes them (issue 3).
func TestManyFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 100,000 flows")
	}
	e := newEnv(t)
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail_mode=secure")

	in, want := manyFlows(manyFlowsCount)
	file := filepath.Join(e.dir, "many.flows")
	if err := os.WriteFile(file, []byte(strings.Join(in, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.must("ovs-ofctl", "add-flows", "br0", file)
	// Informational only: bench/flowload.sh measures the load properly.
	t.Logf("add-flows of %d flows took %v", manyFlowsCount, time.Since(start).Round(time.Millisecond))

	got := normalizeDump(e.must("ovs-ofctl", "dump-flows", "br0"))
	if !slices.Equal(got, want) {
		t.Errorf("dump-flows after add-flows:\n%s", diffLines(got, want))
	}
	aggregate := func() string {
		return aggregateRE.ReplaceAllString(e.must("ovs-ofctl", "dump-aggregate", "br0"), "(xid=?)")
	}
	if got, want := aggregate(), fmt.Sprintf("NXST_AGGREGATE reply (xid=?): packet_count=0 byte_count=0 flow_count=%d\n", manyFlowsCount); got != want {
		t.Errorf("dump-aggregate: got %q, want %q", got, want)
	}

	// Deleting one table leaves the others.
	e.must("ovs-ofctl", "del-flows", "br0", "table=2")
	got = normalizeDump(e.must("ovs-ofctl", "dump-flows", "br0"))
	want = slices.DeleteFunc(want, func(l string) bool { return strings.Contains(l, " table=2, ") })
	if !slices.Equal(got, want) {
		t.Errorf("dump-flows after del-flows table=2:\n%s", diffLines(got, want))
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	if got := e.must("ovs-ofctl", "dump-flows", "br0"); got != "NXST_FLOW reply (xid=0x4):\n" {
		t.Errorf("dump-flows after del-flows: %q", got)
	}
	if got, want := aggregate(), "NXST_AGGREGATE reply (xid=?): packet_count=0 byte_count=0 flow_count=0\n"; got != want {
		t.Errorf("dump-aggregate after del-flows: got %q, want %q", got, want)
	}
}
