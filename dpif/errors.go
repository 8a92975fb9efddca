package dpif

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
)

// OpenError is why a port could not be opened. Its text is exactly what OVS
// writes into Interface.error, so the errno must be found in Err.
type OpenError struct {
	Name string
	Err  error
	// Detail is an optional longer explanation for the log; it is not part
	// of Error() because the OVSDB text must match OVS byte for byte.
	Detail string
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("could not open network device %s (%s)", e.Name, Strerror(e.Err))
}

func (e *OpenError) Unwrap() error { return e.Err }

// errnoText overrides Go's errno text where glibc's strerror differs by more
// than the capital first letter.
var errnoText = map[syscall.Errno]string{
	0: "Success",
}

// Strerror is glibc's strerror() text for the errno inside err (found with
// errors.As), as OVS prints it: "No such device". io.EOF is "End of file"
// as in OVS; other errors give their own text; nil gives "Success".
func Strerror(err error) string {
	if err == nil {
		return "Success"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoString(errno)
	}
	if errors.Is(err, io.EOF) {
		return "End of file"
	}
	return err.Error()
}

func errnoString(errno syscall.Errno) string {
	if s, ok := errnoText[errno]; ok {
		return s
	}
	s := errno.Error()
	// Go prints "errno N" for numbers it has no text for; glibc says this.
	if strings.HasPrefix(s, "errno ") {
		return fmt.Sprintf("Unknown error %d", int(errno))
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
