package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// IP fragment reassembly ahead of conntrack, as OVS's "conntrack - IPv4
// fragmentation" system tests exercise it: large pings through the stateful
// firewall reach the other side only if the fragments are reassembled for
// ct() and forwarded afterwards; the dpctl/ipf-* commands print what
// ovs-vswitchd prints (goldens recorded with -real-ovs -update).

// appctlTranscript runs each command and records it as "### ovs-appctl
// ARGS", its output and error text and "### exit=N".
func appctlTranscript(e *env, cmds [][]string) string {
	e.t.Helper()
	var b strings.Builder
	for _, c := range cmds {
		r := withoutLogLines(e.appctl(c...))
		fmt.Fprintf(&b, "### ovs-appctl %s\n%s", strings.Join(c, " "), r.stdout)
		if r.stdout != "" && !strings.HasSuffix(r.stdout, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(r.stderr)
		fmt.Fprintf(&b, "### exit=%d\n", r.code)
	}
	return b.String()
}

func TestIPFCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	e.golden("conntrack/ipf-commands.txt", appctlTranscript(e, [][]string{
		{"dpctl/ipf-get-status"},
		{"dpctl/ipf-get-status", "-m"},
		{"dpctl/ipf-set-disabled", "v4"},
		{"dpctl/ipf-set-disabled", "netdev@ovs-netdev", "v6"},
		{"dpctl/ipf-set-enabled", "v6"},
		{"dpctl/ipf-set-enabled", "v5"},
		{"dpctl/ipf-set-enabled", "v4x"},
		{"dpctl/ipf-set-enabled"},
		{"dpctl/ipf-set-enabled", "netdev@ovs-netdev", "v4"},
		{"dpctl/ipf-set-min-frag", "v4", "1000"},
		{"dpctl/ipf-set-min-frag", "netdev@ovs-netdev", "v6", "400"},
		{"dpctl/ipf-set-min-frag", "v6", "399"},
		{"dpctl/ipf-set-min-frag", "v4", "abc"},
		{"dpctl/ipf-set-min-frag", "v7", "500"},
		{"dpctl/ipf-set-min-frag", "v4"},
		{"dpctl/ipf-set-max-nfrags", "500"},
		{"dpctl/ipf-set-max-nfrags", "5001"},
		{"dpctl/ipf-set-max-nfrags", "abc"},
		{"dpctl/ipf-set-max-nfrags", "-5"},
		{"dpctl/ipf-set-max-nfrags", "netdev@ovs-netdev", "5000"},
		{"dpctl/ipf-get-status", "netdev@ovs-netdev"},
		{"dpctl/ipf-get-status", "-m", "netdev@ovs-netdev"},
		{"dpctl/ipf-get-status", "ovs-netdev"},
		{"dpctl/ipf-get-status", "-x"},
	}))
}

// TestIPFPingThroughFirewall sends 3000-byte pings (three fragments each
// way on a 1500-byte MTU) through the stateful firewall of
// forwarding_test.go.
func TestIPFPingThroughFirewall(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	flows := filepath.Join(e.dir, "firewall.flows")
	if err := os.WriteFile(flows, []byte(strings.Join(firewallFlows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)

	if r := h.in(h.ns1, "ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "3000", "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping -s 3000 ns1 -> ns2 through the firewall: %s", r)
	}
	// Fragments of a connection started from ns2 are reassembled, found
	// new and dropped.
	if r := h.in(h.ns2, "ping", "-c", "1", "-W", "1", "-s", "3000", "10.0.0.1"); r.code == 0 {
		t.Errorf("ping -s 3000 ns2 -> ns1 got through the firewall: %s", r)
	}
	ct := e.appctl("dpctl/dump-conntrack")
	want := "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=<id>,type=8,code=0),reply=(src=10.0.0.2,dst=10.0.0.1,id=<id>,type=0,code=0)\n"
	if g := normalizeConntrack(ct.stdout); ct.code != 0 || g != want {
		t.Errorf("dpctl/dump-conntrack:\ngot\n%s%s\nwant\n%s", g, ct.stderr, want)
	}
	e.golden("conntrack/ipf-ping.txt", appctlTranscript(e, [][]string{
		{"dpctl/ipf-get-status"},
	}))
}
