package ofproto

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// TestSendOrder checks the write path: a reply goes out directly when
// nothing is queued, and after the queued messages otherwise.
func TestSendOrder(t *testing.T) {
	b, _ := newTestBridge(t, Config{FailSecure: true})
	ours, peer := net.Pipe()
	defer peer.Close()
	c := newConn(b, ours, connService, false)
	defer c.close()
	read := func() []byte {
		t.Helper()
		buf := make([]byte, 3)
		if _, err := io.ReadFull(peer, buf); err != nil {
			t.Fatal(err)
		}
		return buf
	}

	// Nothing queued and no writer running: send writes by itself.
	done := make(chan bool)
	go func() { done <- c.send([]byte("m1.")) }()
	if got := read(); !bytes.Equal(got, []byte("m1.")) {
		t.Errorf("first message %q", got)
	}
	if !<-done {
		t.Fatal("send failed")
	}

	// An asynchronous message is queued; a reply sent after it must wait
	// for the writer to put it out first.
	if !c.trySend([]byte("a2.")) {
		t.Fatal("trySend dropped a message on an empty queue")
	}
	go func() { done <- c.send([]byte("r3.")) }()
	b.wg.Add(1)
	go c.writeLoop()
	for _, want := range []string{"a2.", "r3."} {
		if got := read(); string(got) != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if !<-done {
		t.Fatal("send failed")
	}
	// The writer counts a message written just after the peer has read
	// it; wait for that (a liveness bound, not a timing assertion).
	for deadline := time.Now().Add(10 * time.Second); c.pending.Load() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pending = %d after everything was written", c.pending.Load())
		}
	}
}
