package ofproto

import (
	"encoding/binary"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func TestHelloAdvertisesVersions(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dialRaw(t, path)
	// Default 1.0..1.5: a plain 1.5 HELLO, no bitmap.
	wantMsg(t, tc.hello, mustHex(t, "06000008 00000001"))

	_, path = newTestBridge(t, Config{Versions: 1<<ofp.Version10 | 1<<ofp.Version13})
	tc = dialRaw(t, path)
	wantMsg(t, tc.hello, mustHex(t, "04000010 00000001 0001 0008 00000012"))
}

func TestNegotiationFailure(t *testing.T) {
	_, path := newTestBridge(t, Config{Versions: 1<<ofp.Version10 | 1<<ofp.Version13})
	tc := dialRaw(t, path)
	tc.send(ofp.EncodeHello(1<<ofp.Version15, 1))
	text := "We support versions 0x01, 0x04, you support version 0x06, no common versions."
	want := ofp.EncodeErrorData(ofperr.OFPHFC_INCOMPATIBLE, ofp.Version15, 0, []byte(text))
	wantMsg(t, tc.recv(), want)
	tc.expectEOF()
}

func TestFirstMessageMustBeHello(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dialRaw(t, path)
	tc.send(ofp.EncodeEchoRequest(ofp.Version10, 1, nil))
	tc.expectEOF()
}

func TestNegotiatesHighestCommonVersion(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dialRaw(t, path)
	// A 1.3 HELLO without bitmap means "1.3 and earlier".
	tc.send(mustHex(t, "04000008 00000001"))
	tc.v = ofp.Version13
	echo := ofp.EncodeEchoRequest(ofp.Version13, 7, []byte("hi"))
	tc.send(echo)
	wantMsg(t, tc.recv(), mustHex(t, "0403000a 00000007 6869"))
}

func TestEchoFeaturesAndConfig(t *testing.T) {
	g := newGoldenBridge(t)
	tc := dial(t, g.mgmt, ofp.Version10)

	tc.send(ofp.EncodeEchoRequest(ofp.Version10, 5, []byte{1, 2, 3}))
	wantMsg(t, tc.recv(), mustHex(t, "0103000b 00000005 010203"))

	got := tc.barrier(setXid(tc.msg(ofp.RawOFPTFeaturesRequest), 9))
	if len(got) != 1 {
		t.Fatalf("got %d replies", len(got))
	}
	port := func(no uint16, name string, last byte) string {
		var n [16]byte
		copy(n[:], name)
		b := binary.BigEndian.AppendUint16(nil, no)
		b = append(b, 2, 0, 0, 0, 0, last)
		b = append(b, n[:]...)
		b = append(b, mustHex(t, "00000001 00000001 000000c0 00000000 00000000 00000000")...)
		return ofpHex(b)
	}
	wantMsg(t, got[0], mustHex(t, "010600b0 00000009 0000000000000042 00000000 fe000000 000000c7 00000fff"+
		port(1, "p1", 1)+port(2, "p2", 2)+port(mf.PortLocal, "h7br", 0x42)))

	got = tc.barrier(setXid(tc.msg(ofp.RawOFPTGetConfigRequest), 10))
	wantMsg(t, got[0], mustHex(t, "0108000c 0000000a 0000 0000"))
	tc.barrier(tc.msg(ofp.RawOFPTSetConfig, 0, 1, 0, 0x80))
	got = tc.barrier(setXid(tc.msg(ofp.RawOFPTGetConfigRequest), 11))
	wantMsg(t, got[0], mustHex(t, "0108000c 0000000b 0001 0080"))

	tc13 := dial(t, g.mgmt, ofp.Version13)
	got = tc13.barrier(setXid(tc13.msg(ofp.RawOFPTFeaturesRequest), 3))
	wantMsg(t, got[0], mustHex(t, "04060020 00000003 0000000000000042 00000000 fe000000 0000004f 00000000"))
	// The fragment mode is the bridge's, shared by all connections.
	got = tc13.barrier(setXid(tc13.msg(ofp.RawOFPTGetConfigRequest), 4))
	wantMsg(t, got[0], mustHex(t, "0408000c 00000004 0001 0000"))
}

func ofpHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestErrorsKeepConnection(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dial(t, path, ofp.Version10)
	cases := []struct {
		name string
		msg  []byte
		code ofperr.Code
	}{
		{"unknown type", mustHex(t, "01300008 00000021"), ofperr.OFPBRC_BAD_TYPE},
		{"known but unsupported", mustHex(t, "010a0012 00000022 ffffffff 0000 0001 00 00"), ofperr.OFPBRC_BAD_TYPE},
		{"packet-out from a buffer", mustHex(t, "010d0010 00000022 00000001 fffe 0000"), ofperr.OFPBRC_BUFFER_UNKNOWN},
		{"bad length", mustHex(t, "0109000a 00000023 0000"), ofperr.OFPBRC_BAD_LEN},
		{"wrong version", mustHex(t, "04050008 00000024"), ofperr.OFPBRC_BAD_VERSION},
		{"unknown stats", mustHex(t, "0110000c 00000025 0063 0000"), ofperr.OFPBRC_BAD_STAT},
		{"unsupported stats", mustHex(t, "0110000c 00000026 000d 0000 00"), ofperr.OFPBRC_BAD_LEN},
		{"unknown vendor", mustHex(t, "01040010 00000027 00001234 00000001"), ofperr.OFPBRC_BAD_VENDOR},
		{"unknown subtype", mustHex(t, "01040010 00000028 00002320 000000ff"), ofperr.OFPBRC_BAD_SUBTYPE},
		{"bad flow format", mustHex(t, "01040014 00000029 00002320 0000000c 00000007"), ofperr.OFPBRC_EPERM},
		{"bad packet-in format", mustHex(t, "01040014 0000002a 00002320 00000010 00000009"), ofperr.OFPBRC_EPERM},
		{"bad flow_mod command", badCommandFlowMod(t), ofperr.OFPFMFC_BAD_COMMAND},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "unsupported stats" {
				// Port desc takes no body in 1.0.
				c.msg = mustHex(t, "0110000d 00000026 000d 0000 00")
			}
			wantError(t, tc.barrier(c.msg), c.code, c.msg)
		})
	}
	// Still alive.
	tc.send(ofp.EncodeEchoRequest(ofp.Version10, 99, nil))
	wantMsg(t, tc.recv(), mustHex(t, "01030008 00000063"))
}

