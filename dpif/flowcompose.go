package dpif

import "encoding/binary"

// Packet composition: the inverse of Extract, for tests and for
// netdev-dummy/receive and ofproto/trace -generate. The frames follow
// OVS's flow_compose byte for byte where OVS composes the protocol (header
// fields the key does not hold are zero, L7 payload bytes count up from 0,
// checksums are right), so that packet and byte counters agree with
// ovs-vswitchd's for the same injected flow.

// ComposeL7Len is the payload length netdev-dummy/receive and
// ofproto/trace -generate give a composed packet by default.
const ComposeL7Len = 64

// ComposePacket builds a frame that Extract parses back into k's packet
// fields (in_port and the other metadata are not part of a frame). l7 is
// the payload for protocols that carry one (TCP without SYN/FIN/RST, UDP,
// ICMP and ICMPv6 echo); nil l7 with l7Len > 0 means l7Len bytes 0, 1, 2,
// and so on. The frame is not padded to the Ethernet minimum, as in OVS.
func ComposePacket(k *FlowKey, l7 []byte, l7Len int) []byte {
	if l7 != nil {
		l7Len = len(l7)
	}
	p := make([]byte, 0, 128+l7Len)
	dst, src := k.EthDst(), k.EthSrc()
	p = append(p, dst[:]...)
	p = append(p, src[:]...)
	typ := k.EthType()
	if typ == EthTypeNone {
		// An 802.2 frame, untagged as OVS composes it: the type field
		// holds the length.
		return binary.BigEndian.AppendUint16(p, 14)
	}
	for i := 0; i < maxVLANHeaders; i++ {
		if tpid, tci := k.VLAN(i); tci&VLANCFI != 0 {
			p = binary.BigEndian.AppendUint16(p, tpid)
			p = binary.BigEndian.AppendUint16(p, tci&^VLANCFI)
		}
	}
	p = binary.BigEndian.AppendUint16(p, typ)
	if typ == ethTypeMPLS || typ == ethTypeMPLSMcast {
		// The key holds the top label only. As in OVS, a label without
		// the bottom-of-stack bit is followed by zero labels up to the
		// three a flow holds; no payload follows.
		lse := k.MPLSLSE()
		p = binary.BigEndian.AppendUint32(p, lse)
		if lse&0x100 == 0 {
			p = append(p, make([]byte, 8)...)
		}
		return p
	}
	switch typ {
	case ethTypeIPv4:
		l3 := len(p)
		p = append(p, make([]byte, 20)...)
		ip := p[l3:]
		ip[0] = 0x45
		ip[1] = k.NwTOS()
		frag := k.NwFrag()
		if frag&NwFragAny != 0 {
			off := uint16(0x2000) // more fragments
			if frag&NwFragLater != 0 {
				off |= 100
			}
			binary.BigEndian.PutUint16(ip[6:], off)
		}
		ip[8] = k.NwTTL()
		ip[9] = k.NwProto()
		binary.BigEndian.PutUint32(ip[12:], k.NwSrc())
		binary.BigEndian.PutUint32(ip[16:], k.NwDst())
		l4 := len(p)
		p = composeL4(p, k, l7, l7Len)
		fixIPv4(p[l3:], l4-l3, k)
	case ethTypeIPv6:
		l3 := len(p)
		p = append(p, make([]byte, 40)...)
		ip := p[l3:]
		binary.BigEndian.PutUint32(ip, 6<<28|uint32(k.NwTOS())<<20|k.IPv6Label()&0xfffff)
		ip[6] = k.NwProto()
		ip[7] = k.NwTTL()
		s, d := k.IPv6Src(), k.IPv6Dst()
		copy(ip[8:], s[:])
		copy(ip[24:], d[:])
		if frag := k.NwFrag(); frag&NwFragAny != 0 {
			// OVS composes no fragment header, which leaves the frame
			// unfragmented to its own parser; one is added here so that
			// the frame is what the key says.
			ip[6] = ipProtoFragment
			fh := []byte{k.NwProto(), 0, 0, 1, 0, 0, 0, 0} // M bit
			if frag&NwFragLater != 0 {
				fh[2], fh[3] = 0x03, 0x21 // offset 100 (8-byte units), M
			}
			p = append(p, fh...)
		}
		l4 := len(p)
		p = composeL4(p, k, l7, l7Len)
		fixIPv6(p[l3:], l4-l3, k)
	case ethTypeARP, ethTypeRARP:
		p = append(p, 0, 1, 0x08, 0x00, 6, 4, 0, k.ARPOp())
		var spa, tpa [4]byte
		var sha, tha [6]byte
		if op := k.ARPOp(); op == 1 || op == 2 {
			binary.BigEndian.PutUint32(spa[:], k.ARPSpa())
			binary.BigEndian.PutUint32(tpa[:], k.ARPTpa())
			sha, tha = k.ARPSha(), k.ARPTha()
		}
		p = append(p, sha[:]...)
		p = append(p, spa[:]...)
		p = append(p, tha[:]...)
		p = append(p, tpa[:]...)
	}
	return p
}

