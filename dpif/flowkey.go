package dpif

import "encoding/binary"

// KeyWords is the size of a FlowKey in 64-bit words.
const KeyWords = 25

// FlowKey is the datapath's flow key: every field a megaflow can match, packed
// into fixed 64-bit words (like OVS's struct flow) so that masking is a
// word-wise AND, equality is an array compare and hashing walks words.
// Fields are named after the OpenFlow fields translation consults, and share
// storage where OpenFlow does: arp_spa/arp_tpa live in nw_src/nw_dst, the
// ARP opcode in nw_proto, ICMP type/code in tp_src/tp_dst, nd_sll/nd_tll in
// arp_sha/arp_tha. Multi-byte values are plain integers (10.0.0.1 is
// 0x0a000001); MAC and IPv6 addresses are byte arrays in wire order.
//
// Layout (word: fields, most significant bits first):
//
//	 0: in_port(32) recirc_id(32)
//	 1: dp_hash(32) skb_priority(32)
//	 2: pkt_mark(32) ct_state(8) ct_nw_proto(8) ct_zone(16)
//	 3: ct_mark(32) ct_tp_src(16) ct_tp_dst(16)
//	 4-5: ct_label
//	 6: ct_nw_src(32) ct_nw_dst(32)
//	 7-8: ct_ipv6_src   9-10: ct_ipv6_dst
//	11: eth_dst(48) eth_type(16)
//	12: eth_src(48) -
//	13: vlan0 tpid(16) tci(16), vlan1 tpid(16) tci(16)
//	14: mpls_lse(32) ipv6_label(32)
//	15: nw_src(32) nw_dst(32)
//	16-17: ipv6_src   18-19: ipv6_dst
//	20: nw_proto(8) nw_tos(8) nw_ttl(8) nw_frag(8) tp_src(16) tp_dst(16)
//	21: arp_sha(48) tcp_flags(16)
//	22: arp_tha(48) -
//	23-24: nd_target
type FlowKey [KeyWords]uint64

// FlowMask has the layout of a FlowKey; a 1 bit means the megaflow matches
// that bit of the key. Fields() exposes the key setters for building masks.
type FlowMask [KeyWords]uint64

// Fragment bits of nw_frag, as OVS's FLOW_NW_FRAG_*: a first fragment has
// NwFragAny, a later one NwFragAny|NwFragLater.
const (
	NwFragAny   = 0x01
	NwFragLater = 0x02
)

// VLANCFI is set in a key's VLAN TCI when the tag is present (the 802.1Q CFI
// bit is reused this way, as in OVS), so that TCI 0 still means "tagged".
const VLANCFI = 0x1000

// EthTypeNone is the eth_type of 802.2 frames without a SNAP ethertype.
const EthTypeNone = 0x05ff

// keyGet returns the bits-wide field at shift of word w.
func (k *FlowKey) keyGet(w int, shift, bits uint) uint64 {
	return k[w] >> shift & (uint64(1)<<bits - 1)
}

// keySet stores v into the bits-wide field at shift of word w.
func (k *FlowKey) keySet(w int, shift, bits uint, v uint64) {
	m := (uint64(1)<<bits - 1) << shift
	k[w] = k[w]&^m | v<<shift&m
}

func (k *FlowKey) mac(w int) (a [6]byte) {
	v := k[w] >> 16
	for i := 5; i >= 0; i-- {
		a[i] = byte(v)
		v >>= 8
	}
	return a
}

func (k *FlowKey) setMAC(w int, a [6]byte) {
	var v uint64
	for _, b := range a {
		v = v<<8 | uint64(b)
	}
	k[w] = k[w]&0xffff | v<<16
}

func (k *FlowKey) addr16(w int) (a [16]byte) {
	binary.BigEndian.PutUint64(a[:8], k[w])
	binary.BigEndian.PutUint64(a[8:], k[w+1])
	return a
}

func (k *FlowKey) setAddr16(w int, a [16]byte) {
	k[w], k[w+1] = binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
}

// Metadata fields.

