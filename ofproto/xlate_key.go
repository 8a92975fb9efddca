package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// keyField pairs an OpenFlow field whose mf.Flow slot holds exactly a
// datapath key field (same width, same meaning) with where the key keeps
// it: Bits at Shift of Word, or for 128-bit fields the words Word and
// Word+1. Fields sharing storage in both layouts (arp_spa and nw_src,
// icmp_type and tp_src, nd_sll and arp_sha) are listed once.
type keyField struct {
	id    mf.FieldID
	word  int
	shift uint
	bits  uint
}

// keyFields drives every conversion between mf.Flow and dpif.FlowKey, for
// values and masks alike. in_port (OpenFlow vs odp numbering), nw_tos
// (split in two OpenFlow fields) and the MPLS label stack entry (four
// fields) are converted by hand.
var keyFields = []keyField{
	{mf.RecircID, 0, 0, 32},
	{mf.DpHash, 1, 32, 32},
	{mf.SkbPriority, 1, 0, 32},
	{mf.PktMark, 2, 32, 32},
	{mf.CtState, 2, 24, 8},
	{mf.CtNwProto, 2, 16, 8},
	{mf.CtZone, 2, 0, 16},
	{mf.CtMark, 3, 32, 32},
	{mf.CtTpSrc, 3, 16, 16},
	{mf.CtTpDst, 3, 0, 16},
	{mf.CtLabel, 4, 0, 128},
	{mf.CtNwSrc, 6, 32, 32},
	{mf.CtNwDst, 6, 0, 32},
	{mf.CtIPv6Src, 7, 0, 128},
	{mf.CtIPv6Dst, 9, 0, 128},
	{mf.EthDst, 11, 16, 48},
	{mf.EthType, 11, 0, 16},
	{mf.EthSrc, 12, 16, 48},
	{mf.VLANTCI, 13, 32, 16},
	{mf.IPv6Label, 14, 0, 32},
	{mf.IPv4Src, 15, 32, 32},
	{mf.IPv4Dst, 15, 0, 32},
	{mf.IPv6Src, 16, 0, 128},
	{mf.IPv6Dst, 18, 0, 128},
	{mf.IPProto, 20, 56, 8},
	{mf.IPTTL, 20, 40, 8},
	{mf.IPFrag, 20, 32, 8},
	{mf.TCPSrc, 20, 16, 16},
	{mf.TCPDst, 20, 0, 16},
	{mf.ARPSHA, 21, 16, 48},
	{mf.TCPFlags, 21, 0, 16},
	{mf.ARPTHA, 22, 16, 48},
	{mf.NDTarget, 23, 0, 128},
}

// keyVLANTPIDShift is where word 13 of the key keeps the outer tag's TPID.
const keyVLANTPIDShift = 48

func wordMask(bits uint) uint64 { return uint64(1)<<bits - 1 }

// keyGet reads a (≤64-bit) field of a key.
func keyGet(k *dpif.FlowKey, w int, shift, bits uint) uint64 {
	return k[w] >> shift & wordMask(bits)
}

// keyPut stores a (≤64-bit) field into a key.
func keyPut(k *dpif.FlowKey, w int, shift, bits uint, v uint64) {
	m := wordMask(bits) << shift
	k[w] = k[w]&^m | v<<shift&m
}

// fieldBytes returns the wire value of field id in flow.
func fieldBytes(flow *mf.Flow, id mf.FieldID) mf.ValueMask {
	m := mf.Match{Flow: *flow}
	v, _ := m.Get(id)
	return v
}

// fieldUint returns the value of a field of up to 64 bits.
func fieldUint(flow *mf.Flow, id mf.FieldID) uint64 {
	v := fieldBytes(flow, id)
	n := mf.ByID(id).Bytes
	var x uint64
	for _, c := range v[:n] {
		x = x<<8 | uint64(c)
	}
	return x
}

// setFieldBytes stores a field's whole wire value into flow.
func setFieldBytes(flow *mf.Flow, id mf.FieldID, v []byte) {
	m := mf.Match{Flow: *flow}
	if m.Set(id, v, nil) == nil {
		*flow = m.Flow
	}
}

// setFieldUint stores a field of up to 64 bits into flow.
func setFieldUint(flow *mf.Flow, id mf.FieldID, x uint64) {
	n := mf.ByID(id).Bytes
	var v [16]byte
	for i := n - 1; i >= 0; i-- {
		v[i] = byte(x)
		x >>= 8
	}
	setFieldBytes(flow, id, v[:n])
}

// readKeyField is the field's value in k as big-endian bytes of the mf
// field's width.
func readKeyField(k *dpif.FlowKey, f keyField, n int) []byte {
	var b [16]byte
	if f.bits == 128 {
		binary.BigEndian.PutUint64(b[:8], k[f.word])
		binary.BigEndian.PutUint64(b[8:], k[f.word+1])
		return b[:16]
	}
	x := keyGet(k, f.word, f.shift, f.bits)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(x)
		x >>= 8
	}
	return b[:n]
}