// composeL4 appends the transport header (and payload) of k to p. A later
// fragment has none.
func composeL4(p []byte, k *FlowKey, l7 []byte, l7Len int) []byte {
	if k.NwFrag()&NwFragLater != 0 {
		return p
	}
	l4 := len(p)
	switch k.NwProto() {
	case ipProtoTCP:
		p = append(p, make([]byte, 20)...)
		binary.BigEndian.PutUint16(p[l4:], k.TpSrc())
		binary.BigEndian.PutUint16(p[l4+2:], k.TpDst())
		binary.BigEndian.PutUint16(p[l4+12:], 5<<12|k.TCPFlags()&0x0fff)
		if k.TCPFlags()&0x07 == 0 { // no SYN, FIN or RST
			p = appendL7(p, l7, l7Len)
		}
	case ipProtoUDP:
		p = append(p, make([]byte, 8)...)
		binary.BigEndian.PutUint16(p[l4:], k.TpSrc())
		binary.BigEndian.PutUint16(p[l4+2:], k.TpDst())
		binary.BigEndian.PutUint16(p[l4+4:], uint16(8+l7Len))
		p = appendL7(p, l7, l7Len)
	case ipProtoSCTP:
		p = append(p, make([]byte, 12)...)
		binary.BigEndian.PutUint16(p[l4:], k.TpSrc())
		binary.BigEndian.PutUint16(p[l4+2:], k.TpDst())
	case ipProtoICMP:
		p = append(p, k.ICMPType(), k.ICMPCode(), 0, 0, 0, 0, 0, 0)
		if (k.ICMPType() == 8 || k.ICMPType() == 0) && k.ICMPCode() == 0 {
			p = appendL7(p, l7, l7Len)
		}
	case ipProtoIGMP:
		p = append(p, k.ICMPType(), k.ICMPCode(), 0, 0, 0, 0, 0, 0)
	case ipProtoICMPv6:
		typ, code := k.ICMPType(), k.ICMPCode()
		p = append(p, typ, code, 0, 0, 0, 0, 0, 0)
		switch {
		case code == 0 && (typ == icmp6NeighborSolicit || typ == icmp6NeighborAdvert):
			t := k.NDTarget()
			p = append(p, t[:]...)
			if sll := k.NDSll(); sll != ([6]byte{}) {
				p = append(p, ndOptSourceLinkAddr, 1)
				p = append(p, sll[:]...)
			}
			if tll := k.NDTll(); tll != ([6]byte{}) {
				p = append(p, ndOptTargetLinkAddr, 1)
				p = append(p, tll[:]...)
			}
		case code == 0 && (typ == 128 || typ == 129): // echo request, reply
			p = appendL7(p, l7, l7Len)
		}
	}
	return p
}

func appendL7(p, l7 []byte, n int) []byte {
	if l7 != nil {
		return append(p, l7...)
	}
	for i := 0; i < n; i++ {
		p = append(p, byte(i))
	}
	return p
}

