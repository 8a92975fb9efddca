package tests

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Ports under traffic (issue 8): while ns1 pings ns2 through br0, port p1
// is deleted, re-added and changed between system and afxdp (native and
// generic XDP), and tap and internal ports come and go. Afterwards the
// daemon holds exactly what it held before: file descriptors by kind
// (sockets, BPF programs and maps, XDP sockets...), the XSK ring and UMEM
// mappings, XDP programs attached to the device, and goroutines (counted
// by memory/show).

// resources is what the daemon holds at one moment.
type resources struct {
	fds        map[string]int // by readlink target, "[inode]" numbers removed
	mappings   map[string]int // special (non-file, non-anonymous) mappings by name
	goroutines int
	xdpOnP1    string // the XDP program attached to p1 ("" if none)
	rssAnonKB  int    // RssAnon: a leaked UMEM (populated at allocation) shows here
}

// umemBytes is the UMEM of one afxdp queue (dpif/afxdp_socket.go:
// 6144 frames of 4 KiB), allocated populated, so each one leaked would
// add this much anonymous resident memory.
const umemBytes = 6144 * 4096

var inodeNumber = regexp.MustCompile(`\[\d+\]|:\d+$`)

func (e *env) resources(pid int) resources {
	e.t.Helper()
	r := resources{fds: map[string]int{}, mappings: map[string]int{}}
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ent := range ents {
		target, err := os.Readlink(dir + "/" + ent.Name())
		if err != nil {
			continue // closed meanwhile
		}
		if strings.HasPrefix(target, "/") {
			target = "file"
		}
		r.fds[inodeNumber.ReplaceAllString(target, "")]++
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue // anonymous
		}
		name := strings.Join(f[5:], " ")
		if strings.HasPrefix(name, "/") || name == "[heap]" || name == "[stack]" || name == "[vdso]" || name == "[vvar]" || name == "[vsyscall]" {
			continue
		}
		r.mappings[inodeNumber.ReplaceAllString(name, "")]++
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		e.t.Fatal(err)
	}
	if m := regexp.MustCompile(`RssAnon:\s+(\d+) kB`).FindSubmatch(status); m != nil {
		r.rssAnonKB, _ = strconv.Atoi(string(m[1]))
	}
	mem := e.appctl("memory/show")
	if m := regexp.MustCompile(`goroutines:(\d+)`).FindStringSubmatch(mem.stdout); m != nil {
		r.goroutines, _ = strconv.Atoi(m[1])
	} else {
		e.t.Fatalf("memory/show has no goroutine count: %s", mem)
	}
	link := e.inNS("ip", "-d", "link", "show", "dev", "p1")
	if m := regexp.MustCompile(`prog/xdp\w* id \d+`).FindString(link.stdout); m != "" {
		r.xdpOnP1 = m
	}
	return r
}

func (r resources) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "goroutines %d, XDP on p1 %q, RssAnon %d kB\n", r.goroutines, r.xdpOnP1, r.rssAnonKB)
	for _, k := range slices.Sorted(maps.Keys(r.fds)) {
		fmt.Fprintf(&b, "  fd %s: %d\n", k, r.fds[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.mappings)) {
		fmt.Fprintf(&b, "  mapping %s: %d\n", k, r.mappings[k])
	}
	return b.String()
}

func (r resources) equal(o resources) bool {
	return maps.Equal(r.fds, o.fds) && maps.Equal(r.mappings, o.mappings) &&
		r.goroutines == o.goroutines && r.xdpOnP1 == o.xdpOnP1
}

// portChurnCycles is how many times the whole sequence of port changes
// runs between the two measurements.
const portChurnCycles = 3

