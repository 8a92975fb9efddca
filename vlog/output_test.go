package vlog

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConsoleOutput(t *testing.T) {
	buf := reset(t)
	m := New("bridge")
	m.Info("first %d", 1)
	m.Dbg("not shown at INFO")
	if err := SetSpec("PATTERN:console:%05N|%c|%p|%m"); err != nil {
		t.Fatal(err)
	}
	m.Warn("second\n")
	m.Emer("third")
	if err := SetSpec("bridge:console:dbg"); err != nil {
		t.Fatal(err)
	}
	m.Dbg("fourth")
	if err := SetSpec("console:off"); err != nil {
		t.Fatal(err)
	}
	m.Err("not shown when off")

	lines := strings.Split(buf.String(), "\n")
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|00001\|bridge\|INFO\|first 1$`).MatchString(lines[0]) {
		t.Errorf("default console line = %q", lines[0])
	}
	want := "00002|bridge|WARN|second\n00003|bridge|EMER|third\n00004|bridge|DBG|fourth\n"
	if got := strings.Join(lines[1:], "\n"); got != want {
		t.Errorf("console:\n%s\nwant:\n%s", got, want)
	}
}

func TestFileDestination(t *testing.T) {
	reset(t)
	if err := SetSpec("console:off"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ovs-vswitchd.log")
	m := New("bridge")
	m.Info("before any file")
	if err := SetLogFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&^0o660 != 0 {
		t.Fatalf("log file mode: %v %v", fi, err)
	}
	m.Info("to file")
	if err := SetLogFile(path); err != nil { // same file: no-op
		t.Fatal(err)
	}
	// Rotate: move the file away and reopen by name.
	rotated := path + ".1"
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	if err := Reopen(); err != nil {
		t.Fatal(err)
	}
	m.Warn("after rotate")
	closeLogFile(false)
	m.Warn("after close")
	if LogFile() != path {
		t.Fatalf("LogFile() = %q after close, want %q", LogFile(), path)
	}
	if err := Reopen(); err != nil {
		t.Fatal(err)
	}

	stamp := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	checkLines(t, rotated, []string{
		stamp + `\|00002\|vlog\|INFO\|opened log file ` + regexp.QuoteMeta(path),
		stamp + `\|00003\|bridge\|INFO\|to file`,
		stamp + `\|00004\|vlog\|INFO\|closing log file`,
	})
	checkLines(t, path, []string{
		stamp + `\|00005\|vlog\|INFO\|opened log file ` + regexp.QuoteMeta(path),
		stamp + `\|00006\|bridge\|WARN\|after rotate`,
		stamp + `\|00008\|vlog\|INFO\|opened log file ` + regexp.QuoteMeta(path),
	})

	if err := SetLogFile(filepath.Join(dir, "no/such/dir/x.log")); err == nil {
		t.Fatal("SetLogFile into a missing directory succeeded")
	}
	if err := SetLogFile(""); err != nil || LogFile() != "" {
		t.Fatalf("SetLogFile(\"\") = %v, LogFile %q", err, LogFile())
	}
	if err := Reopen(); err != nil {
		t.Fatalf("Reopen without file = %v", err)
	}
}

func checkLines(t *testing.T, path string, patterns []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(patterns) {
		t.Fatalf("%s has %d lines, want %d:\n%s", path, len(lines), len(patterns), data)
	}
	for i, p := range patterns {
		if !regexp.MustCompile("^" + p + "$").MatchString(lines[i]) {
			t.Errorf("%s line %d = %q, want /%s/", path, i+1, lines[i], p)
		}
	}
}

func TestSyslogDestination(t *testing.T) {
	reset(t)
	if err := SetSpec("console:off"); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "vlogsys")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "log")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	syslogPath = sock // reset restores it
	state.loggers[DestSyslog].Out.(*syslogWriter).reset()

	m := New("bridge")
	m.Info("hello")
	m.Err("two\nlines")
	if err := SetSpec("FACILITY:local7"); err != nil {
		t.Fatal(err)
	}
	m.Warn("local7")
	m.Dbg("not at INFO")

	stamp := `[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d`
	want := []string{
		`<29>` + stamp + ` ovs-vswitchd: ovs\|00001\|bridge\|INFO\|hello`,
		`<27>` + stamp + ` ovs-vswitchd: ovs\|00002\|bridge\|ERR\|two`,
		`<27>` + stamp + ` ovs-vswitchd: lines`,
		`<188>` + stamp + ` ovs-vswitchd: ovs\|00003\|bridge\|WARN\|local7`,
	}
	buf := make([]byte, 2048)
	for i, w := range want {
		l.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := l.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if got := string(buf[:n]); !regexp.MustCompile("^" + w + "$").MatchString(got) {
			t.Errorf("datagram %d = %q, want /%s/", i, got, w)
		}
	}
}

func TestSyslogMissingIsSilent(t *testing.T) {
	reset(t)
	syslogPath = filepath.Join(t.TempDir(), "nothing-here")
	state.loggers[DestSyslog].Out.(*syslogWriter).reset()
	New("bridge").Err("dropped quietly")
}

func TestConcurrentLoggingAndReconfiguration(t *testing.T) {
	buf := reset(t)
	for _, spec := range []string{"PATTERN:console:%c|%m", "vlog:console:off"} {
		if err := SetSpec(spec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "c.log")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := New(fmt.Sprintf("conc%d", i))
			for j := range 200 {
				m.Info("msg %d", j)
				_ = m.Enabled(LevelDbg)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := range 50 {
			_ = SetSpec("syslog:off")
			_ = SetSpec(fmt.Sprintf("PATTERN:file:%%05N %d %%m", j))
			_ = SetLogFile(path)
			_ = Reopen()
			_ = List()
			closeLogFile(false)
		}
	}()
	wg.Wait()
	// Every console line is whole: "concN|msg M".
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !regexp.MustCompile(`^conc\d\|msg \d+$`).MatchString(line) {
			t.Fatalf("torn or foreign console line %q", line)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != 8*200 {
		t.Fatalf("%d console lines, want %d", n, 8*200)
	}
}
