package ofproto

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// connKind is OVS's ofconn type: service connections (management socket,
// passive listeners) get no asynchronous messages unless they ask.
type connKind uint8

const (
	connService connKind = iota
	connPrimary
)

// outQueueLen bounds each connection's queue of outgoing messages.
// Replies wait for room; asynchronous messages are dropped when it is full.
const outQueueLen = 256

// readBufferSize is the receive buffer of a connection: a few maximum
// size messages.
const readBufferSize = 256 << 10

// maxMsgLen is the largest OpenFlow message.
const maxMsgLen = 0xffff

// Controller roles (OpenFlow 1.2 numbering).
const (
	roleNoChange  = 0
	roleEqual     = 1
	rolePrimary   = 2
	roleSecondary = 3
)

// conn is one OpenFlow connection. The reader goroutine handles requests
// one at a time, so a barrier is answered only after every earlier request
// has been processed and its replies queued.
type conn struct {
	b        *Bridge
	nc       net.Conn
	kind     connKind
	snoop    bool
	helloXid uint32
	// passiveCtrl: accepted on a Controller target's listener, closed
	// when the controllers change (listener.go).
	passiveCtrl bool
	// target is the Controller target of an active controller connection
	// or of the listener that accepted it, "" for others.
	target string

	out       chan []byte
	closed    chan struct{}
	closeOnce sync.Once
	lastRecv  atomic.Int64 // unix nanoseconds of the last received message
	// readErr is why the reader stopped (guarded by mu); closeErr.
	readErr error
	// admitted is set once the peer sent a message showing it accepted
	// the switch (failopen.go).
	admitted atomic.Bool

	// wmu orders writes: send writes directly only while pending (the
	// messages queued in out and not yet written) is zero. trySend counts
	// without the lock so that it never waits for a write.
	wmu     sync.Mutex
	pending atomic.Int64

	// mu guards the negotiated state below, which the reader sets and
	// asynchronous senders (flow removed) read.
	mu             sync.Mutex
	version        uint8 // 0 until negotiated
	nxm, tid       bool  // OpenFlow 1.0 flow format and table-id extension
	packetInFormat uint32
	missSendLen    uint16
	role           uint32
	async          asyncConfig

	// bundles are the open bundles, used only by the reader goroutine.
	bundles map[uint32]*bundle
	// monitors are the flow monitors, by id (guarded by mu).
	monitors map[uint32]*flowMonitor
}

func newConn(b *Bridge, nc net.Conn, kind connKind, snoop bool) *conn {
	c := &conn{
		b:      b,
		nc:     nc,
		kind:   kind,
		snoop:  snoop,
		out:    make(chan []byte, outQueueLen),
		closed: make(chan struct{}),
		role:   roleEqual,
	}
	// A controller connection wants packet-ins by default; a service
	// connection must ask with SET_CONFIG.
	if kind == connPrimary {
		c.missSendLen = 128
	}
	return c
}

// close shuts the connection down; it is idempotent.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.nc.Close()
	})
}

// closeErr is why the connection ended as the reader saw it: the peer
// closing it is io.EOF, which is also the answer when the switch closed it.
func (c *conn) closeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr == nil || errors.Is(c.readErr, net.ErrClosed) {
		return io.EOF
	}
	return c.readErr
}

// send writes msg at once when nothing is queued before it, else queues
// it, waiting for room; false if the connection closed. Writing a reply
// from the reader goroutine itself saves a hand-off to the writer per
// request, which is what a request/barrier round trip (ovs-ofctl sends a
// barrier after every flow_mod) costs.
func (c *conn) send(msg []byte) bool {
	c.wmu.Lock()
	if msg != nil && c.pending.Load() == 0 {
		_, err := c.nc.Write(msg)
		c.wmu.Unlock()
		if err != nil {
			c.close()
			return false
		}
		c.copyOut(msg)
		return true
	}
	c.pending.Add(1)
	c.wmu.Unlock()
	select {
	case c.out <- msg:
		return true
	case <-c.closed:
		return false
	}
}

