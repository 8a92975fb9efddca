package tests

import (
	"bytes"
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

// hosts are two network namespaces, ns1 (10.0.0.1) and ns2 (10.0.0.2),
// each joined by a veth pair to a system port of govswitchd's bridge br0:
// ns1 on OpenFlow port 1, ns2 on port 2.
type hosts struct {
	e        *env
	ns1, ns2 string
}

func newHosts(t *testing.T, e *env) *hosts {
	t.Helper()
	for _, tool := range []string{"ethtool", "ping", "nc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (run scripts/install-deps.sh)", tool)
		}
	}
	h := &hosts{e: e, ns1: "gswh1-" + randomHex(3), ns2: "gswh2-" + randomHex(3)}
	for _, ns := range []string{h.ns1, h.ns2} {
		if r := e.run("ip", "netns", "add", ns); r.code != 0 {
			t.Fatalf("ip netns add %s: %s", ns, r)
		}
		t.Cleanup(func() { deleteNetns(ns) })
	}
	e.disableIPv6()
	for i, ns := range []string{h.ns1, h.ns2} {
		port, peer := fmt.Sprintf("p%d", i+1), fmt.Sprintf("p%dpeer", i+1)
		for _, args := range [][]string{
			{"link", "add", port, "address", fmt.Sprintf("02:00:00:00:00:0%d", i+1), "type", "veth",
				"peer", "name", peer, "address", fmt.Sprintf("02:00:00:00:01:0%d", i+1)},
			{"link", "set", port, "up"},
			{"link", "set", peer, "netns", ns},
		} {
			if r := e.inNS("ip", args...); r.code != 0 {
				t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
			}
		}
		for _, args := range [][]string{
			{"ip", "addr", "add", fmt.Sprintf("10.0.0.%d/24", i+1), "dev", peer},
			{"ip", "link", "set", peer, "up"},
			{"ip", "link", "set", "lo", "up"},
			// The datapath does not fill in checksums the peer left to
			// offload.
			{"ethtool", "-K", peer, "tx", "off"},
			{"sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"},
		} {
			if r := h.in(ns, args...); r.code != 0 {
				t.Fatalf("%s: %s", strings.Join(args, " "), r)
			}
		}
	}
	return h
}

// deleteNetns kills what runs in a namespace and deletes it.
func deleteNetns(ns string) {
	if out, err := exec.Command("ip", "netns", "pids", ns).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil {
				killAndWait(pid)
			}
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
}

// in runs a command in host namespace ns.
func (h *hosts) in(ns string, args ...string) result {
	h.e.t.Helper()
	return h.e.run("ip", append([]string{"netns", "exec", ns}, args...)...)
}

