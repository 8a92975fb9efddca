package ofproto

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// readUntil reads OpenFlow messages from c until one of type typ arrives
// (true), the connection ends (false, with the error) or the deadline
// passes (false, os.ErrDeadlineExceeded).
func readUntil(c net.Conn, typ byte, deadline time.Time) (bool, error) {
	c.SetReadDeadline(deadline)
	hdr := make([]byte, 8)
	for {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return false, err
		}
		body := make([]byte, max(int(binary.BigEndian.Uint16(hdr[2:])), 8)-8)
		if _, err := io.ReadFull(c, body); err != nil {
			return false, err
		}
		if hdr[1] == typ {
			return true, nil
		}
	}
}

// A Controller's inactivity_probe and max_backoff apply to its
// connection: 0 never probes a silent controller, a short probe sends an
// echo request and then drops the connection, which is re-established.
func TestControllerTiming(t *testing.T) {
	old := inactivityProbe
	inactivityProbe = 200 * time.Millisecond // the default, for contrast
	defer func() { inactivityProbe = old }()
	dir := t.TempDir()
	sock := dir + "/ctl.sock"
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	target := "unix:" + sock
	b, err := NewBridge("br0", dir, nil, Config{FailSecure: true, Controllers: []string{target}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetControllerTiming(map[string]ControllerTiming{target: {Probe: 0, MaxBackoff: time.Second}})

	const echoRequest = 2
	c := <-accepted
	defer c.Close()
	c.Write([]byte{4, 0, 0, 8, 0, 0, 0, 1}) // OpenFlow 1.3 hello
	if got, err := readUntil(c, echoRequest, time.Now().Add(time.Second)); got || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("inactivity_probe=0: echo request %v, error %v; want none for a second", got, err)
	}

	b.SetControllerTiming(map[string]ControllerTiming{target: {Probe: 400 * time.Millisecond, MaxBackoff: time.Second}})
	if got, err := readUntil(c, echoRequest, time.Now().Add(20*time.Second)); !got {
		t.Fatalf("short probe: no echo request (%v)", err)
	}
	if got, err := readUntil(c, 0xff, time.Now().Add(20*time.Second)); got || !errors.Is(err, io.EOF) {
		t.Fatalf("unanswered probe: connection not dropped (%v)", err)
	}
	select {
	case c2 := <-accepted:
		c2.Close()
	case <-time.After(20 * time.Second):
		t.Fatal("the controller connection was not re-established")
	}
}
