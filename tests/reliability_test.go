package tests

import (
	"bufio"
	"fmt"
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
	"time"
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
	ctl := startController(t, e.path("ctl.sock"))
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
	e.waitFor("the controller connection", func() bool { return ctl.connections() > 0 })
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
	connects := ctl.connections()
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
	if n := ctl.connections(); n != connects {
		t.Errorf("%d controller connections while flow-restore-wait was set", n-connects)
	}

	// ovs-ctl's last step.
	e.mustVsctl("--if-exists", "remove", "Open_vSwitch", ".", "other_config", "flow-restore-wait")
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Errorf("ping through the restored firewall: %s", r)
	}
	e.waitFor("the controller connection after the restore", func() bool { return ctl.connections() > connects })
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

// TestFlowTableLimits checks Flow_Table's flow_limit, overflow_policy and
// groups on table 0: a full table refuses adds (OFPFMFC_TABLE_FULL)
// unless it may evict, only rules with a timeout are evicted, the one
// that expires first goes first, from the largest eviction group, and
// lowering the limit evicts the excess. The expectations are ovs-vswitchd
// 3.1's (-real-ovs).
func TestFlowTableLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	e.must("ovs-ofctl", "del-flows", "br0")
	e.mustVsctl("--", "--id=@ft", "create", "Flow_Table", "flow_limit=2", "overflow_policy=refuse",
		"--", "set", "Bridge", "br0", "flow_tables:0=@ft")
	add := func(flow string) result { return e.run("ovs-ofctl", "add-flow", "br0", flow) }
	full := func(flow string) result {
		return result{code: 1, stderr: "OFPT_ERROR (xid=0x6): OFPFMFC_TABLE_FULL\nOFPT_FLOW_MOD (xid=0x6): ADD " + flow + "\n"}
	}
	flows := func(lines ...string) string {
		return "NXST_FLOW reply (xid=0x4):\n" + strings.Join(lines, "")
	}
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=1,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=2,actions=drop")
	expect(t, "add to a full table", add("priority=1,in_port=3,actions=drop"), full("priority=1,in_port=3 actions=drop"))
	// Replacing an existing rule needs no room.
	expect(t, "replace in a full table", add("priority=1,in_port=2,actions=drop"), result{})

	// Eviction on, but permanent rules are not evictable.
	e.mustVsctl("set", "Flow_Table", ".", "overflow_policy=evict")
	expect(t, "add to a table full of permanent rules", add("priority=1,in_port=3,actions=drop"), full("priority=1,in_port=3 actions=drop"))

	// The rule that expires first makes room.
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=1,idle_timeout=100,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=2,hard_timeout=50,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=3,hard_timeout=200,actions=drop")
	want := flows(
		" cookie=0x0, table=0, idle_timeout=100, priority=1,in_port=1 actions=drop\n",
		" cookie=0x0, table=0, hard_timeout=200, priority=1,in_port=3 actions=drop\n")
	if got := e.ofFlows("br0"); got != want {
		t.Errorf("flows after an eviction:\n%s\nwant\n%s", got, want)
	}
	// A lower limit evicts at once.
	e.mustVsctl("set", "Flow_Table", ".", "flow_limit=1")
	want = flows(" cookie=0x0, table=0, hard_timeout=200, priority=1,in_port=3 actions=drop\n")
	if got := e.ofFlows("br0"); got != want {
		t.Errorf("flows after lowering the limit:\n%s\nwant\n%s", got, want)
	}

	// With groups by in_port, the victim comes from the largest group
	// even though another rule expires sooner.
	e.mustVsctl("set", "Flow_Table", ".", "flow_limit=3", `groups="NXM_OF_IN_PORT[]"`)
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=1,hard_timeout=10,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=2,in_port=1,hard_timeout=20,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=2,hard_timeout=5,actions=drop")
	e.must("ovs-ofctl", "add-flow", "br0", "priority=1,in_port=3,hard_timeout=100,actions=drop")
	want = flows(
		" cookie=0x0, table=0, hard_timeout=20, priority=2,in_port=1 actions=drop\n",
		" cookie=0x0, table=0, hard_timeout=5, priority=1,in_port=2 actions=drop\n",
		" cookie=0x0, table=0, hard_timeout=100, priority=1,in_port=3 actions=drop\n")
	if got := e.ofFlows("br0"); got != want {
		t.Errorf("flows after an eviction by groups:\n%s\nwant\n%s", got, want)
	}

	// Without the row the table is unlimited again.
	e.mustVsctl("clear", "Bridge", "br0", "flow_tables")
	expect(t, "add after the limit is gone", add("priority=1,in_port=4,actions=drop"), result{})
}

