package unixctl

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
)

const appctlPath = "/usr/bin/ovs-appctl"

// runAppctl runs the stock ovs-appctl against the server's socket with the
// pidfile-less "-t /abs/path" form, in a private OVS_RUNDIR.
func runAppctl(t *testing.T, s *Server, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(appctlPath, append([]string{"-t", s.Path()}, args...)...)
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
	default:
		t.Fatalf("run ovs-appctl: %v", err)
	}
	return out.String(), errb.String(), status
}

func TestStockAppctl(t *testing.T) {
	if _, err := os.Stat(appctlPath); err != nil {
		t.Skipf("%s not installed", appctlPath)
	}
	s := newTestServer(t)
	p := s.Path()
	serverErr := "ovs-appctl: " + p + ": server returned an error\n"
	tests := []struct {
		args       []string
		stdout     string
		stderr     string
		wantStatus int
	}{
		{args: []string{"version"}, stdout: "govswitchd (Open vSwitch) 3.1.0\n"},
		{args: []string{"test/echo", "a", "b", "c"}, stdout: "a b c\n"},
		{args: []string{"test/echo", "-m", "--x"}, stdout: "-m --x\n"},
		{args: []string{"test/echo"}},
		{args: []string{"test/fail"}, stderr: "this command always fails\n" + serverErr, wantStatus: 2},
		{args: []string{"version", "x"}, stderr: "\"version\" command takes at most 0 arguments\n" + serverErr, wantStatus: 2},
		{args: []string{"test/two", "x"}, stderr: "\"test/two\" command requires at least 2 arguments\n" + serverErr, wantStatus: 2},
		{args: []string{"test/two", "1", "2", "3", "4"}, stderr: "\"test/two\" command takes at most 3 arguments\n" + serverErr, wantStatus: 2},
		{args: []string{"nosuchcmd", "a"}, stderr: "\"nosuchcmd\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n" + serverErr, wantStatus: 2},
		{args: []string{"list-commands"}, stdout: "The available commands are:\n" +
			"  list-commands           \n" +
			"  test/echo               [arg...]\n" +
			"  test/empty              \n" +
			"  test/fail               \n" +
			"  test/two                A B [C]\n" +
			"  version                 \n"},
	}
	for _, tc := range tests {
		stdout, stderr, status := runAppctl(t, s, tc.args...)
		if stdout != tc.stdout || stderr != tc.stderr || status != tc.wantStatus {
			t.Errorf("ovs-appctl %q:\nstdout %q\nstderr %q\nstatus %d\nwant stdout %q\nstderr %q\nstatus %d",
				tc.args, stdout, stderr, status, tc.stdout, tc.stderr, tc.wantStatus)
		}
	}
}
