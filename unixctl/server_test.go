package unixctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// newTestServer starts a server on a socket in a fresh short temp dir (Unix
// socket paths are limited to 107 bytes) and stops it when the test ends.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "uctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := Listen(filepath.Join(dir, "test.ctl"), "govswitchd (Open vSwitch) 3.1.0")
	if err != nil {
		t.Fatal(err)
	}
	s.Register("test/echo", "[arg...]", 0, -1, func(args []string) (string, error) {
		return strings.Join(args, " "), nil
	})
	s.Register("test/fail", "", 0, 0, func([]string) (string, error) {
		return "", errors.New("this command always fails")
	})
	s.Register("test/two", "A B [C]", 2, 3, func(args []string) (string, error) {
		return "ok\n", nil
	})
	s.Register("test/empty", "", 0, 0, func([]string) (string, error) { return "", nil })
	s.Register("test/hidden", Hidden, 0, 0, func([]string) (string, error) { return "secret", nil })
	s.Register("test/panic", Hidden, 0, 0, func([]string) (string, error) { panic("boom") })
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

func TestCallResults(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		method  string
		args    []string
		want    string
		wantErr string // ServerError text, verbatim
	}{
		{method: "version", want: "govswitchd (Open vSwitch) 3.1.0\n"},
		{method: "test/echo", args: []string{"a", "b", "c"}, want: "a b c\n"},
		{method: "test/echo", want: ""},
		{method: "test/empty", want: ""},
		{method: "test/two", args: []string{"x", "y"}, want: "ok\n"},
		{method: "test/hidden", want: "secret\n"},
		{method: "test/fail", wantErr: "this command always fails\n"},
		{method: "version", args: []string{"x"}, wantErr: "\"version\" command takes at most 0 arguments\n"},
		{method: "test/two", args: []string{"x"}, wantErr: "\"test/two\" command requires at least 2 arguments\n"},
		{method: "test/two", args: []string{"1", "2", "3", "4"}, wantErr: "\"test/two\" command takes at most 3 arguments\n"},
		{method: "nosuchcmd", args: []string{"a", "b"}, wantErr: "\"nosuchcmd\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n"},
		{method: "test/panic", wantErr: "\"test/panic\" command failed: internal error: boom\n"},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			got, err := Call(s.Path(), tc.method, tc.args...)
			if tc.wantErr != "" {
				var se *ServerError
				if !errors.As(err, &se) {
					t.Fatalf("Call(%s %q) = %q, %v; want server error", tc.method, tc.args, got, err)
				}
				if se.Text != tc.wantErr {
					t.Fatalf("error text = %q, want %q", se.Text, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Call(%s %q) = %q, %v; want %q", tc.method, tc.args, got, err, tc.want)
			}
		})
	}
}

func TestListCommands(t *testing.T) {
	s := newTestServer(t)
	got, err := Call(s.Path(), "list-commands")
	if err != nil {
		t.Fatal(err)
	}
	want := "The available commands are:\n" +
		"  list-commands           \n" +
		"  test/echo               [arg...]\n" +
		"  test/empty              \n" +
		"  test/fail               \n" +
		"  test/two                A B [C]\n" +
		"  version                 \n"
	if got != want {
		t.Fatalf("list-commands:\n%s\nwant:\n%s", got, want)
	}
	s.Register("a/very-long-command-name-here", "[x]", 0, 1, nil)
	got = s.ListCommands()
	if !strings.HasPrefix(got, "The available commands are:\n  a/very-long-command-name-here [x]\n  list-commands") {
		t.Fatalf("long name not pushed right:\n%s", got)
	}
}

// rawExchange writes in to a fresh connection and reads until the server
// closes it or until want bytes arrived.
func rawExchange(t *testing.T, path, in string, want int) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for want < 0 || len(buf) < want {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			break
		}
	}
	return string(buf)
}

func TestWireFormatSequentialRequests(t *testing.T) {
	s := newTestServer(t)
	in := `{"id":0,"method":"nosuch","params":[]}` +
		`{"id":[1, "x"],"method":"version","params":[]}` + "\n  " +
		`{"id":"7","method":"version","params":[1]}` +
		`{"method":"test/echo","params":["a","<&>"],"id":{"a":1}}` +
		`{"id":1.5e0,"method":"test/echo","params":[],"result":null}` +
		`{"id":true,"method":"test/two","params":["a",2]}`
	want := `{"id":0,"error":"\"nosuch\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n"}` +
		`{"id":[1,"x"],"result":"govswitchd (Open vSwitch) 3.1.0\n","error":null}` +
		`{"id":"7","error":"\"version\" command takes at most 0 arguments\n"}` +
		`{"id":{"a":1},"result":"a <&>\n","error":null}` +
		`{"id":1.5e0,"result":"","error":null}` +
		`{"id":true,"error":"\"test/two\" command has non-string argument\n"}`
	got := rawExchange(t, s.Path(), in, len(want))
	if got != want {
		t.Fatalf("replies:\n%s\nwant:\n%s", got, want)
	}
}

