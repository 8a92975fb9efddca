package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// End-to-end test of the xdp conntrack offload provider: TCP between two
// namespaces through afxdp ports (native XDP on veth) under the stateful
// firewall, with other_config:hw-offload=true. Once the connections are
// established their packets are forwarded by the XDP program: the poll
// threads see none while the fast path's and the connections' counters
// grow; a flow-table change takes them out of the kernel.

var (
	xdpConnsRE     = regexp.MustCompile(`connections: kernel=(\d+) pending=(\d+) software=(\d+)\n`)
	xdpForwardedRE = regexp.MustCompile(`fast path: forwarded=(\d+) `)
	pmdReceivedRE  = regexp.MustCompile(`packets received: (\d+)`)
	lookupsRE      = regexp.MustCompile(`lookups: hit:(\d+) missed:(\d+)`)
	ctPacketsRE    = regexp.MustCompile(`packets=(\d+)`)
)

// xdpShow reads ct-offload/xdp-show: connections in the kernel and the
// frames the fast path forwarded.
func (e *env) xdpShow() (kernel, forwarded int, out string) {
	e.t.Helper()
	r := e.appctl("ct-offload/xdp-show")
	if r.code != 0 {
		e.t.Fatalf("ct-offload/xdp-show: %s", r)
	}
	m := xdpConnsRE.FindStringSubmatch(r.stdout)
	f := xdpForwardedRE.FindStringSubmatch(r.stdout)
	if m == nil || f == nil {
		e.t.Fatalf("ct-offload/xdp-show: unexpected output\n%s", r.stdout)
	}
	kernel, _ = strconv.Atoi(m[1])
	forwarded, _ = strconv.Atoi(f[1])
	return kernel, forwarded, r.stdout
}

// sumMatches adds up the first group of every match of re in s.
func sumMatches(re *regexp.Regexp, s string) int {
	n := 0
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// userspacePackets is what reached the datapath's poll threads and its
// flow lookups so far.
func (e *env) userspacePackets() (received, lookups int) {
	e.t.Helper()
	pmd := e.appctl("dpif-netdev/pmd-stats-show")
	show := e.appctl("dpctl/show")
	if pmd.code != 0 || show.code != 0 {
		e.t.Fatalf("pmd-stats-show: %s\ndpctl/show: %s", pmd, show)
	}
	m := lookupsRE.FindStringSubmatch(show.stdout)
	if m == nil {
		e.t.Fatalf("dpctl/show: no lookups line\n%s", show.stdout)
	}
	hit, _ := strconv.Atoi(m[1])
	missed, _ := strconv.Atoi(m[2])
	return sumMatches(pmdReceivedRE, pmd.stdout), hit + missed
}

// ctPackets adds up the packet counters dump-conntrack -s shows for
// connections to port.
func (e *env) ctPackets(port int) int {
	e.t.Helper()
	r := e.appctl("dpctl/dump-conntrack", "-s")
	n := 0
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, fmt.Sprintf("dport=%d,", port)) {
			n += sumMatches(ctPacketsRE, l)
		}
	}
	return n
}

