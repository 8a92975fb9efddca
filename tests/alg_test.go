package tests

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The FTP and TFTP ALGs end to end, as OVS's "conntrack - FTP", "conntrack -
// FTP with NAT" and "conntrack - TFTP" system tests check them: a client and
// a server namespace on ports 1 and 2 of br0, real servers (vsftpd,
// tftpd-hpa), curl as the client, and flow tables in testdata/alg/ that admit
// a new data connection only when conntrack says it is related. With the
// helper the transfer succeeds and the file arrives intact; without it the
// data connection is dropped and the transfer fails. The connection table
// afterwards is compared with goldens recorded from ovs-vswitchd
// (-real-ovs -update).

// Addresses of the lab. The client sees the server as algServer, or as
// algServerVIP when the flows destination-NAT it; the server sees the client
// as algClient, or as algClientNAT when the flows source-NAT it. Neighbour
// entries are static, so no ARP goes through the flow tables.
const (
	algClient     = "10.1.1.1"
	algClientNAT  = "10.1.1.240"
	algClientNAT9 = "10.1.1.9" // as long as algClient in text
	algServer     = "10.1.1.2"
	algServerVIP  = "10.1.1.200"
	algClient6    = "fc00::1"
	algClientNAT6 = "fc00::240"
	algServer6    = "fc00::2"
	algClientMAC  = "e6:66:c1:11:11:11"
	algServerMAC  = "e6:66:c1:22:22:22"

	// The servers' data ports are pinned so that the goldens can show them.
	algPasvPort = 10021 // vsftpd's passive port
	// tftpd-hpa's transfer ports: a range, since a transfer the flows
	// blocked keeps its port while the server retransmits.
	algTFTPMin, algTFTPMax = 10069, 10079
)

// algLab is the switch with a client and a server namespace and the servers
// running in the latter.
type algLab struct {
	e              *env
	client, server string // namespaces
	files          map[string][]byte
}

func newALGLab(t *testing.T) *algLab {
	t.Helper()
	for _, tool := range []string{"ethtool", "curl", "vsftpd", "in.tftpd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (run scripts/install-deps.sh)", tool)
		}
	}
	e := newEnv(t)
	l := &algLab{e: e, client: "gswac-" + randomHex(3), server: "gswas-" + randomHex(3)}
	for i, h := range []struct {
		ns, addr, addr6, mac string
		neigh                []string
	}{
		{l.client, algClient, algClient6, algClientMAC, []string{algServer, algServerVIP, algServer6}},
		{l.server, algServer, algServer6, algServerMAC, []string{algClient, algClientNAT, algClientNAT9, algClient6, algClientNAT6}},
	} {
		if r := e.run("ip", "netns", "add", h.ns); r.code != 0 {
			t.Fatalf("ip netns add %s: %s", h.ns, r)
		}
		ns := h.ns
		t.Cleanup(func() { killNetns(ns); deleteNetns(ns) })
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
		peerMAC := algServerMAC
		if i == 1 {
			peerMAC = algClientMAC
		}
		cmds := [][]string{
			// Keep IPv6 quiet: no router solicitations, no duplicate
			// address detection on the tests' addresses.
			{"sysctl", "-q", "-w", "net.ipv6.conf.eth0.accept_ra=0"},
			{"sysctl", "-q", "-w", "net.ipv6.conf.eth0.router_solicitations=0"},
			{"ip", "addr", "add", h.addr + "/24", "dev", "eth0"},
			{"ip", "-6", "addr", "add", h.addr6 + "/96", "dev", "eth0", "nodad"},
			{"ip", "link", "set", "eth0", "up"},
			{"ip", "link", "set", "lo", "up"},
			// The datapath does not fill in checksums left to offload.
			{"ethtool", "-K", "eth0", "tx", "off"},
		}
		for _, n := range h.neigh {
			cmds = append(cmds, []string{"ip", "neigh", "replace", n, "lladdr", peerMAC, "nud", "permanent", "dev", "eth0"})
		}
		for _, args := range cmds {
			if r := l.in(h.ns, args...); r.code != 0 {
				t.Fatalf("%s: %s", strings.Join(args, " "), r)
			}
		}
	}
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2")
	l.startServers()
	return l
}