// TestDatapathFlowLimit sets other_config:flow-limit low and sends UDP to
// many ports through a table that makes each port its own megaflow: every
// packet is still forwarded, but the datapath caches no more megaflows
// than the limit, and counts the misses it kept out.
func TestDatapathFlowLimit(t *testing.T) {
	t.Parallel()
	if *realOVS {
		t.Skip("ovs-vswitchd's limit is approximate (enforced on a cached flow count)")
	}
	e, h := startForwardingSwitch(t)
	e.mustVsctl("set", "Open_vSwitch", ".", "other_config:flow-limit=3")
	e.loadFlows("br0", []string{
		"priority=10,udp,tp_dst=9,actions=drop",
		"priority=1,actions=NORMAL",
	})
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping: %s", r)
	}
	rx, _ := strconv.Atoi(h.rxCount(h.ns2, "p2peer"))
	const n = 20
	if r := h.in(h.ns1, "bash", "-c", fmt.Sprintf("for p in $(seq 2001 %d); do echo x > /dev/udp/10.0.0.2/$p; done", 2000+n)); r.code != 0 {
		t.Fatalf("sending UDP: %s", r)
	}
	e.waitFor("the UDP packets to arrive", func() bool {
		got, _ := strconv.Atoi(h.rxCount(h.ns2, "p2peer"))
		return got-rx >= n
	})
	flows := strings.Count(e.appctl("dpctl/dump-flows").stdout, "recirc_id(")
	if flows > 3 {
		t.Errorf("%d datapath flows with flow-limit=3:\n%s", flows, e.appctl("dpctl/dump-flows").stdout)
	}
	if cov := e.appctl("coverage/show").stdout; !strings.Contains(cov, "upcall_flow_limit_hit") {
		t.Errorf("coverage/show has no upcall_flow_limit_hit:\n%s", cov)
	}
}

// TestConntrackFullKeepsEstablished fills the connection table (maxconns)
// while a ping stream crosses the conntrack firewall: a new connection is
// refused (its commit fails, so its replies are not +est) and counted,
// and the established stream loses nothing.
func TestConntrackFullKeepsEstablished(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	e.loadFlows("br0", firewallFlows)
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping through the firewall: %s", r)
	}
	const count = 120
	ps := h.startPing(h.ns1, "10.0.0.2", count)
	if !ps.waitReplies(10) {
		t.Fatal("ping stream did not start")
	}
	// The first ping's connection and the stream's fill the table.
	e.must("ovs-appctl", "dpctl/ct-set-maxconns", "2")
	ct := e.conntrackSorted()
	if n := strings.Count(ct, "icmp,"); n != 2 {
		t.Fatalf("conntrack before the table is full:\n%s", ct)
	}

	h.listen(h.ns2, 8000)
	if r := h.send(h.ns1, "10.0.0.2", 8000, "refused\n"); r.code == 0 {
		t.Errorf("a new connection got through a full connection table: %s", r)
	}
	if got := e.conntrackSorted(); got != ct {
		t.Errorf("conntrack with the table full:\n%s\nwant\n%s", got, ct)
	}
	if cov := e.appctl("coverage/show").stdout; !strings.Contains(cov, "conntrack_full") {
		t.Errorf("coverage/show does not count the refusal:\n%s", cov)
	}
	sent, received := ps.wait()
	if sent != count || received != sent {
		t.Errorf("established ping stream with the table full: %d sent, %d received", sent, received)
	}
}

// testController is a minimal OpenFlow controller on a unix socket that
// admits the switch (hello, then a barrier request) and answers its echo
// requests; it can be stopped and started again to make it flap.
type testController struct {
	t        *testing.T
	path     string
	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]bool
	accepted int
	pins     int // packet-ins received
	wg       sync.WaitGroup
}

