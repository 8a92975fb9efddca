package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Conntrack scenarios side by side with ovs-vswitchd, after OVS's
// system-traffic "conntrack - ..." tests: zones, ct_mark and ct_label, SNAT
// with a port range, DNAT, ICMP errors related to a UDP flow, IPv6 (with
// fragmented echoes) and zone timeout policies from the database. One lab
// (two host namespaces on ports 1 and 2 of br0, IPv4 and IPv6, static
// neighbours so that no ARP or ND crosses the switch) serves every
// scenario in turn: flows replaced, connection table flushed, traffic sent,
// then the normalised dpctl/dump-conntrack and, where the traffic is
// deterministic, the rules' packet counters are compared with goldens in
// testdata/conntrack/ recorded from ovs-vswitchd (-real-ovs -update).

// Addresses of the lab. ns2 knows ctSNATAddr as ns1's MAC (replies to the
// source-NATed address reach ns1's port), ns1 knows ctVIP as ns2's.
const (
	ctAddr1, ctAddr2   = "10.0.0.1", "10.0.0.2"
	ctAddr61, ctAddr62 = "fc00::1", "fc00::2"
	ctSNATAddr         = "10.0.0.240"
	ctVIP              = "10.0.0.200"
	ctMAC1, ctMAC2     = "02:00:00:00:01:01", "02:00:00:00:01:02"
	ctSNATPorts        = "20000-20010"
)

type ctLab struct {
	e        *env
	ns1, ns2 string
	h        *hosts
}

func newCTLab(t *testing.T) *ctLab {
	t.Helper()
	for _, tool := range []string{"ethtool", "ping", "nc", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (run scripts/install-deps.sh)", tool)
		}
	}
	e := newEnv(t)
	l := &ctLab{e: e, ns1: "gswc1-" + randomHex(3), ns2: "gswc2-" + randomHex(3)}
	l.h = &hosts{e: e, ns1: l.ns1, ns2: l.ns2}
	type host struct {
		ns, addr, addr6, mac, peerMAC string
		neigh                         []string
	}
	for i, h := range []host{
		{l.ns1, ctAddr1, ctAddr61, ctMAC1, ctMAC2, []string{ctAddr2, ctVIP, ctAddr62}},
		{l.ns2, ctAddr2, ctAddr62, ctMAC2, ctMAC1, []string{ctAddr1, ctSNATAddr, ctAddr61}},
	} {
		if r := e.run("ip", "netns", "add", h.ns); r.code != 0 {
			t.Fatalf("ip netns add %s: %s", h.ns, r)
		}
		ns := h.ns
		t.Cleanup(func() { deleteNetns(ns) })
		port := fmt.Sprintf("p%d", i+1)
		for _, args := range [][]string{
			{"link", "add", port, "type", "veth", "peer", "name", "eth0", "address", h.mac},
			{"link", "set", port, "up"},
			{"link", "set", "eth0", "netns", h.ns},
		} {
			if r := e.inNS("ip", args...); r.code != 0 {
				t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
			}
		}
		cmds := [][]string{
			{"sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0"},
			{"sysctl", "-q", "-w", "net.ipv6.conf.eth0.router_solicitations=0"},
			{"sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0"},
			{"ip", "addr", "add", h.addr + "/24", "dev", "eth0"},
			{"ip", "-6", "addr", "add", h.addr6 + "/64", "dev", "eth0", "nodad"},
			{"ip", "link", "set", "eth0", "up"},
			{"ip", "link", "set", "lo", "up"},
			// The datapath does not fill in checksums left to offload.
			{"ethtool", "-K", "eth0", "tx", "off"},
		}
		for _, n := range h.neigh {
			cmds = append(cmds, []string{"ip", "neigh", "replace", n, "lladdr", h.peerMAC, "nud", "permanent", "dev", "eth0"})
		}
		for _, args := range cmds {
			if r := l.h.in(h.ns, args...); r.code != 0 {
				t.Fatalf("%s: %s", strings.Join(args, " "), r)
			}
		}
	}
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2")
	return l
}

// ping sends count echo requests of size bytes from ns to addr.
func (l *ctLab) ping(ns, addr string, count, size int) result {
	l.e.t.Helper()
	return l.h.in(ns, "ping", "-c", strconv.Itoa(count), "-i", "0.2", "-W", "2", "-s", strconv.Itoa(size), addr)
}

