package tests

import (
	"fmt"
	"regexp"
	"testing"
)

// The daemon's own command line. These tests describe govswitchd, not
// ovs-vswitchd, so they do not run with -real-ovs.

func skipWithRealOVS(t *testing.T) {
	t.Helper()
	if *realOVS {
		t.Skip("govswitchd-specific behaviour")
	}
}

var versionRE = regexp.MustCompile(`^govswitchd \(Open vSwitch compatible\) \d+\.\d+\.\d+\n$`)

func TestVersionOption(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newBareEnv(t)
	r := e.run(daemonBin, "--version")
	if r.code != 0 || r.stderr != "" || !versionRE.MatchString(r.stdout) {
		t.Errorf("--version: %s", r)
	}
	if r2 := e.run(daemonBin, "-V"); r2 != r {
		t.Errorf("-V differs from --version: %s", r2)
	}
}

func TestHelpOption(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newBareEnv(t)
	r := e.run(daemonBin, "--help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("--help: %s", r)
	}
	e.golden("help.txt", r.stdout)
}

func TestBadCommandLines(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newBareEnv(t)
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--bogus"}, "govswitchd: unrecognized option '--bogus'\nTry 'govswitchd --help' for more information.\n"},
		{[]string{"--detach=1"}, "govswitchd: option '--detach' doesn't allow an argument\nTry 'govswitchd --help' for more information.\n"},
		{[]string{"--unixctl"}, "govswitchd: option '--unixctl' requires an argument\nTry 'govswitchd --help' for more information.\n"},
		{[]string{"-x"}, "govswitchd: invalid option -- 'x'\nTry 'govswitchd --help' for more information.\n"},
		{[]string{"db1", "db2"}, "govswitchd: at most one non-option argument accepted; use --help for usage\nTry 'govswitchd --help' for more information.\n"},
		{[]string{"-vbogus"}, "govswitchd: processing \"bogus\": no destination, level, or module \"bogus\"\n"},
	} {
		r := e.run(daemonBin, c.args...)
		expect(t, fmt.Sprint(c.args), r, result{stderr: c.stderr, code: 1})
	}
	if got := e.files(); len(got) != 0 {
		t.Errorf("files left: %q", got)
	}
}

func TestUnreachableDatabase(t *testing.T) {
	skipWithRealOVS(t) // ovs-vswitchd waits for the database forever
	t.Parallel()
	e := newEnv(t)
	r := e.launch(e.daemonArgs("unix:" + e.path("nodb.sock"))...)
	if r.code == 0 || r.stdout != "" {
		t.Fatalf("daemon started without a database: %s", r)
	}
	e.golden("unreachable-db.stderr", r.stderr)
	if got := e.files(); len(got) != 0 {
		t.Errorf("files left after failed start: %q", got)
	}
}

func TestStartedTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pid := e.startDaemon()
	r := e.launch(e.daemonArgs()...)
	want := fmt.Sprintf("%s: %s: already running as pid %d, aborting\n", progName(), e.path("ovs-vswitchd.pid"), pid)
	expect(t, "second start", r, result{stderr: want, code: 1})
	if r := e.appctl("version"); r.code != 0 {
		t.Errorf("first daemon no longer answers: %s", r)
	}
	e.stopDaemon(pid)
	if got := e.files(); len(got) != 0 {
		t.Errorf("files left: %q", got)
	}
}

func progName() string {
	if *realOVS {
		return "ovs-vswitchd"
	}
	return "govswitchd"
}