func startController(t *testing.T, path string) *testController {
	t.Helper()
	c := &testController{t: t, path: path, conns: map[net.Conn]bool{}}
	c.start()
	t.Cleanup(c.stop)
	return c
}

func (c *testController) start() {
	c.t.Helper()
	os.Remove(c.path)
	ln, err := net.Listen("unix", c.path)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.ln = ln
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.accepted++
			c.conns[conn] = true
			c.mu.Unlock()
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				serveController(conn, func() {
					c.mu.Lock()
					c.pins++
					c.mu.Unlock()
				})
				c.mu.Lock()
				delete(c.conns, conn)
				c.mu.Unlock()
			}()
		}
	}()
}

// stop closes the listener and every connection, as a crashed controller.
func (c *testController) stop() {
	c.mu.Lock()
	if c.ln != nil {
		c.ln.Close()
		c.ln = nil
	}
	for conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *testController) connections() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accepted
}

func (c *testController) packetIns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pins
}

// serveController speaks just enough OpenFlow 1.3 to be an admitted,
// live controller that leaves the flow table alone; it calls packetIn for
// each packet-in.
func serveController(conn net.Conn, packetIn func()) {
	defer conn.Close()
	conn.Write([]byte{4, 0, 0, 8, 0, 0, 0, 1})  // hello
	conn.Write([]byte{4, 20, 0, 8, 0, 0, 0, 2}) // barrier request
	hdr := make([]byte, 8)
	for {
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return
		}
		n := int(hdr[2])<<8 | int(hdr[3])
		body := make([]byte, max(n, 8)-8)
		if _, err := io.ReadFull(conn, body); err != nil {
			return
		}
		switch hdr[1] {
		case 2: // echo request
			rep := append(append([]byte(nil), hdr...), body...)
			rep[1] = 3
			conn.Write(rep)
		case 10:
			packetIn()
		}
	}
}

// logContains reports whether the daemon's log has text.
func (e *env) logContains(text string) bool {
	b, _ := os.ReadFile(e.path("ovs-vswitchd.log"))
	return strings.Contains(string(b), text)
}

// TestControllerFaults runs a ping stream through the conntrack firewall
// while the bridge's controller flaps and then stays away, in both fail
// modes. Flaps shorter than the fail-open delay (three inactivity probes,
// 15 s) change nothing: flows are kept and no packet is lost. A longer
// outage leaves a secure bridge as it was, while a standalone one fails
// open (its flows are flushed and it switches with NORMAL) until the
// controller is back.
func TestControllerFaults(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"secure", "standalone"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			e, h := startForwardingSwitch(t)
			ctl := startController(t, e.path("ctl.sock"))
			e.mustVsctl("set", "bridge", "br0", "fail_mode="+mode,
				"--", "set-controller", "br0", "unix:"+e.path("ctl.sock"))
			e.loadFlows("br0", firewallFlows)
			e.waitFor("the controller connection", func() bool { return ctl.connections() > 0 })
			if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
				t.Fatalf("ping through the firewall: %s", r)
			}
			flows := e.ofFlows("br0")

			// Flaps under traffic.
			const count = 160
			ps := h.startPing(h.ns1, "10.0.0.2", count)
			for i := 0; i < 2; i++ {
				n := ctl.connections()
				ps.waitReplies(20)
				ctl.stop()
				ps.waitReplies(20)
				ctl.start()
				e.waitFor("the controller to reconnect", func() bool { return ctl.connections() > n })
			}
			sent, received := ps.wait()
			if sent != count || received != sent {
				t.Errorf("ping while the controller flapped: %d sent, %d received (gap %d ms)",
					sent, received, (sent-received)*pingIntervalMs)
			}
			if got := e.ofFlows("br0"); got != flows {
				t.Errorf("flows after the controller flapped:\n%s\nwant\n%s", got, flows)
			}

			// A long outage.
			ctl.stop()
			const long = 400 // 20 s, beyond the fail-open delay
			ps = h.startPing(h.ns1, "10.0.0.2", long)
			if mode == "secure" {
				sent, received = ps.wait()
				if sent != long || received != sent {
					t.Errorf("ping during a long controller outage: %d sent, %d received", sent, received)
				}
				if got := e.ofFlows("br0"); got != flows {
					t.Errorf("flows after a long controller outage:\n%s\nwant\n%s", got, flows)
				}
				if e.logContains("failing open") {
					t.Error("a secure bridge failed open")
				}
				return
			}
			e.waitFor("the bridge to fail open", func() bool { return e.logContains("failing open") })
			if got := e.ofFlows("br0"); strings.Contains(got, "ct_state") {
				t.Errorf("flows kept when failing open:\n%s", got)
			}
			sent, received = ps.wait()
			t.Logf("ping across failing open: %d sent, %d received (gap %d ms)",
				sent, received, (sent-received)*pingIntervalMs)
			if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
				t.Errorf("ping while failing open (NORMAL): %s", r)
			}
			// The controller is back: the switch leaves it the (empty)
			// table, so nothing passes until it adds flows.
			ctl.start()
			e.waitFor("the bridge to recover", func() bool { return e.logContains("No longer in fail-open mode") })
			e.waitFor("NORMAL forwarding to stop", func() bool {
				return h.in(h.ns1, "ping", "-c", "1", "-W", "1", "10.0.0.2").code != 0
			})
		})
	}
}

