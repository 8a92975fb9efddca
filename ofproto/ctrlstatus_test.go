package ofproto

import (
	"net"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
)

// waitStatus waits (a liveness bound, not a timing assertion) until the
// bridge's only controller reports state.
func waitStatus(t *testing.T, b *Bridge, changed <-chan struct{}, state string) ControllerStatus {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if sts := b.ControllerStatus(); len(sts) == 1 && sts[0].State == state {
			return sts[0]
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("controller never reached %s: %+v", state, b.ControllerStatus())
		}
	}
}

func TestControllerStatus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := "tcp:" + ln.Addr().String()
	b, _ := newTestBridge(t, Config{FailSecure: true})
	changed := make(chan struct{}, 1)
	b.SetStatusNotify(func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	b.SetControllers([]string{target})

	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readMsg(c); err != nil { // the switch's hello
		t.Fatal(err)
	}
	if _, err := c.Write(ofp.EncodeHello(1<<ofp.Version13, 1)); err != nil {
		t.Fatal(err)
	}
	st := waitStatus(t, b, changed, stateActive)
	if !st.Connected || st.Role != "other" || st.Target != target || st.ConnectedAt.IsZero() || st.LastError != "" {
		t.Errorf("connected: %+v", st)
	}

	// The controller goes away for good: the switch reconnects and is
	// refused.
	ln.Close()
	c.Close()
	st = waitStatus(t, b, changed, stateBackoff)
	for st.LastError != "Connection refused" {
		<-changed
		st = b.ControllerStatus()[0]
	}
	if st.Connected || st.Role != "" || st.DisconnectedAt.IsZero() || st.ConnectedAt.IsZero() {
		t.Errorf("disconnected: %+v", st)
	}
}

func TestConnError(t *testing.T) {
	_, err := net.Dial("tcp", "127.0.0.1:1")
	if got := connError(err); got != "Connection refused" {
		t.Errorf("connError(%v) = %q", err, got)
	}
	if got := connError(nil); got != "" {
		t.Errorf("connError(nil) = %q", got)
	}
}
