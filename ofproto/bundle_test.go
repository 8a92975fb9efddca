package ofproto

import (
	"encoding/binary"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func bundleCtrl(tc *testClient, id uint32, typ, flags uint16) []byte {
	body := binary.BigEndian.AppendUint32(nil, id)
	body = binary.BigEndian.AppendUint16(body, typ)
	body = binary.BigEndian.AppendUint16(body, flags)
	return tc.msg(ofp.RawOFPT14BundleControl, body...)
}

// bundleAdd wraps inner (whose xid is replaced by the wrapper's).
func bundleAdd(tc *testClient, id uint32, flags uint16, inner []byte) []byte {
	body := binary.BigEndian.AppendUint32(nil, id)
	body = append(body, 0, 0)
	body = binary.BigEndian.AppendUint16(body, flags)
	m := tc.msg(ofp.RawOFPT14BundleAddMessage, append(body, inner...)...)
	binary.BigEndian.PutUint32(m[16+4:], binary.BigEndian.Uint32(m[4:]))
	return m
}

func flowModMsg(t *testing.T, p ofp.Protocol, text string) []byte {
	t.Helper()
	fm, err := ofp.ParseFlow(text, ofp.FlowAdd)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ofp.EncodeFlowMod(fm, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestBundleErrors(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	tc := dial(t, path, ofp.Version15)
	good := flowModMsg(t, ofp.ProtoOF15, "priority=5,actions=drop")

	// Commit of an unknown bundle; open twice.
	req := bundleCtrl(tc, 1, bundleCommitRequest, 0)
	wantError(t, tc.barrier(req), ofperr.OFPBFC_BAD_ID, req)
	got := tc.barrier(bundleCtrl(tc, 1, bundleOpenRequest, bundleAtomic))
	if len(got) != 1 || binary.BigEndian.Uint16(got[0][12:]) != bundleOpenReply {
		t.Fatalf("open: % x", got)
	}
	req = bundleCtrl(tc, 1, bundleOpenRequest, bundleAtomic)
	wantError(t, tc.barrier(req), ofperr.OFPBFC_BAD_ID, req)

	// Wrong inner xid, unsupported inner message, bad flags.
	add := bundleAdd(tc, 2, 0, good)
	binary.BigEndian.PutUint32(add[16+4:], 12345)
	wantError(t, tc.barrier(add), ofperr.OFPBFC_MSG_BAD_XID, add)
	add = bundleAdd(tc, 2, 0, ofp.EncodeEchoRequest(ofp.Version15, 0, nil))
	wantError(t, tc.barrier(add), ofperr.OFPBFC_MSG_UNSUP, add)
	req = bundleCtrl(tc, 2, bundleOpenRequest, 0x80)
	wantError(t, tc.barrier(req), ofperr.OFPBFC_BAD_FLAGS, req)

	// Adding to a closed bundle fails and drops it.
	tc.barrier(bundleCtrl(tc, 3, bundleOpenRequest, 0))
	tc.barrier(bundleCtrl(tc, 3, bundleCloseRequest, 0))
	add = bundleAdd(tc, 3, 0, good)
	wantError(t, tc.barrier(add), ofperr.OFPBFC_BUNDLE_CLOSED, add)

	// Discard leaves the tables alone.
	tc.barrier(bundleAdd(tc, 4, 0, good))
	if got := tc.barrier(bundleCtrl(tc, 4, bundleDiscardRequest, 0)); len(got) != 1 {
		t.Fatalf("discard: % x", got)
	}
	wantFlows(t, b)

	// A failing commit reports the message's error, then MSG_FAILED, and
	// changes nothing.
	tc.barrier(bundleAdd(tc, 5, 0, good))
	bad := bundleAdd(tc, 5, 0, flowModMsg(t, ofp.ProtoOF15, "priority=6,actions=group:9"))
	tc.barrier(bad)
	commit := bundleCtrl(tc, 5, bundleCommitRequest, 0)
	got = tc.barrier(commit)
	if len(got) != 2 {
		t.Fatalf("commit: % x", got)
	}
	wantMsg(t, got[0], ofp.EncodeError(ofperr.OFPBAC_BAD_OUT_GROUP, bad))
	wantMsg(t, got[1], ofp.EncodeError(ofperr.OFPBFC_MSG_FAILED, commit))
	wantFlows(t, b)

	// And a good one applies everything.
	tc.barrier(bundleAdd(tc, 6, 0, good), bundleAdd(tc, 6, 0, flowModMsg(t, ofp.ProtoOF15, "table=1,priority=7,actions=drop")))
	if got := tc.barrier(bundleCtrl(tc, 6, bundleCommitRequest, 0)); len(got) != 1 {
		t.Fatalf("commit: % x", got)
	}
	wantFlows(t, b, "priority=5 actions=drop", "table=1, priority=7 actions=drop")
}