// startOffloadSwitch starts govswitchd with hw-offload=true (the xdp
// provider by default) and br0 joining the hosts through afxdp ports in
// xdp-mode mode, with flows in its tables. With gro, the hosts' ends of the
// veth pairs get GRO, which lets them take frames redirected by native
// XDP.
func startOffloadSwitch(t *testing.T, mode string, gro bool, flows []string) (*env, *hosts) {
	t.Helper()
	skipWithRealOVS(t)
	if _, err := exec.LookPath("iperf3"); err != nil {
		t.Skip("iperf3 not installed")
	}
	e := newEnv(t)
	h := newHosts(t, e)
	h.seedNeighbours()
	if gro {
		for _, c := range []struct{ ns, dev string }{{h.ns1, "p1peer"}, {h.ns2, "p2peer"}} {
			if r := h.in(c.ns, "ethtool", "-K", c.dev, "gro", "on"); r.code != 0 {
				t.Fatalf("ethtool -K %s gro on: %s", c.dev, r)
			}
		}
	}
	e.must("ovs-vsctl", "--no-wait", "set", "Open_vSwitch", ".", "other_config:hw-offload=true")
	e.startDaemon()
	args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"}
	for i, p := range []string{"p1", "p2"} {
		args = append(args, "--", "add-port", "br0", p, "--", "set", "interface", p,
			fmt.Sprintf("ofport_request=%d", i+1), "type=afxdp", "options:xdp-mode="+mode)
	}
	e.mustVsctl(args...)
	for _, p := range []string{"p1", "p2"} {
		if got := strings.TrimSpace(e.mustVsctl("get", "interface", p, "ofport")); got != p[1:] {
			t.Fatalf("%s: ofport %s, error %s", p, got, e.mustVsctl("get", "interface", p, "error"))
		}
	}
	file := filepath.Join(e.dir, "offload.flows")
	if err := os.WriteFile(file, []byte(strings.Join(flows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", file)
	return e, h
}

// iperf3Result is what the test reads from iperf3 -J.
type iperf3Result struct {
	End struct {
		SumReceived struct {
			Bytes float64 `json:"bytes"`
		} `json:"sum_received"`
	} `json:"end"`
}

// startIperf3 runs an iperf3 server in ns2 and a 4-second client in ns1;
// the returned function waits for the client and checks its result.
func startIperf3(t *testing.T, e *env, h *hosts) (wait func()) {
	t.Helper()
	h.in(h.ns2, "iperf3", "-s", "-D", "-B", "10.0.0.2")
	e.waitFor("iperf3 to listen", func() bool {
		return strings.Contains(h.in(h.ns2, "ss", "-ltnH", "sport = :5201").stdout, "LISTEN")
	})
	client := e.command("ip", "netns", "exec", h.ns1, "iperf3", "-c", "10.0.0.2", "-t", "4", "-J")
	var out strings.Builder
	client.Stdout = &out
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- client.Wait() }()
	var once bool
	wait = func() {
		if once {
			return
		}
		once = true
		if err := <-done; err != nil {
			t.Fatalf("iperf3: %v\n%s", err, out.String())
		}
		var res iperf3Result
		if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.End.SumReceived.Bytes == 0 {
			t.Fatalf("iperf3 result %v: %s", err, out.String())
		}
	}
	t.Cleanup(func() {
		if !once {
			client.Process.Kill()
			<-done
		}
	})
	return wait
}

// checkIperf3Offloaded waits for iperf3's control and data connections
// to be in the kernel and for userspace to settle, then for the fast path
// to forward a thousand more frames, and checks that meanwhile no packet
// reached userspace.
func (e *env) checkIperf3Offloaded() {
	e.t.Helper()
	e.waitFor("both iperf3 connections in the kernel", func() bool {
		k, _, _ := e.xdpShow()
		return k == 2
	})
	// Frames the program sent to the socket before the entries existed
	// may still wait in its ring for a busy poll thread: settle until
	// userspace is quiet while the fast path forwards.
	rx0, lookups0 := e.userspacePackets()
	e.waitFor("userspace to go quiet", func() bool {
		_, fwd0, _ := e.xdpShow()
		time.Sleep(20 * time.Millisecond)
		rx, lookups := e.userspacePackets()
		_, fwd, _ := e.xdpShow()
		quiet := rx == rx0 && lookups == lookups0 && fwd > fwd0
		rx0, lookups0 = rx, lookups
		return quiet
	})
	_, fwd0, _ := e.xdpShow()
	e.waitFor("the fast path to forward the stream", func() bool {
		_, fwd, _ := e.xdpShow()
		return fwd > fwd0+1000
	})
	rx1, lookups1 := e.userspacePackets()
	if rx1 != rx0 || lookups1 != lookups0 {
		e.t.Errorf("userspace saw packets of offloaded connections: poll threads %d -> %d, lookups %d -> %d", rx0, rx1, lookups0, lookups1)
	}
}

// subtest runs f as a subtest with the env reporting to it.
func subtest(t *testing.T, e *env, name string, f func(t *testing.T)) {
	t.Run(name, func(st *testing.T) {
		e.t = st
		defer func() { e.t = t }()
		f(st)
	})
}

func TestConntrackOffloadXDP(t *testing.T) {
	e, h := startOffloadSwitch(t, "native", true, firewallFlows)

	subtest(t, e, "iperf3", func(t *testing.T) {
		wait := startIperf3(t, e, h)
		e.checkIperf3Offloaded()
		// The provider's counters reach the tracker.
		var ct0 int
		e.waitFor("conntrack counters", func() bool { ct0 = e.ctPackets(5201); return ct0 > 0 })
		e.waitFor("conntrack counters to grow", func() bool { return e.ctPackets(5201) > ct0 })
		ct := e.appctl("dpctl/dump-conntrack", "-m")
		if n := strings.Count(ct.stdout, "status=OFFLOAD"); n != 2 {
			t.Errorf("dump-conntrack -m marks %d connections offloaded, want 2:\n%s", n, ct.stdout)
		}
		wait()
		// FIN closes both connections, which finish in software.
		e.waitFor("the connections to leave the kernel", func() bool {
			r := e.appctl("ct-offload/show")
			return strings.Contains(r.stdout, "  offloaded connections: 0\n")
		})
		// OpenFlow counters include the offloaded traffic: the +est rule
		// of port 1 counts far more than userspace ever received.
		rx, _ := e.userspacePackets()
		e.waitFor("the OpenFlow counters to include offloaded packets", func() bool {
			r := e.run("ovs-ofctl", "dump-flows", "br0", "table=1,in_port=1,ip,ct_state=+trk+est")
			return sumMatches(nPktRE, r.stdout) > rx
		})
	})

	subtest(t, e, "flow change", func(t *testing.T) {
		got := h.listen(h.ns2, 8000)
		client := e.command("ip", "netns", "exec", h.ns1, "nc", "-N", "10.0.0.2", "8000")
		stdin, err := client.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(); err != nil {
			t.Fatal(err)
		}
		clientDone := make(chan struct{})
		go func() { client.Wait(); close(clientDone) }()
		t.Cleanup(func() { stdin.Close(); client.Process.Kill(); <-clientDone })
		if _, err := stdin.Write([]byte("hello\n")); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the connection in the kernel", func() bool {
			k, _, _ := e.xdpShow()
			return k == 1
		})
		// Dropping the connection's packets takes it out of the kernel.
		e.must("ovs-ofctl", "del-flows", "br0", "table=1")
		e.waitFor("the entries to be removed", func() bool {
			k, _, out := e.xdpShow()
			return k == 0 && strings.Contains(out, "  entries: 0 ")
		})
		// Restoring the flow lets the next packets bring it back.
		for _, f := range firewallFlows {
			if strings.HasPrefix(f, "table=1,") {
				e.must("ovs-ofctl", "add-flow", "br0", f)
			}
		}
		if _, err := stdin.Write([]byte("again\n")); err != nil {
			t.Fatal(err)
		}
		e.waitFor("the connection back in the kernel", func() bool {
			k, _, _ := e.xdpShow()
			return k == 1
		})
		stdin.Close()
		if s := got(); s != "hello\nagain\n" {
			t.Errorf("ns2 received %q", s)
		}
	})

	for _, want := range []string{
		"|ct_offload|INFO|ct-offload: Conntrack offload API Enabled, using provider xdp\n",
		"|ct_offload|INFO|netdev@ovs-netdev: conntrack offload provider xdp attached\n",
	} {
		if !e.logContains(want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// SNAT is done by the fast path too: the firewall translates the client to
// 10.0.0.100, and the stream still bypasses userspace.
func TestConntrackOffloadXDPNAT(t *testing.T) {
	flows := []string{
		"table=0,priority=100,ip,ct_state=-trk,actions=ct(nat,table=1)",
		"table=0,priority=10,arp,in_port=1,actions=output:2",
		"table=0,priority=10,arp,in_port=2,actions=output:1",
		"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit,nat(src=10.0.0.100)),output:2",
		"table=1,in_port=1,ip,ct_state=+trk+est,actions=output:2",
		"table=1,in_port=2,ip,ct_state=+trk+est,actions=output:1",
	}
	e, h := startOffloadSwitch(t, "native", true, flows)
	// ns2 answers the translated address at ns1's MAC.
	if r := h.in(h.ns2, "ip", "neigh", "replace", "10.0.0.100", "lladdr", "02:00:00:00:01:01", "dev", "p2peer", "nud", "permanent"); r.code != 0 {
		t.Fatalf("ip neigh: %s", r)
	}
	wait := startIperf3(t, e, h)
	e.checkIperf3Offloaded()
	ct := e.appctl("dpctl/dump-conntrack")
	if n := strings.Count(ct.stdout, "reply=(src=10.0.0.2,dst=10.0.0.100,"); n != 2 {
		t.Errorf("dump-conntrack shows %d translated connections, want 2:\n%s", n, ct.stdout)
	}
	wait()
}

// Native XDP cannot redirect into a veth whose peer takes no XDP frames
// (no GRO, no XDP program): the connections stay in software, saying why,
// and the traffic flows through userspace as without offload.
func TestConntrackOffloadXDPNoRedirectTarget(t *testing.T) {
	e, h := startOffloadSwitch(t, "native", false, firewallFlows)
	wait := startIperf3(t, e, h)
	e.waitFor("the provider to refuse the kernel path", func() bool {
		k, _, out := e.xdpShow()
		return k == 0 && strings.Contains(out, "cannot take native XDP redirects")
	})
	wait()
}

// In generic mode the program redirects through the stack, which any
// device takes: no GRO needed on the hosts.
func TestConntrackOffloadXDPGeneric(t *testing.T) {
	e, h := startOffloadSwitch(t, "generic", false, firewallFlows)
	wait := startIperf3(t, e, h)
	e.checkIperf3Offloaded()
	wait()
}
