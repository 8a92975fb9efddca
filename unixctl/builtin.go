package unixctl

import (
	"fmt"
	"sort"
	"strings"
)

// registerBuiltins adds the two commands every OVS daemon answers.
func (s *Server) registerBuiltins() {
	s.Register("list-commands", "", 0, 0, func([]string) (string, error) {
		return s.ListCommands(), nil
	})
	s.Register("version", "", 0, 0, func([]string) (string, error) {
		return s.version, nil
	})
}

// ListCommands is the list-commands text: a header, then every command not
// registered as Hidden, sorted by name, as "  %-23s %s".
func (s *Server) ListCommands() string {
	s.mu.RLock()
	names := make([]string, 0, len(s.commands))
	usages := make(map[string]string, len(s.commands))
	for name, c := range s.commands {
		if c.usage == Hidden {
			continue
		}
		names = append(names, name)
		usages[name] = c.usage
	}
	s.mu.RUnlock()
	sort.Strings(names)

	var b strings.Builder
	b.WriteString("The available commands are:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-23s %s\n", name, usages[name])
	}
	return b.String()
}
