package conntrack

import "encoding/binary"

// ICMP types the tracker understands.
const (
	icmp4EchoReply      = 0
	icmp4DstUnreach     = 3
	icmp4SourceQuench   = 4
	icmp4Redirect       = 5
	icmp4EchoRequest    = 8
	icmp4TimeExceeded   = 11
	icmp4ParamProb      = 12
	icmp4Timestamp      = 13
	icmp4TimestampReply = 14
	icmp4InfoRequest    = 15
	icmp4InfoReply      = 16

	icmp6DstUnreach   = 1
	icmp6PacketTooBig = 2
	icmp6TimeExceeded = 3
	icmp6ParamProb    = 4
	icmp6EchoRequest  = 128
	icmp6EchoReply    = 129
)

// lookupCtx is what one ct() learns about one packet: its key, where its
// headers are, and what the lookup found.
type lookupCtx struct {
	key         Key
	hash        uint64
	conn        *Conn
	reply       bool
	icmpRelated bool
	l3          []byte // IP header through the end of the IP payload
	l4          []byte // outer L4 header and payload
}

// extractKey fills ctx from the packet, validating headers and checksums as
// OVS does. It returns false for anything the tracker must mark invalid and
// never panics, whatever the bytes.
func extractKey(p *Packet, zone uint16, ctx *lookupCtx) bool {
	*ctx = lookupCtx{}
	ctx.key.Zone = zone
	if p.L3Offset < 0 || p.L3Offset > len(p.Data) {
		return false
	}
	data := p.Data[p.L3Offset:]
	var ok bool
	switch p.EthType {
	case EthTypeIPv4:
		if p.Csum&IPCsumBad != 0 {
			return false
		}
		ctx.l3, ctx.l4, ok = parseIPv4(&ctx.key, data, p.Csum&IPCsumGood == 0, true)
	case EthTypeIPv6:
		ctx.key.IPv6 = true
		ctx.l3, ctx.l4, ok = parseIPv6(&ctx.key, data, true)
	}
	if !ok || p.Csum&L4CsumBad != 0 {
		return false
	}
	if !extractL4(&ctx.key, ctx.l4, ctx.l3, &ctx.icmpRelated, p.Csum&L4CsumGood == 0, 0) {
		return false
	}
	return true
}

// parseIPv4 parses an IPv4 header. With outer set the total length must fit
// the buffer and bounds the returned slices; inner headers quoted by ICMP
// errors are only checked for the header itself.
func parseIPv4(k *Key, data []byte, verifyCsum, outer bool) (l3, l4 []byte, ok bool) {
	if len(data) < 20 || data[0]>>4 != 4 {
		return nil, nil, false
	}
	hl := int(data[0]&0x0f) * 4
	if hl < 20 || len(data) < hl {
		return nil, nil, false
	}
	if outer {
		tot := int(binary.BigEndian.Uint16(data[2:]))
		if tot < hl || tot > len(data) {
			return nil, nil, false
		}
		data = data[:tot]
	}
	if binary.BigEndian.Uint16(data[6:])&0x3fff != 0 { // MF or offset: a fragment
		return nil, nil, false
	}
	if verifyCsum && csumFold(csumAdd(0, data[:hl])) != 0 {
		return nil, nil, false
	}
	copy(k.Src.Addr[:4], data[12:16])
	copy(k.Dst.Addr[:4], data[16:20])
	k.Proto = data[9]
	return data, data[hl:], true
}

// parseIPv6 parses an IPv6 header and its extension chain; a fragment
// header other than an atomic one makes the packet untrackable here
// (reassembly comes first).
func parseIPv6(k *Key, data []byte, outer bool) (l3, l4 []byte, ok bool) {
	if len(data) < 40 || data[0]>>4 != 6 {
		return nil, nil, false
	}
	if outer {
		tot := 40 + int(binary.BigEndian.Uint16(data[4:]))
		if tot > len(data) {
			return nil, nil, false
		}
		data = data[:tot]
	}
	next := data[6]
	rest := data[40:]
	for {
		var hlen int
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 {
				return nil, nil, false
			}
			hlen = (int(rest[1]) + 1) * 8
		case 51: // authentication header
			if len(rest) < 8 {
				return nil, nil, false
			}
			hlen = (int(rest[1]) + 2) * 4
		case 44: // fragment
			// An atomic fragment (offset 0, no more fragments, as
			// reassembly leaves it) is a whole packet, as in OVS.
			if len(rest) < 8 || binary.BigEndian.Uint16(rest[2:]) != 0 {
				return nil, nil, false
			}
			hlen = 8
		default:
			copy(k.Src.Addr[:], data[8:24])
			copy(k.Dst.Addr[:], data[24:40])
			k.Proto = next
			return data, rest, true
		}
		if len(rest) < hlen {
			return nil, nil, false
		}
		next = rest[0]
		rest = rest[hlen:]
	}
}

