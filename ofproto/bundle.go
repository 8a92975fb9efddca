package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Bundle control types and flags (OpenFlow 1.4, and ONF's 1.3 extension).
const (
	bundleOpenRequest    = 0
	bundleOpenReply      = 1
	bundleCloseRequest   = 2
	bundleCloseReply     = 3
	bundleCommitRequest  = 4
	bundleCommitReply    = 5
	bundleDiscardRequest = 6
	bundleDiscardReply   = 7

	bundleAtomic  = 1
	bundleOrdered = 2
)

// bundle is an open bundle of a connection. Only the connection's reader
// goroutine touches its bundles.
type bundle struct {
	flags   uint16
	closed  bool
	entries []bundleEntry
}

// bundleEntry is one decoded message of a bundle; msg is the
// BUNDLE_ADD_MESSAGE it came in, which errors refer to.
type bundleEntry struct {
	msg []byte
	fm  *ofp.FlowMod
	gm  *groupMod
}

func handleBundleControl(c *conn, r *request) error {
	body := r.body()
	if len(body) < 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	id := binary.BigEndian.Uint32(body)
	typ := binary.BigEndian.Uint16(body[4:])
	flags := binary.BigEndian.Uint16(body[6:])
	if flags&^(bundleAtomic|bundleOrdered) != 0 {
		return ofperr.OFPBFC_BAD_FLAGS
	}
	if c.bundles == nil {
		c.bundles = make(map[uint32]*bundle)
	}
	bd := c.bundles[id]
	var replyType uint16
	var err error
	switch typ {
	case bundleOpenRequest:
		replyType = bundleOpenReply
		if bd != nil {
			delete(c.bundles, id)
			return ofperr.OFPBFC_BAD_ID
		}
		c.bundles[id] = &bundle{flags: flags}
	case bundleCloseRequest:
		replyType = bundleCloseReply
		switch {
		case bd == nil:
			return ofperr.OFPBFC_BAD_ID
		case bd.closed:
			delete(c.bundles, id)
			return ofperr.OFPBFC_BUNDLE_CLOSED
		case bd.flags != flags:
			delete(c.bundles, id)
			return ofperr.OFPBFC_BAD_FLAGS
		}
		bd.closed = true
	case bundleCommitRequest:
		replyType = bundleCommitReply
		if bd == nil {
			return ofperr.OFPBFC_BAD_ID
		}
		// The bundle is gone whatever the outcome.
		delete(c.bundles, id)
		if bd.flags != flags {
			return ofperr.OFPBFC_BAD_FLAGS
		}
		err = c.b.commitBundle(c, bd)
	case bundleDiscardRequest:
		replyType = bundleDiscardReply
		if bd == nil {
			return ofperr.OFPBFC_BAD_ID
		}
		delete(c.bundles, id)
	default:
		return ofperr.OFPBFC_BAD_TYPE
	}
	if err != nil {
		return err
	}
	b := reply(r.Raw, r)
	b = binary.BigEndian.AppendUint32(b, id)
	b = binary.BigEndian.AppendUint16(b, replyType)
	b = binary.BigEndian.AppendUint16(b, 0)
	c.send(finish(b))
	return nil
}

func handleBundleAdd(c *conn, r *request) error {
	body := r.body()
	if len(body) < 8+ofp.HeaderLen {
		return ofperr.OFPBFC_MSG_BAD_LEN
	}
	id := binary.BigEndian.Uint32(body)
	flags := binary.BigEndian.Uint16(body[6:])
	inner := body[8:]
	n := int(binary.BigEndian.Uint16(inner[2:]))
	if n < ofp.HeaderLen || n > len(inner) {
		return ofperr.OFPBFC_MSG_BAD_LEN
	}
	inner = inner[:n]
	if inner[0] != r.Version {
		return ofperr.OFPBFC_BAD_VERSION
	}
	if binary.BigEndian.Uint32(inner[4:]) != r.Xid {
		return ofperr.OFPBFC_MSG_BAD_XID
	}
	mh, err := ofp.DecodeRaw(inner)
	if err != nil {
		return err
	}
	e := bundleEntry{msg: r.msg}
	switch mh.Raw {
	case ofp.RawOFPT10FlowMod, ofp.RawOFPT11FlowMod, ofp.RawNXTFlowMod:
		c.mu.Lock()
		tid := c.tid
		c.mu.Unlock()
		if e.fm, err = ofp.DecodeFlowMod(inner, tid); err != nil {
			return err
		}
		if err := ofactions.Check(e.fm.Actions, &e.fm.Match, inner[0]); err != nil {
			return err
		}
	case ofp.RawNXTGroupMod, ofp.RawOFPT11GroupMod, ofp.RawOFPT15GroupMod:
		if e.gm, err = decodeGroupMod(&request{MsgHeader: mh, msg: inner}); err != nil {
			return err
		}
	default:
		// Port mods and packet-outs are not implemented yet.
		return ofperr.OFPBFC_MSG_UNSUP
	}
	if c.bundles == nil {
		c.bundles = make(map[uint32]*bundle)
	}
	bd := c.bundles[id]
	switch {
	case bd == nil:
		bd = &bundle{flags: flags}
		c.bundles[id] = bd
	case bd.closed:
		delete(c.bundles, id)
		return ofperr.OFPBFC_BUNDLE_CLOSED
	case bd.flags != flags:
		delete(c.bundles, id)
		return ofperr.OFPBFC_BAD_FLAGS
	}
	bd.entries = append(bd.entries, e)
	return nil
}

// tableSnapshot is the flow tables and groups before a bundle commit.
type tableSnapshot struct {
	rules  [numTables][]*Rule
	groups map[uint32]*group
}

// snapshot copies the tables' rule lists and the groups. Caller holds mu.
func (b *Bridge) snapshot() *tableSnapshot {
	s := &tableSnapshot{groups: make(map[uint32]*group, len(b.groups))}
	for i := range b.tables {
		s.rules[i] = append([]*Rule(nil), b.tables[i].cls.ordered()...)
	}
	for id, g := range b.groups {
		s.groups[id] = g
	}
	return s
}

// restore puts a snapshot back. Caller holds mu.
func (b *Bridge) restore(s *tableSnapshot) {
	for i := range b.tables {
		b.tables[i].cls.reset(s.rules[i])
		for _, r := range s.rules[i] {
			r.removed.Store(false)
		}
	}
	b.groups = s.groups
}

// commitBundle applies a bundle's messages all or nothing. On failure the
// failing message's error goes to c and the commit fails with
// OFPBFC_MSG_FAILED, as in OVS.
func (b *Bridge) commitBundle(c *conn, bd *bundle) error {
	var deleted, groupDeleted []*Rule
	b.mu.Lock()
	snap := b.snapshot()
	b.origin = c
	for _, e := range bd.entries {
		var removed []*Rule
		var err error
		if e.fm != nil {
			removed, err = b.flowModLocked(e.fm)
			deleted = append(deleted, removed...)
		} else {
			removed, err = b.groupModLocked(e.gm)
			groupDeleted = append(groupDeleted, removed...)
		}
		if err != nil {
			b.restore(snap)
			b.events = nil
			b.evicted = nil
			b.origin = nil
			b.mu.Unlock()
			c.sendError(err, e.msg)
			return ofperr.OFPBFC_MSG_FAILED
		}
	}
	b.origin = nil
	events := b.takeEvents()
	evicted := b.takeEvicted()
	b.mu.Unlock()
	b.reportEvents(events)
	b.notifyRemoved(evicted, removedEviction)
	b.notifyRemoved(deleted, removedDelete)
	b.notifyRemoved(groupDeleted, removedGroupDelete)
	return nil
}
