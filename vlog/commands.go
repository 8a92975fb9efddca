package vlog

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/govswitchd/govswitchd/unixctl"
)

// A *Module can take a unixctl server's diagnostics:
// srv.SetLogger(vlog.New("unixctl")).
var _ unixctl.Logger = (*Module)(nil)

// RegisterCommands adds the vlog/* commands with OVS's usage strings and
// argument counts.
func RegisterCommands(s *unixctl.Server) {
	s.Register("vlog/set", "{spec | PATTERN:destination:pattern}", 0, -1, setCommand)
	s.Register("vlog/list", "", 0, 0, func([]string) (string, error) { return List(), nil })
	s.Register("vlog/list-pattern", "", 0, 0, func([]string) (string, error) { return ListPatterns(), nil })
	s.Register("vlog/enable-rate-limit", "[module]...", 0, -1, func(args []string) (string, error) {
		return "", setRateLimits(args, true)
	})
	s.Register("vlog/disable-rate-limit", "[module]...", 0, -1, func(args []string) (string, error) {
		return "", setRateLimits(args, false)
	})
	s.Register("vlog/reopen", "", 0, 0, reopenCommand)
	s.Register("vlog/close", "", 0, 0, func([]string) (string, error) {
		closeLogFile(false)
		return "", nil
	})
}

func setCommand(args []string) (string, error) {
	if len(args) == 0 {
		setLevels(nil, -1, LevelDbg)
	}
	for _, a := range args {
		if err := SetSpec(a); err != nil {
			return "", err
		}
	}
	return "", nil
}

func reopenCommand([]string) (string, error) {
	if LogFile() == "" {
		return "", errors.New("Logging to file not configured")
	}
	if err := Reopen(); err != nil {
		return "", errors.New(strerror(err))
	}
	return "", nil
}

// setRateLimits turns rate limiting on or off for the named modules ("ANY"
// or no names: all).
func setRateLimits(names []string, enable bool) error {
	if len(names) == 0 {
		names = []string{"ANY"}
	}
	for _, n := range names {
		if strings.EqualFold(n, "ANY") {
			state.mu.Lock()
			for _, m := range state.modules {
				m.honorRateLimits.Store(enable)
			}
			state.mu.Unlock()
			continue
		}
		m := lookup(n)
		if m == nil {
			return errors.New("unknown module")
		}
		m.honorRateLimits.Store(enable)
	}
	return nil
}

// List is the vlog/list text: levels per registered module, sorted.
func List() string {
	state.mu.Lock()
	lines := make([]string, 0, len(state.modules))
	for _, m := range state.modules {
		line := fmt.Sprintf("%-16s  %4s       %4s       %4s", m.name,
			m.Level(DestConsole), m.Level(DestSyslog), m.Level(DestFile))
		if !m.honorRateLimits.Load() {
			line += "    (rate limiting disabled)"
		}
		lines = append(lines, line+"\n")
	}
	state.mu.Unlock()
	// OVS sorts whole lines, not names; keep that for identical output.
	sort.Strings(lines)
	return "                 console    syslog    file\n" +
		"                 -------    ------    ------\n" +
		strings.Join(lines, "")
}

// syslogPrefix is how the C library frames syslog lines, as OVS reports it.
const syslogPrefix = "<%B> %D{%h %e %T} %E %A:"

// ListPatterns is the vlog/list-pattern text.
func ListPatterns() string {
	var b strings.Builder
	b.WriteString("         prefix                            format\n")
	b.WriteString("         ------                            ------\n")
	for d := range numDestinations {
		prefix := "none"
		if d == DestSyslog {
			prefix = syslogPrefix
		}
		fmt.Fprintf(&b, "%-7s  %-32s  %s\n", d, prefix, state.patterns[d].Load().text)
	}
	return b.String()
}
