package dpif

import "encoding/binary"

// HeaderOffsets are the byte offsets into a frame that actions and conntrack
// need after Extract; -1 means the header is absent.
type HeaderOffsets struct {
	MPLS  int // first MPLS label stack entry
	L3    int // start of the Ethernet payload (after tags, SNAP and MPLS)
	L4    int // after the IPv4/IPv6 header and extension headers
	L2Pad int // trailing bytes beyond the IP datagram (Ethernet padding)
}

// Ethertypes and IP protocols Extract distinguishes.
const (
	ethTypeIPv4      = 0x0800
	ethTypeARP       = 0x0806
	ethTypeRARP      = 0x8035
	ethTypeIPv6      = 0x86dd
	ethTypeMPLS      = 0x8847
	ethTypeMPLSMcast = 0x8848
	ethTypeVLAN      = 0x8100
	ethTypeQinQ      = 0x88a8
	ethTypeMin       = 0x0600

	ipProtoHopOpts  = 0
	ipProtoICMP     = 1
	ipProtoIGMP     = 2
	ipProtoTCP      = 6
	ipProtoUDP      = 17
	ipProtoRouting  = 43
	ipProtoFragment = 44
	ipProtoAH       = 51
	ipProtoICMPv6   = 58
	ipProtoDstOpts  = 60
	ipProtoSCTP     = 132

	icmp6NeighborSolicit = 135
	icmp6NeighborAdvert  = 136
	ndOptSourceLinkAddr  = 1
	ndOptTargetLinkAddr  = 2
)

// maxVLANHeaders is how many 802.1Q/802.1ad tags the key holds, as OVS's
// default vlan-limit; a third tag's TPID becomes the eth_type.
const maxVLANHeaders = 2

// Extract fills key from the Ethernet frame pkt received on inPort, following
// OVS's miniflow_extract: a header too short or inconsistent to parse leaves
// its fields and every deeper one zero. All metadata fields other than
// in_port are zeroed; a recirculating caller sets them afterwards. Extract
// never panics and never allocates.
func Extract(pkt []byte, inPort uint32, key *FlowKey) HeaderOffsets {
	*key = FlowKey{}
	key.SetInPort(inPort)
	off := HeaderOffsets{MPLS: -1, L3: -1, L4: -1}
	if len(pkt) < 14 {
		return off
	}
	key[11] = macWord(pkt[0:6])
	key[12] = macWord(pkt[6:12])
	p := 12
	for n := 0; n < maxVLANHeaders && len(pkt)-p >= 6; n++ {
		tpid := binary.BigEndian.Uint16(pkt[p:])
		if tpid != ethTypeVLAN && tpid != ethTypeQinQ {
			break
		}
		key.SetVLAN(n, tpid, binary.BigEndian.Uint16(pkt[p+2:])|VLANCFI)
		p += 4
	}
	typ := binary.BigEndian.Uint16(pkt[p:])
	p += 2
	if typ < ethTypeMin {
		typ, p = snapEthType(pkt, p)
	}
	key.SetEthType(typ)

	if typ == ethTypeMPLS || typ == ethTypeMPLSMcast {
		off.MPLS = p
		if len(pkt)-p >= 4 {
			key.SetMPLSLSE(binary.BigEndian.Uint32(pkt[p:]))
		}
		for len(pkt)-p >= 4 {
			bos := pkt[p+2]&0x01 != 0
			p += 4
			if bos {
				break
			}
		}
	}
	off.L3 = p

	var end int // end of the IP datagram
	switch typ {
	case ethTypeIPv4:
		var ok bool
		if p, end, ok = extractIPv4(pkt, p, key); !ok {
			return off
		}
	case ethTypeIPv6:
		var ok bool
		if p, end, ok = extractIPv6(pkt, p, key); !ok {
			return off
		}
	case ethTypeARP, ethTypeRARP:
		extractARP(pkt[p:], key)
		return off
	case EthTypeNSH:
		extractNSH(pkt[p:], key)
		return off
	default:
		return off
	}
	off.L4 = p
	off.L2Pad = len(pkt) - end
	if key.NwFrag()&NwFragLater == 0 {
		extractL4(pkt[p:end], key)
	}
	return off
}

