package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the programs under test: with helperEnv set,
// TestMain runs one of the helpers below instead of the tests.
const helperEnv = "DAEMON_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "hold-pidfile":
		os.Exit(holdPidfile(os.Getenv("DAEMON_TEST_PIDFILE")))
	case "daemon":
		os.Exit(fakeDaemon(os.Getenv("DAEMON_TEST_DIR"), os.Getenv("DAEMON_TEST_OPTS"),
			os.Getenv("DAEMON_TEST_BEHAVIOUR")))
	default:
		fmt.Fprintln(os.Stderr, "unknown helper")
		os.Exit(3)
	}
}

// holdPidfile creates a pidfile, says "locked" and keeps it until stdin
// closes.
func holdPidfile(path string) int {
	pf, err := CreatePidfile(path)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	pf.Remove()
	return 0
}

// fakeDaemon is a minimal daemon built on Start: it writes its working
// directory to DIR/cwd.PID once ready and serves until SIGTERM.
func fakeDaemon(dir, opts, behaviour string) int {
	o := Options{
		Detach:          strings.Contains(opts, "detach"),
		Monitor:         strings.Contains(opts, "monitor"),
		NoChdir:         strings.Contains(opts, "nochdir"),
		Pidfile:         filepath.Join(dir, "test.pid"),
		RestartInterval: 50 * time.Millisecond,
		AfterCrash: func(pid int) {
			os.WriteFile(filepath.Join(dir, "aftercrash."+strconv.Itoa(pid)), nil, 0o644)
		},
	}
	sigs := make(chan os.Signal, 1)
	p, err := Start(o)
	signal.Notify(sigs, syscall.SIGTERM)
	if err != nil {
		p.Fail(err)
		return 1
	}
	if behaviour == "fail" {
		p.Fail(errors.New("unix:/nowhere/db.sock: database connection failed (No such file or directory)"))
		return 1
	}
	if err := p.Ready(); err != nil {
		p.Fail(err)
		return 1
	}
	cwd, _ := os.Getwd()
	os.WriteFile(filepath.Join(dir, "cwd."+strconv.Itoa(os.Getpid())), []byte(cwd), 0o644)
	marker := filepath.Join(dir, "crashed")
	if _, err := os.Stat(marker); errors.Is(err, os.ErrNotExist) {
		switch behaviour {
		case "panic-once":
			os.WriteFile(marker, nil, 0o644)
			panic("fake daemon panics once")
		case "segv-once":
			os.WriteFile(marker, nil, 0o644)
			syscall.Kill(os.Getpid(), syscall.SIGSEGV)
		}
	}
	<-sigs
	p.Close()
	return 0
}

// runHelper runs a helper in the foreground and returns its output and exit
// status.
func runHelper(t *testing.T, dir, opts, behaviour string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := helperCommand(dir, opts, behaviour)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run helper: %v", err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func helperCommand(dir, opts, behaviour string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), noRaceExitDelay, helperEnv+"=daemon", "DAEMON_TEST_DIR="+dir,
		"DAEMON_TEST_OPTS="+opts, "DAEMON_TEST_BEHAVIOUR="+behaviour)
	return cmd
}

// noRaceExitDelay spares each helper process the race detector's one-second
// sleep at exit.
const noRaceExitDelay = "GORACE=atexit_sleep_ms=0"

// processGone reports whether pid has exited (a zombie counts as gone: it
// may not be ours to reap).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z'
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

// eventually polls cond until it holds, failing the test after a generous
// deadline (this is a liveness bound, not a timing assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killAtEnd makes sure pid is gone when the test ends, even on failure.
func killAtEnd(t *testing.T, pid int) {
	t.Cleanup(func() {
		if !processGone(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}
