package unixctl

import (
	"context"
	"net"
	"os"
	"syscall"
)

// SocketMode is the mode OVS gives its unix sockets: owner and group may
// connect, others never. Applied before bind, so the umask narrows it
// (the usual 022 leaves 0750, the owner only) and there is no moment at
// which the socket is wider.
const SocketMode os.FileMode = 0o770

// ListenRestricted binds a unix stream socket at path whose file is
// created with mode SocketMode &^ umask, as OVS does by fchmod-ing the
// socket before binding it: Linux gives the new file the socket inode's
// mode. Binding first and chmod-ing afterwards would leave a window in
// which any local user could connect.
func ListenRestricted(path string) (*net.UnixListener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.Fchmod(int(fd), uint32(SocketMode))
		}); cerr != nil {
			return cerr
		}
		if err != nil {
			return os.NewSyscallError("fchmod", err)
		}
		return nil
	}}
	l, err := lc.Listen(context.Background(), "unix", path)
	if err != nil {
		return nil, err
	}
	return l.(*net.UnixListener), nil
}