// udp sends one datagram from ns to addr:port.
func (l *ctLab) udp(ns, addr string, port int) result {
	l.e.t.Helper()
	return l.h.in(ns, "bash", "-c", fmt.Sprintf("echo hello > /dev/udp/%s/%d", addr, port))
}

// tcp opens a connection from ns1 to addr:port, served by "nc -l" on
// listenPort in ns2 (they differ behind DNAT), and checks the text arrives.
func (l *ctLab) tcp(t *testing.T, addr string, port, listenPort int, v6 bool) {
	t.Helper()
	out := filepath.Join(l.e.dir, fmt.Sprintf("nc-%d.out", listenPort))
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"netns", "exec", l.ns2, "nc", "-l"}
	if v6 {
		args = append(args, "-6")
	}
	cmd := exec.Command("ip", append(args, strconv.Itoa(listenPort))...)
	cmd.Stdout = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	defer func() { cmd.Process.Kill(); <-done }()
	l.e.waitFor("nc to listen", func() bool {
		r := l.h.in(l.ns2, "ss", "-ltnH", fmt.Sprintf("sport = :%d", listenPort))
		return strings.Contains(r.stdout, "LISTEN")
	})
	if r := l.h.send(l.ns1, addr, port, "hello\n"); r.code != 0 {
		t.Errorf("nc %s %d: %s", addr, port, r)
		return
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Errorf("nc -l %d did not finish", listenPort)
	}
	if b, _ := os.ReadFile(out); string(b) != "hello\n" {
		t.Errorf("nc -l %d received %q", listenPort, b)
	}
}

var (
	ctPortRE    = regexp.MustCompile(`\b(sport|dport)=(\d+)`)
	ctICMPIDRE  = regexp.MustCompile(`\bid=\d+`)
	ctTimeoutRE = regexp.MustCompile(`,timeout=\d+`)
)

