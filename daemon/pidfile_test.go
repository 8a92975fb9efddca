package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestCreatePidfileWritesPidAndRemoves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ovs-vswitchd.pid")
	pf, err := CreatePidfile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertLockHolder(t, path, os.Getpid())
	// Reading our own pidfile must not open it (that would drop the lock).
	if pid, err := ReadPidfile(path); err != nil || pid != os.Getpid() {
		t.Errorf("ReadPidfile = %d, %v; want own pid", pid, err)
	}
	assertLockHolder(t, path, os.Getpid())
	// Last, as opening the file from this process drops its lock.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(os.Getpid()) + "\n"; string(b) != want {
		t.Errorf("pidfile holds %q, want %q", b, want)
	}
	if err := pf.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := pf.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	assertDirEmpty(t, dir)
}

func TestCreatePidfileRefusesLiveHolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ovs-vswitchd.pid")
	holder, stdin := startHolder(t, path)

	_, err := CreatePidfile(path)
	want := fmt.Sprintf("%s: already running as pid %d, aborting", path, holder.Process.Pid)
	if err == nil || err.Error() != want {
		t.Fatalf("CreatePidfile error = %v, want %q", err, want)
	}
	if pid, err := ReadPidfile(path); err != nil || pid != holder.Process.Pid {
		t.Errorf("ReadPidfile = %d, %v; want %d", pid, err, holder.Process.Pid)
	}
	// The refused attempt leaves nothing but the holder's pidfile.
	assertDirList(t, dir, "ovs-vswitchd.pid")

	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	assertDirEmpty(t, dir)
}

func TestStalePidfileIsReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ovs-vswitchd.pid")
	holder, _ := startHolder(t, path)
	holder.Process.Kill() // dies without removing its pidfile
	holder.Wait()

	if _, err := ReadPidfile(path); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("ReadPidfile of stale file: %v, want ESRCH", err)
	}
	pf, err := CreatePidfile(path)
	if err != nil {
		t.Fatalf("CreatePidfile over stale file: %v", err)
	}
	defer pf.Remove()
	assertLockHolder(t, path, os.Getpid())
}

func TestReadPidfileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadPidfile(filepath.Join(dir, "missing.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing pidfile: %v, want ENOENT", err)
	}
	unlocked := filepath.Join(dir, "unlocked.pid")
	os.WriteFile(unlocked, []byte("1\n"), 0o644)
	if _, err := ReadPidfile(unlocked); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("unlocked pidfile: %v, want ESRCH", err)
	}
}

func TestCreatePidfileInMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodir", "x.pid")
	_, err := CreatePidfile(path)
	want := path + ".tmp: create failed (No such file or directory)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// startHolder runs a helper process that holds path until stdin closes.
func startHolder(t *testing.T, path string) (*exec.Cmd, *os.File) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), noRaceExitDelay, helperEnv+"=hold-pidfile", "DAEMON_TEST_PIDFILE="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("holder said %q", line)
	}
	return cmd, stdin.(*os.File)
}

// assertLockHolder checks /proc/locks for a POSIX write lock over the whole
// file by pid (checking with fcntl from this process would open, and so
// drop, our own lock).
func assertLockHolder(t *testing.T, path string, pid int) {
	t.Helper()
	// /proc/locks lists POSIX locks with the holder's pid and inode.
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf(":%d 0 EOF", st.Ino)
	for _, l := range strings.Split(string(locks), "\n") {
		f := strings.Fields(l)
		if len(f) >= 8 && f[1] == "POSIX" && f[3] == "WRITE" && f[4] == strconv.Itoa(pid) &&
			strings.HasSuffix(strings.Join(f[5:], " "), suffix) {
			return
		}
	}
	t.Errorf("no POSIX write lock by pid %d on %s in /proc/locks:\n%s", pid, path, locks)
}

func assertDirEmpty(t *testing.T, dir string) {
	t.Helper()
	assertDirList(t, dir)
}

func assertDirList(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}
