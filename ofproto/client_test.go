package ofproto

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// testClient is a minimal OpenFlow client for driving a Bridge.
type testClient struct {
	t     *testing.T
	c     net.Conn
	hello []byte // the switch's HELLO
	v     uint8
	xid   uint32
}

// ioTimeout only guards against a hung test; no test depends on it.
const ioTimeout = 10 * time.Second

func dialRaw(t *testing.T, path string) *testClient {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	tc := &testClient{t: t, c: c}
	tc.hello = tc.recv()
	return tc
}

// dial connects and negotiates version v (the client offers only v).
func dial(t *testing.T, path string, v uint8) *testClient {
	t.Helper()
	tc := dialRaw(t, path)
	tc.send(ofp.EncodeHello(1<<v, 1))
	tc.v = v
	tc.xid = 100
	return tc
}

func (tc *testClient) send(msg []byte) {
	tc.t.Helper()
	tc.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := tc.c.Write(msg); err != nil {
		tc.t.Fatal(err)
	}
}

func (tc *testClient) recv() []byte {
	tc.t.Helper()
	tc.c.SetReadDeadline(time.Now().Add(ioTimeout))
	msg, err := readMsg(tc.c)
	if err != nil {
		tc.t.Fatalf("read: %v", err)
	}
	return msg
}

// expectEOF checks that the switch closed the connection.
func (tc *testClient) expectEOF() {
	tc.t.Helper()
	tc.c.SetReadDeadline(time.Now().Add(ioTimeout))
	if msg, err := readMsg(tc.c); err == nil {
		tc.t.Fatalf("got % x, want the connection closed", msg)
	}
}

func (tc *testClient) nextXid() uint32 {
	tc.xid++
	return tc.xid
}

// msg builds a message of type raw in the connection's version.
func (tc *testClient) msg(raw ofp.Raw, body ...byte) []byte {
	tc.t.Helper()
	b, err := ofp.AppendRawHeader(nil, raw, tc.v, tc.nextXid(), 0)
	if err != nil {
		tc.t.Fatal(err)
	}
	return ofp.FinishMessage(append(b, body...), 0)
}

// barrier sends msg followed by a barrier and returns every message the
// switch sent before the barrier reply.
func (tc *testClient) barrier(msgs ...[]byte) [][]byte {
	tc.t.Helper()
	for _, m := range msgs {
		tc.send(m)
	}
	raw, _ := ofp.RawFor(tc.v, ofp.RawOFPT10BarrierRequest, ofp.RawOFPT11BarrierRequest)
	b := tc.msg(raw)
	xid := tc.xid
	tc.send(b)
	var out [][]byte
	for {
		m := tc.recv()
		mh, err := ofp.DecodeRaw(m)
		if err == nil && (mh.Raw == ofp.RawOFPT10BarrierReply || mh.Raw == ofp.RawOFPT11BarrierReply) && mh.Xid == xid {
			return out
		}
		out = append(out, m)
	}
}

// flowMod sends a text flow_mod in protocol p and returns any replies.
func (tc *testClient) flowMod(p ofp.Protocol, command uint8, text string) [][]byte {
	tc.t.Helper()
	fm, err := ofp.ParseFlow(text, command)
	if err != nil {
		tc.t.Fatalf("parse %q: %v", text, err)
	}
	msg, err := ofp.EncodeFlowMod(fm, p, tc.nextXid())
	if err != nil {
		tc.t.Fatalf("encode %q: %v", text, err)
	}
	return tc.barrier(msg)
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "|", "").Replace(s))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func wantMsg(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
}

// wantError checks that msgs is exactly the OpenFlow error code carrying
// request.
func wantError(t *testing.T, msgs [][]byte, code ofperr.Code, request []byte) {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want one %v error", len(msgs), code)
	}
	wantMsg(t, msgs[0], ofp.EncodeError(code, request))
}

func setXid(msg []byte, xid uint32) []byte {
	binary.BigEndian.PutUint32(msg[4:], xid)
	return msg
}

// newTestBridge starts a bridge with the default configuration in a
// temporary run directory.
func newTestBridge(t *testing.T, cfg Config) (*Bridge, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := NewBridge("br0", dir, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b, MgmtPath(dir, "br0")
}
