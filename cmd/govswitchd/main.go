// Command govswitchd is a drop-in for ovs-vswitchd with the userspace
// datapath: it parses OVS's command line, becomes a daemon and wires the
// control socket to the bridge layer. Everything else lives in packages.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/govswitchd/govswitchd/bridge"
	"github.com/govswitchd/govswitchd/coverage"
	"github.com/govswitchd/govswitchd/daemon"
	"github.com/govswitchd/govswitchd/memory"
	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/unixctl"
	"github.com/govswitchd/govswitchd/vlog"
)

var log = vlog.New("vswitchd")

func main() { os.Exit(run()) }

func run() int {
	program := daemon.ProgramName()
	runDir, logDir := daemon.RunDir(), daemon.LogDir()
	opts, err := parseOptions(os.Args[1:], runDir, logDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\nTry '%s --help' for more information.\n", program, err, program)
		return 1
	}
	switch {
	case opts.help:
		printUsage(os.Stdout, program, runDir, logDir)
		return 0
	case opts.version:
		fmt.Println(versionText())
		return 0
	}
	dummy, err := dummyLevel(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		return 1
	}
	if err := configureLogging(opts); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		return 1
	}

	proc, err := daemon.Start(daemon.Options{
		Detach: opts.detach, Monitor: opts.monitor, NoChdir: opts.noChdir, Pidfile: opts.pidfile,
		AfterCrash: func(pid int) {
			if opts.unixctl == "" {
				os.Remove(defaultCtlPath(runDir, pid))
			}
		},
	})
	if err != nil {
		return fail(proc, err)
	}
	// Signals are caught from here on; before, they end the process as usual.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)

	if opts.mlockall {
		if err := syscall.Mlockall(syscall.MCL_CURRENT | syscall.MCL_FUTURE); err != nil {
			log.Err("mlockall failed: %s", daemon.Strerror(err))
		}
	}
	ctlPath := opts.unixctl
	if ctlPath == "" {
		ctlPath = defaultCtlPath(runDir, os.Getpid())
	}
	exits := make(chan bool, 1) // "exit" sends its --cleanup flag
	ctl, err := openControl(ctlPath, exits)
	if err != nil {
		return fail(proc, err)
	}
	enableDummy(ctl, dummy)
	go ctl.Serve()

	sw, err := startBridges(opts.database, runDir, opts.ssl, ctl)
	if err != nil {
		ctl.Close()
		return fail(proc, err)
	}
	if err := proc.Ready(); err != nil {
		log.Err("%v", err)
	}
	if opts.detach {
		vlog.SetConsoleWriter(nil) // stderr is /dev/null: skip the work
	}
	defer coverage.Start()()
	defer memory.Start()()

	cleanup := waitForExit(sigs, exits)
	if err := sw.Close(cleanup); err != nil {
		log.Err("shutting down bridges: %v", err)
	}
	ctl.Close()
	proc.Close()
	return 0
}

// configureLogging applies -v specs in order, then --log-file.
func configureLogging(opts *options) error {
	for _, spec := range opts.verbose {
		if spec == "" {
			spec = "dbg" // a bare -v: everything at full verbosity
		}
		if err := vlog.SetSpec(spec); err != nil {
			return fmt.Errorf("processing %q: %w", spec, err)
		}
	}
	if opts.logFile != "" {
		return vlog.SetLogFile(opts.logFile)
	}
	return nil
}

// openControl creates the ovs-appctl socket with the daemon-wide commands;
// the bridge layer adds its own.
func openControl(path string, exits chan<- bool) (*unixctl.Server, error) {
	ctl, err := unixctl.Listen(path, versionText())
	if err != nil {
		return nil, err
	}
	ctl.SetLogger(vlog.New("unixctl"))
	ctl.Register("exit", "[--cleanup]", 0, 1, exitCommand(exits))
	vlog.RegisterCommands(ctl)
	coverage.RegisterCommands(ctl)
	memory.RegisterCommands(ctl)
	// The goroutine count shows in memory/show, so that leak checks (and
	// operators) can watch it without a profiling endpoint.
	memory.Register("process", func(usage map[string]int) { usage["goroutines"] = runtime.NumGoroutine() })
	return ctl, nil
}

// defaultCtlPath is where ovs-appctl looks for the control socket of pid.
func defaultCtlPath(runDir string, pid int) string {
	return daemon.AbsPath(runDir, programFileName+"."+strconv.Itoa(pid)+".ctl")
}

// startBridges connects to the database and applies the configuration once;
// SIGTERM or SIGINT meanwhile abandons the start (main's own signal channel
// receives them too, so none is lost if the start completes anyway).
func startBridges(remote, runDir string, ssl ofproto.SSLConfig, ctl *unixctl.Server) (*bridge.Switch, error) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return bridge.Start(ctx, bridge.Config{Remote: remote, RunDir: runDir, Version: Version, SSL: ssl}, ctl)
}

// exitCommand is the "exit [--cleanup]" unixctl command: it replies at once
// and leaves the shutdown to the main goroutine.
func exitCommand(exits chan<- bool) unixctl.Handler {
	return func(args []string) (string, error) {
		cleanup := false
		if len(args) == 1 {
			if args[0] != "--cleanup" {
				return "", fmt.Errorf("unknown option %q (usage: exit [--cleanup])", args[0])
			}
			cleanup = true
		}
		select {
		case exits <- cleanup:
		default: // an exit is already under way
		}
		return "", nil
	}
}

// waitForExit serves signals until "exit" or SIGTERM/SIGINT, reopening the
// log file on SIGHUP, and reports whether to clean up the datapath.
func waitForExit(sigs <-chan os.Signal, exits <-chan bool) bool {
	for {
		select {
		case cleanup := <-exits:
			return cleanup
		case sig := <-sigs:
			if sig != syscall.SIGHUP {
				log.Info("%v received, exiting", sig)
				return false
			}
			if err := vlog.Reopen(); err != nil {
				log.Err("reopening log file: %v", err)
			}
		}
	}
}

// fail logs why the daemon cannot start and reports it to whoever waits.
func fail(proc *daemon.Process, err error) int {
	log.Emer("%v", err)
	proc.Fail(err)
	return 1
}
