package memory

import "github.com/govswitchd/govswitchd/unixctl"

// RegisterCommands adds memory/show.
func RegisterCommands(s *unixctl.Server) {
	s.Register("memory/show", "", 0, 0, func([]string) (string, error) {
		return Report(), nil
	})
}