func (l *algLab) in(ns string, args ...string) result {
	l.e.t.Helper()
	return l.e.run("ip", append([]string{"netns", "exec", ns}, args...)...)
}

// startServers creates the files to serve and starts vsftpd (anonymous,
// read-only) and tftpd-hpa in the server namespace with private
// configuration; both stay in the foreground and go with the namespace.
func (l *algLab) startServers() {
	t := l.e.t
	t.Helper()
	// The servers drop privileges inside a chroot: the tree must be
	// readable by others and not writable by them.
	root, err := os.MkdirTemp("", "gsw-alg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	srv, empty := filepath.Join(root, "srv"), filepath.Join(root, "empty")
	for _, d := range []string{root, srv, empty} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A large file whose data connection outlives several windows, and a
	// small one fetched over the same control connection afterwards.
	l.files = map[string][]byte{"big.bin": make([]byte, 300<<10), "small.bin": make([]byte, 1500)}
	for name, b := range l.files {
		rand.Read(b)
		if err := os.WriteFile(filepath.Join(srv, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One vsftpd per address family: a dual-stack socket would show the
	// IPv4 clients as mapped IPv6 addresses.
	for i, listen := range [][]string{
		{"listen=YES", "listen_ipv6=NO", "listen_address=" + algServer},
		{"listen=NO", "listen_ipv6=YES", "listen_address6=" + algServer6},
	} {
		conf := l.e.path(fmt.Sprintf("vsftpd%d.conf", i))
		if err := os.WriteFile(conf, []byte(strings.Join(append(listen,
			"background=NO",
			"anonymous_enable=YES",
			"no_anon_password=YES",
			"local_enable=NO",
			"write_enable=NO",
			"anon_root="+srv,
			"secure_chroot_dir="+empty,
			"connect_from_port_20=YES",
			"pasv_enable=YES",
			fmt.Sprintf("pasv_min_port=%d", algPasvPort),
			fmt.Sprintf("pasv_max_port=%d", algPasvPort),
			// A blocked data connection fails the transfer quickly.
			"connect_timeout=2",
			"accept_timeout=2",
			"data_connection_timeout=10",
			"idle_session_timeout=20",
			"xferlog_enable=NO",
			"syslog_enable=NO",
			"seccomp_sandbox=NO",
			"",
		), "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		l.daemonize("vsftpd", conf)
	}
	l.daemonize("in.tftpd", "--foreground", "--ipv4", "--address", algServer+":69", "--secure",
		"--port-range", fmt.Sprintf("%d:%d", algTFTPMin, algTFTPMax), "--user", "nobody", srv)
	l.e.waitFor("the servers to listen", func() bool {
		tcp := l.in(l.server, "ss", "-ltnH", "sport = :21").stdout
		udp := l.in(l.server, "ss", "-lunH", "sport = :69").stdout
		return strings.Contains(tcp, algServer+":21") && strings.Contains(tcp, "["+algServer6+"]:21") &&
			strings.Contains(udp, algServer+":69")
	})
}

// daemonize runs a server in the foreground in the server namespace until
// the test ends.
func (l *algLab) daemonize(name string, args ...string) {
	t := l.e.t
	t.Helper()
	// Output to a file, not a pipe: the servers' children inherit it, and
	// a pipe would hold Wait until the last of them exits.
	log := l.e.path(fmt.Sprintf("%s-%s.out", name, randomHex(2)))
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command("ip", append([]string{"netns", "exec", l.server, name}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if b, _ := os.ReadFile(log); t.Failed() && len(b) > 0 {
			t.Logf("%s output:\n%s", name, b)
		}
	})
}

// killNetns kills what still runs in a lab namespace outright: servers'
// children finishing a blocked transfer need not be waited for.
func killNetns(ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// algScenario is one transfer through one flow table.
type algScenario struct {
	name  string   // subtest name and golden testdata/alg/NAME.conntrack
	flows string   // testdata/alg/FLOWS.flows
	url   string   // scheme://host/ of the server as the client sees it
	curl  []string // curl options choosing the FTP mode
	files []string // fetched in this order, over one control connection
	fail  bool     // the data connection must be blocked
	// beyondOVS marks what OVS's ALG does not do: it parses EPRT and the
	// 229 reply only on IPv6 control connections, so through ovs-vswitchd
	// these data connections are never related. govswitchd's ALG, like
	// Linux's, handles them on IPv4 too; the golden is govswitchd's.
	beyondOVS bool
}

func TestALG(t *testing.T) {
	t.Parallel()
	l := newALGLab(t)
	ftp, vip, tftp := "ftp://"+algServer+"/", "ftp://"+algServerVIP+"/", "tftp://"+algServer+"/"
	ftp6 := "ftp://[" + algServer6 + "]/"
	// PORT and 227 carry the address, EPRT too, EPSV only the port.
	pasv, epsv := []string{"--disable-epsv"}, []string{}
	port, eprt := []string{"--ftp-port", "-", "--disable-eprt"}, []string{"--ftp-port", "-"}
	both := []string{"big.bin", "small.bin"}
	for _, sc := range []algScenario{
		{name: "ftp-passive", flows: "ftp", url: ftp, curl: pasv, files: both},
		{name: "ftp-epsv", flows: "ftp", url: ftp, curl: epsv, files: both, beyondOVS: true},
		{name: "ftp-active", flows: "ftp", url: ftp, curl: port, files: both},
		{name: "ftp-eprt", flows: "ftp", url: ftp, curl: eprt, files: both, beyondOVS: true},
		{name: "ftp-passive-noalg", flows: "ftp-noalg", url: ftp, curl: pasv, files: both[:1], fail: true},
		{name: "ftp-active-noalg", flows: "ftp-noalg", url: ftp, curl: port, files: both[:1], fail: true},
		{name: "ftp-passive-snat", flows: "ftp-snat", url: ftp, curl: pasv, files: both},
		{name: "ftp-active-snat", flows: "ftp-snat", url: ftp, curl: port, files: both},
		{name: "ftp-active-snat-samelen", flows: "ftp-snat-samelen", url: ftp, curl: port, files: both},
		{name: "ftp-passive-dnat", flows: "ftp-dnat", url: vip, curl: pasv, files: both},
		{name: "ftp-active-dnat", flows: "ftp-dnat", url: vip, curl: port, files: both},
		// IPv6 has only the extended commands.
		{name: "ftp6-passive", flows: "ftp6", url: ftp6, curl: epsv, files: both},
		{name: "ftp6-active", flows: "ftp6", url: ftp6, curl: eprt, files: both},
		{name: "ftp6-passive-noalg", flows: "ftp6-noalg", url: ftp6, curl: epsv, files: both[:1], fail: true},
		{name: "ftp6-passive-snat", flows: "ftp6-snat", url: ftp6, curl: epsv, files: both},
		{name: "ftp6-active-snat", flows: "ftp6-snat", url: ftp6, curl: eprt, files: both},
		{name: "tftp", flows: "tftp", url: tftp, files: both[:1]},
		{name: "tftp-noalg", flows: "tftp-noalg", url: tftp, files: both[:1], fail: true},
		{name: "tftp-snat", flows: "tftp-snat", url: tftp, files: both[:1]},
	} {
		t.Run(sc.name, func(t *testing.T) { l.run(t, sc) })
	}
}

// run replaces the flow table, empties the connection table, transfers and
// checks the files and the connections left.
func (l *algLab) run(t *testing.T, sc algScenario) {
	if sc.beyondOVS && *realOVS {
		t.Skip("ovs-vswitchd's FTP ALG handles EPRT and EPSV on IPv6 only")
	}
	// The env's helpers report to the subtest while it runs.
	e := l.e
	saved := e.t
	e.t = t
	defer func() { e.t = saved }()

	e.must("ovs-ofctl", "del-flows", "br0")
	flows, err := filepath.Abs(filepath.Join("testdata", "alg", sc.flows+".flows"))
	if err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "add-flows", "br0", flows)
	// Datapath flows that the old table installed would be revalidated
	// only in the next round; start the scenario without them.
	e.must("ovs-appctl", "dpctl/del-flows")
	e.must("ovs-appctl", "dpctl/flush-conntrack")

	// One curl, one control connection: the later files' commands travel
	// after the earlier ones' rewritten messages. Its verbose log (the
	// control dialogue) shows only when something fails.
	args := []string{"netns", "exec", l.client, "curl", "--verbose", "--globoff", "--fail-early", "--connect-timeout", "2"}
	if sc.fail {
		args = append(args, "--max-time", "3")
	} else {
		args = append(args, "--max-time", "20")
	}
	args = append(args, sc.curl...)
	var outs []string
	for _, f := range sc.files {
		out := e.path(sc.name + "-" + f)
		outs = append(outs, out)
		args = append(args, sc.url+f, "--output", out)
	}
	r := e.run("ip", args...)
	if sc.fail {
		if r.code == 0 {
			t.Errorf("curl succeeded through %s.flows, which has no helper: %s", sc.flows, r)
		}
	} else {
		if r.code != 0 {
			t.Errorf("curl through %s.flows: %s", sc.flows, r)
		}
		for i, f := range sc.files {
			got, err := os.ReadFile(outs[i])
			if err != nil || !bytes.Equal(got, l.files[f]) {
				t.Errorf("%s: received %d bytes (%v), not the %d served; curl: %s", f, len(got), err, len(l.files[f]), r)
			}
		}
	}

	// The connections close in their own time after curl exits: wait for
	// every TCP connection to reach TIME_WAIT before recording. The
	// verbose dump adds each related connection's parent; its per-direction
	// TCP states still move, so they are left out.
	dump := func() string { return normalizeALGConntrack(e.appctl("dpctl/dump-conntrack").stdout) }
	deadline := time.Now().Add(5 * time.Second)
	for got := dump(); algClosing(got) && time.Now().Before(deadline); got = dump() {
		time.Sleep(50 * time.Millisecond)
	}
	e.eventuallyGolden(filepath.Join("alg", sc.name+".conntrack"), func() string {
		verbose := algProtoinfoRE.ReplaceAllString(e.appctl("dpctl/dump-conntrack", "-m").stdout, "protoinfo=(...)")
		return dump() + "-- dpctl/dump-conntrack -m\n" + normalizeALGConntrack(verbose)
	})
}

var (
	algPortRE  = regexp.MustCompile(`\b(sport|dport)=(\d+)`)
	algStateRE = regexp.MustCompile(`state=([A-Z_]+)`)
	// protoinfo=(...) holds no nested parentheses.
	algProtoinfoRE = regexp.MustCompile(`protoinfo=\([^)]*\)`)
)

// normalizeALGConntrack hides the clients' ephemeral ports, keeping the
// well-known and pinned ones, and sorts the connections.
func normalizeALGConntrack(s string) string {
	keep := map[string]bool{"20": true, "21": true, "69": true, fmt.Sprint(algPasvPort): true}
	s = algPortRE.ReplaceAllStringFunc(s, func(m string) string {
		k, v, _ := strings.Cut(m, "=")
		switch n, _ := strconv.Atoi(v); {
		case keep[v]:
			return m
		case n >= algTFTPMin && n <= algTFTPMax:
			return k + "=<tftp>"
		}
		return k + "=<port>"
	})
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// algClosing reports whether some TCP connection in a dump is still on its
// way to TIME_WAIT.
func algClosing(dump string) bool {
	for _, m := range algStateRE.FindAllStringSubmatch(dump, -1) {
		if m[1] != "TIME_WAIT" {
			return true
		}
	}
	return false
}