func (k *FlowKey) InPort() uint32          { return uint32(k.keyGet(0, 32, 32)) }
func (k *FlowKey) SetInPort(v uint32)      { k.keySet(0, 32, 32, uint64(v)) }
func (k *FlowKey) RecircID() uint32        { return uint32(k.keyGet(0, 0, 32)) }
func (k *FlowKey) SetRecircID(v uint32)    { k.keySet(0, 0, 32, uint64(v)) }
func (k *FlowKey) DpHash() uint32          { return uint32(k.keyGet(1, 32, 32)) }
func (k *FlowKey) SetDpHash(v uint32)      { k.keySet(1, 32, 32, uint64(v)) }
func (k *FlowKey) SkbPriority() uint32     { return uint32(k.keyGet(1, 0, 32)) }
func (k *FlowKey) SetSkbPriority(v uint32) { k.keySet(1, 0, 32, uint64(v)) }
func (k *FlowKey) PktMark() uint32         { return uint32(k.keyGet(2, 32, 32)) }
func (k *FlowKey) SetPktMark(v uint32)     { k.keySet(2, 32, 32, uint64(v)) }
func (k *FlowKey) CtState() uint8          { return uint8(k.keyGet(2, 24, 8)) }
func (k *FlowKey) SetCtState(v uint8)      { k.keySet(2, 24, 8, uint64(v)) }
func (k *FlowKey) CtNwProto() uint8        { return uint8(k.keyGet(2, 16, 8)) }
func (k *FlowKey) SetCtNwProto(v uint8)    { k.keySet(2, 16, 8, uint64(v)) }
func (k *FlowKey) CtZone() uint16          { return uint16(k.keyGet(2, 0, 16)) }
func (k *FlowKey) SetCtZone(v uint16)      { k.keySet(2, 0, 16, uint64(v)) }
func (k *FlowKey) CtMark() uint32          { return uint32(k.keyGet(3, 32, 32)) }
func (k *FlowKey) SetCtMark(v uint32)      { k.keySet(3, 32, 32, uint64(v)) }
func (k *FlowKey) CtTpSrc() uint16         { return uint16(k.keyGet(3, 16, 16)) }
func (k *FlowKey) SetCtTpSrc(v uint16)     { k.keySet(3, 16, 16, uint64(v)) }
func (k *FlowKey) CtTpDst() uint16         { return uint16(k.keyGet(3, 0, 16)) }
func (k *FlowKey) SetCtTpDst(v uint16)     { k.keySet(3, 0, 16, uint64(v)) }

// CtLabel is the 128-bit ct_label as high and low halves.
func (k *FlowKey) CtLabel() (hi, lo uint64) { return k[4], k[5] }
func (k *FlowKey) SetCtLabel(hi, lo uint64) { k[4], k[5] = hi, lo }

func (k *FlowKey) CtNwSrc() uint32         { return uint32(k.keyGet(6, 32, 32)) }
func (k *FlowKey) SetCtNwSrc(v uint32)     { k.keySet(6, 32, 32, uint64(v)) }
func (k *FlowKey) CtNwDst() uint32         { return uint32(k.keyGet(6, 0, 32)) }
func (k *FlowKey) SetCtNwDst(v uint32)     { k.keySet(6, 0, 32, uint64(v)) }
func (k *FlowKey) CtIPv6Src() [16]byte     { return k.addr16(7) }
func (k *FlowKey) SetCtIPv6Src(a [16]byte) { k.setAddr16(7, a) }
func (k *FlowKey) CtIPv6Dst() [16]byte     { return k.addr16(9) }
func (k *FlowKey) SetCtIPv6Dst(a [16]byte) { k.setAddr16(9, a) }

// L2 fields.

func (k *FlowKey) EthDst() [6]byte     { return k.mac(11) }
func (k *FlowKey) SetEthDst(a [6]byte) { k.setMAC(11, a) }
func (k *FlowKey) EthType() uint16     { return uint16(k.keyGet(11, 0, 16)) }
func (k *FlowKey) SetEthType(v uint16) { k.keySet(11, 0, 16, uint64(v)) }
func (k *FlowKey) EthSrc() [6]byte     { return k.mac(12) }
func (k *FlowKey) SetEthSrc(a [6]byte) { k.setMAC(12, a) }

// VLAN returns the TPID and TCI of tag i (0 outer, 1 inner); the TCI has
// VLANCFI set when the tag is present.
func (k *FlowKey) VLAN(i int) (tpid, tci uint16) {
	sh := uint(32 - 32*(i&1))
	v := k.keyGet(13, sh, 32)
	return uint16(v >> 16), uint16(v)
}

// SetVLAN sets tag i (0 outer, 1 inner).
func (k *FlowKey) SetVLAN(i int, tpid, tci uint16) {
	k.keySet(13, uint(32-32*(i&1)), 32, uint64(tpid)<<16|uint64(tci))
}

// VLANTCI is the outer tag's TCI, the OpenFlow vlan_tci.
func (k *FlowKey) VLANTCI() uint16 { return uint16(k.keyGet(13, 32, 16)) }

// MPLSLSE is the top MPLS label stack entry (label, tc, bos, ttl).
func (k *FlowKey) MPLSLSE() uint32     { return uint32(k.keyGet(14, 32, 32)) }
func (k *FlowKey) SetMPLSLSE(v uint32) { k.keySet(14, 32, 32, uint64(v)) }

// L3 fields.

func (k *FlowKey) IPv6Label() uint32     { return uint32(k.keyGet(14, 0, 32)) }
func (k *FlowKey) SetIPv6Label(v uint32) { k.keySet(14, 0, 32, uint64(v)) }
func (k *FlowKey) NwSrc() uint32         { return uint32(k.keyGet(15, 32, 32)) }
func (k *FlowKey) SetNwSrc(v uint32)     { k.keySet(15, 32, 32, uint64(v)) }
func (k *FlowKey) NwDst() uint32         { return uint32(k.keyGet(15, 0, 32)) }
func (k *FlowKey) SetNwDst(v uint32)     { k.keySet(15, 0, 32, uint64(v)) }
func (k *FlowKey) IPv6Src() [16]byte     { return k.addr16(16) }
func (k *FlowKey) SetIPv6Src(a [16]byte) { k.setAddr16(16, a) }
func (k *FlowKey) IPv6Dst() [16]byte     { return k.addr16(18) }
func (k *FlowKey) SetIPv6Dst(a [16]byte) { k.setAddr16(18, a) }
func (k *FlowKey) NwProto() uint8        { return uint8(k.keyGet(20, 56, 8)) }
func (k *FlowKey) SetNwProto(v uint8)    { k.keySet(20, 56, 8, uint64(v)) }

