package daemon

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/govswitchd/govswitchd/vlog"
)

var monitorLog = vlog.New("daemon_unix")

// DefaultRestartInterval is OVS's throttle: at most one restart every 10 s.
const DefaultRestartInterval = 10 * time.Second

// restartSignals are the deaths that mean a crash rather than a request to
// stop (OVS's list in daemon.man).
var restartSignals = map[syscall.Signal]bool{
	syscall.SIGABRT: true, syscall.SIGALRM: true, syscall.SIGBUS: true,
	syscall.SIGFPE: true, syscall.SIGILL: true, syscall.SIGPIPE: true,
	syscall.SIGSEGV: true, syscall.SIGXCPU: true, syscall.SIGXFSZ: true,
}

// goPanicExitCode is what the Go runtime exits with on an unrecovered panic
// or a fatal runtime error; the daemon itself never exits with it.
const goPanicExitCode = 2

// ShouldRestart reports whether a daemon that ended this way crashed and
// should be restarted by the monitor: killed by an error signal, or a Go panic.
func ShouldRestart(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok {
		return false
	}
	if ws.Signaled() {
		return restartSignals[ws.Signal()]
	}
	return ws.Exited() && ws.ExitStatus() == goPanicExitCode
}

// supervised is one run of the daemon under the monitor.
type supervised struct {
	cmd    *exec.Cmd
	report chan []byte // its startup report; empty if it died first
	exited chan *os.ProcessState
}

func startSupervised() (*supervised, error) {
	cmd, r, err := spawnSelf(stageMonitored, false, [3]*os.File{os.Stdin, os.Stdout, os.Stderr})
	if err != nil {
		return nil, err
	}
	s := &supervised{cmd: cmd, report: make(chan []byte, 1), exited: make(chan *os.ProcessState, 1)}
	go func() {
		msg, _ := io.ReadAll(r)
		r.Close()
		s.report <- msg
	}()
	go func() {
		cmd.Wait()
		s.exited <- cmd.ProcessState
	}()
	return s, nil
}

// runMonitor supervises the daemon: it forwards SIGTERM, SIGINT and SIGHUP
// to it, restarts it (throttled) when it crashes, and exits when it ends any
// other way. upstream, if not nil, receives the first daemon's startup report.
// It returns the monitor's exit status.
func runMonitor(opts Options, upstream *os.File) int {
	interval := opts.RestartInterval
	if interval <= 0 {
		interval = DefaultRestartInterval
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	// forward passes the first startup report on; with nobody waiting for
	// it (--monitor without --detach) an error goes to stderr instead.
	forward := func(msg []byte) {
		switch {
		case upstream != nil:
			upstream.Write(msg)
			upstream.Close()
			upstream = nil
		case msg[0] == notifyError:
			fmt.Fprintf(os.Stderr, "%s: %s\n", ProgramName(), msg[1:])
		}
	}
	var lastRestart time.Time
	crashes := 0
	everReady := false
	for {
		child, err := startSupervised()
		if err != nil {
			forward(append([]byte{notifyError}, "could not initiate process monitoring: "+err.Error()...))
			logMonitor(monitorLog.Emer, "could not initiate process monitoring (%v)", err)
			return 1
		}
		pid := child.cmd.Process.Pid
		stopping, reported, failed := false, false, false
		handleReport := func(msg []byte) {
			reported = true
			if len(msg) > 0 {
				failed = msg[0] == notifyError
				everReady = everReady || msg[0] == notifyReady
				forward(msg)
			}
		}
		var ps *os.ProcessState
		for ps == nil {
			select {
			case sig := <-sigs:
				child.cmd.Process.Signal(sig)
				if sig == syscall.SIGHUP {
					vlog.Reopen()
				} else {
					stopping = true
				}
			case msg := <-child.report:
				handleReport(msg)
			case ps = <-child.exited:
			}
		}
		if !reported {
			handleReport(<-child.report) // the pipe closed when it died
		}
		status := StatusMessage(ps)
		switch {
		case !everReady && !stopping:
			if !failed {
				forward(append([]byte{notifyError},
					fmt.Sprintf("daemon process died before signaling startup (%s)", status)...))
			}
			return exitCode(ps)
		case stopping || !ShouldRestart(ps):
			logMonitor(monitorLog.Info, "pid %d died, %s, exiting", pid, status)
			return 0
		}
		crashes++
		if opts.AfterCrash != nil {
			opts.AfterCrash(pid)
		}
		msg := fmt.Sprintf("%d crashes: pid %d died, %s", crashes, pid, status)
		if wait := time.Until(lastRestart.Add(interval)); wait > 0 {
			logMonitor(monitorLog.Warn, "%s, waiting until %v since last restart", msg, interval)
			if stopped := sleepUnlessStopped(wait, sigs); stopped {
				logMonitor(monitorLog.Info, "%s, exiting on signal", msg)
				return 0
			}
		}
		lastRestart = time.Now()
		logMonitor(monitorLog.Err, "%s, restarting", msg)
	}
}

// sleepUnlessStopped waits d and reports whether SIGTERM or SIGINT came
// first (SIGHUP only reopens the monitor's own log).
func sleepUnlessStopped(d time.Duration, sigs <-chan os.Signal) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return false
		case sig := <-sigs:
			if sig != syscall.SIGHUP {
				return true
			}
			vlog.Reopen()
		}
	}
}

// logMonitor reopens the log first: the monitor lives long and rarely
// writes, so it must not keep writing into a rotated-away file.
func logMonitor(f func(string, ...any), format string, args ...any) {
	vlog.Reopen()
	f(format, args...)
}
