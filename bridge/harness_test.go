package bridge

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// netnsEnv marks the re-executed test binary that runs in its own network
// namespace, so taps and veths never touch the host and vanish with it.
const netnsEnv = "GOVSWITCHD_BRIDGE_TEST_NETNS"

func TestMain(m *testing.M) {
	if os.Getenv(netnsEnv) == "" {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), netnsEnv+"=1")
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				os.Exit(ee.ExitCode())
			}
			fmt.Fprintf(os.Stderr, "bridge tests: cannot run in a new network namespace: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// ovsdbServer is a real ovsdb-server on a fresh database in a temp dir.
type ovsdbServer struct {
	dir, db, sock string
	cmd           *exec.Cmd
	exited        chan struct{}
}

func startOVSDB(t *testing.T) *ovsdbServer {
	t.Helper()
	for _, prog := range []string{"ovsdb-tool", "ovsdb-server", "ovs-vsctl"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s not installed", prog)
		}
	}
	// Unix socket paths are short; t.TempDir() can be too long for them.
	dir, err := os.MkdirTemp("", "brt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	o := &ovsdbServer{dir: dir, db: filepath.Join(dir, "conf.db"), sock: filepath.Join(dir, "db.sock")}
	run(t, "ovsdb-tool", "create", o.db, "/usr/share/openvswitch/vswitch.ovsschema")
	o.start(t)
	t.Cleanup(o.stop)
	o.vsctlNoWait(t, "init")
	return o
}

func (o *ovsdbServer) start(t *testing.T) {
	t.Helper()
	o.cmd = exec.Command("ovsdb-server", o.db, "--remote=punix:"+o.sock,
		"--unixctl="+filepath.Join(o.dir, "ovsdb.ctl"), "-vconsole:off", "--no-chdir")
	o.cmd.Env = o.env()
	o.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := o.cmd.Start(); err != nil {
		t.Fatalf("start ovsdb-server: %v", err)
	}
	o.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(o.cmd, o.exited)
	waitFor(t, "ovsdb-server socket", func() bool {
		_, err := os.Stat(o.sock)
		return err == nil
	})
}

func (o *ovsdbServer) stop() {
	if o.cmd == nil {
		return
	}
	o.cmd.Process.Kill()
	<-o.exited
	o.cmd = nil
	os.Remove(o.sock)
}

func (o *ovsdbServer) env() []string {
	return append(os.Environ(), "OVS_RUNDIR="+o.dir, "OVS_LOGDIR="+o.dir, "OVS_DBDIR="+o.dir)
}

func (o *ovsdbServer) remote() string { return "unix:" + o.sock }

// vsctl runs ovs-vsctl waiting for the daemon (cur_cfg) and returns stdout
// and stderr; a non-zero exit fails the test.
func (o *ovsdbServer) vsctl(t *testing.T, args ...string) (string, string) {
	t.Helper()
	return o.runVsctl(t, append([]string{"--timeout=10"}, args...)...)
}

func (o *ovsdbServer) vsctlNoWait(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := o.runVsctl(t, append([]string{"--no-wait"}, args...)...)
	return out
}

func (o *ovsdbServer) runVsctl(t *testing.T, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command("ovs-vsctl", append([]string{"--db=" + o.remote()}, args...)...)
	cmd.Env = o.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ovs-vsctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// get is "ovs-vsctl get" without quotes handling: the raw value text.
func (o *ovsdbServer) get(t *testing.T, args ...string) string {
	t.Helper()
	return strings.TrimSpace(o.vsctlNoWait(t, append([]string{"get"}, args...)...))
}

func run(t *testing.T, prog string, args ...string) string {
	t.Helper()
	out, err := exec.Command(prog, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// waitFor polls cond; it is for things that happen asynchronously (a socket
// appearing, a lock handed over), not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// addVeth creates a veth pair in the test's namespace.
func addVeth(t *testing.T, name string) {
	t.Helper()
	run(t, "ip", "link", "add", name, "type", "veth", "peer", "name", name+"p")
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
}

func startSwitch(t *testing.T, o *ovsdbServer) *Switch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sw, err := Start(ctx, Config{Remote: o.remote(), RunDir: o.dir, Version: "3.1.0-govswitchd"}, nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { sw.Close(false) })
	return sw
}

var (
	macRE     = regexp.MustCompile(`"[0-9a-f]{2}(:[0-9a-f]{2}){5}"`)
	ifindexRE = regexp.MustCompile(`(?m)^(ifindex\s+: )[1-9][0-9]*$`)
)

// interfaceColumnsListed are the Interface columns the daemon writes, plus
// the ones identifying the row, in the order the tests compare them.
const interfaceColumnsListed = "name,type,ofport,ofport_request,error,status,admin_state,link_state,mtu,link_speed,duplex,link_resets,statistics,mac_in_use,ifindex"

// listInterface is "ovs-vsctl list interface NAME" for our columns, with
// the MAC and ifindex (which differ per run) replaced by MAC and N.
func (o *ovsdbServer) listInterface(t *testing.T, name string) string {
	t.Helper()
	out := o.vsctlNoWait(t, "--columns="+interfaceColumnsListed, "list", "interface", name)
	out = macRE.ReplaceAllString(out, `"MAC"`)
	return ifindexRE.ReplaceAllString(out, "${1}N")
}

const zeroStats = "{collisions=0, rx_bytes=0, rx_crc_err=0, rx_dropped=0, rx_errors=0, rx_frame_err=0, rx_missed_errors=0, rx_multicast_packets=0, rx_over_err=0, rx_packets=0, tx_bytes=0, tx_dropped=0, tx_errors=0, tx_packets=0}"

// interfaceRowText is the expected listInterface text.
func interfaceRowText(fields ...string) string {
	names := strings.Split(interfaceColumnsListed, ",")
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, "%-20s: %s\n", n, fields[i])
	}
	return b.String()
}

// upInterfaceRow is the row of a working interface as OVS writes it.
func upInterfaceRow(name, typ, ofport, request, driver, version string) string {
	return interfaceRowText(name, typ, ofport, request, "[]",
		fmt.Sprintf(`{driver_name=%s, driver_version=%q, firmware_version=""}`, driver, version),
		"down", "down", "1500", "10000000000", "full", "0", zeroStats, `"MAC"`, "N")
}

// failedInterfaceRow is the row of an interface that could not be opened.
func failedInterfaceRow(name, typ, errText string) string {
	return interfaceRowText(name, typ, "-1", "[]", fmt.Sprintf("%q", errText),
		"{}", "[]", "[]", "[]", "[]", "[]", "[]", "{}", "[]", "[]")
}

func checkText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}