// ping sends three echo requests from ns to addr; it reports whether all
// were answered.
func (h *hosts) ping(ns, addr string) result {
	h.e.t.Helper()
	return h.in(ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", addr)
}

// listen starts "nc -l port" in ns, writing what it receives to a file;
// the returned function waits for it and returns that text.
func (h *hosts) listen(ns string, port int) func() string {
	h.e.t.Helper()
	out := filepath.Join(h.e.dir, fmt.Sprintf("nc-%s-%d.out", ns, port))
	f, err := os.Create(out)
	if err != nil {
		h.e.t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, "nc", "-l", strconv.Itoa(port))
	cmd.Stdout = f
	if err := cmd.Start(); err != nil {
		h.e.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	h.e.t.Cleanup(func() { cmd.Process.Kill(); <-done })
	// Wait until it listens, so the client does not race it.
	h.e.waitFor("nc to listen", func() bool {
		r := h.in(ns, "ss", "-ltnH", fmt.Sprintf("sport = :%d", port))
		return strings.Contains(r.stdout, "LISTEN")
	})
	return func() string {
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			h.e.t.Errorf("nc -l %d in %s did not finish", port, ns)
			cmd.Process.Kill()
			<-done
		}
		b, _ := os.ReadFile(out)
		return string(b)
	}
}

// send connects from ns to addr:port, sends text and closes.
func (h *hosts) send(ns, addr string, port int, text string) result {
	h.e.t.Helper()
	return h.sendBytes(ns, addr, port, []byte(text))
}

// sendBytes connects from ns to addr:port, sends data and closes.
func (h *hosts) sendBytes(ns, addr string, port int, data []byte) result {
	h.e.t.Helper()
	cmd := h.e.command("ip", "netns", "exec", ns, "nc", "-N", "-w", "3", addr, strconv.Itoa(port))
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return result{stdout: string(out), code: code}
}

func startForwardingSwitch(t *testing.T) (*env, *hosts) {
	t.Helper()
	e := newEnv(t)
	h := newHosts(t, e)
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2")
	return e, h
}

func TestForwardingNormal(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping through NORMAL: %s", r)
	}
	got := h.listen(h.ns2, 8000)
	if r := h.send(h.ns1, "10.0.0.2", 8000, "hello\n"); r.code != 0 {
		t.Fatalf("nc through NORMAL: %s", r)
	}
	if s := got(); s != "hello\n" {
		t.Errorf("ns2 received %q", s)
	}
	// NORMAL learned both hosts (the peers' MACs) on their ports.
	r := e.appctl("fdb/show", "br0")
	got2 := fdbAgeRE.ReplaceAllString(r.stdout, "${1}<age>")
	want := " port  VLAN  MAC                Age\n" +
		"    1     0  02:00:00:00:01:01    <age>\n" +
		"    2     0  02:00:00:00:01:02    <age>\n"
	if r.code != 0 || sortedLines(got2) != sortedLines(want) {
		t.Errorf("fdb/show br0:\n%s\nwant\n%s", r, want)
	}
}

var fdbAgeRE = regexp.MustCompile(`(?m)(:[0-9a-f]{2}  +)\d+$`)

// sortedLines sorts the lines of s after the first (a header).
func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > 1 {
		sort.Strings(lines[1:])
	}
	return strings.Join(lines, "\n")
}

// firewallFlows admit connections from port 1 to port 2 and their
// replies, nothing started from port 2.
var firewallFlows = []string{
	"table=0,priority=100,ip,ct_state=-trk,actions=ct(table=1)",
	"table=0,priority=10,arp,in_port=1,actions=output:2",
	"table=0,priority=10,arp,in_port=2,actions=output:1",
	"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit),output:2",
	"table=1,in_port=1,ip,ct_state=+trk+est,actions=output:2",
	"table=1,in_port=2,ip,ct_state=+trk+est,actions=output:1",
}

var (
	ctIDRE    = regexp.MustCompile(`id=\d+`)
	ctSportRE = regexp.MustCompile(`sport=\d+`)
	ctDportRE = regexp.MustCompile(`(src=10\.0\.0\.2,dst=10\.0\.0\.1,sport=\d+,)dport=\d+`)
	nPktRE    = regexp.MustCompile(`n_packets=(\d+)`)
	dpPktRE   = regexp.MustCompile(`packets:(\d+)`)
)

