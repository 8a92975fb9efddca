package ofproto

import (
	"errors"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// unixPair returns the two ends of a connected unix stream socket.
func unixPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("unix", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// An armed read gets what arrives during its poll and, after it, what
// arrives once it sleeps; the peer's close is EOF.
func TestSpinReader(t *testing.T) {
	server, client := unixPair(t)
	s := newSpinReader(server)
	if s == nil {
		t.Skip("one CPU: connections are read without polling")
	}
	buf := make([]byte, 16)
	for _, delay := range []time.Duration{0, 10 * time.Microsecond, 50 * time.Millisecond} {
		s.arm()
		go func() {
			time.Sleep(delay)
			client.Write([]byte("barrier"))
		}()
		n, err := s.Read(buf)
		if err != nil || string(buf[:n]) != "barrier" {
			t.Fatalf("read after %v: %q, %v", delay, buf[:n], err)
		}
		if s.armed {
			t.Fatal("a read left the reader armed")
		}
	}
	client.Close()
	if n, err := s.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read after the peer closed: %d, %v", n, err)
	}
	// Closing our end while a read sleeps ends it with net.ErrClosed.
	done := make(chan error)
	go func() {
		s.arm()
		_, err := s.Read(buf)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	server.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) && err != io.EOF {
		t.Fatalf("read on a closed connection: %v", err)
	}
}

func TestIsBarrierRequest(t *testing.T) {
	for _, c := range []struct {
		msg  []byte
		want bool
	}{
		{[]byte{1, 18, 0, 8, 0, 0, 0, 1}, true},  // OpenFlow 1.0
		{[]byte{4, 20, 0, 8, 0, 0, 0, 1}, true},  // OpenFlow 1.3
		{[]byte{6, 20, 0, 8, 0, 0, 0, 1}, true},  // OpenFlow 1.5
		{[]byte{1, 20, 0, 8, 0, 0, 0, 1}, false}, // 1.0's type 20 is a queue config request
		{[]byte{4, 18, 0, 8, 0, 0, 0, 1}, false}, // 1.3's type 18 is a multipart request
		{[]byte{4, 14, 0, 8, 0, 0, 0, 1}, false}, // flow_mod
	} {
		if got := isBarrierRequest(c.msg); got != c.want {
			t.Errorf("isBarrierRequest(% x) = %v", c.msg, got)
		}
	}
}
