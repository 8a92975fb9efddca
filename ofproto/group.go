package ofproto

import (
	"bytes"
	"encoding/binary"
	"slices"
	"time"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Group types.
const (
	groupTypeAll      = 0
	groupTypeSelect   = 1
	groupTypeIndirect = 2
	groupTypeFF       = 3
)

// Group ids and commands.
const (
	groupMax         = 0xffffff00
	groupAll         = 0xfffffffc
	groupAny         = 0xffffffff
	groupAdd         = 0
	groupModify      = 1
	groupDelete      = 2
	groupInsertBkt   = 3
	groupRemoveBkt   = 5
	groupAddOrModify = 0x8000
	bucketAll        = 0xffffffff
	bucketFirst      = 0xfffffffd
	bucketLast       = 0xfffffffe
)

// bucket is one bucket of a group.
type bucket struct {
	ID         uint32
	Weight     uint16
	WatchPort  uint16 // mf.PortNone = none
	WatchGroup uint32 // groupAny = none
	Actions    ofactions.List

	packets, bytes uint64
}

// group is one OpenFlow group. Guarded by Bridge.mu.
type group struct {
	id      uint32
	typ     uint8
	buckets []bucket
	// props are the OpenFlow 1.5 group properties (the selection method),
	// validated and sent back as received in group descriptions.
	props []byte
	// dpHash is a select group's dp_hash table, nil for other groups and
	// for selection in the slow path (xlate_select.go).
	dpHash  *dpHashSelect
	created time.Time
	packets uint64
	bytes   uint64
}

// groupMod is a decoded group_mod.
type groupMod struct {
	command  uint16
	typ      uint8
	id       uint32
	bucketID uint32 // command_bucket_id (OpenFlow 1.5)
	buckets  []bucket
	props    []byte
}

// decodeGroupMod parses NXT_GROUP_MOD, OFPT_GROUP_MOD (1.1-1.4) and
// OFPT_GROUP_MOD (1.5).
func decodeGroupMod(r *request) (*groupMod, error) {
	b := r.body()
	if len(b) < 8 {
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	gm := &groupMod{
		command:  binary.BigEndian.Uint16(b),
		typ:      b[2],
		id:       binary.BigEndian.Uint32(b[4:]),
		bucketID: bucketAll,
	}
	if r.Raw == ofp.RawOFPT11GroupMod {
		var err error
		gm.buckets, err = decodeBuckets11(b[8:], r.Version)
		return gm, err
	}
	if len(b) < 16 {
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	n := int(binary.BigEndian.Uint16(b[8:]))
	gm.bucketID = binary.BigEndian.Uint32(b[12:])
	if 16+n > len(b) {
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	var err error
	if gm.buckets, err = decodeBuckets15(b[16:16+n], r.Version); err != nil {
		return nil, err
	}
	if err := checkGroupProps(b[16+n:]); err != nil {
		return nil, err
	}
	if len(b) > 16+n {
		gm.props = append([]byte(nil), b[16+n:]...)
	}
	return gm, nil
}

// Netronome's selection method group property (OVS's only group property).
const (
	ntrVendor             = 0x0000154d
	ntrSelectionMethod    = 1
	selectionMethodLength = 16
)

// checkGroupProps validates group properties: only the selection method
// is known, and its method must be one OVS implements.
func checkGroupProps(b []byte) error {
	for len(b) > 0 {
		if len(b) < 12 {
			return ofperr.OFPBPC_BAD_LEN
		}
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if n < 12 || n > len(b) {
			return ofperr.OFPBPC_BAD_LEN
		}
		if typ != 0xffff || binary.BigEndian.Uint32(b[4:]) != ntrVendor {
			return ofperr.OFPBPC_BAD_TYPE
		}
		if binary.BigEndian.Uint32(b[8:]) != ntrSelectionMethod {
			return ofperr.OFPBPC_BAD_EXP_TYPE
		}
		if n < 16+selectionMethodLength+8 {
			return ofperr.OFPBPC_BAD_LEN
		}
		method := b[16 : 16+selectionMethodLength]
		if i := bytes.IndexByte(method, 0); i >= 0 {
			method = method[:i]
		}
		switch string(method) {
		case "", "hash", "dp_hash":
		default:
			log.Warn("ntr selection method '%s' is not supported", method)
			return ofperr.OFPBPC_BAD_VALUE
		}
		b = b[min(len(b), (n+7)&^7):]
	}
	return nil
}

func decodeBuckets11(b []byte, v uint8) ([]bucket, error) {
	var out []bucket
	for id := uint32(0); len(b) > 0; id++ {
		if len(b) < 16 {
			return nil, ofperr.OFPGMFC_BAD_BUCKET
		}
		n := int(binary.BigEndian.Uint16(b))
		if n < 16 || n > len(b) || n%8 != 0 {
			return nil, ofperr.OFPGMFC_BAD_BUCKET
		}
		bk := bucket{ID: id, Weight: binary.BigEndian.Uint16(b[2:]), WatchGroup: binary.BigEndian.Uint32(b[8:])}
		wp, err := mf.Port16(binary.BigEndian.Uint32(b[4:]))
		if err != nil {
			return nil, ofperr.OFPGMFC_BAD_WATCH
		}
		bk.WatchPort = wp
		if bk.Actions, err = ofactions.DecodeActions(b[16:n], v); err != nil {
			return nil, err
		}
		out = append(out, bk)
		b = b[n:]
	}
	return out, nil
}

// OpenFlow 1.5 bucket properties.
const (
	bucketPropWeight     = 0
	bucketPropWatchPort  = 1
	bucketPropWatchGroup = 2
)

func decodeBuckets15(b []byte, v uint8) ([]bucket, error) {
	var out []bucket
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, ofperr.OFPGMFC_BAD_BUCKET
		}
		n := int(binary.BigEndian.Uint16(b))
		an := int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n > len(b) || 8+an > n {
			return nil, ofperr.OFPGMFC_BAD_BUCKET
		}
		bk := bucket{ID: binary.BigEndian.Uint32(b[4:]), Weight: 1, WatchPort: mf.PortNone, WatchGroup: groupAny}
		if bk.ID > groupMax {
			return nil, ofperr.OFPGMFC_BAD_BUCKET
		}
		var err error
		if bk.Actions, err = ofactions.DecodeActions(b[8:8+an], v); err != nil {
			return nil, err
		}
		props := b[8+an : n]
		for len(props) > 0 {
			if len(props) < 4 {
				return nil, ofperr.OFPBPC_BAD_LEN
			}
			typ, pn := binary.BigEndian.Uint16(props), int(binary.BigEndian.Uint16(props[2:]))
			if pn < 4 || pn > len(props) {
				return nil, ofperr.OFPBPC_BAD_LEN
			}
			val := props[4:pn]
			switch typ {
			case bucketPropWeight:
				if len(val) < 2 {
					return nil, ofperr.OFPBPC_BAD_LEN
				}
				bk.Weight = binary.BigEndian.Uint16(val)
			case bucketPropWatchPort:
				if len(val) < 4 {
					return nil, ofperr.OFPBPC_BAD_LEN
				}
				if bk.WatchPort, err = mf.Port16(binary.BigEndian.Uint32(val)); err != nil {
					return nil, ofperr.OFPGMFC_BAD_WATCH
				}
			case bucketPropWatchGroup:
				if len(val) < 4 {
					return nil, ofperr.OFPBPC_BAD_LEN
				}
				bk.WatchGroup = binary.BigEndian.Uint32(val)
			default:
				return nil, ofperr.OFPBPC_BAD_TYPE
			}
			props = props[min(len(props), (pn+7)&^7):]
		}
		out = append(out, bk)
		b = b[n:]
	}
	return out, nil
}

func handleGroupMod(c *conn, r *request) error {
	gm, err := decodeGroupMod(r)
	if err != nil {
		return err
	}
	return c.b.applyGroupMod(gm)
}

// checkGroup validates a group's type and buckets as OVS does.
func (b *Bridge) checkGroup(gm *groupMod) error {
	if gm.typ > groupTypeFF {
		return ofperr.OFPGMFC_BAD_TYPE
	}
	if gm.typ == groupTypeIndirect && len(gm.buckets) != 1 {
		return ofperr.OFPGMFC_INVALID_GROUP
	}
	seen := make(map[uint32]bool)
	for i := range gm.buckets {
		bk := &gm.buckets[i]
		if seen[bk.ID] {
			return ofperr.OFPGMFC_BUCKET_EXISTS
		}
		seen[bk.ID] = true
		// Like OVS, bucket actions may name groups that do not exist yet.
		if gm.typ == groupTypeFF && bk.WatchPort == mf.PortNone && bk.WatchGroup == groupAny {
			return ofperr.OFPGMFC_BAD_WATCH
		}
	}
	return nil
}

// applyGroupMod performs a group_mod; flows using a deleted group are
// deleted with it.
func (b *Bridge) applyGroupMod(gm *groupMod) error {
	b.mu.Lock()
	removed, err := b.groupModLocked(gm)
	events := b.takeEvents()
	b.mu.Unlock()
	b.notifyRemoved(removed, removedGroupDelete)
	b.reportEvents(events)
	return err
}

// groupModLocked applies a group_mod and returns the rules deleted with
// a group. Caller holds mu.
func (b *Bridge) groupModLocked(gm *groupMod) ([]*Rule, error) {
	var removed []*Rule
	cmd := gm.command
	if cmd == groupAddOrModify {
		cmd = groupAdd
		if b.groups[gm.id] != nil {
			cmd = groupModify
		}
	}
	switch cmd {
	case groupAdd, groupModify:
		if gm.id > groupMax {
			return nil, ofperr.OFPGMFC_INVALID_GROUP
		}
		if err := b.checkGroup(gm); err != nil {
			return nil, err
		}
		old := b.groups[gm.id]
		if cmd == groupAdd && old != nil {
			return nil, ofperr.OFPGMFC_GROUP_EXISTS
		}
		if cmd == groupModify && old == nil {
			return nil, ofperr.OFPGMFC_UNKNOWN_GROUP
		}
		g := &group{id: gm.id, typ: gm.typ, buckets: gm.buckets, props: gm.props, created: time.Now()}
		if g.typ == groupTypeSelect {
			g.dpHash = newDPHashSelect(g.props, g.buckets)
		}
		if old != nil {
			g.created = old.created
		}
		b.groups[gm.id] = g
	case groupDelete:
		if gm.id == groupAll {
			for id := range b.groups {
				removed = append(removed, b.deleteGroup(id)...)
			}
		} else if b.groups[gm.id] != nil {
			removed = b.deleteGroup(gm.id)
		}
	case groupInsertBkt, groupRemoveBkt:
		return nil, b.editBuckets(gm, cmd)
	default:
		return nil, ofperr.OFPGMFC_BAD_COMMAND
	}
	return removed, nil
}

// deleteGroup removes a group and the rules that use it. Caller holds mu.
func (b *Bridge) deleteGroup(id uint32) []*Rule {
	delete(b.groups, id)
	cr := criteria{table: ofp.TableAll, outPort: mf.PortNone, outGroup: id}
	rules := b.collect(&cr)
	for _, r := range rules {
		b.removeRule(r)
	}
	b.noteRemoved(rules, removedGroupDelete)
	rules = append(rules, b.deleteLearnedBy(rules)...)
	return rules
}

// editBuckets implements OpenFlow 1.5 INSERT_BUCKET and REMOVE_BUCKET.
// Caller holds mu.
func (b *Bridge) editBuckets(gm *groupMod, cmd uint16) error {
	g := b.groups[gm.id]
	if g == nil {
		return ofperr.OFPGMFC_UNKNOWN_GROUP
	}
	buckets := slices.Clone(g.buckets)
	pos := func(id uint32) int {
		switch id {
		case bucketFirst:
			return 0
		case bucketLast, bucketAll:
			return len(buckets)
		}
		for i := range buckets {
			if buckets[i].ID == id {
				return i
			}
		}
		return -1
	}
	if cmd == groupInsertBkt {
		at := pos(gm.bucketID)
		if at < 0 {
			return ofperr.OFPGMFC_UNKNOWN_BUCKET
		}
		if gm.bucketID != bucketFirst && gm.bucketID != bucketLast && gm.bucketID != bucketAll {
			at++
		}
		buckets = slices.Insert(buckets, at, gm.buckets...)
	} else {
		switch gm.bucketID {
		case bucketAll:
			buckets = nil
		case bucketFirst:
			if len(buckets) > 0 {
				buckets = buckets[1:]
			}
		case bucketLast:
			if len(buckets) > 0 {
				buckets = buckets[:len(buckets)-1]
			}
		default:
			at := pos(gm.bucketID)
			if at < 0 {
				return ofperr.OFPGMFC_UNKNOWN_BUCKET
			}
			buckets = slices.Delete(buckets, at, at+1)
		}
	}
	check := &groupMod{typ: g.typ, id: g.id, buckets: buckets}
	if err := b.checkGroup(check); err != nil {
		return err
	}
	ng := *g
	ng.buckets = buckets
	if ng.typ == groupTypeSelect {
		ng.dpHash = newDPHashSelect(ng.props, ng.buckets)
	}
	b.groups[gm.id] = &ng
	return nil
}

// sortedGroups returns the groups by id. Caller holds mu.
func (b *Bridge) sortedGroups(id uint32) []*group {
	var out []*group
	for _, g := range b.groups {
		if id == groupAll || id == g.id {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(x, y *group) int {
		switch {
		case x.id < y.id:
			return -1
		case x.id > y.id:
			return 1
		}
		return 0
	})
	return out
}

// groupRequestID reads the group id of a group stats or desc request.
func groupRequestID(r *request, empty bool) (uint32, error) {
	b := r.body()
	if empty {
		if len(b) != 0 {
			return 0, ofperr.OFPBRC_BAD_LEN
		}
		return groupAll, nil
	}
	if len(b) != 8 {
		return 0, ofperr.OFPBRC_BAD_LEN
	}
	return binary.BigEndian.Uint32(b), nil
}

func handleGroupDesc(c *conn, r *request) error {
	id, err := groupRequestID(r, r.Raw == ofp.RawOFPST11GroupDescRequest)
	if err != nil {
		return err
	}
	raw := ofp.RawOFPST11GroupDescReply
	if r.Raw == ofp.RawNXSTGroupDescRequest {
		raw = ofp.RawNXSTGroupDescReply
	}
	c.b.mu.RLock()
	groups := c.b.sortedGroups(id)
	c.b.mu.RUnlock()
	mp := newMultipart(raw, r)
	for _, g := range groups {
		e, err := appendGroupDesc(nil, g, r.Version)
		if err != nil {
			return err
		}
		mp.add(e)
	}
	mp.send(c)
	return nil
}

// appendGroupDesc encodes one group description: OpenFlow 1.5 layout for
// 1.0 (Nicira) and 1.5, the 1.1 layout otherwise.
func appendGroupDesc(b []byte, g *group, v uint8) ([]byte, error) {
	start := len(b)
	b = append(b, 0, 0, g.typ, 0)
	b = binary.BigEndian.AppendUint32(b, g.id)
	var err error
	if v >= ofp.Version11 && v <= ofp.Version14 {
		for i := range g.buckets {
			bk := &g.buckets[i]
			bs := len(b)
			b = binary.BigEndian.AppendUint16(b, 0)
			b = binary.BigEndian.AppendUint16(b, bk.Weight)
			b = binary.BigEndian.AppendUint32(b, mf.Port32(bk.WatchPort))
			b = binary.BigEndian.AppendUint32(b, bk.WatchGroup)
			b = append(b, 0, 0, 0, 0)
			if b, err = ofactions.AppendActions(b, bk.Actions, v); err != nil {
				return nil, err
			}
			binary.BigEndian.PutUint16(b[bs:], uint16(len(b)-bs))
		}
	} else {
		lenOff := len(b)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
		bl := len(b)
		for i := range g.buckets {
			bk := &g.buckets[i]
			bs := len(b)
			b = append(b, 0, 0, 0, 0)
			b = binary.BigEndian.AppendUint32(b, bk.ID)
			as := len(b)
			if b, err = ofactions.AppendActions(b, bk.Actions, v); err != nil {
				return nil, err
			}
			binary.BigEndian.PutUint16(b[bs+2:], uint16(len(b)-as))
			if g.typ == groupTypeSelect {
				b = binary.BigEndian.AppendUint16(b, bucketPropWeight)
				b = binary.BigEndian.AppendUint16(b, 8)
				b = binary.BigEndian.AppendUint16(b, bk.Weight)
				b = append(b, 0, 0)
			}
			if bk.WatchPort != mf.PortNone {
				b = binary.BigEndian.AppendUint16(b, bucketPropWatchPort)
				b = binary.BigEndian.AppendUint16(b, 8)
				b = binary.BigEndian.AppendUint32(b, mf.Port32(bk.WatchPort))
			}
			if bk.WatchGroup != groupAny {
				b = binary.BigEndian.AppendUint16(b, bucketPropWatchGroup)
				b = binary.BigEndian.AppendUint16(b, 8)
				b = binary.BigEndian.AppendUint32(b, bk.WatchGroup)
			}
			binary.BigEndian.PutUint16(b[bs:], uint16(len(b)-bs))
		}
		binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-bl))
		b = append(b, g.props...)
	}
	binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start))
	return b, nil
}

