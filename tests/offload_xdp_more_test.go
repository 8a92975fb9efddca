package tests

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/daemon"
)

// More end-to-end tests of the xdp conntrack offload provider (issue 7):
// a UDP stream, a connection kept alive past its software timeout by the
// fast path's last-used times, a TCP reset, and FTP through the ALG with
// offload on. The hosts' traffic comes from small Python programs
// (offloadPeers) that run until a stop file appears, so that the tests
// decide when a stream ends rather than a clock.

// offloadPeers is a Python program with four roles:
//
//	udp-send ADDR PORT STOP   sends 64-byte datagrams from one socket
//	                          until STOP exists, then prints how many
//	udp-recv ADDR PORT STOP COUNT
//	                          counts the datagrams, keeping the count in
//	                          COUNT, and echoes one in a hundred (the
//	                          provider offloads a connection once its
//	                          reply direction was seen, as the kernel's
//	                          flowtable does); ends once STOP exists and
//	                          a second passed without any
//	tcp-serve ADDR PORT       echoes one connection; prints "reset" if
//	                          it ends with a reset, "eof" if it is closed
//	tcp-rst ADDR PORT STOP    sends a line every few milliseconds, reads
//	                          the echo, and once STOP exists closes with
//	                          SO_LINGER 0: a reset rather than a FIN
const offloadPeers = `
import os, socket, struct, sys, time
role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if role == "udp-send":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, port))
    n = 0
    while not os.path.exists(sys.argv[4]):
        s.send(b"x" * 64)
        n += 1
        time.sleep(0.0005)
    print(n)
elif role == "udp-recv":
    stop, count = sys.argv[4], sys.argv[5]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(0.1)
    n, last, wrote = 0, time.time(), 0
    while True:
        try:
            b, peer = s.recvfrom(2048)
            if n % 100 == 0:
                s.sendto(b, peer)
            n += 1
            last = time.time()
        except socket.timeout:
            if os.path.exists(stop) and time.time() - last > 1:
                break
        if time.time() - wrote > 0.1:
            with open(count + ".tmp", "w") as f:
                f.write(str(n))
            os.rename(count + ".tmp", count)
            wrote = time.time()
    with open(count, "w") as f:
        f.write(str(n))
    print(n)
elif role == "tcp-serve":
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port))
    l.listen(1)
    c, _ = l.accept()
    try:
        while True:
            b = c.recv(4096)
            if not b:
                print("eof")
                break
            c.sendall(b)
    except ConnectionResetError:
        print("reset")
elif role == "tcp-rst":
    c = socket.create_connection((addr, port))
    while not os.path.exists(sys.argv[4]):
        c.sendall(b"ping\n")
        c.recv(4096)
        time.sleep(0.002)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    print("closed")
`

// peer is one offloadPeers process in a namespace.
type peer struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan error
}

