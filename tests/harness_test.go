package tests

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/daemon"
)

var (
	update  = flag.Bool("update", false, "rewrite golden files in testdata/ from the actual output")
	realOVS = flag.Bool("real-ovs", false, "run the scenarios against the real ovs-vswitchd instead (checks the expectations)")
)

// daemonBin is the binary under test, built once by TestMain.
var daemonBin string

const schema = "/usr/share/openvswitch/vswitch.ovsschema"

func TestMain(m *testing.M) {
	flag.Parse()
	if reason := missingPrerequisite(); reason != "" {
		fmt.Println("skipping end-to-end tests:", reason)
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "gsw-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if *realOVS {
			daemonBin = "/usr/sbin/ovs-vswitchd"
		} else {
			daemonBin = filepath.Join(dir, "govswitchd")
			build := exec.Command("go", "build", "-o", daemonBin, "../cmd/govswitchd")
			build.Stdout, build.Stderr = os.Stdout, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "building govswitchd:", err)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func missingPrerequisite() string {
	if os.Geteuid() != 0 {
		return "need root (network namespaces, veth devices)"
	}
	for _, tool := range []string{"ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " not installed (run scripts/install-deps.sh)"
		}
	}
	if _, err := os.Stat(schema); err != nil {
		return "no OVS schema at " + schema
	}
	return ""
}

// env is one isolated world: a run directory (also the log and database
// directory), an ovsdb-server on a fresh database, a network namespace for
// the daemon, and whatever the test starts in them. Cleanup removes it all.
type env struct {
	t   *testing.T
	dir string // OVS_RUNDIR = OVS_LOGDIR = OVS_DBDIR
	ns  string // the daemon's network namespace

	daemonPids []int // every govswitchd process we know of, killed at cleanup
}

// newEnv builds an env with a network namespace and a running,
// initialised ovsdb-server.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := newBareEnv(t)
	e.ns = "gswt-" + randomHex(4)
	if r := e.run("ip", "netns", "add", e.ns); r.code != 0 {
		t.Fatalf("ip netns add: %s", r.stderr)
	}
	e.must("ovsdb-tool", "create", e.path("conf.db"), schema)
	e.startOVSDB()
	e.must("ovs-vsctl", "--no-wait", "init")
	if *realOVS {
		// govswitchd writes ovs_version; ovs-ctl does it for the real one.
		e.must("ovs-vsctl", "--no-wait", "set", "Open_vSwitch", ".", "ovs_version=0.1.0")
	}
	return e
}

// newBareEnv is just a private directory to use as RUNDIR and LOGDIR.
func newBareEnv(t *testing.T) *env {
	t.Helper()
	// Short paths: unix socket names are limited to 107 bytes.
	dir, err := os.MkdirTemp("", "gsw-")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir}
	t.Cleanup(e.cleanup)
	return e
}

func (e *env) path(name string) string { return filepath.Join(e.dir, name) }

func (e *env) startOVSDB() {
	e.t.Helper()
	e.must("ovsdb-server", e.path("conf.db"), "--remote=punix:"+e.path("db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file")
}

// stopOVSDB kills ovsdb-server abruptly and waits until it is gone.
func (e *env) stopOVSDB() {
	e.t.Helper()
	pid, err := daemon.ReadPidfile(e.path("ovsdb-server.pid"))
	if err != nil {
		e.t.Fatalf("ovsdb-server pid: %v", err)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	e.waitFor("ovsdb-server to die", func() bool { return processGone(pid) })
	// A killed server leaves its socket and pidfile; the restart replaces them.
}

// cleanup kills every process of the env, deletes the namespace and the
// directory. It runs even when the test failed half-way.
func (e *env) cleanup() {
	if pid, err := daemon.ReadPidfile(e.path("ovs-vswitchd.pid")); err == nil {
		e.daemonPids = append(e.daemonPids, pid)
	}
	for _, pid := range e.daemonPids {
		killAndWait(pid)
	}
	if pid, err := daemon.ReadPidfile(e.path("ovsdb-server.pid")); err == nil {
		killAndWait(pid)
	}
	if e.ns != "" {
		// Anything else still running inside the namespace (a monitor, a
		// helper) goes too, so that deleting the namespace cannot leak it.
		if out, err := exec.Command("ip", "netns", "pids", e.ns).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				var pid int
				fmt.Sscan(f, &pid)
				killAndWait(pid)
			}
		}
		exec.Command("ip", "netns", "del", e.ns).Run()
	}
	if e.t.Failed() {
		e.dumpLogs()
	}
	os.RemoveAll(e.dir)
}

