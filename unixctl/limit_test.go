package unixctl

import (
	"io"
	"net"
	"strings"
	"testing"
)

func TestOverlongRequestClosesConnection(t *testing.T) {
	s := newTestServer(t)
	c, err := net.Dial("unix", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A string that never ends: the server must give up, not buffer it.
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.WriteString(c, `{"id":1,"method":"test/echo","params":["`)
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 2*maxRequestLen/len(chunk); i++ {
			if _, err := io.WriteString(c, chunk); err != nil {
				return // closed by the server
			}
		}
	}()
	if got, _ := io.ReadAll(c); len(got) != 0 {
		t.Errorf("reply to an overlong request: %q", got)
	}
	c.Close()
	<-done
	// Large requests below the limit still work.
	arg := strings.Repeat("y", maxRequestLen/2)
	for i := 0; i < 3; i++ {
		if got, err := Call(s.Path(), "test/echo", arg); err != nil || strings.TrimSuffix(got, "\n") != arg {
			t.Fatalf("large request: %d bytes, %v", len(got), err)
		}
	}
}
