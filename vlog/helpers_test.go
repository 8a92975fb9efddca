package vlog

import (
	"bytes"
	"os"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// reset puts the package back to its start-up configuration, with console
// output captured, and again when the test ends. Tests that use it must not
// run in parallel.
func reset(t *testing.T) *syncBuffer {
	t.Helper()
	restore := func() {
		forgetTestModules()
		closeLogFile(true)
		setLevels(nil, -1, LevelInfo)
		setRateLimits(nil, true)
		for d := range numDestinations {
			SetPattern(d, defaultPatterns[d])
		}
		state.facility.Store(0)
		state.seq.Store(0)
		SetProgramName("ovs-vswitchd")
		state.loggers[DestSyslog].Out.(*syslogWriter).reset()
	}
	restore()
	// Keep test messages out of the host's syslog.
	oldSyslog := syslogPath
	syslogPath = "/nonexistent/vlog-test-syslog"
	buf := &syncBuffer{}
	SetConsoleWriter(buf)
	t.Cleanup(func() {
		restore()
		syslogPath = oldSyslog
		SetConsoleWriter(os.Stderr)
	})
	return buf
}

// forgetTestModules unregisters modules that tests created, so that
// vlog/list shows exactly the OVS set again.
func forgetTestModules() {
	known := map[string]bool{}
	for _, n := range ovsModules {
		known[n] = true
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	for key := range state.modules {
		if !known[key] {
			delete(state.modules, key)
		}
	}
}
