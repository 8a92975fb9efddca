package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
)

// OpenFlow 1.1 and 1.2 table stats carry the table's features as
// bitmaps (later versions moved them to table features): the same sets
// tablefeatures.go lists, in each version's bit numbering.

// OpenFlow 1.1 OFPFMF11_* bits of the matchable fields: every field of
// the standard match except the match type bit (10).
const of11MatchBits = 0xfbff

// of11ActionBits are the OpenFlow 1.1 action types OVS supports as bits:
// output, set_vlan_vid/pcp, set_dl_src/dst, set_nw_src/dst/tos/ecn,
// set_tp_src/dst (0-10), set_mpls_label/tc/ttl, dec_mpls_ttl,
// push/pop_vlan, push/pop_mpls, set_queue, group, set_nw_ttl and
// dec_nw_ttl (13-24); not the TTL copies (11, 12).
const of11ActionBits = 0x01ffe7ff

// instructionBits are the OpenFlow 1.1/1.2 instructions as bits:
// goto_table, write_metadata, write/apply/clear actions; the last table
// has no goto_table.
func instructionBits(last bool) uint32 {
	bits := uint32(1<<oitGotoTable | 1<<oitWriteMetadata | 1<<oitWriteActions | 1<<oitApplyActions | 1<<oitClearActions)
	if last {
		bits &^= 1 << oitGotoTable
	}
	return bits
}

// of12Bitmaps are the OXM-field and action bitmaps of OpenFlow 1.2 table
// stats, computed once from the table features lists.
type of12Bitmaps struct {
	match, setfield uint64
	actions         uint32
}

var of12Bits = func() of12Bitmaps {
	var b of12Bitmaps
	for _, a := range tableFeatureActions {
		b.actions |= 1 << a
	}
	for _, f := range fieldsInOVSOrder() {
		h, ok := f.HeaderFor(ofp.Version12)
		if !ok || h.Class() != 0x8000 || h.Field() >= 64 {
			continue // only OpenFlow basic fields have bits
		}
		b.match |= 1 << h.Field()
		if f.Writable {
			b.setfield |= 1 << h.Field()
		}
	}
	return b
}()

// appendTableStats11 appends table t's OpenFlow 1.1 or 1.2 table stats
// entry.
func appendTableStats11(e []byte, t uint8, v uint8, active uint32, lookups, matched uint64) []byte {
	last := int(t) == numVisibleTables-1
	e = append(e, t, 0, 0, 0, 0, 0, 0, 0)
	e = append(e, make([]byte, 32)...) // no name
	be32 := binary.BigEndian.AppendUint32
	be64 := binary.BigEndian.AppendUint64
	if v == ofp.Version11 {
		e = be32(e, of11MatchBits) // wildcards
		e = be32(e, of11MatchBits) // match
		e = be32(e, instructionBits(last))
		e = be32(e, of11ActionBits) // write actions
		e = be32(e, of11ActionBits) // apply actions
	} else {
		e = be64(e, of12Bits.match) // match
		e = be64(e, of12Bits.match) // wildcards
		e = be32(e, of12Bits.actions)
		e = be32(e, of12Bits.actions)
		e = be64(e, of12Bits.setfield)
		e = be64(e, of12Bits.setfield)
		e = be64(e, ^uint64(0)) // metadata match
		e = be64(e, ^uint64(0)) // metadata write
		e = be32(e, instructionBits(last))
	}
	e = be32(e, 0) // config: table miss goes to the controller
	e = be32(e, maxFlowsPerTable)
	e = be32(e, active)
	e = be64(e, lookups)
	return be64(e, matched)
}
