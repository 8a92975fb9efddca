package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestMonitorRestartsCrashedDaemon(t *testing.T) {
	for _, behaviour := range []string{"panic-once", "segv-once"} {
		t.Run(behaviour, func(t *testing.T) {
			dir := t.TempDir()
			if _, stderr, code := runHelper(t, dir, "detach monitor", behaviour); code != 0 {
				t.Fatalf("start: exit %d: %s", code, stderr)
			}
			// The first daemon crashes once ready; a second one takes over.
			var pids []int
			eventually(t, "a restarted daemon", func() bool {
				pids = readyPids(t, dir)
				return len(pids) == 2
			})
			for _, p := range pids {
				killAtEnd(t, p)
			}
			eventually(t, "the new daemon's pidfile", func() bool {
				pid, err := ReadPidfile(filepath.Join(dir, "test.pid"))
				return err == nil && pid != 0 && !processGone(pid) && processGone(otherPid(pids, pid))
			})
			pid := daemonPid(t, dir)
			monitor := parentPid(t, pid)
			killAtEnd(t, monitor)
			if sid := statField(t, monitor, 6); sid != monitor {
				t.Errorf("monitor is in session %d, want its own", sid)
			}
			// SIGTERM to the monitor passes through and stops both.
			syscall.Kill(monitor, syscall.SIGTERM)
			eventually(t, "daemon and monitor to exit", func() bool {
				return processGone(pid) && processGone(monitor)
			})
			left := []string{"crashed", "aftercrash." + strconv.Itoa(otherPid(pids, pid))}
			for _, p := range pids {
				left = append(left, "cwd."+strconv.Itoa(p))
			}
			// A crashed daemon leaves its (unlocked, stale) pidfile only until
			// the next one replaces it.
			sort.Strings(left)
			assertDirList(t, dir, left...)
		})
	}
}

func TestMonitorExitsWithCleanDaemonExit(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runHelper(t, dir, "detach monitor", "serve"); code != 0 {
		t.Fatalf("start: exit %d: %s", code, stderr)
	}
	pid := daemonPid(t, dir)
	monitor := parentPid(t, pid)
	killAtEnd(t, pid)
	killAtEnd(t, monitor)
	syscall.Kill(pid, syscall.SIGTERM) // the daemon exits 0: not a crash
	eventually(t, "monitor to exit", func() bool { return processGone(monitor) })
	assertDirList(t, dir, "cwd."+strconv.Itoa(pid))
}

func TestMonitorReportsStartupFailure(t *testing.T) {
	want := "daemon.test: unix:/nowhere/db.sock: database connection failed (No such file or directory)\n"
	for _, opts := range []string{"monitor", "detach monitor"} {
		dir := t.TempDir()
		_, stderr, code := runHelper(t, dir, opts, "fail")
		if code != 1 || stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 1, %q", opts, code, stderr, want)
		}
		assertDirEmpty(t, dir)
	}
}

func TestStatusMessageAndShouldRestart(t *testing.T) {
	for _, c := range []struct {
		script  string
		status  string
		restart bool
	}{
		{"exit 0", "exit status 0", false},
		{"exit 1", "exit status 1", false},
		{"exit 2", "exit status 2", true}, // a Go panic
		{"kill -KILL $$", "killed (Killed)", false},
		{"kill -TERM $$", "killed (Terminated)", false},
		{"ulimit -c 0; kill -SEGV $$", "killed (Segmentation fault)", true},
		{"ulimit -c 0; kill -ABRT $$", "killed (Aborted)", true},
	} {
		cmd := exec.Command("sh", "-c", c.script)
		cmd.Run()
		if got := StatusMessage(cmd.ProcessState); got != c.status {
			t.Errorf("%s: StatusMessage = %q, want %q", c.script, got, c.status)
		}
		if got := ShouldRestart(cmd.ProcessState); got != c.restart {
			t.Errorf("%s: ShouldRestart = %v, want %v", c.script, got, c.restart)
		}
	}
}

// readyPids lists the daemons that have reported ready in dir, sorted.
func readyPids(t *testing.T, dir string) []int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range ents {
		if s, ok := strings.CutPrefix(e.Name(), "cwd."); ok {
			p, _ := strconv.Atoi(s)
			pids = append(pids, p)
		}
	}
	sort.Ints(pids)
	return pids
}

func otherPid(pids []int, pid int) int {
	for _, p := range pids {
		if p != pid {
			return p
		}
	}
	panic(fmt.Sprint("no other pid than ", pid))
}
