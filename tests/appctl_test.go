package tests

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// serverError is how ovs-appctl reports an error reply from the daemon.
func serverError(text string) result {
	return result{stderr: text + "\novs-appctl: ovs-vswitchd: server returned an error\n", code: 2}
}

func TestAppctlCommands(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon()

	version := e.run(daemonBin, "--version").stdout
	expect(t, "version", e.appctl("version"), result{stdout: version})

	list := e.appctl("list-commands")
	if list.code != 0 || list.stderr != "" {
		t.Fatalf("list-commands: %s", list)
	}
	e.golden("list-commands.txt", list.stdout)

	for _, c := range []struct {
		args []string
		want result
	}{
		{[]string{"version", "x"}, serverError(`"version" command takes at most 0 arguments`)},
		{[]string{"list-commands", "x"}, serverError(`"list-commands" command takes at most 0 arguments`)},
		{[]string{"nosuchcmd", "a"}, serverError(`"nosuchcmd" is not a valid command (use "list-commands" to see a list of valid commands)`)},
		{[]string{"exit", "a", "b"}, serverError(`"exit" command takes at most 1 arguments`)},
		{[]string{"exit", "--bogus"}, serverError(`unknown option "--bogus" (usage: exit [--cleanup])`)},
		{[]string{"vlog/set", "bogus"}, serverError(`no destination, level, or module "bogus"`)},
		{[]string{"vlog/set", "vswitchd:file:warn"}, result{}},
		{[]string{"vlog/set", "bridge:console:off", "ANY:syslog:err"}, result{}},
		{[]string{"vlog/reopen"}, result{}},
	} {
		expect(t, "ovs-appctl "+strings.Join(c.args, " "), e.appctl(c.args...), c.want)
	}
	vlogList := e.appctl("vlog/list")
	if vlogList.code != 0 || vlogList.stderr != "" {
		t.Fatalf("vlog/list: %s", vlogList)
	}
	e.golden("vlog-list.txt", vlogList.stdout)

	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	mem := e.appctl("memory/show")
	if mem.code != 0 || mem.stderr != "" || !regexp.MustCompile(`^([a-z_-]+:\d+( |\n))+$`).MatchString(mem.stdout) {
		t.Errorf("memory/show: %s", mem)
	}
	cov := e.appctl("coverage/show")
	if cov.code != 0 || cov.stderr != "" ||
		!regexp.MustCompile(`^Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=[0-9a-f]{8}:\n`).MatchString(cov.stdout) {
		t.Errorf("coverage/show: %s", cov)
	}

	// vlog/reopen (and SIGHUP) start a new log file after rotation.
	for _, reopen := range []func(){
		func() { expect(t, "vlog/reopen", e.appctl("vlog/reopen"), result{}) },
		func() { syscall.Kill(pid, syscall.SIGHUP) },
	} {
		if err := os.Rename(e.path("ovs-vswitchd.log"), e.path("rotated.log")); err != nil {
			t.Fatal(err)
		}
		reopen()
		e.waitFor("a new log file", func() bool {
			_, err := os.Stat(e.path("ovs-vswitchd.log"))
			return err == nil
		})
	}
	e.stopDaemon(pid)
}

func TestExitRemovesItsFiles(t *testing.T) {
	for _, how := range []string{"exit", "exit --cleanup", "SIGTERM", "SIGINT"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			pid := e.startDaemon()
			e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
			want := []string{"br0.mgmt", "br0.snoop", "ovs-vswitchd." + strconv.Itoa(pid) + ".ctl", "ovs-vswitchd.pid"}
			if got := e.files(); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("files while running: %q, want %q", got, want)
			}
			switch how {
			case "SIGTERM":
				syscall.Kill(pid, syscall.SIGTERM)
				e.waitFor("the daemon to exit", func() bool { return processGone(pid) })
			case "SIGINT":
				syscall.Kill(pid, syscall.SIGINT)
				e.waitFor("the daemon to exit", func() bool { return processGone(pid) })
			default:
				e.stopDaemon(pid, strings.Fields(how)[1:]...)
			}
			if got := e.files(); len(got) != 0 {
				t.Errorf("files left after %s: %q", how, got)
			}
			// --cleanup removes the bridge's tap device. (ovs-vswitchd keeps
			// it on a plain exit, as a persistent tap; govswitchd need not.)
			if r := e.inNS("ip", "link", "show", "br0"); how == "exit --cleanup" && r.code == 0 {
				t.Errorf("br0 device still present after exit --cleanup: %s", r.stdout)
			}
			want2 := result{stderr: fmt.Sprintf("ovs-appctl: cannot read pidfile \"%s\" (No such file or directory)\n",
				e.path("ovs-vswitchd.pid")), code: 1}
			expect(t, "ovs-appctl version after exit", withoutLogLines(e.appctl("version")), want2)
		})
	}
}

// TestEveryCommandAnswers runs each listed command without arguments: it
// must reply (exit 0) or refuse (exit 2), never break the connection or the
// daemon.
func TestEveryCommandAnswers(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	lines := strings.Split(strings.TrimSpace(e.appctl("list-commands").stdout), "\n")
	for _, l := range lines[1:] {
		cmd := strings.Fields(l)[0]
		if cmd == "exit" {
			continue
		}
		r := e.appctl(cmd)
		if r.code == 2 && strings.HasSuffix(r.stderr, "ovs-appctl: ovs-vswitchd: server returned an error\n") {
			continue
		}
		if r.code != 0 || r.stderr != "" {
			t.Errorf("ovs-appctl %s: %s", cmd, r)
		}
	}
	if processGone(pid) {
		t.Fatal("daemon died")
	}
	e.stopDaemon(pid)
}

func TestMonitorRestartsCrashedDaemon(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon("--monitor")
	monitor := parentPid(t, pid)
	e.daemonPids = append(e.daemonPids, monitor)
	e.addVeth("gv1", "gv1p")
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	e.mustVsctl("add-port", "br0", "gv1")

	syscall.Kill(pid, syscall.SIGSEGV) // a Go daemon dies with a crash dump
	var newPid int
	e.waitFor("the monitor to restart the daemon", func() bool {
		r := e.appctl("version")
		if r.code != 0 {
			return false
		}
		p, err := readPid(e.path("ovs-vswitchd.pid"))
		newPid = p
		return err == nil && p != pid
	})
	e.daemonPids = append(e.daemonPids, newPid)
	if got := parentPid(t, newPid); got != monitor {
		t.Errorf("restarted daemon's parent is %d, want the monitor %d", got, monitor)
	}
	// The restarted daemon picks the configuration up again.
	e.addVeth("gv2", "gv2p")
	e.mustVsctl("add-port", "br0", "gv2")
	e.golden("monitor-restart.show", e.showDB())

	// "exit" is a clean exit: the monitor ends with the daemon.
	e.stopDaemon(newPid)
	e.waitFor("the monitor to exit", func() bool { return processGone(monitor) })
	if got := e.files(); len(got) != 0 {
		t.Errorf("files left: %q", got)
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// parentPid reads a process's parent from /proc.
func parentPid(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("read stat of %d: %v", pid, err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