// normalizeCT sorts a dump-conntrack output and hides what differs from run
// to run: ICMP ids, the clients' ephemeral ports and (with -s) the
// remaining seconds; ports SNAT picked from ctSNATPorts become <natport>.
func normalizeCT(s string) string {
	s = ctICMPIDRE.ReplaceAllString(s, "id=<id>")
	s = ctTimeoutRE.ReplaceAllString(s, "")
	s = ctPortRE.ReplaceAllStringFunc(s, func(m string) string {
		k, v, _ := strings.Cut(m, "=")
		n, _ := strconv.Atoi(n0(v))
		switch {
		case n < 10000:
			return m
		case n >= 20000 && n <= 20010:
			return k + "=<natport>"
		}
		return k + "=<port>"
	})
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func n0(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

var (
	flowDurationRE = regexp.MustCompile(`cookie=0x0, duration=[0-9.]+s, `)
	flowAgeRE      = regexp.MustCompile(`(idle|hard)_age=\d+, `)
)

// ruleCounters is ovs-ofctl dump-flows without durations and ages, sorted.
func ruleCounters(e *env) string {
	s := e.must("ovs-ofctl", "dump-flows", "br0")
	s = flowDurationRE.ReplaceAllString(s, "")
	s = flowAgeRE.ReplaceAllString(s, "")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > 1 {
		sort.Strings(lines[1:])
	}
	return strings.Join(lines, "\n") + "\n"
}

// settleCounters waits until the rules' counters stop changing for longer
// than a statistics round (OVS's revalidators credit megaflow traffic to
// rules every 500 ms, govswitchd's every second), so that recording with
// -update sees the final numbers.
func settleCounters(e *env) {
	e.t.Helper()
	prev := ruleCounters(e)
	e.waitFor("rule counters to settle", func() bool {
		time.Sleep(2500 * time.Millisecond)
		cur := ruleCounters(e)
		same := cur == prev
		prev = cur
		return same
	})
}

// ctScenario is one flow table and the traffic sent through it.
type ctScenario struct {
	name    string
	flows   []string
	traffic func(t *testing.T, l *ctLab)
	// counters records the rules' packet counters (deterministic
	// traffic only: pings and single datagrams, no TCP).
	counters bool
	extra    [][]string // more ovs-appctl commands to record
}

func TestConntrackScenarios(t *testing.T) {
	t.Parallel()
	l := newCTLab(t)
	for _, sc := range ctScenarios {
		t.Run(sc.name, func(t *testing.T) { l.run(t, sc) })
	}
	t.Run("timeout-policy", l.timeoutPolicy)
}

var ctScenarios = []ctScenario{{
	// Two zones on the way out, the second one on the way back.
	name: "zones",
	flows: []string{
		"table=0,priority=100,in_port=1,ip,actions=ct(commit,zone=1),ct(commit,zone=2),output:2",
		"table=0,priority=100,in_port=2,ip,ct_state=-trk,actions=ct(zone=2,table=1)",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,ct_zone=2,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctAddr2, 3, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
		l.udp(l.ns1, ctAddr2, 9000)
	},
	counters: true,
}, {
	name: "mark-label",
	flows: []string{
		"table=0,priority=100,in_port=1,ip,actions=ct(commit,exec(set_field:1->ct_mark,set_field:0xabcdef->ct_label)),output:2",
		"table=0,priority=100,in_port=2,ip,ct_state=-trk,actions=ct(table=1)",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,ct_mark=1,ct_label=0xabcdef,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctAddr2, 3, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
	},
	counters: true,
}, {
	// Stateful firewall with ICMP errors let back as related.
	name: "icmp-related",
	flows: []string{
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1)",
		"table=1,priority=100,in_port=1,ip,ct_state=+trk+new,actions=ct(commit),output:2",
		"table=1,priority=100,in_port=1,ip,ct_state=+trk+est,actions=output:2",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,actions=output:1",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+rel,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctAddr2, 3, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
		// Nothing listens: ns2 answers port unreachable.
		l.udp(l.ns1, ctAddr2, 9999)
		// Not admitted from ns2.
		if r := l.ping(l.ns2, ctAddr1, 1, 56); r.code == 0 {
			t.Errorf("ping ns2 -> ns1 got through: %s", r)
		}
	},
	counters: true,
}, {
	name: "snat",
	flows: []string{
		"table=0,priority=100,in_port=1,ip,actions=ct(commit,nat(src=" + ctSNATAddr + ":" + ctSNATPorts + ")),output:2",
		"table=0,priority=100,in_port=2,ip,ct_state=-trk,actions=ct(nat,table=1)",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctAddr2, 2, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
		// Fragmented both ways: translated after reassembly.
		if r := l.ping(l.ns1, ctAddr2, 1, 3000); r.code != 0 {
			t.Errorf("ping -s 3000: %s", r)
		}
		l.tcp(t, ctAddr2, 8000, 8000, false)
	},
	extra: [][]string{{"dpctl/ipf-get-status"}},
}, {
	name: "dnat",
	flows: []string{
		"table=0,priority=100,in_port=1,tcp,nw_dst=" + ctVIP + ",tp_dst=80,actions=ct(commit,nat(dst=" + ctAddr2 + ":8000-8000)),output:2",
		"table=0,priority=100,in_port=1,icmp,nw_dst=" + ctVIP + ",actions=ct(commit,nat(dst=" + ctAddr2 + ")),output:2",
		"table=0,priority=100,in_port=2,ip,ct_state=-trk,actions=ct(nat,table=1)",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctVIP, 2, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
		l.tcp(t, ctVIP, 80, 8000, false)
	},
}, {
	// The firewall for IPv6, with fragmented echoes.
	name: "ipv6",
	flows: []string{
		"table=0,priority=100,ipv6,ct_state=-trk,actions=ct(table=1)",
		"table=1,priority=100,in_port=1,ipv6,ct_state=+trk+new,actions=ct(commit),output:2",
		"table=1,priority=100,in_port=1,ipv6,ct_state=+trk+est,actions=output:2",
		"table=1,priority=100,in_port=2,ipv6,ct_state=+trk+est,actions=output:1",
		"table=1,priority=1,actions=drop",
	},
	traffic: func(t *testing.T, l *ctLab) {
		if r := l.ping(l.ns1, ctAddr62, 2, 56); r.code != 0 {
			t.Errorf("ping6: %s", r)
		}
		if r := l.ping(l.ns1, ctAddr62, 2, 3000); r.code != 0 {
			t.Errorf("ping6 -s 3000: %s", r)
		}
		l.tcp(t, ctAddr62, 8000, 8000, true)
	},
	extra: [][]string{{"dpctl/ipf-get-status"}},
}}

// run replaces the flow table, empties the connection table, sends the
// traffic and records what the scenario checks.
func (l *ctLab) run(t *testing.T, sc ctScenario) {
	e := l.e
	saved := e.t
	e.t = t
	defer func() { e.t = saved }()

	flows := e.path(sc.name + ".flows")
	if err := os.WriteFile(flows, []byte(strings.Join(sc.flows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)
	// Datapath flows of the previous scenario would otherwise serve the
	// first packets until revalidation catches up.
	e.must("ovs-appctl", "revalidator/purge")
	e.must("ovs-appctl", "dpctl/flush-conntrack")
	sc.traffic(t, l)
	if sc.counters {
		settleCounters(e)
	}

	e.eventuallyGolden(filepath.Join("conntrack", sc.name+".txt"), func() string {
		var b strings.Builder
		b.WriteString("### dpctl/dump-conntrack\n")
		b.WriteString(normalizeCT(e.appctl("dpctl/dump-conntrack").stdout))
		if sc.counters {
			b.WriteString("### ovs-ofctl dump-flows br0\n")
			b.WriteString(ruleCounters(e))
		}
		b.WriteString(appctlTranscript(e, sc.extra))
		return b.String()
	})
}

var (
	ctActionRE      = regexp.MustCompile(`\bct\([^()]*\)`)
	ctTimeoutNumRE  = regexp.MustCompile(`timeout=(\d+)`)
	timeoutPolicyTP = []string{"udp_first=40", "udp_single=40", "udp_multiple=40", "icmp_first=20", "icmp_reply=20"}
)

// timeoutPolicy gives zone 5 a timeout policy through the database
// (Open_vSwitch.datapaths -> Datapath.ct_zones -> CT_Timeout_Policy, with
// ovs-vsctl add-zone-tp as OVS's "conntrack - zone-based timeout policy"
// test does), checks the connections' timers and the datapath's ct()
// actions, then removes it again.
func (l *ctLab) timeoutPolicy(t *testing.T) {
	e := l.e
	saved := e.t
	e.t = t
	defer func() { e.t = saved }()

	flows := e.path("tp.flows")
	if err := os.WriteFile(flows, []byte(strings.Join([]string{
		"table=0,priority=100,in_port=1,ip,actions=ct(commit,zone=5),output:2",
		"table=0,priority=100,in_port=2,ip,ct_state=-trk,actions=ct(zone=5,table=1)",
		"table=1,priority=100,in_port=2,ip,ct_state=+trk+est,actions=output:1",
		"table=1,priority=1,actions=drop",
	}, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)
	e.must("ovs-appctl", "revalidator/purge")
	e.mustVsctl("--", "--id=@m", "create", "Datapath", "datapath_version=0",
		"--", "set", "Open_vSwitch", ".", "datapaths:netdev=@m")
	// The switch fills in the new Datapath row's capabilities.
	e.eventuallyGolden(filepath.Join("conntrack", "dp-cap.txt"), func() string {
		return e.must("ovs-vsctl", "list-dp-cap", "netdev")
	})
	e.mustVsctl(append([]string{"add-zone-tp", "netdev", "zone=5"}, timeoutPolicyTP...)...)

	record := func(golden string) {
		e.must("ovs-appctl", "dpctl/flush-conntrack")
		if r := l.ping(l.ns1, ctAddr2, 1, 56); r.code != 0 {
			t.Errorf("ping: %s", r)
		}
		l.udp(l.ns1, ctAddr2, 9000)
		e.eventuallyGolden(filepath.Join("conntrack", golden), func() string {
			var b strings.Builder
			b.WriteString("### ovs-vsctl list-zone-tp netdev\n")
			b.WriteString(e.must("ovs-vsctl", "list-zone-tp", "netdev"))
			b.WriteString("### dpctl/dump-conntrack -s (timeouts rounded up to tens)\n")
			ct := e.appctl("dpctl/dump-conntrack", "-s").stdout
			ct = ctTimeoutNumRE.ReplaceAllStringFunc(ct, func(m string) string {
				n, _ := strconv.Atoi(strings.TrimPrefix(m, "timeout="))
				return fmt.Sprintf("timeout~%d", (n+9)/10*10)
			})
			b.WriteString(normalizeCT(ct))
			b.WriteString("### ct() actions in dpctl/dump-flows\n")
			seen := map[string]bool{}
			for _, a := range ctActionRE.FindAllString(e.appctl("dpctl/dump-flows").stdout, -1) {
				seen[a] = true
			}
			var acts []string
			for a := range seen {
				acts = append(acts, a)
			}
			sort.Strings(acts)
			for _, a := range acts {
				b.WriteString(a + "\n")
			}
			return b.String()
		})
	}
	record("timeout-policy.txt")
	e.mustVsctl("del-zone-tp", "netdev", "zone=5")
	record("timeout-policy-deleted.txt")
}
