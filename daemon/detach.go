package daemon

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Options are the daemon command-line options shared with OVS.
type Options struct {
	Detach  bool   // --detach: run in the background, in a new session
	Monitor bool   // --monitor: restart the daemon if it crashes
	NoChdir bool   // --no-chdir: when detaching, keep the working directory
	Pidfile string // --pidfile: absolute path, "" for no pidfile

	// RestartInterval is the minimum time between two restarts by the
	// monitor; 0 means OVS's 10 seconds.
	RestartInterval time.Duration
	// AfterCrash, if set, runs in the monitor with the pid of a daemon that
	// crashed, to remove what it could not (its control socket).
	AfterCrash func(pid int)
}

// The re-executed copies of the program learn their role from stageEnv (it
// is removed from the environment at once so that nothing the daemon runs
// inherits it) and report startup on descriptor 3.
const (
	stageEnv       = "GOVSWITCHD_DAEMON_STAGE"
	stageDetached  = "detached"  // child of the --detach foreground process
	stageMonitored = "monitored" // child of the --monitor supervisor
	notifyFD       = 3
)

// Bytes that start a startup report on the notify pipe.
const (
	notifyReady = 'R'
	notifyError = 'E'
)

// Process is the daemon proper, between Start and exit.
type Process struct {
	opts    Options
	pidfile *Pidfile

	mu     sync.Mutex // guards notify
	notify *os.File   // startup pipe to the waiting parent; nil when none or used
}

// Start daemonizes according to opts. In the foreground process of --detach
// and in the --monitor supervisor it never returns: those processes exit
// with the status of the daemon's startup or supervision. In the daemon
// proper it creates the pidfile and returns; the caller then finishes its own
// startup and calls Ready, or Fail with the reason it could not start (also
// when Start itself returns an error).
func Start(opts Options) (*Process, error) {
	stage := os.Getenv(stageEnv)
	os.Unsetenv(stageEnv)
	p := &Process{opts: opts}
	if stage != "" && isPipe(notifyFD) {
		syscall.CloseOnExec(notifyFD)
		p.notify = os.NewFile(notifyFD, "startup-notify")
	} else {
		stage = "" // a stray variable, not set by us: this is the first process
	}
	switch {
	case opts.Detach && stage == "":
		os.Exit(runDetachParent())
	case opts.Monitor && stage != stageMonitored:
		os.Exit(runMonitor(opts, p.notify))
	}
	if opts.Pidfile != "" {
		pf, err := CreatePidfile(opts.Pidfile)
		if err != nil {
			return p, err
		}
		p.pidfile = pf
	}
	return p, nil
}

// Pidfile is the created pidfile, nil without --pidfile.
func (p *Process) Pidfile() *Pidfile { return p.pidfile }

// Ready tells the waiting parent (if any) that the daemon serves, and then
// completes detaching: unless --no-chdir, the working directory becomes "/".
func (p *Process) Ready() error {
	if err := p.report([]byte{notifyReady}); err != nil {
		return fmt.Errorf("signal startup: %w", err)
	}
	if p.opts.Detach && !p.opts.NoChdir {
		if err := os.Chdir("/"); err != nil {
			return fmt.Errorf("chdir /: %w", err)
		}
	}
	return nil
}

// Fail reports why the daemon could not start: to the waiting parent, which
// prints it and exits non-zero, or on stderr when nobody waits. It removes
// the pidfile; the caller then exits with status 1.
func (p *Process) Fail(err error) {
	msg := err.Error()
	if p.notify == nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", ProgramName(), msg)
	} else {
		p.report(append([]byte{notifyError}, msg...))
	}
	p.Close()
}

// Close removes the pidfile (at exit).
func (p *Process) Close() error {
	if p.pidfile == nil {
		return nil
	}
	return p.pidfile.Remove()
}

func (p *Process) report(msg []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notify == nil {
		return nil
	}
	_, err := p.notify.Write(msg)
	p.notify.Close()
	p.notify = nil
	return err
}

func isPipe(fd int) bool {
	var st syscall.Stat_t
	return syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFIFO
}

// ProgramName is the name this program was invoked as, which prefixes its
// error messages as OVS's program_name does.
func ProgramName() string { return filepath.Base(os.Args[0]) }

// spawnSelf re-executes this program with the same arguments in the given
// stage, with a pipe on descriptor 3 for the startup report. The caller owns
// the returned read end.
func spawnSelf(stage string, setsid bool, stdio [3]*os.File) (*exec.Cmd, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("create startup pipe: %w", err)
	}
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        os.Args,
		Env:         append(os.Environ(), stageEnv+"="+stage),
		Stdin:       stdio[0],
		Stdout:      stdio[1],
		Stderr:      stdio[2],
		ExtraFiles:  []*os.File{w}, // becomes descriptor 3
		SysProcAttr: &syscall.SysProcAttr{Setsid: setsid},
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, nil, fmt.Errorf("start %s: %w", os.Args[0], err)
	}
	return cmd, r, nil
}

// runDetachParent is the foreground process of --detach: it starts the
// daemon in a new session with /dev/null as standard files and exits 0 once
// the daemon reports it is ready, or non-zero with the daemon's error text.
func runDetachParent() int {
	cmd, r, err := spawnSelf(stageDetached, true, [3]*os.File{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: could not detach from foreground session (%v)\n", ProgramName(), err)
		return 1
	}
	msg, _ := io.ReadAll(r)
	r.Close()
	switch {
	case len(msg) > 0 && msg[0] == notifyReady:
		return 0
	case len(msg) > 0 && msg[0] == notifyError:
		fmt.Fprintf(os.Stderr, "%s: %s\n", ProgramName(), msg[1:])
		cmd.Wait()
		return exitCode(cmd.ProcessState)
	}
	cmd.Wait()
	fmt.Fprintf(os.Stderr, "%s: daemon process died before signaling startup (%s)\n",
		ProgramName(), StatusMessage(cmd.ProcessState))
	return exitCode(cmd.ProcessState)
}

// exitCode is the status to pass on for a child that failed to start: its
// own exit code when it exited with one, else 1.
func exitCode(ps *os.ProcessState) int {
	if ps != nil && ps.Exited() && ps.ExitCode() > 0 {
		return ps.ExitCode()
	}
	return 1
}

// StatusMessage describes how a process ended, in OVS's words: "exit status
// N", or "killed (Signal name)" with ", core dumped" when it dumped core.
func StatusMessage(ps *os.ProcessState) string {
	if ps == nil {
		return "unknown status"
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return ps.String()
	}
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		s := fmt.Sprintf("killed (%s)", capitalize(ws.Signal().String()))
		if ws.CoreDump() {
			s += ", core dumped"
		}
		return s
	}
	return ps.String()
}
