package memory

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/unixctl"
	"github.com/govswitchd/govswitchd/vlog"
)

// resetReporters gives a test an empty set of reporters.
func resetReporters(t *testing.T) {
	t.Helper()
	mu.Lock()
	saved := reporters
	reporters = map[string]func(map[string]int){}
	mu.Unlock()
	t.Cleanup(func() {
		mu.Lock()
		reporters = saved
		mu.Unlock()
	})
}

func TestReport(t *testing.T) {
	resetReporters(t)
	if got := Report(); got != "" {
		t.Fatalf("empty Report = %q", got)
	}
	Register("bridge", func(u map[string]int) { u["ports"] = 2; u["rules"] = 5 })
	Register("idl", func(u map[string]int) { u["idl-cells-Open_vSwitch"] = 17 })
	Register("odd", func(u map[string]int) { u["negative"] = -3 })
	if got, want := Report(), "idl-cells-Open_vSwitch:17 negative:0 ports:2 rules:5"; got != want {
		t.Fatalf("Report = %q, want %q", got, want)
	}
	Register("odd", nil)
	Register("bridge", func(u map[string]int) { u["ports"] = 3 })
	if got, want := Report(), "idl-cells-Open_vSwitch:17 ports:3"; got != want {
		t.Fatalf("Report after changes = %q, want %q", got, want)
	}
}

func TestShowCommand(t *testing.T) {
	resetReporters(t)
	Register("idl", func(u map[string]int) { u["idl-cells-Open_vSwitch"] = 17 })
	dir, err := os.MkdirTemp("", "mem")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := unixctl.Listen(filepath.Join(dir, "m.ctl"), "v")
	if err != nil {
		t.Fatal(err)
	}
	RegisterCommands(s)
	go s.Serve()
	defer s.Close()
	// As OVS 3.1 ovs-vswitchd printed it with no bridges.
	if got, err := unixctl.Call(s.Path(), "memory/show"); err != nil || got != "idl-cells-Open_vSwitch:17\n" {
		t.Fatalf("memory/show = %q, %v", got, err)
	}
	if _, err := unixctl.Call(s.Path(), "memory/show", "x"); err == nil {
		t.Fatal("memory/show accepted an argument")
	}
}

func TestConcurrentRegisterAndReport(t *testing.T) {
	resetReporters(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Register(fmt.Sprint("c", i), func(u map[string]int) { u[fmt.Sprint("k", i)] = i })
			_ = Report()
		}()
	}
	wg.Wait()
	if got, want := Report(), "k0:0 k1:1 k2:2 k3:3 k4:4 k5:5 k6:6 k7:7"; got != want {
		t.Fatalf("Report = %q, want %q", got, want)
	}
}

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func TestMonitorLogs(t *testing.T) {
	resetReporters(t)
	Register("bridge", func(u map[string]int) { u["ports"] = 2 })
	var out buffer
	vlog.SetConsoleWriter(&out)
	defer vlog.SetConsoleWriter(os.Stderr)
	if err := vlog.SetSpec("PATTERN:console:%c|%p|%m"); err != nil {
		t.Fatal(err)
	}
	defer vlog.SetSpec("PATTERN:console:%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m")

	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &monitor{start: t0}
	m.check(t0.Add(10*time.Second), 5472)
	m.check(t0.Add(20*time.Second), 6000)  // grew less than half: quiet
	m.check(t0.Add(30*time.Second), 10944) // doubled
	want := "memory|INFO|5472 kB peak resident set size after 10.0 seconds\n" +
		"memory|INFO|ports:2\n" +
		"memory|INFO|peak resident set size grew 100% in last 20.0 seconds, from 5472 kB to 10944 kB\n" +
		"memory|INFO|ports:2\n"
	out.mu.Lock()
	got := out.b.String()
	out.mu.Unlock()
	if got != want {
		t.Fatalf("log:\n%s\nwant:\n%s", got, want)
	}
	stop := Start()
	stop()
	stop()
}