func TestPortChurnLeaks(t *testing.T) {
	for _, tool := range []string{"ethtool", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	e, h := startForwardingSwitch(t)
	e.must("ovs-ofctl", "add-flow", "br0", "actions=normal")
	pid, err := daemonPid(e)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Fatalf("no traffic before the churn: %s", r)
	}
	// Traffic flows throughout: 100 pings a second from ns1 to ns2.
	flood := exec.Command("ip", "netns", "exec", h.ns1, "ping", "-q", "-i", "0.01", "10.0.0.2")
	if err := flood.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { flood.Process.Kill(); flood.Wait() }()

	setP1 := func(opts ...string) {
		t.Helper()
		args := append([]string{"--", "del-port", "br0", "p1", "--", "add-port", "br0", "p1",
			"--", "set", "interface", "p1", "ofport_request=1"}, opts...)
		e.mustVsctl(args...)
		if got := strings.TrimSpace(e.mustVsctl("get", "interface", "p1", "ofport")); got != "1" {
			t.Fatalf("p1 %v: ofport %s, error %s", opts, got, e.mustVsctl("get", "interface", "p1", "error"))
		}
	}
	loggedDuring := false
	cycle := func() {
		t.Helper()
		e.mustVsctl("del-port", "br0", "p1")
		e.mustVsctl("add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1")
		setP1("type=afxdp", "options:xdp-mode=native")
		// The churn must exercise what could leak: an XDP program on
		// the device, BPF objects and an XDP socket with its rings.
		if during := e.resources(pid); during.xdpOnP1 == "" || during.fds["anon_inode:bpf-prog"] == 0 ||
			during.fds["anon_inode:bpf-map"] == 0 || during.goroutines <= 0 {
			t.Fatalf("afxdp port holds no XDP resources:\n%s", during)
		} else if !loggedDuring {
			t.Logf("with p1 afxdp (native):\n%s", during)
			loggedDuring = true
		}
		setP1("type=afxdp", "options:xdp-mode=generic")
		setP1("type=afxdp", "options:xdp-mode=native", "options:n_rxq=1")
		setP1() // back to system
		e.mustVsctl("add-port", "br0", "t0", "--", "set", "interface", "t0", "type=tap")
		e.mustVsctl("add-port", "br0", "i0", "--", "set", "interface", "i0", "type=internal")
		e.mustVsctl("set", "interface", "t0", "type=internal")
		e.mustVsctl("del-port", "br0", "t0", "--", "del-port", "br0", "i0")
		// p2's link flaps under the traffic.
		for _, state := range []string{"down", "up"} {
			if r := e.inNS("ip", "link", "set", "p2", state); r.code != 0 {
				t.Fatalf("ip link set p2 %s: %s", state, r)
			}
		}
	}

	// One cycle first, so that what is created once per process (BPF
	// objects cached for reuse, pools) exists before the baseline.
	cycle()
	before := settle(e, pid)
	for i := 0; i < portChurnCycles; i++ {
		cycle()
	}
	// The pings still get through, on the same system port.
	if r := h.ping(h.ns1, "10.0.0.2"); r.code != 0 {
		t.Errorf("no traffic after the churn: %s", r)
	}
	after := before
	deadline := time.Now().Add(30 * time.Second)
	for {
		after = e.resources(pid)
		if after.equal(before) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("before:\n%s\nafter %d more cycles of port changes:\n%s", before, portChurnCycles, after)
	if !after.equal(before) {
		t.Errorf("resources leaked:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The heap may grow a little; one leaked UMEM per cycle would add
	// several times this bound.
	if grown := (after.rssAnonKB - before.rssAnonKB) * 1024; grown >= umemBytes {
		t.Errorf("anonymous resident memory grew by %d bytes, a UMEM is %d", grown, umemBytes)
	}
}

// settle waits until the daemon's resources stop changing (goroutines
// of closed ports finishing) and returns them.
func settle(e *env, pid int) resources {
	e.t.Helper()
	last := e.resources(pid)
	for i := 0; i < 150; i++ {
		time.Sleep(200 * time.Millisecond)
		cur := e.resources(pid)
		if cur.equal(last) {
			return cur
		}
		last = cur
	}
	return last
}

// daemonPid reads the pidfile of the daemon the env started.
func daemonPid(e *env) (int, error) {
	b, err := os.ReadFile(e.path("ovs-vswitchd.pid"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