// extractL4 fills the L4 part of k. related is nil when parsing the header
// quoted inside an ICMP error: then checksums and most lengths are not
// checked, nothing recurses, and minLen (if non-zero) is how many L4 bytes
// must be present.
func extractL4(k *Key, l4, l3 []byte, related *bool, verifyCsum bool, minLen int) bool {
	switch {
	case k.Proto == ProtoTCP:
		if related != nil {
			if len(l4) < 20 {
				return false
			}
			doff := int(l4[12]>>4) * 4
			if doff < 20 || doff > len(l4) {
				return false
			}
			if verifyCsum && !l4CsumValid(l3, k.IPv6, ProtoTCP, l4) {
				return false
			}
		}
		if minLen == 0 {
			minLen = 20
		}
		return extractPorts(k, l4, minLen)
	case k.Proto == ProtoUDP:
		if related != nil {
			if len(l4) < 8 {
				return false
			}
			ulen := int(binary.BigEndian.Uint16(l4[4:]))
			if ulen < 8 || ulen > len(l4) {
				return false
			}
			zeroOK := !k.IPv6 && binary.BigEndian.Uint16(l4[6:]) == 0
			if verifyCsum && !zeroOK && !l4CsumValid(l3, k.IPv6, ProtoUDP, l4) {
				return false
			}
		}
		return extractPorts(k, l4, 8)
	case k.Proto == ProtoICMP && !k.IPv6:
		if related != nil && verifyCsum && csumFold(csumAdd(0, l4)) != 0 {
			return false
		}
		return extractICMPv4(k, l4, related, minLen)
	case k.Proto == ProtoICMPv6 && k.IPv6:
		if related != nil && verifyCsum && !l4CsumValid(l3, true, ProtoICMPv6, l4) {
			return false
		}
		return extractICMPv6(k, l4, related)
	}
	return true // other protocols have no L4 key fields
}

func extractPorts(k *Key, l4 []byte, minLen int) bool {
	if len(l4) < minLen || len(l4) < 4 {
		return false
	}
	k.Src.Port = binary.BigEndian.Uint16(l4)
	k.Dst.Port = binary.BigEndian.Uint16(l4[2:])
	return k.Src.Port != 0 && k.Dst.Port != 0
}

func icmp4ReplyType(t uint8) uint8 {
	switch t {
	case icmp4EchoRequest:
		return icmp4EchoReply
	case icmp4EchoReply:
		return icmp4EchoRequest
	case icmp4Timestamp:
		return icmp4TimestampReply
	case icmp4TimestampReply:
		return icmp4Timestamp
	case icmp4InfoRequest:
		return icmp4InfoReply
	case icmp4InfoReply:
		return icmp4InfoRequest
	}
	return 0
}

func icmp6ReplyType(t uint8) uint8 {
	if t == icmp6EchoRequest {
		return icmp6EchoReply
	}
	return icmp6EchoRequest
}

func extractICMPv4(k *Key, l4 []byte, related *bool, minLen int) bool {
	if minLen < 8 {
		minLen = 8
	}
	if len(l4) < minLen {
		return false
	}
	typ, code := l4[0], l4[1]
	switch typ {
	case icmp4EchoRequest, icmp4EchoReply, icmp4Timestamp, icmp4TimestampReply,
		icmp4InfoRequest, icmp4InfoReply:
		if code != 0 {
			return false
		}
		id := binary.BigEndian.Uint16(l4[4:])
		k.Src.Port, k.Dst.Port = id, id
		k.Src.ICMPType = typ
		k.Dst.ICMPType = icmp4ReplyType(typ)
		return true
	case icmp4DstUnreach, icmp4TimeExceeded, icmp4ParamProb, icmp4SourceQuench, icmp4Redirect:
		if related == nil {
			return false
		}
		inner := Key{Zone: k.Zone}
		il3, il4, ok := parseIPv4(&inner, l4[8:], false, false)
		if !ok || inner.Src.Addr != k.Dst.Addr {
			return false
		}
		// Only the first 8 bytes of the quoted L4 header are guaranteed.
		if !extractL4(&inner, il4, il3, nil, false, 8) {
			return false
		}
		*k = inner.Reverse()
		*related = true
		return true
	}
	return false
}

func extractICMPv6(k *Key, l4 []byte, related *bool) bool {
	if len(l4) < 8 {
		return false
	}
	typ, code := l4[0], l4[1]
	switch typ {
	case icmp6EchoRequest, icmp6EchoReply:
		if code != 0 {
			return false
		}
		id := binary.BigEndian.Uint16(l4[4:])
		k.Src.Port, k.Dst.Port = id, id
		k.Src.ICMPType = typ
		k.Dst.ICMPType = icmp6ReplyType(typ)
		return true
	case icmp6DstUnreach, icmp6PacketTooBig, icmp6TimeExceeded, icmp6ParamProb:
		if related == nil {
			return false
		}
		inner := Key{Zone: k.Zone, IPv6: true}
		il3, il4, ok := parseIPv6(&inner, l4[8:], false)
		if !ok || inner.Src.Addr != k.Dst.Addr {
			return false
		}
		if !extractL4(&inner, il4, il3, nil, false, 0) {
			return false
		}
		*k = inner.Reverse()
		*related = true
		return true
	}
	return false
}