// startPeer runs offloadPeers with args in ns; the test's cleanup kills
// it if it is still running.
func startPeer(t *testing.T, e *env, ns string, args ...string) *peer {
	t.Helper()
	script := e.path("offload-peers.py")
	if _, err := os.Stat(script); err != nil {
		if err := os.WriteFile(script, []byte(offloadPeers), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := &peer{done: make(chan error, 1)}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", ns, "python3", script}, args...)...)
	p.cmd.Stdout = &p.out
	p.cmd.Stderr = &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("python3 %v: %v", args, err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	var waited bool
	t.Cleanup(func() {
		if !waited {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the peer to finish by itself and returns its output,
// trimmed; a peer that does not finish is a failure.
func (p *peer) wait(t *testing.T) string {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("%v: %v\n%s", p.cmd.Args, err, p.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%v did not finish:\n%s", p.cmd.Args, p.out.String())
	}
	return strings.TrimSpace(p.out.String())
}

// udpStream is a UDP stream from ns1 to ns2's port.
type udpStream struct {
	stop, count string
	send, recv  *peer
}

func startUDPStream(t *testing.T, e *env, h *hosts, port int) *udpStream {
	t.Helper()
	s := &udpStream{stop: e.path(fmt.Sprintf("udp-%d.stop", port)), count: e.path(fmt.Sprintf("udp-%d.count", port))}
	s.recv = startPeer(t, e, h.ns2, "udp-recv", "10.0.0.2", strconv.Itoa(port), s.stop, s.count)
	e.waitFor("the UDP receiver to bind", func() bool {
		return strings.Contains(h.in(h.ns2, "ss", "-lunH", fmt.Sprintf("sport = :%d", port)).stdout, "10.0.0.2")
	})
	s.send = startPeer(t, e, h.ns1, "udp-send", "10.0.0.2", strconv.Itoa(port), s.stop)
	return s
}

// received is how many datagrams the receiver counted so far.
func (s *udpStream) received() int {
	b, _ := os.ReadFile(s.count)
	n, _ := strconv.Atoi(string(b))
	return n
}

// finish stops the sender and returns what was sent and received.
func (s *udpStream) finish(t *testing.T) (sent, received int) {
	t.Helper()
	if err := os.WriteFile(s.stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sent, err1 := strconv.Atoi(s.send.wait(t))
	received, err2 := strconv.Atoi(s.recv.wait(t))
	if err1 != nil || err2 != nil {
		t.Fatalf("UDP peers' output: %q, %q", s.send.out.String(), s.recv.out.String())
	}
	return sent, received
}

var (
	offloadAddedRE = regexp.MustCompile(`\n  added: (\d+)\n`)
	offloadConnRE  = regexp.MustCompile(`\n  (\d+): (\w+),orig=\(([^)]*)\)`)
	ctTimeoutSecRE = regexp.MustCompile(`timeout=(\d+)`)
)

// offloadShow reads ct-offload/show: how many connections the provider
// was given so far, and the ones it holds by id (their original tuple).
func (e *env) offloadShow() (added int, conns map[int]string) {
	e.t.Helper()
	r := e.appctl("ct-offload/show")
	m := offloadAddedRE.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		e.t.Fatalf("ct-offload/show: %s", r)
	}
	added, _ = strconv.Atoi(m[1])
	conns = map[int]string{}
	for _, c := range offloadConnRE.FindAllStringSubmatch(r.stdout, -1) {
		id, _ := strconv.Atoi(c[1])
		conns[id] = c[2] + "," + c[3]
	}
	return added, conns
}

// ctLines returns the dump-conntrack lines (with args) of connections to
// port.
func (e *env) ctLines(port int, args ...string) []string {
	e.t.Helper()
	r := e.appctl(append([]string{"dpctl/dump-conntrack"}, args...)...)
	var out []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, fmt.Sprintf("dport=%d)", port)) || strings.Contains(l, fmt.Sprintf("dport=%d,", port)) {
			out = append(out, l)
		}
	}
	return out
}

// A UDP stream under the firewall: once committed it is forwarded by the
// fast path, the poll threads see none of it while the receiver keeps
// counting, and the tracker's counters include what the kernel forwarded.
func TestConntrackOffloadXDPUDP(t *testing.T) {
	e, h := startOffloadSwitch(t, "native", true, firewallFlows)
	s := startUDPStream(t, e, h, 9000)
	e.waitFor("the UDP connection in the kernel", func() bool {
		k, _, _ := e.xdpShow()
		return k == 1
	})
	rx0, lookups0 := e.userspacePackets()
	_, fwd0, _ := e.xdpShow()
	got0 := s.received()
	e.waitFor("the fast path to forward the stream", func() bool {
		_, fwd, _ := e.xdpShow()
		return fwd > fwd0+1000 && s.received() > got0+1000
	})
	rx1, lookups1 := e.userspacePackets()
	if rx1 != rx0 || lookups1 != lookups0 {
		t.Errorf("userspace saw packets of the offloaded stream: poll threads %d -> %d, lookups %d -> %d", rx0, rx1, lookups0, lookups1)
	}
	if ct := e.ctLines(9000, "-m"); len(ct) != 1 || !strings.Contains(ct[0], "status=OFFLOAD") {
		t.Errorf("dump-conntrack -m, port 9000: %q, want one offloaded connection", ct)
	}
	sent, received := s.finish(t)
	if received == 0 || received > sent {
		t.Fatalf("sent %d datagrams, received %d", sent, received)
	}
	// The tracker counts what the fast path forwarded (the userspace
	// tracker keeps no packet counters of its own, as in OVS): once the
	// provider's counters are read back (one poll), dump-conntrack -s
	// shows every datagram and echo the kernel forwarded, which is most
	// of what the receiver got.
	var fwd, ct int
	e.waitFor("conntrack counters to include the offloaded datagrams", func() bool {
		_, fwd, _ = e.xdpShow()
		ct = e.ctPackets(9000)
		return ct == fwd
	})
	if fwd >= received+received/100+1 || fwd < received/2 {
		t.Errorf("fast path forwarded %d packets of a stream of %d datagrams (and 1%% echoes)", fwd, received)
	}
	t.Logf("sent %d, received %d, forwarded by the fast path %d", sent, received, fwd)
}

// zoneTPFlows is the firewall in zone 5, whose timeout policy the test
// sets.
var zoneTPFlows = []string{
	"table=0,priority=100,ip,ct_state=-trk,actions=ct(zone=5,table=1)",
	"table=0,priority=10,arp,in_port=1,actions=output:2",
	"table=0,priority=10,arp,in_port=2,actions=output:1",
	"table=1,in_port=1,ip,ct_state=+trk+new,actions=ct(commit,zone=5),output:2",
	"table=1,in_port=1,ip,ct_state=+trk+est,actions=output:2",
	"table=1,in_port=2,ip,ct_state=+trk+est,actions=output:1",
}

// The fast path refreshes the connection's last-used time: with a 3 s UDP
// timeout in the zone, a stream forwarded only by the kernel for four
// times as long keeps its one connection (the same offloaded connection,
// never re-created), and once the stream stops the connection expires.
func TestConntrackOffloadXDPRefresh(t *testing.T) {
	const timeout = 3
	e, h := startOffloadSwitch(t, "native", true, zoneTPFlows)
	e.mustVsctl("--", "--id=@m", "create", "Datapath", "datapath_version=0",
		"--", "set", "Open_vSwitch", ".", "datapaths:netdev=@m")
	e.mustVsctl("add-zone-tp", "netdev", "zone=5", fmt.Sprintf("udp_first=%d", timeout),
		fmt.Sprintf("udp_single=%d", timeout), fmt.Sprintf("udp_multiple=%d", timeout))
	s := startUDPStream(t, e, h, 9001)
	var id int
	e.waitFor("the UDP connection in the kernel", func() bool {
		k, _, _ := e.xdpShow()
		_, conns := e.offloadShow()
		for i := range conns {
			id = i
		}
		return k == 1 && len(conns) == 1
	})
	// The policy is in force: the software timer is at most 3 s.
	ct := e.ctLines(9001, "-s")
	if len(ct) != 1 {
		t.Fatalf("dump-conntrack -s, port 9001: %q", ct)
	}
	if m := ctTimeoutSecRE.FindStringSubmatch(ct[0]); m == nil || atoi(m[1]) > timeout {
		t.Fatalf("connection timeout not from the zone's policy: %s", ct[0])
	}
	rx0, _ := e.userspacePackets()
	// Four timeouts of kernel-only forwarding.
	time.Sleep(4 * timeout * time.Second)
	rx1, _ := e.userspacePackets()
	if rx1 != rx0 {
		t.Errorf("the poll threads received %d packets while the stream was offloaded", rx1-rx0)
	}
	added, conns := e.offloadShow()
	if _, ok := conns[id]; !ok || len(conns) != 1 || added != 1 {
		t.Errorf("after %d s: offloaded connections %v (added %d), want only the first, %d", 4*timeout, conns, added, id)
	}
	if k, _, out := e.xdpShow(); k != 1 {
		t.Errorf("after %d s the stream is not in the kernel:\n%s", 4*timeout, out)
	}
	if ct := e.ctLines(9001, "-m"); len(ct) != 1 || !strings.Contains(ct[0], "status=OFFLOAD") {
		t.Errorf("dump-conntrack -m, port 9001: %q, want the one offloaded connection", ct)
	}
	sent, received := s.finish(t)
	if received == 0 || received > sent {
		t.Errorf("sent %d datagrams, received %d", sent, received)
	}
	// Without traffic nothing refreshes it: it expires in software and
	// leaves the kernel.
	e.waitFor("the idle connection to expire", func() bool {
		k, _, _ := e.xdpShow()
		return k == 0 && len(e.ctLines(9001)) == 0
	})
}

// A reset closes an offloaded TCP connection: the reset reaches the
// tracker (the fast path leaves TCP control segments to userspace), the
// connection leaves the kernel, and dump-conntrack shows it closed.
func TestConntrackOffloadXDPReset(t *testing.T) {
	e, h := startOffloadSwitch(t, "native", true, firewallFlows)
	srv := startPeer(t, e, h.ns2, "tcp-serve", "10.0.0.2", "8100")
	e.waitFor("the server to listen", func() bool {
		return strings.Contains(h.in(h.ns2, "ss", "-ltnH", "sport = :8100").stdout, "LISTEN")
	})
	stop := e.path("tcp-8100.stop")
	cli := startPeer(t, e, h.ns1, "tcp-rst", "10.0.0.2", "8100", stop)
	e.waitFor("the connection in the kernel", func() bool {
		k, _, _ := e.xdpShow()
		return k == 1
	})
	_, fwd0, _ := e.xdpShow()
	e.waitFor("the fast path to forward the exchange", func() bool {
		_, fwd, _ := e.xdpShow()
		return fwd > fwd0+100
	})
	if ct := e.ctLines(8100, "-m"); len(ct) != 1 || !strings.Contains(ct[0], "state_orig=ESTABLISHED,state_reply=ESTABLISHED") || !strings.Contains(ct[0], "status=OFFLOAD") {
		t.Fatalf("dump-conntrack -m, port 8100: %q, want one established offloaded connection", ct)
	}
	if err := os.WriteFile(stop, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cli.wait(t); out != "closed" {
		t.Errorf("client: %q", out)
	}
	if out := srv.wait(t); out != "reset" {
		t.Errorf("server saw %q, want a reset", out)
	}
	e.waitFor("the connection to leave the kernel", func() bool {
		k, _, _ := e.xdpShow()
		_, conns := e.offloadShow()
		return k == 0 && len(conns) == 0
	})
	// The reset puts both ends in TIME_WAIT, as OVS's userspace tracker
	// does; the connection is no longer offloaded.
	ct := e.ctLines(8100, "-m")
	if len(ct) != 1 || !strings.Contains(ct[0], "state_orig=TIME_WAIT,state_reply=TIME_WAIT") || strings.Contains(ct[0], "OFFLOAD") {
		t.Errorf("dump-conntrack -m after the reset, port 8100: %q", ct)
	}
}

// FTP through the ALG's firewall on afxdp ports with offload on. The
// control connection has the ftp helper, so it is never offloaded: the
// ALG keeps seeing its PASV replies and relates the data connections. A
// data connection is committed by ct(commit) without a helper: the issue
// asks only that helper connections stay in software, and a related
// connection's packets need no ALG, so the data connection is offloaded
// once established, like any other, and the transfer finishes in the
// kernel. The file arrives intact either way.
func TestConntrackOffloadXDPFTP(t *testing.T) {
	skipWithRealOVS(t)
	l := newALGLab(t)
	e := l.e
	// hw-offload is read at start: restart the daemon with it, and move
	// the lab's ports to AF_XDP, native, with GRO on the namespaces' ends
	// so that they take the fast path's redirects.
	pid, err := daemon.ReadPidfile(e.path("ovs-vswitchd.pid"))
	if err != nil {
		t.Fatal(err)
	}
	e.stopDaemon(pid)
	e.must("ovs-vsctl", "--no-wait", "set", "Open_vSwitch", ".", "other_config:hw-offload=true")
	e.startDaemon()
	for _, p := range []string{"p1", "p2"} {
		e.mustVsctl("set", "interface", p, "type=afxdp", "options:xdp-mode=native")
	}
	for _, ns := range []string{l.client, l.server} {
		if r := l.in(ns, "ethtool", "-K", "eth0", "gro", "on"); r.code != 0 {
			t.Fatalf("ethtool -K eth0 gro on: %s", r)
		}
	}
	e.waitFor("the ports on AF_XDP", func() bool {
		r := e.appctl("dpctl/show")
		return strings.Contains(r.stdout, "p1 (afxdp") && strings.Contains(r.stdout, "p2 (afxdp")
	})

	// A file big enough that its transfer, rate-limited, outlives the
	// offload of its data connection. The client's small receive buffer
	// keeps the transfer from arriving in one burst before curl's rate
	// limit bites. The lab's server root is in its vsftpd configuration.
	if r := l.in(l.client, "sysctl", "-w", "net.ipv4.tcp_rmem=4096 65536 262144"); r.code != 0 {
		t.Fatalf("sysctl tcp_rmem: %s", r)
	}
	conf, err := os.ReadFile(e.path("vsftpd0.conf"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^anon_root=(.*)$`).FindSubmatch(conf)
	if m == nil {
		t.Fatalf("no anon_root in vsftpd0.conf:\n%s", conf)
	}
	huge := make([]byte, 8<<20)
	rand.Read(huge)
	if err := os.WriteFile(filepath.Join(string(m[1]), "huge.bin"), huge, 0o644); err != nil {
		t.Fatal(err)
	}
	flows, err := filepath.Abs(filepath.Join("testdata", "alg", "ftp.flows"))
	if err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)

	out := e.path("huge.bin")
	_, fwdStart, _ := e.xdpShow()
	curl := e.command("ip", "netns", "exec", l.client, "curl", "--silent", "--show-error", "--globoff",
		"--connect-timeout", "2", "--max-time", "60", "--limit-rate", "2M", "--disable-epsv",
		"ftp://"+algServer+"/huge.bin", "--output", out)
	var curlOut bytes.Buffer
	curl.Stdout, curl.Stderr = &curlOut, &curlOut
	if err := curl.Start(); err != nil {
		t.Fatal(err)
	}
	curlDone := make(chan error, 1)
	go func() { curlDone <- curl.Wait() }()
	t.Cleanup(func() {
		select {
		case <-curlDone:
		default:
			curl.Process.Kill()
			<-curlDone
		}
	})

	// The data connection (to the pinned passive port) gets into the
	// kernel and the fast path carries most of the file; the control
	// connection (port 21) never gets there. Judged over the whole
	// transfer: on a loaded machine the moment the entry is seen can come
	// late in it.
	checkControl := func() {
		_, conns := e.offloadShow()
		for _, c := range conns {
			if strings.Contains(c, "dport=21,") || strings.Contains(c, "dport=21)") {
				t.Errorf("the FTP control connection is offloaded: %s", c)
			}
		}
	}
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case err := <-curlDone:
			curlDone <- err
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, curlOut.String())
			}
			break wait
		case <-deadline:
			t.Fatalf("curl did not finish:\n%s", curlOut.String())
		case <-time.After(100 * time.Millisecond):
			checkControl()
		}
	}
	// The file is about 5,800 full segments; the fast path must have
	// forwarded most of them.
	if _, fwd, show := e.xdpShow(); fwd-fwdStart < len(huge)/1448/2 {
		t.Errorf("the fast path forwarded %d frames of a %d-byte transfer, want most of them\n%s", fwd-fwdStart, len(huge), show)
	}
	checkControl()
	got, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(got, huge) {
		t.Errorf("huge.bin: received %d bytes (%v), not the %d served", len(got), err, len(huge))
	}
	// Only the data connection was ever given to the provider.
	if added, _ := e.offloadShow(); added != 1 {
		t.Errorf("ct-offload/show: %d connections added, want 1 (the data connection)", added)
	}
	ct := e.appctl("dpctl/dump-conntrack").stdout
	if !strings.Contains(ct, "dport=21),") || !strings.Contains(ct, "helper=ftp") {
		t.Errorf("dump-conntrack lacks the control connection with its helper:\n%s", ct)
	}
}

// atoi is strconv.Atoi for digits a regexp matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