// NwTOS is the whole IPv4 TOS / IPv6 traffic class byte.
func (k *FlowKey) NwTOS() uint8     { return uint8(k.keyGet(20, 48, 8)) }
func (k *FlowKey) SetNwTOS(v uint8) { k.keySet(20, 48, 8, uint64(v)) }

// NwDSCP is the DSCP part of the TOS byte, in place (ip_dscp << 2).
func (k *FlowKey) NwDSCP() uint8 { return k.NwTOS() & 0xfc }

// NwECN is the ECN part of the TOS byte.
func (k *FlowKey) NwECN() uint8 { return k.NwTOS() & 0x03 }

// NwTTL is the IPv4 TTL or IPv6 hop limit.
func (k *FlowKey) NwTTL() uint8     { return uint8(k.keyGet(20, 40, 8)) }
func (k *FlowKey) SetNwTTL(v uint8) { k.keySet(20, 40, 8, uint64(v)) }

// NwFrag holds the NwFragAny and NwFragLater bits.
func (k *FlowKey) NwFrag() uint8     { return uint8(k.keyGet(20, 32, 8)) }
func (k *FlowKey) SetNwFrag(v uint8) { k.keySet(20, 32, 8, uint64(v)) }

// L4 fields.

func (k *FlowKey) TpSrc() uint16        { return uint16(k.keyGet(20, 16, 16)) }
func (k *FlowKey) SetTpSrc(v uint16)    { k.keySet(20, 16, 16, uint64(v)) }
func (k *FlowKey) TpDst() uint16        { return uint16(k.keyGet(20, 0, 16)) }
func (k *FlowKey) SetTpDst(v uint16)    { k.keySet(20, 0, 16, uint64(v)) }
func (k *FlowKey) TCPFlags() uint16     { return uint16(k.keyGet(21, 0, 16)) }
func (k *FlowKey) SetTCPFlags(v uint16) { k.keySet(21, 0, 16, uint64(v)) }

// ICMPType and ICMPCode (ICMP and ICMPv6) share tp_src and tp_dst.
func (k *FlowKey) ICMPType() uint8 { return uint8(k.TpSrc()) }
func (k *FlowKey) ICMPCode() uint8 { return uint8(k.TpDst()) }

// ARP fields: the opcode shares nw_proto, the protocol addresses nw_src and
// nw_dst, as in OpenFlow.

func (k *FlowKey) ARPOp() uint8           { return k.NwProto() }
func (k *FlowKey) ARPSpa() uint32         { return k.NwSrc() }
func (k *FlowKey) ARPTpa() uint32         { return k.NwDst() }
func (k *FlowKey) ARPSha() [6]byte        { return k.mac(21) }
func (k *FlowKey) SetARPSha(a [6]byte)    { k.setMAC(21, a) }
func (k *FlowKey) ARPTha() [6]byte        { return k.mac(22) }
func (k *FlowKey) SetARPTha(a [6]byte)    { k.setMAC(22, a) }
func (k *FlowKey) NDTarget() [16]byte     { return k.addr16(23) }
func (k *FlowKey) SetNDTarget(a [16]byte) { k.setAddr16(23, a) }

// NDSll and NDTll (neighbor discovery link-layer options) share arp_sha and
// arp_tha.
func (k *FlowKey) NDSll() [6]byte { return k.ARPSha() }
func (k *FlowKey) NDTll() [6]byte { return k.ARPTha() }

// Fields returns the mask as a key, so the key's setters set mask bits:
// m.Fields().SetNwSrc(0xffffff00) matches a /24.
func (m *FlowMask) Fields() *FlowKey { return (*FlowKey)(m) }

// Masked returns k with the bits outside m cleared.
func (k *FlowKey) Masked(m *FlowMask) FlowKey {
	var r FlowKey
	for i := range k {
		r[i] = k[i] & m[i]
	}
	return r
}

// Matches reports whether k equals the masked key mk on every bit of m;
// mk must already be masked.
func (k *FlowKey) Matches(mk *FlowKey, m *FlowMask) bool {
	for i := range k {
		if k[i]&m[i] != mk[i] {
			return false
		}
	}
	return true
}

// ExactMask returns a mask that matches every bit.
func ExactMask() FlowMask {
	var m FlowMask
	for i := range m {
		m[i] = ^uint64(0)
	}
	return m
}

// IsZero reports whether the mask matches nothing (a catch-all).
func (m *FlowMask) IsZero() bool { return *m == FlowMask{} }
