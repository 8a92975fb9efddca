package ofproto

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
)

// waitUntil polls cond with a generous liveness bound.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFailOpenStandalone(t *testing.T) {
	old := inactivityProbe
	inactivityProbe = 250 * time.Millisecond
	defer func() { inactivityProbe = old }()
	dir := t.TempDir()
	sock := dir + "/ctl.sock"
	b, err := NewBridge("br0", dir, nil, Config{Controllers: []string{"unix:" + sock}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustMod(t, b, ofp.FlowAdd, "priority=5,in_port=1,actions=drop")

	// Nobody answers: the table is flushed and NORMAL takes over.
	waitUntil(t, "fail-open", b.FailOpen)
	if got, want := dumpFlows(b), "priority=0 actions=NORMAL"; got != want {
		t.Errorf("flows failing open: %q, want %q", got, want)
	}

	// A controller appears: the NORMAL rule goes, the controller decides.
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveAdmittingController(c)
		}
	}()
	waitUntil(t, "recovery from fail-open", func() bool { return !b.FailOpen() })
	if got := dumpFlows(b); got != "" {
		t.Errorf("flows after recovery: %q", got)
	}
}

func TestFailSecureNeverFailsOpen(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true, Controllers: []string{"unix:" + t.TempDir() + "/none.sock"}})
	now := time.Now()
	b.failureDuration(now)              // first sight of the controller
	b.failOpenRun(now.Add(time.Minute)) // a minute without it
	if b.FailOpen() {
		t.Error("fail_mode=secure failed open")
	}
}

// serveAdmittingController plays a controller that accepts the switch: it
// says hello, sends a barrier request (an admitting message) and answers
// echo requests, until the connection closes.
func serveAdmittingController(c net.Conn) {
	defer c.Close()
	c.Write([]byte{4, 0, 0, 8, 0, 0, 0, 1})  // OpenFlow 1.3 hello
	c.Write([]byte{4, 20, 0, 8, 0, 0, 0, 2}) // barrier request
	hdr := make([]byte, 8)
	for {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		body := make([]byte, max(int(binary.BigEndian.Uint16(hdr[2:])), 8)-8)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		if hdr[1] == 2 { // echo request
			rep := append(append([]byte(nil), hdr...), body...)
			rep[1] = 3
			c.Write(rep)
		}
	}
}