// normalizeConntrack hides what differs between runs: ICMP ids and the
// client's ephemeral port.
func normalizeConntrack(s string) string {
	s = ctDportRE.ReplaceAllString(s, "${1}dport=<port>")
	s = ctSportRE.ReplaceAllStringFunc(s, func(m string) string {
		if m == "sport=8000" {
			return m
		}
		return "sport=<port>"
	})
	s = ctIDRE.ReplaceAllString(s, "id=<id>")
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func TestForwardingStatefulFirewall(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	flows := filepath.Join(e.dir, "firewall.flows")
	if err := os.WriteFile(flows, []byte(strings.Join(firewallFlows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)

	// The pipeline as ofproto/trace shows it (p2 is datapath port 3,
	// after br0 and p1).
	expect(t, "ofproto/trace", e.appctl("ofproto/trace", "br0", "in_port=1,arp,arp_spa=10.0.0.1"), result{stdout: `Flow: arp,in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,arp_spa=10.0.0.1,arp_tpa=0.0.0.0,arp_op=0,arp_sha=00:00:00:00:00:00,arp_tha=00:00:00:00:00:00

bridge("br0")
-------------
 0. arp,in_port=1, priority 10
    output:2

Final flow: unchanged
Megaflow: recirc_id=0,ct_state=-trk,eth,arp,in_port=1
Datapath actions: 3
`})

	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping ns1 -> ns2 through the firewall: %s", r)
	}
	got := h.listen(h.ns2, 8000)
	if r := h.send(h.ns1, "10.0.0.2", 8000, "hello\n"); r.code != 0 {
		t.Fatalf("nc ns1 -> ns2 through the firewall: %s", r)
	}
	if s := got(); s != "hello\n" {
		t.Errorf("ns2 received %q", s)
	}

	ct := e.appctl("dpctl/dump-conntrack")
	if ct.code != 0 {
		t.Fatalf("dpctl/dump-conntrack: %s", ct)
	}
	wantCT := "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=<id>,type=8,code=0),reply=(src=10.0.0.2,dst=10.0.0.1,id=<id>,type=0,code=0)\n" +
		"tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=<port>,dport=8000),reply=(src=10.0.0.2,dst=10.0.0.1,sport=8000,dport=<port>),protoinfo=(state=TIME_WAIT)\n"
	if g := normalizeConntrack(ct.stdout); g != wantCT {
		t.Errorf("dpctl/dump-conntrack:\ngot\n%swant\n%s", g, wantCT)
	}

	// Every IP packet went through ct(table=1) once and then matched one
	// rule of table 1. As in OVS, a rule counts what its datapath flows
	// counted, once a revalidation round credited it, plus the packet
	// whose upcall installed each flow (a flow does not count that one).
	var dump string
	e.waitFor("rule counters to add up", func() bool {
		dump = e.must("ovs-ofctl", "dump-flows", "br0")
		of := map[string]int{}
		for _, line := range strings.Split(dump, "\n") {
			m := nPktRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			v, _ := strconv.Atoi(m[1])
			switch {
			case strings.Contains(line, "ct_state=-trk"):
				of["ct"] += v
			case strings.Contains(line, "table=1"):
				of["t1"] += v
			case strings.Contains(line, "arp"):
				of["arp"] += v
			}
		}
		dp := map[string]int{}
		for _, line := range strings.Split(e.appctl("dpctl/dump-flows").stdout, "\n") {
			m := dpPktRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			v, _ := strconv.Atoi(m[1])
			cat := ""
			switch {
			case strings.Contains(line, "recirc_id(0),") && strings.Contains(line, "eth_type(0x0800)"):
				cat = "ct"
			case strings.Contains(line, "eth_type(0x0806)"):
				cat = "arp"
			case !strings.HasSuffix(line, "actions:drop"):
				cat = "t1"
			default:
				continue
			}
			dp[cat] += v + 1 // + the upcalled packet
		}
		// 3 pings and replies, and at least a TCP handshake and close.
		return of["ct"] >= 6+6 && of["ct"] == of["t1"] && of["ct"] == dp["ct"] && of["t1"] == dp["t1"] &&
			of["arp"] > 0 && of["arp"] == dp["arp"]
	})
	t.Logf("dump-flows after the allowed traffic:\n%s", dump)

	// A connection started from ns2 is dropped.
	h.listen(h.ns1, 8001)
	if r := h.send(h.ns2, "10.0.0.1", 8001, "blocked\n"); r.code == 0 {
		t.Errorf("nc ns2 -> ns1 got through the firewall: %s", r)
	}
	if r := h.in(h.ns2, "ping", "-c", "1", "-W", "1", "10.0.0.1"); r.code == 0 {
		t.Errorf("ping ns2 -> ns1 got through the firewall: %s", r)
	}
	t.Logf("datapath flows:\n%s", e.appctl("dpctl/dump-flows").stdout)
	t.Logf("conntrack:\n%s", e.appctl("dpctl/dump-conntrack").stdout)

	// OpenFlow flushes act on the datapath's tracker: another zone's
	// flush keeps the connections, ct-flush empties it.
	e.must("ovs-ofctl", "ct-flush-zone", "br0", "1")
	if ct := e.appctl("dpctl/dump-conntrack"); ct.code != 0 || ct.stdout == "" {
		t.Errorf("dpctl/dump-conntrack after ct-flush-zone of zone 1: %s", ct)
	}
	e.must("ovs-ofctl", "ct-flush", "br0")
	expect(t, "dpctl/dump-conntrack after ct-flush", e.appctl("dpctl/dump-conntrack"), result{})
}

func TestForwardingPacketIn(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flow", "br0", "in_port=1,arp,actions=controller(max_len=30)")
	arp := "arp,vlan_tci=0x0000,dl_src=<mac>,dl_dst=<mac>,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_op=1,arp_sha=<mac>,arp_tha=<mac>\n"
	for _, c := range []struct {
		opts []string
		want string
	}{
		{nil, "NXST_FLOW_MONITOR reply (xid=0x9):\n event=ADDED table=0 cookie=0 arp,in_port=1 actions=CONTROLLER:30\n" +
			"NXT_PACKET_IN2 (xid=0x0): cookie=0x0 total_len=42 in_port=1 (via action) data_len=42 (unbuffered)\n" + arp},
		{[]string{"-P", "standard"}, "NXST_FLOW_MONITOR reply (xid=0x9):\n event=ADDED table=0 cookie=0 arp,in_port=1 actions=CONTROLLER:30\n" +
			"OFPT_PACKET_IN (xid=0x0): total_len=42 in_port=1 (via action) data_len=42 (unbuffered)\n" + arp},
		{[]string{"-P", "nxt_packet_in"}, "NXST_FLOW_MONITOR reply (xid=0x9):\n event=ADDED table=0 cookie=0 arp,in_port=1 actions=CONTROLLER:30\n" +
			"NXT_PACKET_IN (xid=0x0): cookie=0x0 total_len=42 in_port=1 (via action) data_len=42 (unbuffered)\n" + arp},
		{[]string{"-O", "OpenFlow13", "-P", "standard"}, "ONFST_FLOW_MONITOR reply (OF1.3) (xid=0x9):\n event=ADDED table=0 cookie=0 arp,in_port=1 actions=CONTROLLER:30\n" +
			"OFPT_PACKET_IN (OF1.3) (xid=0x0): cookie=0x0 total_len=42 in_port=1 (via action) data_len=42 (unbuffered)\n" + arp},
	} {
		mon := e.startMonitor(ofMode{opts: c.opts}, "monitor", "br0", "65534", "watch:")
		// The ARP request for 10.0.0.2 goes to the controller instead.
		h.in(h.ns1, "ip", "neigh", "flush", "all")
		h.in(h.ns1, "ping", "-c", "1", "-W", "1", "10.0.0.2")
		got := mon.stop(func(s string) bool { return strings.Contains(s, "PACKET_IN") })
		got = macRE.ReplaceAllString(got, "<mac>")
		// The kernel may ask again; the first packet-in is enough.
		if i := strings.Index(got, arp); i >= 0 {
			got = got[:i+len(arp)]
		}
		if got != c.want {
			t.Errorf("ovs-ofctl %q monitor:\n%s\nwant\n%s", c.opts, got, c.want)
		}
	}

	// With no flows, an OpenFlow 1.0 connection gets table misses.
	e.must("ovs-ofctl", "del-flows", "br0")
	// Megaflows follow flow changes within a revalidation round.
	e.waitFor("the controller megaflow to go", func() bool {
		return !strings.Contains(e.appctl("dpctl/dump-flows").stdout, "controller(reason=1")
	})
	mon := e.startMonitor(ofMode{}, "monitor", "br0", "65534", "watch:")
	h.in(h.ns1, "ip", "neigh", "flush", "all")
	h.in(h.ns1, "ping", "-c", "1", "-W", "1", "10.0.0.2")
	got := macRE.ReplaceAllString(mon.stop(func(s string) bool { return strings.Contains(s, "PACKET_IN") }), "<mac>")
	want := "NXST_FLOW_MONITOR reply (xid=0x9):\n" +
		"NXT_PACKET_IN2 (xid=0x0): cookie=0x0 total_len=42 in_port=1 (via no_match) data_len=42 (unbuffered)\n" + arp
	if i := strings.Index(got, arp); i >= 0 {
		got = got[:i+len(arp)]
	}
	if got != want {
		t.Errorf("table miss packet-in:\n%s\nwant\n%s", got, want)
	}
}
