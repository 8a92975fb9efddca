package unixctl

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The socket's mode is 0770 less the umask, as OVS's: never open to
// others, even under a permissive umask, and narrower under a strict one.
func TestListenRestrictedMode(t *testing.T) {
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{
		{0o000, 0o770},
		{0o022, 0o750},
		{0o077, 0o700},
	} {
		path := filepath.Join(t.TempDir(), "s.ctl")
		old := syscall.Umask(c.umask)
		l, err := ListenRestricted(path)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(path)
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != c.want {
			t.Errorf("umask %03o: mode %v, want socket %v", c.umask, fi.Mode(), c.want)
		}
	}
}
