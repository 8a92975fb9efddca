package ofproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/govswitchd/govswitchd/dpif"
)

// helloVersion is the OpenFlow version the placeholder greets with (1.5).
const helloVersion = 0x06

// Bridge is the OpenFlow side of one bridge. For now it only owns the
// management and snoop sockets and greets each connection with a HELLO
// before hanging up; the OpenFlow agent replaces this.
type Bridge struct {
	name string
	dp   *dpif.Datapath

	mu        sync.Mutex // guards listeners, conns and closed
	listeners []*net.UnixListener
	conns     map[net.Conn]struct{}
	closed    bool
	wg        sync.WaitGroup
	xid       uint32 // guarded by mu
}

// MgmtPath is where ovs-ofctl looks for a bridge's management socket.
func MgmtPath(rundir, name string) string { return filepath.Join(rundir, name+".mgmt") }

// SnoopPath is where ovs-ofctl snoop looks for a bridge's snoop socket.
func SnoopPath(rundir, name string) string { return filepath.Join(rundir, name+".snoop") }

// NewBridge starts listening on RUNDIR/<name>.mgmt and RUNDIR/<name>.snoop.
// Stale sockets left by a previous run are replaced.
func NewBridge(name, rundir string, dp *dpif.Datapath) (*Bridge, error) {
	if name == "" || filepath.Base(name) != name {
		return nil, fmt.Errorf("ofproto: invalid bridge name %q", name)
	}
	b := &Bridge{name: name, dp: dp, conns: make(map[net.Conn]struct{})}
	for _, path := range []string{MgmtPath(rundir, name), SnoopPath(rundir, name)} {
		l, err := listenUnix(path)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("ofproto: bridge %s: %w", name, err)
		}
		b.listeners = append(b.listeners, l)
		b.wg.Add(1)
		go b.accept(l)
	}
	return b, nil
}

// Name is the bridge name.
func (b *Bridge) Name() string { return b.name }

// listenUnix binds a stream socket at path with mode 0750, removing a stale
// socket first; a live or non-socket file is left alone and reported.
func listenUnix(path string) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("listen %s: file exists and is not a socket", path)
		}
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("listen %s: socket is in use", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
		}
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	// We remove the file ourselves in Close, also after a crash-free restart.
	l.SetUnlinkOnClose(false)
	if err := os.Chmod(path, 0o750); err != nil {
		l.Close()
		os.Remove(path)
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return l, nil
}

func (b *Bridge) accept(l *net.UnixListener) {
	defer b.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			c.Close()
			return
		}
		b.xid++
		xid := b.xid
		b.conns[c] = struct{}{}
		b.mu.Unlock()
		b.wg.Add(1)
		go b.greet(c, xid)
	}
}

// greet sends an OpenFlow HELLO and hangs up.
func (b *Bridge) greet(c net.Conn, xid uint32) {
	defer b.wg.Done()
	c.Write(Hello(xid))
	c.Close()
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
}

// Hello encodes an 8-byte OpenFlow 1.5 HELLO without elements.
func Hello(xid uint32) []byte {
	msg := []byte{helloVersion, 0 /* OFPT_HELLO */, 0, 8, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(msg[4:], xid)
	return msg
}

// Close stops listening, drops open connections and removes both sockets.
// It is idempotent.
func (b *Bridge) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	var errs []error
	for _, l := range b.listeners {
		path := l.Addr().String()
		l.Close()
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove %s: %w", path, err))
		}
	}
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return errors.Join(errs...)
}