// badCommandFlowMod is an OpenFlow 1.0 flow_mod with command 9.
func badCommandFlowMod(t *testing.T) []byte {
	fm, err := ofp.ParseFlow("priority=1,actions=drop", ofp.FlowAdd)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ofp.EncodeFlowMod(fm, ofp.ProtoOF10, 0x2b)
	if err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint16(msg[56:], 9)
	return msg
}

func TestNiciraSettings(t *testing.T) {
	b, path := newTestBridge(t, Config{})
	tc := dial(t, path, ofp.Version10)
	if got := tc.barrier(
		mustHex(t, "01040014 00000002 00002320 0000000c 00000002"),
		mustHex(t, "01040018 00000003 00002320 0000000f 01 00000000000000"),
		mustHex(t, "01040014 00000004 00002320 00000010 00000002"),
	); len(got) != 0 {
		t.Fatalf("unexpected replies % x", got)
	}
	var c *conn
	b.eachConn(func(x *conn) { c = x })
	if p := c.protocol(); p != ofp.ProtoNXMTID {
		t.Errorf("protocol %v, want NXM with table ids", p)
	}
	if c.packetInFormat != packetInNXT2 {
		t.Errorf("packet-in format %d", c.packetInFormat)
	}
	// With the table-id extension on, the table travels in the command.
	fm, err := ofp.ParseFlow("table=3,priority=9,ip,actions=drop", ofp.FlowAdd)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := ofp.EncodeFlowMod(fm, ofp.ProtoNXMTID, 5)
	if got := tc.barrier(msg); len(got) != 0 {
		t.Fatalf("flow_mod: % x", got)
	}
	b.mu.RLock()
	n := b.ruleCount(3)
	b.mu.RUnlock()
	if n != 1 {
		t.Errorf("table 3 has %d rules, want 1", n)
	}
}

