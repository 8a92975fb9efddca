package ofproto

import (
	"io"
	"net"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/govswitchd/govswitchd/ofp"
)

// A peer that waits for a reply to every message (ovs-ofctl add-flows
// sends each flow_mod with a barrier and waits for the barrier's reply)
// makes both processes sleep and wake once per message, and on a virtual
// machine each wake-up is an inter-processor interrupt and a halted vCPU
// restarted: that, not the flow_mod, is most of the cost. So after the
// switch answers a barrier, the next read polls the socket for a short
// while before it lets the connection's goroutine sleep: a peer in such
// a lockstep sends its next request at once.

// spinFor is how long a read polls before it sleeps: a little more than
// ovs-ofctl needs to parse and send its next flow.
const spinFor = 50 * time.Microsecond

// spinReader reads a stream socket; a read after arm polls for spinFor
// before blocking.
type spinReader struct {
	rc    syscall.RawConn
	armed bool
}

// newSpinReader wraps nc, or returns nil when polling cannot help: a
// connection without a file descriptor (TLS), or a single CPU, where the
// poller would only keep the peer from running.
func newSpinReader(nc net.Conn) *spinReader {
	sc, ok := nc.(syscall.Conn)
	if !ok || runtime.NumCPU() < 2 {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &spinReader{rc: rc}
}

// arm makes the next read poll before it blocks.
func (s *spinReader) arm() {
	if s != nil {
		s.armed = true
	}
}

func (s *spinReader) Read(p []byte) (int, error) {
	var n int
	var rerr error
	var deadline time.Time
	if s.armed {
		s.armed = false
		deadline = time.Now().Add(spinFor)
	}
	err := s.rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = unix.Read(int(fd), p)
			if rerr != unix.EAGAIN {
				return true
			}
			// Poll until the deadline, then sleep until the socket is
			// readable (the runtime calls back then).
			if deadline.IsZero() || time.Now().After(deadline) {
				deadline = time.Time{}
				return false
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, rerr
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// isBarrierRequest reports whether msg is an OpenFlow barrier request.
func isBarrierRequest(msg []byte) bool {
	return msg[0] == ofp.Version10 && msg[1] == 18 || msg[0] > ofp.Version10 && msg[1] == 20
}
