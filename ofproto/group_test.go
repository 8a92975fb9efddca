package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func out(p uint16) ofactions.List { return ofactions.List{&ofactions.Output{Port: p}} }

func mkBucket(id uint32, p uint16) bucket {
	return bucket{ID: id, Weight: 1, WatchPort: mf.PortNone, WatchGroup: groupAny, Actions: out(p)}
}

func TestGroupModErrors(t *testing.T) {
	b, _ := newTestBridge(t, Config{})
	cases := []struct {
		gm   groupMod
		want error
	}{
		{groupMod{command: groupAdd, typ: 9, id: 1}, ofperr.OFPGMFC_BAD_TYPE},
		{groupMod{command: groupAdd, typ: groupTypeIndirect, id: 1, buckets: []bucket{mkBucket(0, 1), mkBucket(1, 2)}}, ofperr.OFPGMFC_INVALID_GROUP},
		{groupMod{command: groupAdd, typ: groupTypeAll, id: groupAll}, ofperr.OFPGMFC_INVALID_GROUP},
		{groupMod{command: groupAdd, typ: groupTypeFF, id: 1, buckets: []bucket{mkBucket(0, 1)}}, ofperr.OFPGMFC_BAD_WATCH},
		{groupMod{command: groupAdd, typ: groupTypeAll, id: 1, buckets: []bucket{mkBucket(0, 1), mkBucket(0, 2)}}, ofperr.OFPGMFC_BUCKET_EXISTS},
		{groupMod{command: 7, typ: groupTypeAll, id: 1}, ofperr.OFPGMFC_BAD_COMMAND},
		{groupMod{command: groupModify, typ: groupTypeAll, id: 5}, ofperr.OFPGMFC_UNKNOWN_GROUP},
		{groupMod{command: groupInsertBkt, id: 5, bucketID: bucketLast}, ofperr.OFPGMFC_UNKNOWN_GROUP},
	}
	for _, c := range cases {
		if err := b.applyGroupMod(&c.gm); err != c.want {
			t.Errorf("%+v: %v, want %v", c.gm, err, c.want)
		}
	}
}

func TestGroupBucketsAndDelete(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	tc := asyncClient(t, path, ofp.Version15, false)
	add := &groupMod{command: groupAdd, typ: groupTypeAll, id: 1, buckets: []bucket{mkBucket(0, 1), mkBucket(1, 2)}}
	if err := b.applyGroupMod(add); err != nil {
		t.Fatal(err)
	}
	if err := b.applyGroupMod(&groupMod{command: groupInsertBkt, id: 1, bucketID: bucketFirst, buckets: []bucket{mkBucket(5, 3)}}); err != nil {
		t.Fatal(err)
	}
	if err := b.applyGroupMod(&groupMod{command: groupRemoveBkt, id: 1, bucketID: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.applyGroupMod(&groupMod{command: groupRemoveBkt, id: 1, bucketID: 9}); err != ofperr.OFPGMFC_UNKNOWN_BUCKET {
		t.Errorf("removing a missing bucket: %v", err)
	}
	b.mu.RLock()
	var ids []uint32
	for _, bk := range b.groups[1].buckets {
		ids = append(ids, bk.ID)
	}
	b.mu.RUnlock()
	if len(ids) != 2 || ids[0] != 5 || ids[1] != 0 {
		t.Errorf("bucket ids %v, want [5 0]", ids)
	}
	// Deleting the group deletes the flows using it (reason group_delete).
	mustMod(t, b, ofp.FlowAdd, "priority=3,send_flow_rem,actions=group:1")
	mustMod(t, b, ofp.FlowAdd, "priority=4,actions=output:1")
	if err := b.applyGroupMod(&groupMod{command: groupDelete, id: groupAll}); err != nil {
		t.Fatal(err)
	}
	wantFlows(t, b, "priority=4 actions=output:1")
	m := tc.recv()
	if mh, _ := ofp.DecodeRaw(m); mh.Raw != ofp.RawOFPT15FlowRemoved || m[9] != removedGroupDelete {
		t.Errorf("got % x, want a group_delete flow removed", m)
	}
}

func TestGroupDescLayouts(t *testing.T) {
	g := &group{id: 2, typ: groupTypeSelect, buckets: []bucket{{ID: 0, Weight: 10, WatchPort: mf.PortNone, WatchGroup: groupAny, Actions: out(1)}}}
	// OpenFlow 1.5 (and Nicira in 1.0): bucket with weight property.
	got, err := appendGroupDesc(nil, g, ofp.Version15)
	if err != nil {
		t.Fatal(err)
	}
	wantMsg(t, got, mustHex(t, "0030 01 00 00000002 0020 000000000000 | 0020 0010 00000000 | 0000 0010 00000001 0000 000000000000 | 0000 0008 000a 0000"))
	// OpenFlow 1.3: ofp11 bucket.
	got, err = appendGroupDesc(nil, g, ofp.Version13)
	if err != nil {
		t.Fatal(err)
	}
	wantMsg(t, got, mustHex(t, "0028 01 00 00000002 | 0020 000a ffffffff ffffffff 00000000 | 0000 0010 00000001 0000 000000000000"))
}