func TestRoleRequests(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	a := dial(t, path, ofp.Version13)
	b := dial(t, path, ofp.Version13)

	role := func(tc *testClient, r uint32, gen uint64) [][]byte {
		body := binary.BigEndian.AppendUint32(nil, r)
		body = append(body, 0, 0, 0, 0)
		body = binary.BigEndian.AppendUint64(body, gen)
		return tc.barrier(setXid(tc.msg(ofp.RawOFPT12RoleRequest, body...), 7))
	}
	got := role(a, rolePrimary, 10)
	wantMsg(t, got[0], mustHex(t, "04190018 00000007 00000002 00000000 000000000000000a"))
	got = role(b, rolePrimary, 11)
	wantMsg(t, got[0], mustHex(t, "04190018 00000007 00000002 00000000 000000000000000b"))
	// a was demoted; asking without change reports it.
	got = role(a, roleNoChange, 0)
	wantMsg(t, got[0], mustHex(t, "04190018 00000007 00000003 00000000 000000000000000b"))
	// A stale generation id is refused.
	req := setXid(a.msg(ofp.RawOFPT12RoleRequest, mustHex(t, "00000002 00000000 0000000000000005")...), 8)
	wantError(t, a.barrier(req), ofperr.OFPRRFC_STALE, req)
	// A secondary may not change the flow table.
	fm, _ := ofp.ParseFlow("priority=1,actions=drop", ofp.FlowAdd)
	msg, _ := ofp.EncodeFlowMod(fm, ofp.ProtoOF13, 9)
	wantError(t, a.barrier(msg), ofperr.OFPBRC_IS_SECONDARY, msg)

	// Nicira role request on OpenFlow 1.0: roles are numbered from 0.
	n := dial(t, path, ofp.Version10)
	got = n.barrier(setXid(n.msg(ofp.RawNXTRoleRequest, 0, 0, 0, 2), 4))
	wantMsg(t, got[0], mustHex(t, "01040014 00000004 00002320 0000000b 00000002"))
}

func TestAsyncConfig(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dial(t, path, ofp.Version13)
	got := tc.barrier(setXid(tc.msg(ofp.RawOFPT13GetAsyncRequest), 3))
	wantMsg(t, got[0], mustHex(t, "041b0020 00000003 00000003 00000000 00000007 00000007 0000000f 00000000"))
	tc.barrier(tc.msg(ofp.RawOFPT13SetAsync, mustHex(t, "00000001 00000002 00000001 00000000 00000007 00000001")...))
	got = tc.barrier(setXid(tc.msg(ofp.RawOFPT13GetAsyncRequest), 4))
	wantMsg(t, got[0], mustHex(t, "041b0020 00000004 00000001 00000002 00000001 00000000 00000007 00000001"))

	t15 := dial(t, path, ofp.Version15)
	req := t15.msg(ofp.RawOFPT14SetAsync, mustHex(t, "0005 0008 00000003")...)
	if got := t15.barrier(req); len(got) != 0 {
		t.Fatalf("set async: % x", got)
	}
	got = t15.barrier(setXid(t15.msg(ofp.RawOFPT14GetAsyncRequest), 5))
	wantMsg(t, got[0], mustHex(t, "061b0068 00000005"+
		"0000000800000000 000100080000003b"+ // packet-in
		"0002000800000007 0003000800000007"+ // port status
		"0004000800000000 0005000800000003"+ // flow removed
		"0006000800000000 0007000800000000 0008000800000000 0009000800000000 000a000800000000 000b000800000000"))
	bad := t15.msg(ofp.RawOFPT14SetAsync, mustHex(t, "0005 0008 000000ff")...)
	wantError(t, t15.barrier(bad), ofperr.OFPACFC_INVALID, bad)
}

func TestSnoopSeesBothDirections(t *testing.T) {
	b, path := newTestBridge(t, Config{})
	snoop := dial(t, SnoopPath(b.rundir, "br0"), ofp.Version10)
	// The snoop connection is live once it answers an echo.
	snoop.send(ofp.EncodeEchoRequest(ofp.Version10, 1, nil))
	wantMsg(t, snoop.recv(), mustHex(t, "01030008 00000001"))

	tc := dial(t, path, ofp.Version10)
	echo := ofp.EncodeEchoRequest(ofp.Version10, 0x55, []byte{9})
	tc.send(echo)
	wantMsg(t, tc.recv(), mustHex(t, "01030009 00000055 09"))
	// The snooper saw the new connection's HELLO, the request and reply.
	var seen [][]byte
	for len(seen) < 3 {
		seen = append(seen, snoop.recv())
	}
	wantMsg(t, seen[0][:2], []byte{0x06, 0x00})
	wantMsg(t, seen[1], echo)
	wantMsg(t, seen[2], mustHex(t, "01030009 00000055 09"))
}

func TestOpenFlow11FlowMessagesRefused(t *testing.T) {
	_, path := newTestBridge(t, Config{})
	tc := dial(t, path, ofp.Version11)
	req := tc.msg(ofp.RawOFPST11FlowRequest, make([]byte, 32)...)
	wantError(t, tc.barrier(req), ofperr.OFPBRC_BAD_VERSION, req)
}
