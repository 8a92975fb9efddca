package bridge

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/govswitchd/govswitchd/dpif"
)

// remote is a parsed OVSDB connection method, "unix:PATH" or "tcp:IP:PORT".
type remote struct {
	text    string // as given, for messages
	network string // "unix" or "tcp"
	address string // absolute path or host:port
}

// parseRemote accepts the active connection methods ovs-vswitchd accepts for
// its database. Like OVS, a bare path is not a remote: OVS reports it as
// EAFNOSUPPORT, and so do we, as a connection failure.
func parseRemote(s string) (remote, error) {
	r := remote{text: s}
	kind, rest, ok := strings.Cut(s, ":")
	switch {
	case ok && kind == "unix" && rest != "":
		path, err := filepath.Abs(rest)
		if err != nil {
			return r, fmt.Errorf("%s: %w", s, err)
		}
		r.network, r.address = "unix", path
	case ok && kind == "tcp":
		host, port, err := net.SplitHostPort(rest)
		if err != nil || host == "" || port == "" || net.ParseIP(host) == nil {
			return r, fmt.Errorf("%s: bad peer name format", s)
		}
		r.network, r.address = "tcp", net.JoinHostPort(host, port)
	default:
		return r, connectError(s, syscall.EAFNOSUPPORT)
	}
	return r, nil
}

// endpoint is the remote in the form libovsdb's WithEndpoint takes.
func (r remote) endpoint() string { return r.network + ":" + r.address }

// dial opens one connection to the remote.
func (r remote) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, r.network, r.address)
	if err != nil {
		return nil, connectError(r.text, err)
	}
	return c, nil
}

// connectError words a failed connection as OVS's reconnect module logs it:
// "unix:/x/db.sock: connection attempt failed (No such file or directory)".
func connectError(remote string, err error) error {
	return fmt.Errorf("%s: connection attempt failed (%s)", remote, dpif.Strerror(err))
}