// fixIPv4 sets the total length and the checksums of the IPv4 datagram
// ip, whose transport header starts at l4.
func fixIPv4(ip []byte, l4 int, k *FlowKey) {
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	binary.BigEndian.PutUint16(ip[10:], 0)
	binary.BigEndian.PutUint16(ip[10:], ^csumFold(csumAdd(0, ip[:20])))
	pseudo := csumAdd(0, ip[12:20])
	pseudo += uint32(k.NwProto()) + uint32(len(ip)-l4)
	fixL4Csum(ip[l4:], k, pseudo, false)
}

// fixIPv6 sets the payload length and the transport checksum of the IPv6
// datagram ip, whose transport header starts at l4.
func fixIPv6(ip []byte, l4 int, k *FlowKey) {
	binary.BigEndian.PutUint16(ip[4:], uint16(len(ip)-40))
	pseudo := csumAdd(0, ip[8:40])
	pseudo += uint32(k.NwProto()) + uint32(len(ip)-l4)
	fixL4Csum(ip[l4:], k, pseudo, true)
}

func fixL4Csum(l4 []byte, k *FlowKey, pseudo uint32, v6 bool) {
	if k.NwFrag()&NwFragLater != 0 {
		return
	}
	at, usePseudo := -1, true
	switch k.NwProto() {
	case ipProtoTCP:
		at = 16
	case ipProtoUDP:
		at = 6
	case ipProtoICMP, ipProtoIGMP:
		at, usePseudo = 2, false
	case ipProtoICMPv6:
		at = 2
	}
	if at < 0 || len(l4) < at+2 {
		return
	}
	binary.BigEndian.PutUint16(l4[at:], 0)
	if !usePseudo {
		pseudo = 0
	}
	c := ^csumFold(csumAdd(pseudo, l4))
	if c == 0 && k.NwProto() == ipProtoUDP {
		c = 0xffff // 0 means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(l4[at:], c)
}

// csumAdd adds b as big-endian 16-bit words (a last odd byte padded with
// zero) to the unfolded one's complement sum s.
func csumAdd(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
		if s >= 0x80000000 {
			s = s&0xffff + s>>16
		}
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func csumFold(s uint32) uint16 {
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// ExpandPacket pads a frame composed from k with zeros to size bytes and
// fixes the lengths and checksums, as OVS's packet_expand: the padding
// becomes part of the IP datagram (and of the UDP payload, see fixUDPLen). A frame
// already size bytes or longer is returned unchanged.
func ExpandPacket(p []byte, k *FlowKey, size int) []byte {
	if size <= len(p) {
		return p
	}
	extra := size - len(p)
	p = append(p, make([]byte, extra)...)
	typ := k.EthType()
	l3 := 12
	if typ == EthTypeNone {
		binary.BigEndian.PutUint16(p[12:], uint16(len(p)))
		return p
	}
	for i := 0; i < maxVLANHeaders; i++ {
		if _, tci := k.VLAN(i); tci&VLANCFI != 0 {
			l3 += 4
		}
	}
	l3 += 2
	switch typ {
	case ethTypeIPv4:
		l4 := 20
		fixUDPLen(p[l3+l4:], k, extra)
		fixIPv4(p[l3:], l4, k)
	case ethTypeIPv6:
		l4 := 40
		if k.NwFrag()&NwFragAny != 0 {
			l4 += 8
		}
		fixUDPLen(p[l3+l4:], k, extra)
		fixIPv6(p[l3:], l4, k)
	}
	return p
}

// fixUDPLen sets the UDP length of an expanded packet as OVS 3.1's
// packet_expand does, which counts the padding twice (the padded length
// plus the padding again); the frames then match ovs-vswitchd's byte for
// byte, UDP checksum included.
func fixUDPLen(l4 []byte, k *FlowKey, extra int) {
	if k.NwProto() == ipProtoUDP && k.NwFrag()&NwFragLater == 0 && len(l4) >= 8 {
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)+extra))
	}
}