func TestBadMessagesCloseOnlyThatConnection(t *testing.T) {
	s := newTestServer(t)
	for _, in := range []string{
		`{"id":1,"method":"version"`, // truncated, then EOF below
		`{"id":1,"method":"version"}`,
		`{"id":1,"method":"version","params":[],"foo":2}`,
		`{"id":null,"method":"version","params":[]}`,
		`{"method":"version","params":[]}`,
		`[1,2]`,
		`{"id":1,"method":5,"params":[]}`,
		`{"id":1,"method":"version","params":{}}`,
		`{"id":1,"result":"x","error":null}`,
		`{"id":1,"error":"x"}`,
		`}{`,
		"\x00\xff",
	} {
		c, err := net.Dial("unix", s.Path())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, in)
		c.(*net.UnixConn).CloseWrite()
		got, _ := io.ReadAll(c)
		c.Close()
		if len(got) != 0 {
			t.Errorf("%q: got reply %q, want connection closed", in, got)
		}
	}
	if got, err := Call(s.Path(), "version"); err != nil || got != "govswitchd (Open vSwitch) 3.1.0\n" {
		t.Fatalf("server unusable after bad input: %q, %v", got, err)
	}
}

func TestClientSequentialCalls(t *testing.T) {
	s := newTestServer(t)
	c, err := Dial(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 5 {
		got, err := c.Call(context.Background(), "test/echo", fmt.Sprint(i))
		if err != nil || got != fmt.Sprintf("%d\n", i) {
			t.Fatalf("call %d = %q, %v", i, got, err)
		}
	}
}

func TestSocketModeAndStaleSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "uctl")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.ctl")

	// A socket nobody listens on any more is stale and gets replaced.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	s, err := Listen(path, "v")
	if err != nil {
		t.Fatalf("Listen over stale socket: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("socket mode %o, want 0750 or stricter", perm)
	}

	// A live server is not stolen from.
	go s.Serve()
	if _, err := Listen(path, "v"); err == nil || !strings.Contains(err.Error(), "another server is listening") {
		t.Errorf("Listen over live socket: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind after Close: %v", err)
	}

	// A regular file is never deleted.
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path, "v"); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("Listen over regular file: %v", err)
	}
}

func TestServeAfterCloseReturnsNil(t *testing.T) {
	dir, err := os.MkdirTemp("", "uctl")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := Listen(filepath.Join(dir, "x.ctl"), "v")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Serve(); err != nil {
		t.Fatalf("Serve after Close = %v", err)
	}
}

func TestCloseLetsReplyInFlightFinish(t *testing.T) {
	s := newTestServer(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	s.Register("test/slow", "", 0, 0, func([]string) (string, error) {
		close(entered)
		<-release
		return "finished", nil
	})
	// An idle connection must not hold Close up.
	idle, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	type result struct {
		text string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		text, err := Call(s.Path(), "test/slow")
		res <- result{text, err}
	}()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	close(release)
	r := <-res
	if r.err != nil || r.text != "finished\n" {
		t.Fatalf("in-flight call = %q, %v", r.text, r.err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := Call(s.Path(), "version"); err == nil {
		t.Fatal("call after Close succeeded")
	}
}

func TestConcurrentCallsAndRegister(t *testing.T) {
	s := newTestServer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("test/dyn%d", i)
			s.Register(name, "", 0, 0, func([]string) (string, error) { return name, nil })
			_ = s.ListCommands()
		}()
		go func() {
			defer wg.Done()
			for j := range 20 {
				arg := fmt.Sprintf("%d-%d", i, j)
				got, err := Call(s.Path(), "test/echo", arg)
				if err != nil || got != arg+"\n" {
					t.Errorf("echo %s = %q, %v", arg, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i := range 8 {
		name := fmt.Sprintf("test/dyn%d", i)
		if got, err := Call(s.Path(), name); err != nil || got != name+"\n" {
			t.Errorf("%s = %q, %v", name, got, err)
		}
	}
}

func TestCallContextCancel(t *testing.T) {
	s := newTestServer(t)
	release := make(chan struct{})
	defer close(release)
	s.Register("test/block", "", 0, 0, func([]string) (string, error) { <-release; return "", nil })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := CallContext(ctx, s.Path(), "test/block"); errc <- err }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("CallContext after cancel = %v, want context.Canceled", err)
	}
}

func TestDecodeReplyRules(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: `{"id":0,"result":"text","error":null}`, want: "text"},
		{in: `{"id":0,"result":"text"}`, want: "text"},
		{in: `{"id":0,"error":"bad\n"}`, wantErr: "bad"},
		{in: `{"id":0,"result":{}}`, wantErr: "unixctl: m: unexpected result type in reply: {}"},
		{in: `{"id":0,"error":5}`, wantErr: "unixctl: m: unexpected error type in reply: 5"},
		{in: `{"id":0}`, wantErr: "unixctl: m: reply has neither result nor error"},
	}
	for _, tc := range tests {
		var r reply
		if err := json.Unmarshal([]byte(tc.in), &r); err != nil {
			t.Fatal(err)
		}
		got, err := decodeReply("m", r)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s = %q, %v", tc.in, got, err)
		}
	}
}

// recordingLogger collects diagnostics for assertions.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Warn(f string, a ...any) { l.add("WARN " + fmt.Sprintf(f, a...)) }
func (l *recordingLogger) Dbg(f string, a ...any)  { l.add("DBG " + fmt.Sprintf(f, a...)) }
func (l *recordingLogger) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func TestLoggerSeesRequests(t *testing.T) {
	s := newTestServer(t)
	var l recordingLogger
	s.SetLogger(&l)
	if _, err := Call(s.Path(), "test/echo", "a"); err != nil {
		t.Fatal(err)
	}
	Call(s.Path(), "test/fail")
	l.mu.Lock()
	got := strings.Join(l.lines, "\n")
	l.mu.Unlock()
	want := `DBG received request test/echo["a"], id=0
DBG replying with success, id=0: "a"
DBG received request test/fail[], id=0
DBG replying with error, id=0: "this command always fails"`
	if got != want {
		t.Fatalf("log:\n%s\nwant:\n%s", got, want)
	}
}
