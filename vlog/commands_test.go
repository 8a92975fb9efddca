package vlog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/unixctl"
)

func newServer(t *testing.T) *unixctl.Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "vlogctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := unixctl.Listen(filepath.Join(dir, "v.ctl"), "test 1")
	if err != nil {
		t.Fatal(err)
	}
	RegisterCommands(s)
	go s.Serve()
	t.Cleanup(func() { s.Close() })
	return s
}

// call runs a command and returns its text, or "ERROR: " and the server's
// error text.
func call(t *testing.T, s *unixctl.Server, method string, args ...string) string {
	t.Helper()
	out, err := unixctl.Call(s.Path(), method, args...)
	var se *unixctl.ServerError
	if errors.As(err, &se) {
		return "ERROR: " + se.Text
	}
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return out
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The testdata files were captured from a detached OVS 3.1 ovs-vswitchd
// (which turns the console off when it detaches).
func TestListMatchesOVS(t *testing.T) {
	reset(t)
	s := newServer(t)
	if got := call(t, s, "vlog/set", "console:off"); got != "" {
		t.Fatalf("vlog/set = %q", got)
	}
	if got, want := call(t, s, "vlog/list"), golden(t, "list-default.txt"); got != want {
		t.Fatalf("vlog/list:\n%s\nwant:\n%s", got, want)
	}
	call(t, s, "vlog/set", "bridge:file:dbg", "syslog:warn", "dpif_netdev emer", "ANY:console:err")
	call(t, s, "vlog/disable-rate-limit", "bfd", "ofproto")
	if got, want := call(t, s, "vlog/list"), golden(t, "list-changed.txt"); got != want {
		t.Fatalf("vlog/list after changes:\n%s\nwant:\n%s", got, want)
	}
	if got, want := call(t, s, "vlog/list-pattern"), golden(t, "list-pattern-default.txt"); got != want {
		t.Fatalf("vlog/list-pattern:\n%s\nwant:\n%s", got, want)
	}
	call(t, s, "vlog/set", "PATTERN:console:%-10c|%p|%m")
	if got, want := call(t, s, "vlog/list-pattern"), golden(t, "list-pattern-changed.txt"); got != want {
		t.Fatalf("vlog/list-pattern after change:\n%s\nwant:\n%s", got, want)
	}
}

func TestCommandReplies(t *testing.T) {
	reset(t)
	s := newServer(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"vlog/set", "bogus"}, "ERROR: no destination, level, or module \"bogus\"\n"},
		{[]string{"vlog/set", "bridge:info", "console:syslog"}, "ERROR: cannot specify multiple destinations\n"},
		{[]string{"vlog/set", "PATTERN"}, "ERROR: missing destination\n"},
		{[]string{"vlog/set", "FACILITY:nope"}, "ERROR: invalid facility\n"},
		{[]string{"vlog/set"}, ""},
		{[]string{"vlog/list", "x"}, "ERROR: \"vlog/list\" command takes at most 0 arguments\n"},
		{[]string{"vlog/reopen"}, "ERROR: Logging to file not configured\n"},
		{[]string{"vlog/close"}, ""},
		{[]string{"vlog/enable-rate-limit", "nosuch"}, "ERROR: unknown module\n"},
		{[]string{"vlog/enable-rate-limit", "ANY", "bridge"}, ""},
		{[]string{"vlog/disable-rate-limit"}, ""},
		{[]string{"vlog/enable-rate-limit"}, ""},
	}
	for _, tc := range tests {
		if got := call(t, s, tc.args[0], tc.args[1:]...); got != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, got, tc.want)
		}
	}
	if l := levelsOf("bridge"); l != (levels{LevelDbg, LevelDbg, LevelDbg}) {
		t.Errorf("vlog/set with no args left bridge at %v", l)
	}

	list := call(t, s, "list-commands")
	var vlogLines []string
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "  vlog/") {
			vlogLines = append(vlogLines, line)
		}
	}
	// As listed by OVS 3.1 ovs-vswitchd.
	want := "  vlog/close              \n" +
		"  vlog/disable-rate-limit [module]...\n" +
		"  vlog/enable-rate-limit  [module]...\n" +
		"  vlog/list               \n" +
		"  vlog/list-pattern       \n" +
		"  vlog/reopen             \n" +
		"  vlog/set                {spec | PATTERN:destination:pattern}\n"
	if got := strings.Join(vlogLines, "\n") + "\n"; got != want {
		t.Errorf("vlog commands in list-commands:\n%s\nwant:\n%s", got, want)
	}
}

func TestReopenCommand(t *testing.T) {
	reset(t)
	s := newServer(t)
	path := filepath.Join(t.TempDir(), "r.log")
	if err := SetLogFile(path); err != nil {
		t.Fatal(err)
	}
	call(t, s, "vlog/close")
	if state.fileOpen.Load() {
		t.Fatal("vlog/close left the file open")
	}
	if got := call(t, s, "vlog/reopen"); got != "" {
		t.Fatalf("vlog/reopen = %q", got)
	}
	if !state.fileOpen.Load() {
		t.Fatal("vlog/reopen did not reopen")
	}
	// Make the file unopenable: a directory in its place.
	closeLogFile(false)
	os.Remove(path)
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := call(t, s, "vlog/reopen"); got != "ERROR: Is a directory\n" {
		t.Fatalf("vlog/reopen on a directory = %q", got)
	}
}

func TestModuleAsUnixctlLogger(t *testing.T) {
	buf := reset(t)
	s := newServer(t)
	s.SetLogger(New("unixctl"))
	for _, spec := range []string{"PATTERN:console:%c|%p|%m", "unixctl:console:dbg", "vlog:console:off"} {
		if err := SetSpec(spec); err != nil {
			t.Fatal(err)
		}
	}
	call(t, s, "vlog/set", "bridge")
	call(t, s, "vlog/enable-rate-limit", "nosuch")
	want := "unixctl|DBG|received request vlog/set[\"bridge\"], id=0\n" +
		"unixctl|DBG|replying with success, id=0: \"\"\n" +
		"unixctl|DBG|received request vlog/enable-rate-limit[\"nosuch\"], id=0\n" +
		"unixctl|DBG|replying with error, id=0: \"unknown module\"\n"
	if got := buf.String(); got != want {
		t.Fatalf("log:\n%s\nwant:\n%s", got, want)
	}
}