var pinStatRE = regexp.MustCompile(`packet-in-action-(backlog|bypassed|queued|dropped)="?(\d+)"?`)

// TestPacketInRateLimit floods a rate-limited controller with packet-ins
// (controller_rate_limit=100, controller_burst_limit=25) while a ping
// stream is switched beside them: the stream loses nothing, the
// controller gets the burst and then the rate, the excess is dropped, and
// the Controller status counts it all.
func TestPacketInRateLimit(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	ctl := startController(t, e.path("ctl.sock"))
	e.mustVsctl("set-controller", "br0", "unix:"+e.path("ctl.sock"),
		"--", "set", "controller", "br0", "controller_rate_limit=100", "controller_burst_limit=25")
	e.loadFlows("br0", []string{
		"priority=10,udp,actions=controller",
		"priority=1,actions=NORMAL",
	})
	e.waitFor("the controller connection", func() bool { return ctl.connections() > 0 })
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("ping: %s", r)
	}
	const count = 100
	ps := h.startPing(h.ns1, "10.0.0.2", count)
	const flood = 1000
	// A flood the switch's socket could not take in time is counted in
	// the port's rx drops, not lost.
	portDrops := func() int {
		m := portStatsRE.FindStringSubmatch(e.must("ovs-ofctl", "dump-ports", "br0", "1"))
		if m == nil {
			t.Fatal("no counters for port 1 in ovs-ofctl dump-ports")
		}
		return int(num(m[3]))
	}
	drops0 := portDrops()
	if r := h.in(h.ns1, "bash", "-c", fmt.Sprintf("for i in $(seq %d); do echo x > /dev/udp/10.0.0.2/9; done", flood)); r.code != 0 {
		t.Fatalf("UDP flood: %s", r)
	}
	sent, received := ps.wait()
	if sent != count || received != sent {
		t.Errorf("ping beside the packet-in flood: %d sent, %d received", sent, received)
	}
	// The status is written with the statistics (every 5 s).
	stats := map[string]int{}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		status := e.must("ovs-vsctl", "get", "controller", "br0", "status")
		for _, m := range pinStatRE.FindAllStringSubmatch(status, -1) {
			stats[m[1]], _ = strconv.Atoi(m[2])
		}
		drops := portDrops() - drops0
		if len(stats) == 4 && stats["backlog"] == 0 && stats["bypassed"]+stats["queued"]+drops == flood {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the Controller status to count the flood of %d (%d dropped on port 1's receive): %s", flood, drops, status)
		}
	}
	t.Logf("packet-in stats: %v, controller received %d", stats, ctl.packetIns())
	if stats["dropped"] == 0 || stats["bypassed"] < 25 {
		t.Errorf("packet-in stats of a flood of %d: %v", flood, stats)
	}
	if got, want := ctl.packetIns(), stats["bypassed"]+stats["queued"]-stats["dropped"]; got != want {
		t.Errorf("controller received %d packet-ins, want %d (%v)", got, want, stats)
	}
}
