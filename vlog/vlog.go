// Package vlog is OVS-style logging on top of logrus: named modules, three
// destinations (console, syslog, file) with a level each, OVS's line format,
// and the -v / vlog/set spec syntax. It imports only unixctl from this module.
package vlog

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Level is an OVS log level; a message is written to a destination when its
// level is at most the destination's level for the module.
type Level int32

// The levels, from quietest to most verbose.
const (
	LevelOff Level = iota
	LevelEmer
	LevelErr
	LevelWarn
	LevelInfo
	LevelDbg
	numLevels
)

var levelNames = [numLevels]string{"OFF", "EMER", "ERR", "WARN", "INFO", "DBG"}

// syslogSeverity maps each level to its syslog severity (RFC 5424), as OVS
// does: INFO is "notice".
var syslogSeverity = [numLevels]int{1, 1, 3, 4, 5, 7}

func (l Level) String() string {
	if l < 0 || l >= numLevels {
		return fmt.Sprintf("Level(%d)", int32(l))
	}
	return levelNames[l]
}

// ParseLevel accepts a level name in any case.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if strings.EqualFold(n, s) {
			return Level(i), true
		}
	}
	return 0, false
}

// Module is one named log source, like OVS's VLOG_DEFINE_THIS_MODULE. All
// methods are safe for concurrent use; a disabled level costs one atomic load.
type Module struct {
	name            string
	levels          [numDestinations]atomic.Int32
	minLevel        atomic.Int32 // highest level any open destination takes
	honorRateLimits atomic.Bool
}

// Name is the module's name as registered.
func (m *Module) Name() string { return m.name }

// Level is the module's current level for destination d.
func (m *Module) Level(d Destination) Level {
	if d < 0 || d >= numDestinations {
		return LevelOff
	}
	return Level(m.levels[d].Load())
}

// Enabled reports whether a message at level l would be written anywhere;
// use it to skip building expensive log arguments on hot paths.
func (m *Module) Enabled(l Level) bool { return Level(m.minLevel.Load()) >= l }

// Log writes a message at level l.
func (m *Module) Log(l Level, format string, args ...any) {
	if !m.Enabled(l) || l <= LevelOff {
		return
	}
	emit(m, l, fmt.Sprintf(format, args...))
}

// Emer logs at EMER: the process is about to fail.
func (m *Module) Emer(format string, args ...any) { m.Log(LevelEmer, format, args...) }

// Err logs at ERR.
func (m *Module) Err(format string, args ...any) { m.Log(LevelErr, format, args...) }

// Warn logs at WARN.
func (m *Module) Warn(format string, args ...any) { m.Log(LevelWarn, format, args...) }

// Info logs at INFO.
func (m *Module) Info(format string, args ...any) { m.Log(LevelInfo, format, args...) }

// Dbg logs at DBG.
func (m *Module) Dbg(format string, args ...any) { m.Log(LevelDbg, format, args...) }

// New registers (or returns the existing) module with this name. A new
// module starts at the levels last set for all modules (INFO everywhere by
// default), so "-v console:off" also covers modules registered later.
func New(name string) *Module {
	state.mu.Lock()
	defer state.mu.Unlock()
	key := strings.ToLower(name)
	if m, ok := state.modules[key]; ok {
		return m
	}
	m := &Module{name: name}
	for d := range numDestinations {
		m.levels[d].Store(int32(state.defaultLevels[d]))
	}
	m.honorRateLimits.Store(true)
	m.updateMinLevelLocked()
	state.modules[key] = m
	return m
}

// lookup finds a registered module by name, ignoring case as OVS does.
func lookup(name string) *Module {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.modules[strings.ToLower(name)]
}

// updateMinLevelLocked recomputes the fast-path level. The file destination
// counts only while a log file is open. Requires state.mu.
func (m *Module) updateMinLevelLocked() {
	minLevel := LevelOff
	for d := range numDestinations {
		if d == DestFile && state.file == nil {
			continue
		}
		if l := Level(m.levels[d].Load()); l > minLevel {
			minLevel = l
		}
	}
	m.minLevel.Store(int32(minLevel))
}
