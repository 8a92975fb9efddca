package ofproto

import (
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ControllerStatus is what the bridge layer writes to a Controller row:
// OVS's is_connected, role and status columns for one active target.
type ControllerStatus struct {
	Target    string
	Connected bool
	// Role is "other", "master" or "slave" while connected.
	Role string
	// State is the connection state as OVS's rconn names it: CONNECTING,
	// ACTIVE or BACKOFF.
	State string
	// LastError is the reason the last connection attempt failed or the
	// last connection ended, in OVS's words ("Connection refused").
	LastError string
	// Connected and Disconnected are when the connection last came up
	// and went down; zero if never.
	ConnectedAt, DisconnectedAt time.Time
	// PacketIn are the packet-in rate limiter's counters while connected
	// with a controller_rate_limit (pinsched.go), as status pairs.
	PacketIn map[string]string
}

// Status map keys and values of the Controller table, as OVS writes them.
const (
	stateConnecting = "CONNECTING"
	stateActive     = "ACTIVE"
	stateBackoff    = "BACKOFF"
)

// ctrlState is the part of an activeController the status reports,
// guarded by its own mutex: runActive writes it, the bridge layer reads.
type ctrlState struct {
	mu             sync.Mutex
	state          string
	lastErr        string
	connectedAt    time.Time
	disconnectedAt time.Time
	conn           *conn // while ACTIVE
}

// setState records a state change and tells the bridge layer.
func (b *Bridge) setCtrlState(ac *activeController, f func(s *ctrlState)) {
	ac.status.mu.Lock()
	f(&ac.status)
	ac.status.mu.Unlock()
	b.notifyStatus()
}

// SetStatusNotify registers f to be called (from any goroutine, without
// locks held) whenever a controller connection changes state, so the
// bridge layer can write the Controller table, as OVS does on each
// connectivity change.
func (b *Bridge) SetStatusNotify(f func()) {
	b.connMu.Lock()
	b.statusNotify = f
	b.connMu.Unlock()
}

func (b *Bridge) notifyStatus() {
	b.connMu.Lock()
	f := b.statusNotify
	b.connMu.Unlock()
	if f != nil {
		f()
	}
}

// ControllerStatus reports the state of each active controller target
// (tcp: and unix:), in configuration order. Passive targets have none.
func (b *Bridge) ControllerStatus() []ControllerStatus {
	b.connMu.Lock()
	actives := append([]*activeController(nil), b.actives...)
	b.connMu.Unlock()
	out := make([]ControllerStatus, 0, len(actives))
	for _, ac := range actives {
		ac.status.mu.Lock()
		st := ControllerStatus{
			Target:         ac.target,
			State:          ac.status.state,
			LastError:      ac.status.lastErr,
			ConnectedAt:    ac.status.connectedAt,
			DisconnectedAt: ac.status.disconnectedAt,
		}
		c := ac.status.conn
		ac.status.mu.Unlock()
		if c != nil && st.State == stateActive {
			st.Connected = true
			c.mu.Lock()
			st.Role = roleName(c.role)
			c.mu.Unlock()
			st.PacketIn = b.packetInStats(c)
		}
		out = append(out, st)
	}
	return out
}

// roleName is a role as the Controller table's role column spells it.
func roleName(role uint32) string {
	switch role {
	case rolePrimary:
		return "master"
	case roleSecondary:
		return "slave"
	}
	return "other"
}

// connError words a connection failure as OVS does (strerror, and "End of
// file" for a connection the peer closed).
func connError(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return ""
	case errors.Is(err, io.EOF):
		return "End of file"
	case errors.As(err, &errno):
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}