// macWord returns a 6-byte address in the top 48 bits of a key word.
func macWord(b []byte) uint64 {
	return (uint64(binary.BigEndian.Uint16(b))<<32 | uint64(binary.BigEndian.Uint32(b[2:]))) << 16
}

// snapEthType handles a length field instead of an ethertype: only an
// 802.2 LLC/SNAP header with the Ethernet OUI carries a real ethertype.
func snapEthType(pkt []byte, p int) (uint16, int) {
	if len(pkt)-p < 8 {
		return EthTypeNone, p
	}
	h := pkt[p : p+8]
	if h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] != 0 || h[4] != 0 || h[5] != 0 {
		return EthTypeNone, p
	}
	if t := binary.BigEndian.Uint16(h[6:]); t >= ethTypeMin {
		return t, p + 8
	}
	return EthTypeNone, p + 8
}

// extractIPv4 fills the IPv4 fields and returns the L4 offset and the end of
// the datagram, or false if the header fails the length checks.
func extractIPv4(pkt []byte, p int, key *FlowKey) (l4, end int, ok bool) {
	size := len(pkt) - p
	if size < 20 {
		return 0, 0, false
	}
	h := pkt[p:]
	ihl := int(h[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(h[2:]))
	if ihl < 20 || size < ihl || tot > size || ihl > tot || size-tot > 0xffff {
		return 0, 0, false
	}
	key[15] = uint64(binary.BigEndian.Uint32(h[12:]))<<32 | uint64(binary.BigEndian.Uint32(h[16:]))
	var frag uint8
	if fo := binary.BigEndian.Uint16(h[6:]); fo&0x3fff != 0 { // MF or offset
		frag = NwFragAny
		if fo&0x1fff != 0 {
			frag |= NwFragLater
		}
	}
	key.setNwBits(h[9], h[1], h[8], frag)
	return p + ihl, p + tot, true
}

// setNwBits sets nw_proto, nw_tos, nw_ttl and nw_frag at once.
func (k *FlowKey) setNwBits(proto, tos, ttl, frag uint8) {
	k.keySet(20, 32, 32, uint64(proto)<<24|uint64(tos)<<16|uint64(ttl)<<8|uint64(frag))
}

// extractIPv6 fills the IPv6 fields, walking the extension headers OVS
// understands, and returns the L4 offset and the end of the datagram.
func extractIPv6(pkt []byte, p int, key *FlowKey) (l4, end int, ok bool) {
	size := len(pkt) - p
	if size < 40 {
		return 0, 0, false
	}
	h := pkt[p:]
	plen := int(binary.BigEndian.Uint16(h[4:]))
	if plen+40 > size || size-(plen+40) > 0xffff {
		return 0, 0, false
	}
	key[16] = binary.BigEndian.Uint64(h[8:])
	key[17] = binary.BigEndian.Uint64(h[16:])
	key[18] = binary.BigEndian.Uint64(h[24:])
	key[19] = binary.BigEndian.Uint64(h[32:])
	tcFlow := binary.BigEndian.Uint32(h)
	proto, ttl := h[6], h[7]
	end = p + 40 + plen
	p += 40
	var frag uint8
	for {
		switch proto {
		case ipProtoHopOpts, ipProtoRouting, ipProtoDstOpts, ipProtoAH, ipProtoFragment:
		default:
			goto done
		}
		if end-p < 8 {
			return 0, 0, false
		}
		x := pkt[p:end]
		switch proto {
		case ipProtoFragment:
			proto = x[0]
			p += 8
			if offlg := binary.BigEndian.Uint16(x[2:]); offlg != 0 {
				frag = NwFragAny
				if offlg&0xfff8 != 0 {
					frag |= NwFragLater
					proto = ipProtoFragment
					goto done
				}
			}
		case ipProtoAH:
			n := (int(x[1]) + 2) * 4
			if n > len(x) {
				return 0, 0, false
			}
			proto = x[0]
			p += n
		default:
			n := (int(x[1]) + 1) * 8
			if n > len(x) {
				return 0, 0, false
			}
			proto = x[0]
			p += n
		}
	}
done:
	key.SetIPv6Label(tcFlow & 0x000fffff)
	key.setNwBits(proto, uint8(tcFlow>>20), ttl, frag)
	return p, end, true
}

// extractARP fills the ARP fields for Ethernet/IPv4 ARP only.
func extractARP(a []byte, key *FlowKey) {
	if len(a) < 28 || binary.BigEndian.Uint16(a) != 1 || binary.BigEndian.Uint16(a[2:]) != ethTypeIPv4 ||
		a[4] != 6 || a[5] != 4 {
		return
	}
	key[15] = uint64(binary.BigEndian.Uint32(a[14:]))<<32 | uint64(binary.BigEndian.Uint32(a[24:]))
	// Only the low 8 bits of the opcode are matchable; larger ones read 0.
	if op := binary.BigEndian.Uint16(a[6:]); op <= 0xff {
		key.SetNwProto(uint8(op))
	}
	key[21] = macWord(a[8:14])
	key[22] = macWord(a[18:24])
}

// extractL4 fills the transport fields from the datagram's payload l4.
func extractL4(l4 []byte, key *FlowKey) {
	switch key.NwProto() {
	case ipProtoTCP:
		if len(l4) < 20 {
			return
		}
		if doff := int(l4[12]>>4) * 4; doff < 20 || doff > len(l4) {
			return
		}
		key.SetTCPFlags(binary.BigEndian.Uint16(l4[12:]) & 0x0fff)
		key.setPorts(l4)
	case ipProtoUDP:
		if len(l4) >= 8 {
			key.setPorts(l4)
		}
	case ipProtoSCTP:
		if len(l4) >= 12 {
			key.setPorts(l4)
		}
	case ipProtoICMP, ipProtoIGMP:
		if len(l4) >= 8 {
			key.keySet(20, 0, 32, uint64(l4[0])<<16|uint64(l4[1]))
		}
	case ipProtoICMPv6:
		if len(l4) < 8 {
			return
		}
		key.keySet(20, 0, 32, uint64(l4[0])<<16|uint64(l4[1]))
		if l4[1] == 0 && (l4[0] == icmp6NeighborSolicit || l4[0] == icmp6NeighborAdvert) {
			extractND(l4[8:], key)
		}
	}
}

func (k *FlowKey) setPorts(l4 []byte) {
	k.keySet(20, 0, 32, uint64(binary.BigEndian.Uint32(l4)))
}

// extractND fills nd_target and the link-layer address options of a
// neighbor solicitation or advertisement body. A repeated option makes the
// whole ND part invalid, which leaves all three fields zero.
func extractND(b []byte, key *FlowKey) {
	if len(b) < 16 {
		return
	}
	target := b[:16]
	b = b[16:]
	var sll, tll uint64
	for len(b) >= 8 {
		n := int(b[1]) * 8
		if n == 0 || n > len(b) {
			break
		}
		switch {
		case b[0] == ndOptSourceLinkAddr && n == 8:
			if sll != 0 {
				return
			}
			sll = macWord(b[2:8])
		case b[0] == ndOptTargetLinkAddr && n == 8:
			if tll != 0 {
				return
			}
			tll = macWord(b[2:8])
		}
		b = b[n:]
	}
	key[23] = binary.BigEndian.Uint64(target)
	key[24] = binary.BigEndian.Uint64(target[8:])
	key[21] |= sll
	key[22] |= tll
}