func handleGroupStats(c *conn, r *request) error {
	id, err := groupRequestID(r, false)
	if err != nil {
		return err
	}
	raw, err := rawFor(r, ofp.RawNXSTGroupReply, ofp.RawOFPST11GroupReply, ofp.RawOFPST13GroupReply)
	if err != nil {
		return err
	}
	now := time.Now()
	mp := newMultipart(raw, r)
	c.b.mu.RLock()
	groups := c.b.sortedGroups(id)
	var entries [][]byte
	for _, g := range groups {
		refs := len(c.b.collect(&criteria{table: ofp.TableAll, outPort: mf.PortNone, outGroup: g.id}))
		e := binary.BigEndian.AppendUint16(nil, 0)
		e = append(e, 0, 0)
		e = binary.BigEndian.AppendUint32(e, g.id)
		e = binary.BigEndian.AppendUint32(e, uint32(refs))
		e = append(e, 0, 0, 0, 0)
		e = binary.BigEndian.AppendUint64(e, g.packets)
		e = binary.BigEndian.AppendUint64(e, g.bytes)
		if r.Version == ofp.Version10 || r.Version >= ofp.Version13 {
			d := now.Sub(g.created)
			e = binary.BigEndian.AppendUint32(e, uint32(d/time.Second))
			e = binary.BigEndian.AppendUint32(e, uint32(d%time.Second))
		}
		for i := range g.buckets {
			e = binary.BigEndian.AppendUint64(e, g.buckets[i].packets)
			e = binary.BigEndian.AppendUint64(e, g.buckets[i].bytes)
		}
		binary.BigEndian.PutUint16(e, uint16(len(e)))
		entries = append(entries, e)
	}
	c.b.mu.RUnlock()
	for _, e := range entries {
		mp.add(e)
	}
	mp.send(c)
	return nil
}

