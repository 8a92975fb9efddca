package daemon

import (
	"errors"
	"io/fs"
	"syscall"
)

// Strerror renders an error the way C's strerror does ("No such file or
// directory"), so that messages shared with OVS read the same. Go's errno
// texts are strerror's with a lower-case first letter.
func Strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return capitalize(errno.Error())
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return capitalize(pe.Err.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
