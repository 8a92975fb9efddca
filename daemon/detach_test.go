package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestDetachReturnsOnceReady(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runHelper(t, dir, "detach", "serve")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("detach: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	pid := daemonPid(t, dir)
	killAtEnd(t, pid)
	if got := readFile(t, filepath.Join(dir, "cwd."+strconv.Itoa(pid))); got != "/" {
		t.Errorf("detached daemon works in %q, want /", got)
	}
	if sid := statField(t, pid, 6); sid != pid {
		t.Errorf("detached daemon is in session %d, want its own (%d)", sid, pid)
	}
	stopAndCheckClean(t, dir, pid, "cwd."+strconv.Itoa(pid))
}

func TestDetachNoChdir(t *testing.T) {
	dir := t.TempDir()
	cmd := helperCommand(dir, "detach nochdir", "serve")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("detach: %v: %s", err, out)
	}
	pid := daemonPid(t, dir)
	killAtEnd(t, pid)
	if got := readFile(t, filepath.Join(dir, "cwd."+strconv.Itoa(pid))); got != dir {
		t.Errorf("daemon works in %q, want %q", got, dir)
	}
	stopAndCheckClean(t, dir, pid, "cwd."+strconv.Itoa(pid))
}

func TestDetachReportsStartupFailure(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runHelper(t, dir, "detach", "fail")
	want := "daemon.test: unix:/nowhere/db.sock: database connection failed (No such file or directory)\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, want)
	}
	assertDirEmpty(t, dir)
}

func TestDetachRefusesSecondInstance(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runHelper(t, dir, "detach", "serve"); code != 0 {
		t.Fatalf("first start: exit %d: %s", code, stderr)
	}
	pid := daemonPid(t, dir)
	killAtEnd(t, pid)
	_, stderr, code := runHelper(t, dir, "detach", "serve")
	want := fmt.Sprintf("daemon.test: %s/test.pid: already running as pid %d, aborting\n", dir, pid)
	if code != 1 || stderr != want {
		t.Errorf("second start: exit %d, stderr %q; want exit 1, %q", code, stderr, want)
	}
	stopAndCheckClean(t, dir, pid, "cwd."+strconv.Itoa(pid))
}

func TestForegroundFailureGoesToStderr(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := runHelper(t, dir, "", "fail")
	want := "daemon.test: unix:/nowhere/db.sock: database connection failed (No such file or directory)\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 1, %q", code, stderr, want)
	}
	assertDirEmpty(t, dir)
}

// daemonPid is the pid in the helper's pidfile, checked as ovs-appctl does.
func daemonPid(t *testing.T, dir string) int {
	t.Helper()
	pid, err := ReadPidfile(filepath.Join(dir, "test.pid"))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// stopAndCheckClean sends SIGTERM to pid, waits for it to go, and checks that
// only the listed files are left in dir.
func stopAndCheckClean(t *testing.T, dir string, pid int, left ...string) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, fmt.Sprintf("pid %d to exit", pid), func() bool { return processGone(pid) })
	assertDirList(t, dir, left...)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	var b []byte
	eventually(t, path, func() bool {
		var err error
		b, err = os.ReadFile(path)
		return err == nil && len(b) > 0
	})
	return string(b)
}

// statField is field n (1-based, as in proc(5)) of /proc/PID/stat.
func statField(t *testing.T, pid, n int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	v, _ := strconv.Atoi(f[n-3])
	return v
}