// Group features as OVS's userspace datapath reports them.
const (
	groupTypesAll     = 1<<groupTypeAll | 1<<groupTypeSelect | 1<<groupTypeIndirect | 1<<groupTypeFF
	groupCapabilities = 0x7 // SELECT_WEIGHT, SELECT_LIVENESS, CHAINING
)

func handleGroupFeatures(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	raw, err := rawFor(r, ofp.RawNXSTGroupFeaturesReply, ofp.RawOFPST12GroupFeaturesReply)
	if err != nil {
		return err
	}
	b := reply(raw, r)
	b = binary.BigEndian.AppendUint32(b, groupTypesAll)
	b = binary.BigEndian.AppendUint32(b, groupCapabilities)
	for i := 0; i < 4; i++ {
		b = binary.BigEndian.AppendUint32(b, groupMax)
	}
	for i := 0; i < 4; i++ {
		b = binary.BigEndian.AppendUint32(b, groupActionsBitmap(r.Version))
	}
	c.send(finish(b))
	return nil
}

// groupActionsBitmap lists the actions usable in buckets, in the
// version's ofp_action_type bit numbering.
func groupActionsBitmap(v uint8) uint32 {
	if v == ofp.Version10 {
		return actionsOF10
	}
	// output, set/dec_mpls_ttl, push/pop vlan, push/pop mpls, set_queue,
	// group, set/dec_nw_ttl, set_field.
	return 1<<0 | 1<<15 | 1<<16 | 1<<17 | 1<<18 | 1<<19 | 1<<20 |
		1<<21 | 1<<22 | 1<<23 | 1<<24 | 1<<25
}
