package ofproto

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/govswitchd/govswitchd/unixctl"
)

// listenUnix binds a stream socket at path with mode 0770 less the umask,
// as OVS's management sockets, removing a stale socket first; a live or
// non-socket file is left alone and reported.
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
	l, err := unixctl.ListenRestricted(path)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", path, err)
	}
	// We remove the file ourselves in Close.
	l.SetUnlinkOnClose(false)
	return l, nil
}

// closeListener closes l and removes its socket file if it is a unix one.
func closeListener(l net.Listener) error {
	l.Close()
	if ul, ok := l.(*net.UnixListener); ok {
		path := ul.Addr().String()
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", path, err)
		}
	}
	return nil
}

// startListener accepts connections on ln until the bridge closes.
func (b *Bridge) startListener(ln net.Listener, kind connKind, snoop bool) {
	b.acceptOn(ln, acceptRole{kind: kind, snoop: snoop})
}

// startCtrlListener accepts connections on the listener of a passive
// Controller target (ptcp:, pssl:, punix:). As in OVS they are service
// connections (no packet-ins until asked) probed with the target's
// inactivity_probe, and they belong to the target: changing the
// controllers closes them.
func (b *Bridge) startCtrlListener(ln net.Listener, target string) {
	b.acceptOn(ln, acceptRole{kind: connService, ctrl: true, target: target})
}

// acceptRole is what an accepted connection becomes.
type acceptRole struct {
	kind   connKind
	snoop  bool
	ctrl   bool   // from a Controller target's listener
	target string // the Controller target, if any
}

func (b *Bridge) acceptOn(ln net.Listener, role acceptRole) {
	b.connMu.Lock()
	if b.closed {
		b.connMu.Unlock()
		if err := closeListener(ln); err != nil {
			log.Warn("%s: %v", b.name, err)
		}
		return
	}
	if role.ctrl {
		b.ctrlListeners = append(b.ctrlListeners, ln)
	} else {
		b.listeners = append(b.listeners, ln)
	}
	b.wg.Add(1)
	b.connMu.Unlock()
	go func() {
		defer b.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				select {
				case <-b.done:
					return
				default:
				}
				continue
			}
			if tl, ok := ln.(*tlsListener); ok {
				b.serveTLS(tl.t, nc, role)
				continue
			}
			b.serveAs(nc, role)
		}
	}()
}

// listen opens the listener of a passive controller target: "unix" is a
// punix: socket, "ssl" a pssl: TCP port whose connections must complete a
// TLS handshake first.
func (b *Bridge) listen(network, addr string) (net.Listener, error) {
	switch network {
	case "unix":
		return listenUnix(addr)
	case "ssl":
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		return &tlsListener{Listener: ln, t: b.cfg.TLS}, nil
	}
	return net.Listen(network, addr)
}

// dial opens the connection of an active controller target; ctx ends when
// the controller is removed.
func (b *Bridge) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if network == "ssl" {
		return b.cfg.TLS.dialTLS(ctx, addr)
	}
	d := net.Dialer{Timeout: maxBackoff}
	return d.DialContext(ctx, network, addr)
}

// serveTLS completes the server handshake of an accepted pssl:
// connection in its own goroutine and then serves it. A refused peer
// (no certificate, wrong CA, plain OpenFlow) is logged and closed.
func (b *Bridge) serveTLS(t *TLS, nc net.Conn, role acceptRole) {
	b.connMu.Lock()
	if b.closed {
		b.connMu.Unlock()
		nc.Close()
		return
	}
	b.wg.Add(1)
	b.connMu.Unlock()
	go func() {
		defer b.wg.Done()
		// Closing the bridge aborts a handshake in progress.
		handshaken := make(chan struct{})
		go func() {
			select {
			case <-b.done:
				nc.Close()
			case <-handshaken:
			}
		}()
		tc, err := t.handshakeServer(nc)
		close(handshaken)
		if err != nil {
			connLog.Warn("%s: %s: SSL connection refused: %v", b.name, nc.RemoteAddr(), err)
			nc.Close()
			return
		}
		b.serveAs(tc, role)
	}()
}

// serveAs registers a new connection and starts its goroutines; it
// returns the connection, or nil if the bridge is closing.
func (b *Bridge) serveAs(nc net.Conn, role acceptRole) *conn {
	c := newConn(b, nc, role.kind, role.snoop)
	c.passiveCtrl, c.target = role.ctrl, role.target
	b.connMu.Lock()
	if b.closed {
		b.connMu.Unlock()
		nc.Close()
		return nil
	}
	b.xid++
	c.helloXid = b.xid
	b.conns[c] = struct{}{}
	b.wg.Add(2)
	b.connMu.Unlock()
	go c.writeLoop()
	go c.readLoop()
	return c
}

// nextXid returns a fresh transaction id for switch-initiated messages.
func (b *Bridge) nextXid() uint32 {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	b.xid++
	return b.xid
}

// forget drops a closed connection from the set.
func (b *Bridge) forget(c *conn) {
	b.connMu.Lock()
	delete(b.conns, c)
	b.connMu.Unlock()
}

// snoopers returns the open snoop connections.
func (b *Bridge) snoopers() []*conn {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	var out []*conn
	for c := range b.conns {
		if c.snoop {
			out = append(out, c)
		}
	}
	return out
}

// eachConn calls f for every non-snoop connection.
func (b *Bridge) eachConn(f func(*conn)) {
	b.connMu.Lock()
	cs := make([]*conn, 0, len(b.conns))
	for c := range b.conns {
		if !c.snoop {
			cs = append(cs, c)
		}
	}
	b.connMu.Unlock()
	for _, c := range cs {
		f(c)
	}
}
