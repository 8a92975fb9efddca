package tests

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

	e.stopOVSDB()
	// The daemon serves OpenFlow and its control socket without the
	// database, and traffic keeps flowing meanwhile.
	if !ps.waitReplies(60) {
		t.Error("ping stream stopped while the database was down")
	}
	if got := e.ofFlows("br0"); got != flows {
		t.Errorf("flows during the outage:\n%s\nwant\n%s", got, flows)
	}
	wantCT := "icmp,orig=(src=10.0.0.1,dst=10.0.0.2,id=<id>,type=8,code=0),reply=(src=10.0.0.2,dst=10.0.0.1,id=<id>,type=0,code=0)\n"
	if got := normalizeConntrack(e.appctl("dpctl/dump-conntrack").stdout); got != wantCT {
		t.Errorf("conntrack during the outage:\n%swant\n%s", got, wantCT)
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
	if got := normalizeConntrack(e.appctl("dpctl/dump-conntrack").stdout); got != wantCT {
		t.Errorf("conntrack after the outage:\n%swant\n%s", got, wantCT)
	}
	ports := portNamesRE.FindAllString(e.must("ovs-ofctl", "show", "br0"), -1)
	if got, want := strings.Join(ports, " "), "1(p1) 2(p2) 3(p3) LOCAL(br0)"; got != want {
		t.Errorf("ports after the change made once the database was back: %s, want %s", got, want)
	}
}

var portNamesRE = regexp.MustCompile(`(\d+|LOCAL)\([^)]+\)`)
