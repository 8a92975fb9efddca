package tests

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Reliability scenarios (issue 8): the switch keeps forwarding through
// faults of what surrounds it, and honours OVS's restart protocol.

// pingInterval is the spacing of the streams below, in seconds as ping
// takes it; a lost reply stands for this much forwarding gap.
const (
	pingInterval   = "0.05"
	pingIntervalMs = 50
)

// pingStream is a "ping -i 0.05" running in a host namespace, counting
// the replies as they arrive.
type pingStream struct {
	t       *testing.T
	cmd     *exec.Cmd
	mu      sync.Mutex
	cond    *sync.Cond
	replies int
	summary string // ping's statistics line, once it ended
	done    bool
}

// startPing sends count echo requests from ns to addr, one every
// pingInterval, and returns at once.
func (h *hosts) startPing(ns, addr string, count int) *pingStream {
	h.e.t.Helper()
	ps := &pingStream{t: h.e.t}
	ps.cond = sync.NewCond(&ps.mu)
	ps.cmd = exec.Command("ip", "netns", "exec", ns, "ping", "-n", "-c", strconv.Itoa(count),
		"-i", pingInterval, "-W", "1", addr)
	out, err := ps.cmd.StdoutPipe()
	if err != nil {
		h.e.t.Fatal(err)
	}
	if err := ps.cmd.Start(); err != nil {
		h.e.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			ps.mu.Lock()
			switch {
			case strings.Contains(line, "bytes from"):
				ps.replies++
			case strings.Contains(line, "packets transmitted"):
				ps.summary = line
			}
			ps.cond.Broadcast()
			ps.mu.Unlock()
		}
		ps.cmd.Wait()
		ps.mu.Lock()
		ps.done = true
		ps.cond.Broadcast()
		ps.mu.Unlock()
	}()
	h.e.t.Cleanup(func() { ps.cmd.Process.Kill(); ps.wait() })
	return ps
}

// waitReplies blocks until n more replies than now have arrived (or ping
// ended) and reports whether they did.
func (ps *pingStream) waitReplies(n int) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	want := ps.replies + n
	for ps.replies < want && !ps.done {
		ps.cond.Wait()
	}
	return ps.replies >= want
}

var pingSummaryRE = regexp.MustCompile(`^(\d+) packets transmitted, (\d+) received`)

// wait waits for ping to finish and returns how many requests it sent
// and how many replies came back.
func (ps *pingStream) wait() (sent, received int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for !ps.done {
		ps.cond.Wait()
	}
	m := pingSummaryRE.FindStringSubmatch(ps.summary)
	if m == nil {
		return 0, ps.replies
	}
	sent, _ = strconv.Atoi(m[1])
	received, _ = strconv.Atoi(m[2])
	return sent, received
}

// ofFlowStatsRE matches the parts of a dump-flows line that move with time
// and traffic.
var ofFlowStatsRE = regexp.MustCompile(` (duration|n_packets|n_bytes|idle_age|hard_age)=[^ ,]+,?`)

// ofFlows is "ovs-ofctl dump-flows" without counters.
func (e *env) ofFlows(br string) string {
	e.t.Helper()
	return ofFlowStatsRE.ReplaceAllString(e.must("ovs-ofctl", "dump-flows", br), "")
}