// trySend queues an asynchronous message, dropping it when the queue is
// full, as OVS does for a slow controller. It neither writes nor takes
// wmu: its callers (the datapath's upcall handlers) must not wait for a
// peer.
func (c *conn) trySend(msg []byte) bool {
	c.pending.Add(1)
	select {
	case c.out <- msg:
		return true
	default:
		c.pending.Add(-1)
		return false
	}
}

// copyOut shows a message written to the peer to the snoopers. It runs
// without wmu: the snoopers' locks are taken after connMu elsewhere.
func (c *conn) copyOut(msg []byte) {
	if !c.snoop {
		c.b.copyToSnoopers(msg)
	}
}

func (c *conn) writeLoop() {
	defer c.b.wg.Done()
	for {
		select {
		case msg := <-c.out:
			if msg == nil {
				// Sentinel from closeAfterFlush.
				c.close()
				return
			}
			c.wmu.Lock()
			_, err := c.nc.Write(msg)
			c.pending.Add(-1)
			c.wmu.Unlock()
			if err != nil {
				c.close()
				return
			}
			c.copyOut(msg)
		case <-c.closed:
			return
		}
	}
}

// copyToSnoopers gives every snoop connection a copy of msg.
func (b *Bridge) copyToSnoopers(msg []byte) {
	for _, s := range b.snoopers() {
		s.mu.Lock()
		ready := s.version != 0
		s.mu.Unlock()
		if ready {
			s.trySend(msg)
		}
	}
}

