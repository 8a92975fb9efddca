package coverage

import (
	"errors"
	"fmt"
	"time"

	"github.com/govswitchd/govswitchd/unixctl"
)

// RegisterCommands adds coverage/show and coverage/read-counter.
func RegisterCommands(s *unixctl.Server) {
	s.Register("coverage/show", "", 0, 0, func([]string) (string, error) {
		return Show(time.Now()), nil
	})
	s.Register("coverage/read-counter", "COUNTER", 1, 1, func(args []string) (string, error) {
		c := Lookup(args[0])
		if c == nil {
			return "", errors.New("No such counter")
		}
		return fmt.Sprintf("%d\n", c.Value()), nil
	})
}