func (e *env) dumpLogs() {
	for _, name := range []string{"ovs-vswitchd.log", "ovsdb-server.log"} {
		if b, err := os.ReadFile(e.path(name)); err == nil {
			lines := strings.SplitAfter(string(b), "\n")
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			e.t.Logf("---- %s (tail) ----\n%s", name, strings.Join(lines, ""))
		}
	}
}

func killAndWait(pid int) {
	if pid <= 0 || processGone(pid) {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for !processGone(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !processGone(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// processGone reports whether pid has exited (a zombie counts as gone).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z'
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// command prepares name with the env's directories in its environment.
func (e *env) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+e.dir, "OVS_LOGDIR="+e.dir, "OVS_DBDIR="+e.dir)
	cmd.Dir = e.dir
	return cmd
}

func (e *env) run(name string, args ...string) result {
	e.t.Helper()
	cmd := e.command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		e.t.Fatalf("run %s: %v", name, err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// must runs a command that has to succeed and returns its stdout.
func (e *env) must(name string, args ...string) string {
	e.t.Helper()
	r := e.run(name, args...)
	if r.code != 0 {
		e.t.Fatalf("%s %s: %s", name, strings.Join(args, " "), r)
	}
	return r.stdout
}

// vsctl runs ovs-vsctl as a user would: waiting for the daemon to apply
// the change (no --no-wait), with a timeout so a broken daemon fails the
// test instead of hanging it.
func (e *env) vsctl(args ...string) result {
	e.t.Helper()
	return e.run("ovs-vsctl", append([]string{"--timeout=20"}, args...)...)
}

// mustVsctl is vsctl that has to succeed without complaint.
func (e *env) mustVsctl(args ...string) string {
	e.t.Helper()
	r := e.vsctl(args...)
	if r.code != 0 || r.stderr != "" {
		e.t.Fatalf("ovs-vsctl %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// appctl runs plain "ovs-appctl CMD ARGS" (no -t): it must find the daemon
// through RUNDIR/ovs-vswitchd.pid as it would find ovs-vswitchd.
func (e *env) appctl(args ...string) result {
	e.t.Helper()
	return e.run("ovs-appctl", append([]string{"--timeout=20"}, args...)...)
}

// inNS runs a command inside the daemon's namespace.
func (e *env) inNS(name string, args ...string) result {
	e.t.Helper()
	return e.run("ip", append([]string{"netns", "exec", e.ns, name}, args...)...)
}

// disableIPv6 turns IPv6 off in the daemon's namespace, for devices made
// from now on: the switch's own ports then send nothing of their own
// (neighbour discovery and MLD go on for seconds after link-up), and
// hosts and counters see only what the switch forwards.
func (e *env) disableIPv6() {
	e.t.Helper()
	for _, key := range []string{"all", "default"} {
		if r := e.inNS("sysctl", "-q", "-w", "net.ipv6.conf."+key+".disable_ipv6=1"); r.code != 0 {
			e.t.Fatalf("disable IPv6 in the daemon's namespace: %s", r)
		}
	}
}

// daemonArgs are the options every test starts the daemon with.
func (e *env) daemonArgs(extra ...string) []string {
	return append([]string{"-vconsole:off", "-vfile:dbg", "--detach", "--pidfile", "--log-file", "--no-chdir"}, extra...)
}

// launch runs the daemon binary in the namespace with args as given and
// returns when the foreground process exits (with --detach: once the
// daemon is ready or has failed).
func (e *env) launch(args ...string) result {
	e.t.Helper()
	r := e.inNS(daemonBin, args...)
	if pid, err := daemon.ReadPidfile(e.path("ovs-vswitchd.pid")); err == nil {
		e.daemonPids = append(e.daemonPids, pid)
	}
	return r
}

// startDaemon starts the daemon detached with the usual options and fails
// the test unless it comes up. It returns the daemon's pid.
func (e *env) startDaemon(extra ...string) int {
	e.t.Helper()
	if r := e.launch(e.daemonArgs(extra...)...); r.code != 0 || r.stdout != "" || r.stderr != "" {
		e.t.Fatalf("starting daemon: %s", r)
	}
	pid, err := daemon.ReadPidfile(e.path("ovs-vswitchd.pid"))
	if err != nil {
		e.t.Fatalf("daemon ready but: %v", err)
	}
	return pid
}

// stopDaemon asks the daemon to exit through ovs-appctl and waits for it.
func (e *env) stopDaemon(pid int, args ...string) {
	e.t.Helper()
	r := e.appctl(append([]string{"exit"}, args...)...)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		e.t.Fatalf("ovs-appctl exit: %s", r)
	}
	e.waitFor("the daemon to exit", func() bool { return processGone(pid) })
}

// waitFor polls cond with a generous deadline: a liveness bound, not a
// timing assertion.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// files lists the env directory, sorted, leaving out what is not the
// daemon's business: the database, ovsdb-server's files and the logs.
func (e *env) files() []string {
	e.t.Helper()
	ents, err := os.ReadDir(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, ent := range ents {
		n := ent.Name()
		if n == "conf.db" || n == ".conf.db.~lock~" || n == "db.sock" || strings.HasPrefix(n, "ovsdb-server.") ||
			strings.HasSuffix(n, ".log") {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	uuidRE    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	macRE     = regexp.MustCompile(`\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b`)
	dpidRE    = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	ifindexRE = regexp.MustCompile(`(ifindex\s*:\s*)[0-9]+`)
)

// normalize makes database dumps comparable the way OVS's test suite does:
// each distinct UUID becomes <0>, <1>, ... in order of appearance; MAC
// addresses, datapath ids and ifindexes become placeholders.
func normalize(s string) string {
	seen := map[string]string{}
	s = uuidRE.ReplaceAllStringFunc(s, func(u string) string {
		if r, ok := seen[u]; ok {
			return r
		}
		seen[u] = fmt.Sprintf("<%d>", len(seen))
		return seen[u]
	})
	s = macRE.ReplaceAllString(s, "<mac>")
	s = dpidRE.ReplaceAllString(s, "<dpid>")
	return ifindexRE.ReplaceAllString(s, "${1}<ifindex>")
}

// golden compares got with testdata/NAME, or rewrites it with -update.
// Occurrences of the env directory are written as RUNDIR.
func (e *env) golden(name, got string) {
	e.t.Helper()
	got = strings.ReplaceAll(got, e.dir, "RUNDIR")
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		e.t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// eventuallyGolden is golden for state the daemon reaches in its own time:
// it polls produce until the output matches (or a generous deadline passes)
// and then compares, so a mismatch still shows the difference.
func (e *env) eventuallyGolden(name string, produce func() string) {
	e.t.Helper()
	got := produce()
	if !*update {
		want, _ := os.ReadFile(filepath.Join("testdata", name))
		norm := func(s string) string { return strings.ReplaceAll(s, e.dir, "RUNDIR") }
		for deadline := time.Now().Add(30 * time.Second); norm(got) != string(want) && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			got = produce()
		}
	}
	e.golden(name, got)
}

// appctlLogRE matches the log lines ovs-appctl itself prints on stderr
// before its error message (they carry a timestamp).
var appctlLogRE = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT[^|]*\|\d+\|[^\n]*\n`)

// withoutLogLines drops timestamped log lines from a tool's stderr.
func withoutLogLines(r result) result {
	r.stderr = appctlLogRE.ReplaceAllString(r.stderr, "")
	return r
}

// expect compares a command result with what it should have been.
func expect(t *testing.T, what string, got, want result) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got\n%s\n--- want\n%s", what, got, want)
	}
}