// writeKeyField stores the mf field's big-endian bytes into k.
func writeKeyField(k *dpif.FlowKey, f keyField, v []byte) {
	if f.bits == 128 {
		k[f.word] = binary.BigEndian.Uint64(v[:8])
		k[f.word+1] = binary.BigEndian.Uint64(v[8:16])
		return
	}
	var x uint64
	for _, c := range v {
		x = x<<8 | uint64(c)
	}
	keyPut(k, f.word, f.shift, f.bits, x)
}

// keyToFlow builds the OpenFlow view of a datapath key; ofport is the
// OpenFlow number of the key's input port.
func keyToFlow(k *dpif.FlowKey, ofport uint16) mf.Flow {
	m := keyToMatch(k, ofport)
	return m.Flow
}

// keyToMatch is keyToFlow as an exact match on every field, what action
// consistency checks of a packet-out see.
func keyToMatch(k *dpif.FlowKey, ofport uint16) mf.Match {
	var m mf.Match
	for _, f := range keyFields {
		n := mf.ByID(f.id).Bytes
		_ = m.Set(f.id, readKeyField(k, f, n), nil)
	}
	_ = m.SetExact(mf.InPort, uint64(ofport))
	tos := k.NwTOS()
	_ = m.SetExact(mf.IPDSCP, uint64(tos&0xfc))
	_ = m.SetExact(mf.IPECN, uint64(tos&0x03))
	nshFromKey(k, &m)
	if lse := k.MPLSLSE(); lse != 0 {
		_ = m.SetExact(mf.MPLSLabel, uint64(lse>>12))
		_ = m.SetExact(mf.MPLSTC, uint64(lse>>9&7))
		_ = m.SetExact(mf.MPLSBOS, uint64(lse>>8&1))
		_ = m.SetExact(mf.MPLSTTL, uint64(lse&0xff))
	}
	return m
}

// flowToKey is the inverse of keyToFlow for the header and metadata
// fields; odpPort becomes the key's in_port. The outer VLAN TPID is set
// to 802.1Q when the flow has a tag.
func flowToKey(flow *mf.Flow, odpPort uint32) dpif.FlowKey {
	var k dpif.FlowKey
	for _, f := range keyFields {
		n := mf.ByID(f.id).Bytes
		v := fieldBytes(flow, f.id)
		writeKeyField(&k, f, v[:n])
	}
	k.SetInPort(odpPort)
	k.SetNwTOS(uint8(fieldUint(flow, mf.IPDSCP)) | uint8(fieldUint(flow, mf.IPECN)))
	k.SetMPLSLSE(flowMPLSLSE(flow))
	nshFlowToKey(flow, &k)
	if fieldUint(flow, mf.VLANTCI)&dpif.VLANCFI != 0 {
		keyPut(&k, 13, keyVLANTPIDShift, 16, mf.EthTypeVLAN)
	}
	return k
}

func flowMPLSLSE(flow *mf.Flow) uint32 {
	return uint32(fieldUint(flow, mf.MPLSLabel))<<12 | uint32(fieldUint(flow, mf.MPLSTC))<<9 |
		uint32(fieldUint(flow, mf.MPLSBOS))<<8 | uint32(fieldUint(flow, mf.MPLSTTL))
}

// maskToKeyMask converts consulted bits in OpenFlow layout (a Flow whose 1
// bits were consulted) to a datapath megaflow mask. Registers, metadata
// and other translation-only fields have no datapath counterpart and are
// dropped: they are functions of the matched fields. in_port is always
// matched by the datapath.
func maskToKeyMask(wc *mf.Flow) dpif.FlowMask {
	var km dpif.FlowMask
	k := km.Fields()
	m := mf.Match{Mask: *wc}
	for _, f := range keyFields {
		n := mf.ByID(f.id).Bytes
		_, mk := m.Get(f.id)
		writeKeyField(k, f, mk[:n])
	}
	_, dscp := m.Get(mf.IPDSCP)
	_, ecn := m.Get(mf.IPECN)
	k.SetNwTOS(dscp[0]&0xfc | ecn[0]&0x03)
	var lse uint32
	for _, p := range []struct {
		id    mf.FieldID
		shift uint
		bits  uint
	}{{mf.MPLSLabel, 12, 20}, {mf.MPLSTC, 9, 3}, {mf.MPLSBOS, 8, 1}, {mf.MPLSTTL, 0, 8}} {
		_, mk := m.Get(p.id)
		if mk != (mf.ValueMask{}) {
			lse |= uint32(wordMask(p.bits)) << p.shift
		}
	}
	k.SetMPLSLSE(lse)
	nshMaskToKey(wc, k)
	if keyGet(k, 13, 32, 16) != 0 {
		// A matched tag means a matched TPID too.
		keyPut(k, 13, keyVLANTPIDShift, 16, 0xffff)
	}
	k.SetInPort(0xffffffff)
	return km
}