// readMsg reads one framed message. A length below the header size cannot
// be framed, so it ends the connection.
func readMsg(r io.Reader) ([]byte, error) {
	var hdr [ofp.HeaderLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[2:]))
	if n < ofp.HeaderLen {
		return nil, fmt.Errorf("message length %d is shorter than the header", n)
	}
	msg := make([]byte, n)
	copy(msg, hdr[:])
	if _, err := io.ReadFull(r, msg[ofp.HeaderLen:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func (c *conn) readLoop() {
	defer c.b.wg.Done()
	defer c.b.forget(c)
	defer c.close()
	ours := c.b.versions()
	c.send(ofp.EncodeHello(ours, c.helloXid))
	// Reading through a buffer takes a burst of messages (add-flows sends
	// them back to back) in one system call instead of two per message.
	var in *bufio.Reader
	spin := newSpinReader(c.nc)
	if spin != nil {
		in = bufio.NewReaderSize(spin, readBufferSize)
	} else {
		in = bufio.NewReaderSize(c.nc, readBufferSize)
	}
	msg, err := readMsg(in)
	if err != nil {
		return
	}
	if !c.negotiate(ours, msg) {
		return
	}
	c.lastRecv.Store(time.Now().UnixNano())
	if c.kind == connPrimary || c.passiveCtrl {
		c.b.wg.Add(1)
		go c.probeLoop()
	}
	for {
		msg, err := readMsg(in)
		if err == nil {
			c.lastRecv.Store(time.Now().UnixNano())
			c.noteAdmission(msg)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				connLog.Dbg("%s: %v", c.b.name, err)
			}
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		if c.snoop {
			// Snoopers only watch; keep them alive.
			if msg[1] == 2 {
				if rep, err := ofp.EncodeEchoReply(msg); err == nil {
					c.send(rep)
				}
			}
			continue
		}
		c.b.copyToSnoopers(msg)
		c.handle(msg)
		if isBarrierRequest(msg) {
			spin.arm()
		}
	}
}

// negotiate processes the peer's first message, which must be a HELLO.
// On failure it sends OVS's HELLO_FAILED error and reports false.
func (c *conn) negotiate(ours ofp.VersionBitmap, msg []byte) bool {
	hello, err := ofp.DecodeHello(msg)
	if err != nil {
		connLog.Warn("%s: received message while expecting hello", c.b.name)
		return false
	}
	v, err := ofp.Negotiate(ours, hello)
	if err != nil {
		connLog.Warn("%s: %v", c.b.name, err)
		text := fmt.Sprintf("We support %s, you support %s, no common versions.",
			versionsString(ours), versionsString(hello.Versions))
		version := hello.Versions.Max()
		if version == 0 {
			version = ofp.Version10
		}
		c.send(ofp.EncodeErrorData(ofperr.OFPHFC_INCOMPATIBLE, version, 0, []byte(text)))
		c.closeAfterFlush()
		return false
	}
	c.mu.Lock()
	c.version = v
	c.async = defaultAsyncConfig(v)
	c.mu.Unlock()
	return true
}

// closeAfterFlush closes the connection once every queued message has
// been written.
func (c *conn) closeAfterFlush() {
	if c.send(nil) {
		<-c.closed
	}
}

// versionsString renders a version set as OVS does in negotiation errors.
func versionsString(vb ofp.VersionBitmap) string {
	switch {
	case vb == 0:
		return "no versions"
	case vb&(vb-1) == 0:
		return fmt.Sprintf("version 0x%02x", vb.Max())
	case vb == ofp.BitmapRange(ofp.Version10, vb.Max()):
		return fmt.Sprintf("version 0x%02x and earlier", vb.Max())
	}
	var vs []string
	for v := uint8(0); v < 32; v++ {
		if vb.Has(v) {
			vs = append(vs, fmt.Sprintf("0x%02x", v))
		}
	}
	return "versions " + strings.Join(vs, ", ")
}

// protocol is the connection's flow format.
func (c *conn) protocol() ofp.Protocol {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ofp.ProtocolFor(c.version, c.nxm, c.tid)
}

func (c *conn) negotiatedVersion() uint8 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// sendError answers request with an OpenFlow error.
func (c *conn) sendError(err error, request []byte) {
	var code ofperr.Code
	if !errors.As(err, &code) {
		connLog.Warn("%s: %v", c.b.name, err)
		code = ofperr.OFPFMFC_UNKNOWN
	}
	v := request[0]
	if v < ofp.Version10 || v > ofp.Version15 {
		// Say it in a version the peer understands.
		request = append([]byte(nil), request...)
		v = c.negotiatedVersion()
		out := ofp.EncodeErrorData(code, v, binary.BigEndian.Uint32(request[4:]), request)
		c.send(out)
		return
	}
	c.send(ofp.EncodeError(code, request))
}

// inactivityProbe is how long a controller connection may stay silent
// before the switch sends an echo request, and then how long it has to
// answer before the switch disconnects (OVS's inactivity_probe default).
var inactivityProbe = 5 * time.Second

// probeLoop checks a controller connection for liveness, with its
// target's probe interval as it is at each check.
func (c *conn) probeLoop() {
	defer c.b.wg.Done()
	t := time.NewTimer(time.Second)
	defer t.Stop()
	var probeSent time.Time
	for {
		interval := c.b.controllerTiming(c.target).Probe
		if interval > 0 {
			t.Reset(interval / 4)
		} else {
			probeSent = time.Time{}
			t.Reset(time.Second)
		}
		select {
		case <-c.closed:
			return
		case now := <-t.C:
			if interval <= 0 {
				continue
			}
			last := time.Unix(0, c.lastRecv.Load())
			switch {
			case !probeSent.IsZero() && last.After(probeSent):
				probeSent = time.Time{}
			case !probeSent.IsZero() && now.Sub(probeSent) >= interval:
				connLog.Err("%s: no response to inactivity probe after %.0f seconds, disconnecting",
					c.b.name, now.Sub(last).Seconds())
				c.close()
				return
			case probeSent.IsZero() && now.Sub(last) >= interval:
				if c.trySend(ofp.EncodeEchoRequest(c.negotiatedVersion(), c.b.nextXid(), nil)) {
					probeSent = now
				}
			}
		}
	}
}
