package ofproto

import (
	"encoding/binary"
	"sort"
	"sync"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Table features (OFPMP_TABLE_FEATURES), as ovs-vswitchd describes its
// tables: every visible table takes the same instructions, actions and
// fields; a table may go to any later one, and the last visible table
// has no goto_table. The field lists come from the field table (mf), in
// OVS's field order.

// Table feature property types.
const (
	tfpInstructions     = 0
	tfpNextTables       = 2
	tfpWriteActions     = 4
	tfpApplyActions     = 6
	tfpMatch            = 8
	tfpWildcards        = 10
	tfpWriteSetfield    = 12
	tfpApplySetfield    = 14
	tfpMissOffset       = 1 // each property's table-miss twin is type+1
	tableFeaturesHdrLen = 64
)

// Instruction types (OFPIT_*).
const (
	oitGotoTable     = 1
	oitWriteMetadata = 2
	oitWriteActions  = 3
	oitApplyActions  = 4
	oitClearActions  = 5
	oitMeter         = 6
)

// tableFeatureActions are the OpenFlow 1.1+ action types OVS lists for
// write and apply actions: output, set_mpls_ttl, dec_mpls_ttl, push_vlan,
// pop_vlan, push_mpls, pop_mpls, set_queue, group, set_nw_ttl,
// dec_nw_ttl, set_field.
var tableFeatureActions = []uint16{0, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}

// handleTableFeaturesRequest serves OFPMP_TABLE_FEATURES. A request with
// a body would change the tables' features, which OVS's tables do not
// allow.
func handleTableFeaturesRequest(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPTFFC_EPERM
	}
	mp := newMultipart(ofp.RawOFPST13TableFeaturesReply, r)
	for t := 0; t < numVisibleTables; t++ {
		mp.add(appendTableFeatures(nil, uint8(t), r.Version))
	}
	mp.send(c)
	return nil
}

// appendTableFeatures appends the features entry of table t in version
// v (1.3 or later).
func appendTableFeatures(b []byte, t uint8, v uint8) []byte {
	start := len(b)
	b = append(b, 0, 0, t, 0, 0, 0, 0, 0) // length, table_id, pad (1.5: command, features)
	b = append(b, make([]byte, 32)...)    // no name
	b = binary.BigEndian.AppendUint64(b, ^uint64(0))
	b = binary.BigEndian.AppendUint64(b, ^uint64(0))
	b = binary.BigEndian.AppendUint32(b, 0) // capabilities / config
	b = binary.BigEndian.AppendUint32(b, maxFlowsPerTable)
	lists := featureLists(v)
	last := int(t) == numVisibleTables-1
	for _, miss := range []uint16{0, tfpMissOffset} {
		ins := lists.instructions
		if last {
			ins = lists.lastInstructions
		}
		b = ofp.AppendProp(b, tfpInstructions+miss, ins)
		var next []byte
		if !last {
			for n := int(t) + 1; n < numVisibleTables; n++ {
				next = append(next, uint8(n))
			}
		}
		b = ofp.AppendProp(b, tfpNextTables+miss, next)
		b = ofp.AppendProp(b, tfpWriteActions+miss, lists.actions)
		b = ofp.AppendProp(b, tfpWriteSetfield+miss, lists.setfield)
		b = ofp.AppendProp(b, tfpApplyActions+miss, lists.actions)
		b = ofp.AppendProp(b, tfpApplySetfield+miss, lists.setfield)
	}
	b = ofp.AppendProp(b, tfpMatch, lists.match)
	b = ofp.AppendProp(b, tfpWildcards, lists.wildcards)
	binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start))
	return b
}

// tfLists are the property payloads every table shares, per version.
type tfLists struct {
	instructions, lastInstructions []byte
	actions                        []byte
	setfield, match, wildcards     []byte
}

var tfCache sync.Map // uint8 version -> *tfLists

func featureLists(v uint8) *tfLists {
	if l, ok := tfCache.Load(v); ok {
		return l.(*tfLists)
	}
	l := buildFeatureLists(v)
	tfCache.Store(v, l)
	return l
}

func buildFeatureLists(v uint8) *tfLists {
	l := &tfLists{}
	ins := []uint16{oitGotoTable, oitWriteMetadata, oitWriteActions, oitApplyActions, oitClearActions}
	if v < ofp.Version15 {
		ins = append(ins, oitMeter) // an action from 1.5 on
	}
	for _, i := range ins {
		id := binary.BigEndian.AppendUint16(nil, i)
		id = binary.BigEndian.AppendUint16(id, 4)
		l.instructions = append(l.instructions, id...)
		if i != oitGotoTable {
			l.lastInstructions = append(l.lastInstructions, id...)
		}
	}
	for _, a := range tableFeatureActions {
		l.actions = binary.BigEndian.AppendUint16(l.actions, a)
		l.actions = binary.BigEndian.AppendUint16(l.actions, 4)
	}
	for _, f := range fieldsInOVSOrder() {
		h, ok := f.HeaderFor(v)
		if !ok {
			continue
		}
		h = tfHeader(f, h)
		l.wildcards = appendFieldID(l.wildcards, h)
		m := h
		if f.Maskable {
			m = maskedHeader(h)
		}
		l.match = appendFieldID(l.match, m)
		if f.Writable {
			l.setfield = appendFieldID(l.setfield, h)
		}
	}
	return l
}

// maskedHeader is h with a mask: the hasmask bit set and the length
// covering value and mask (an experimenter header's length also counts
// the experimenter id, once).
func maskedHeader(h mf.Header) mf.Header {
	n := h & 0xff
	if h.Class() == 0xffff {
		n = 4 + 2*(n-4)
	} else {
		n *= 2
	}
	return h&^0xff | 0x100 | n
}

// tunMetadataMaxLen is the widest a tunnel metadata field can be mapped
// (TLV options of up to 124 bytes).
const tunMetadataMaxLen = 124

// tfHeader is the header a field has in table features: tunnel metadata
// shows the widest mapping, whatever the current one.
func tfHeader(f *mf.Field, h mf.Header) mf.Header {
	if f.IsTunMetadata() {
		return h&^0xff | tunMetadataMaxLen
	}
	return h
}

// appendFieldID appends an OXM id: 4 bytes, or 8 for an experimenter
// class.
func appendFieldID(b []byte, h mf.Header) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(h))
	if h.Class() == 0xffff {
		b = binary.BigEndian.AppendUint32(b, uint32(h>>32))
	}
	return b
}

// fieldsInOVSOrder lists the fields in OVS's order, where the tunnel
// metadata fields follow the other tunnel fields.
func fieldsInOVSOrder() []*mf.Field {
	all := mf.Fields()
	fs := make([]*mf.Field, len(all))
	for i := range all {
		fs[i] = &all[i]
	}
	firstAfterTunnel := mf.Metadata
	rank := func(f *mf.Field) float64 {
		if f.IsTunMetadata() {
			return float64(firstAfterTunnel) - 0.5 + float64(f.ID)/1e6
		}
		return float64(f.ID)
	}
	sort.SliceStable(fs, func(i, j int) bool { return rank(fs[i]) < rank(fs[j]) })
	return fs
}
