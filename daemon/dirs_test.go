package daemon

import (
	"os"
	"syscall"
	"testing"
)

func TestDirsFollowEnvironment(t *testing.T) {
	t.Setenv("OVS_RUNDIR", "/tmp/run")
	t.Setenv("OVS_LOGDIR", "/tmp/log")
	if got := RunDir(); got != "/tmp/run" {
		t.Errorf("RunDir() = %q", got)
	}
	if got := LogDir(); got != "/tmp/log" {
		t.Errorf("LogDir() = %q", got)
	}
}

func TestDirsEmptyMeansUnset(t *testing.T) {
	t.Setenv("OVS_RUNDIR", "")
	t.Setenv("OVS_LOGDIR", "")
	if got := RunDir(); got != "/var/run/openvswitch" {
		t.Errorf("RunDir() = %q", got)
	}
	if got := LogDir(); got != "/var/log/openvswitch" {
		t.Errorf("LogDir() = %q", got)
	}
}

func TestAbsPath(t *testing.T) {
	for _, c := range []struct{ dir, name, want string }{
		{"/run/ovs", "ovs-vswitchd.pid", "/run/ovs/ovs-vswitchd.pid"},
		{"/run/ovs", "sub/x.ctl", "/run/ovs/sub/x.ctl"},
		{"/run/ovs", "/elsewhere/x.pid", "/elsewhere/x.pid"},
	} {
		if got := AbsPath(c.dir, c.name); got != c.want {
			t.Errorf("AbsPath(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
		}
	}
}

func TestStrerror(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{openMissing(), "No such file or directory"},
		{syscall.ESRCH, "No such process"},
		{errPlain{}, "plain text"},
	} {
		if got := Strerror(c.err); got != c.want {
			t.Errorf("Strerror(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "plain text" }

func openMissing() error {
	_, err := os.Open("/nonexistent/file")
	return err
}