// loadFlows replaces br's flows with flows through "ovs-ofctl add-flows".
func (e *env) loadFlows(br string, flows []string) {
	e.t.Helper()
	path := filepath.Join(e.dir, br+"-"+randomHex(3)+".flows")
	if err := os.WriteFile(path, []byte(strings.Join(flows, "\n")+"\n"), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", br)
	e.must("ovs-ofctl", "add-flows", br, path)
}

// TestDatabaseOutageKeepsForwarding kills ovsdb-server while a ping
// stream crosses a conntrack firewall: no reply may be lost (ovs-vswitchd
// 3.1 stops forwarding here), the OpenFlow table and the connection stay,
// and once the database is back the daemon resyncs and applies changes.
func TestDatabaseOutageKeepsForwarding(t *testing.T) {
	t.Parallel()
	if *realOVS {
		t.Skip("ovs-vswitchd 3.1 stops forwarding without its database")
	}
	e, h := startForwardingSwitch(t)
	e.loadFlows("br0", firewallFlows)
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping through the firewall before the outage: %s", r)
	}
	flows := e.ofFlows("br0")
	const count = 400 // 20 s at most
	ps := h.startPing(h.ns1, "10.0.0.2", count)
	if !ps.waitReplies(20) {
		t.Fatal("ping stream did not start")
	}
	// Two ICMP connections: the first ping's and the stream's.
	ct := e.conntrackSorted()
	if n := strings.Count(ct, "icmp,"); n != 2 {
		t.Fatalf("conntrack before the outage:\n%s", ct)
	}

	e.stopOVSDB()
	// The daemon serves OpenFlow and its control socket without the
	// database, and traffic keeps flowing meanwhile.
	if !ps.waitReplies(60) {
		t.Error("ping stream stopped while the database was down")
	}
	if got := e.ofFlows("br0"); got != flows {
		t.Errorf("flows during the outage:\n%s\nwant\n%s", got, flows)
	}
	if got := e.conntrackSorted(); got != ct {
		t.Errorf("conntrack during the outage:\n%swant\n%s", got, ct)
	}

	e.startOVSDB()
	// ovs-vsctl waits until the daemon applied the change: it reconnected.
	e.addVeth("p3", "p3peer")
	e.mustVsctl("add-port", "br0", "p3", "--", "set", "interface", "p3", "ofport_request=3")
	if !ps.waitReplies(20) {
		t.Error("ping stream stopped after the database came back")
	}
	sent, received := ps.wait()
	if sent != count || received != sent {
		t.Errorf("ping across the outage: %d sent, %d received: a gap of about %d ms",
			sent, received, (sent-received)*pingIntervalMs)
	}
	t.Logf("ping across the database outage: %d sent, %d received (gap %d ms)",
		sent, received, (sent-received)*pingIntervalMs)

	if got := e.ofFlows("br0"); got != flows {
		t.Errorf("flows after the outage:\n%s\nwant\n%s", got, flows)
	}
	if got := e.conntrackSorted(); got != ct {
		t.Errorf("conntrack after the outage:\n%swant\n%s", got, ct)
	}
	ports := portNamesRE.FindAllString(e.must("ovs-ofctl", "show", "br0"), -1)
	if got, want := strings.Join(ports, " "), "1(p1) 2(p2) 3(p3) LOCAL(br0)"; got != want {
		t.Errorf("ports after the change made once the database was back: %s, want %s", got, want)
	}
}

// conntrackSorted is dpctl/dump-conntrack with its lines sorted.
func (e *env) conntrackSorted() string {
	e.t.Helper()
	lines := strings.SplitAfter(e.must("ovs-appctl", "dpctl/dump-conntrack"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "")
}

var portNamesRE = regexp.MustCompile(`(\d+|LOCAL)\([^)]+\)`)

// connCounter is a stand-in controller on a unix socket: it accepts
// connections, reads and discards what they send, and counts them.
type connCounter struct {
	ln       net.Listener
	mu       sync.Mutex
	accepted int
}

func startConnCounter(t *testing.T, path string) *connCounter {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	c := &connCounter{ln: ln}
	var wg sync.WaitGroup
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.accepted++
			conns = append(conns, conn)
			c.mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); io.Copy(io.Discard, conn) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		c.mu.Lock()
		for _, conn := range conns {
			conn.Close()
		}
		c.mu.Unlock()
		wg.Wait()
	})
	return c
}

func (c *connCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accepted
}

// rxCount is a device's receive counter in a host namespace.
func (h *hosts) rxCount(ns, dev string) string {
	h.e.t.Helper()
	r := h.in(ns, "cat", "/sys/class/net/"+dev+"/statistics/rx_packets")
	if r.code != 0 {
		h.e.t.Fatalf("rx_packets of %s in %s: %s", dev, ns, r)
	}
	return strings.TrimSpace(r.stdout)
}

// TestFlowRestoreWait restarts the switch the way ovs-ctl does with
// ovs-save: flows saved, flow-restore-wait set, daemon started, flows
// restored, the key removed. Until then nothing is forwarded, no datapath
// flow is installed and the controller is not contacted; after, the
// restored firewall forwards. A ping stream runs across the restart and
// the gap is reported.
func TestFlowRestoreWait(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := newHosts(t, e)
	if *realOVS {
		// Observed with ovs-vswitchd 3.1 here: it honours the wait, but
		// after the key is removed it does not forward on these ports.
		t.Skip("ovs-vswitchd 3.1 does not forward after the restore in this setup")
	}
	// The switch's side of the veths must not send anything of its own
	// (IPv6 neighbour discovery) to the hosts, so that what they receive
	// is only what the switch forwarded.
	e.inNS("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
	ctl := startConnCounter(t, e.path("ctl.sock"))
	pid := e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail_mode=secure",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2",
		"--", "set-controller", "br0", "unix:"+e.path("ctl.sock"))
	e.loadFlows("br0", firewallFlows)
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping through the firewall before the restart: %s", r)
	}
	flows := e.ofFlows("br0")
	e.waitFor("the controller connection", func() bool { return ctl.count() > 0 })
	ps := h.startPing(h.ns1, "10.0.0.2", 600)
	if !ps.waitReplies(10) {
		t.Fatal("ping stream did not start")
	}

	// ovs-ctl restart: save the flows, stop, set the key, start.
	save := e.command("sh", "/usr/share/openvswitch/scripts/ovs-save", "save-flows", "br0")
	save.Env = append(save.Env, "TMPDIR="+e.dir)
	restore, err := save.Output()
	if err != nil {
		t.Fatalf("ovs-save save-flows br0: %v", err)
	}
	restorePath := e.path("restore.sh")
	if err := os.WriteFile(restorePath, restore, 0o755); err != nil {
		t.Fatal(err)
	}
	e.stopDaemon(pid)
	e.must("ovs-vsctl", "--no-wait", "set", "Open_vSwitch", ".", "other_config:flow-restore-wait=true")
	pid = e.startDaemon()
	connects := ctl.count()
	e.must("sh", restorePath)
	if got := e.ofFlows("br0"); got != flows {
		t.Errorf("flows restored:\n%s\nwant\n%s", got, flows)
	}

	// Nothing passes, nothing is cached, the controller is left alone.
	rx := h.rxCount(h.ns2, "p2peer")
	if r := h.in(h.ns1, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.0.0.2"); r.code == 0 {
		t.Errorf("ping passed while flow-restore-wait was set: %s", r)
	}
	if got := h.rxCount(h.ns2, "p2peer"); got != rx {
		t.Errorf("ns2 received %s packets before flow-restore-wait was cleared, had %s", got, rx)
	}
	expect(t, "dpctl/dump-flows while waiting", e.appctl("dpctl/dump-flows"), result{})
	if n := ctl.count(); n != connects {
		t.Errorf("%d controller connections while flow-restore-wait was set", n-connects)
	}

	// ovs-ctl's last step.
	e.mustVsctl("--if-exists", "remove", "Open_vSwitch", ".", "other_config", "flow-restore-wait")
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Errorf("ping through the restored firewall: %s", r)
	}
	e.waitFor("the controller connection after the restore", func() bool { return ctl.count() > connects })
	if !ps.waitReplies(10) {
		t.Error("ping stream did not resume")
	}
	ps.cmd.Process.Signal(syscall.SIGINT) // ping prints its statistics
	sent, received := ps.wait()
	t.Logf("ping across the restart: %d sent, %d received: a gap of about %d ms",
		sent, received, (sent-received)*pingIntervalMs)

	// The key is read only until it is first false, as in OVS.
	e.mustVsctl("set", "Open_vSwitch", ".", "other_config:flow-restore-wait=true")
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Errorf("ping after flow-restore-wait was set again: %s", r)
	}
	e.stopDaemon(pid)
}
