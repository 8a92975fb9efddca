package dpif

import (
	"strconv"
	"strings"
)

// PortNames maps odp port numbers to names for --names output; nil prints
// numbers.
type PortNames map[uint32]string

func (n PortNames) port(p uint32) string {
	if s, ok := n[p]; ok {
		return s
	}
	return strconv.FormatUint(uint64(p), 10)
}

// The body of each header attribute ("src=..,dst=.."), shared by the key
// formatter and set actions.

func ethBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putEth(&b, "src", k.EthSrc(), m.EthSrc(), verbose)
	putEth(&b, "dst", k.EthDst(), m.EthDst(), verbose)
	return chomp(&b)
}

func ipv4Body(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putIPv4(&b, "src", k.NwSrc(), m.NwSrc(), verbose)
	putIPv4(&b, "dst", k.NwDst(), m.NwDst(), verbose)
	putUint(&b, "proto", uint64(k.NwProto()), uint64(m.NwProto()), 0xff, false, verbose)
	putUint(&b, "tos", uint64(k.NwTOS()), uint64(m.NwTOS()), 0xff, true, verbose)
	putUint(&b, "ttl", uint64(k.NwTTL()), uint64(m.NwTTL()), 0xff, false, verbose)
	putFrag(&b, k.NwFrag(), m.NwFrag())
	return chomp(&b)
}

func ipv6Body(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putIn6(&b, "src", k.IPv6Src(), m.IPv6Src(), verbose)
	putIn6(&b, "dst", k.IPv6Dst(), m.IPv6Dst(), verbose)
	if lm := m.IPv6Label(); verbose || lm != 0 {
		b.WriteString("label=" + hexC(uint64(k.IPv6Label())))
		if lm&0xfffff != 0xfffff {
			b.WriteString("/" + hexC(uint64(lm)))
		}
		b.WriteByte(',')
	}
	putUint(&b, "proto", uint64(k.NwProto()), uint64(m.NwProto()), 0xff, false, verbose)
	putUint(&b, "tclass", uint64(k.NwTOS()), uint64(m.NwTOS()), 0xff, true, verbose)
	putUint(&b, "hlimit", uint64(k.NwTTL()), uint64(m.NwTTL()), 0xff, false, verbose)
	putFrag(&b, k.NwFrag(), m.NwFrag())
	return chomp(&b)
}

func portsBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putUint(&b, "src", uint64(k.TpSrc()), uint64(m.TpSrc()), 0xffff, false, verbose)
	putUint(&b, "dst", uint64(k.TpDst()), uint64(m.TpDst()), 0xffff, false, verbose)
	return chomp(&b)
}

func icmpBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putUint(&b, "type", uint64(k.ICMPType()), uint64(m.TpSrc()&0xff), 0xff, false, verbose)
	putUint(&b, "code", uint64(k.ICMPCode()), uint64(m.TpDst()&0xff), 0xff, false, verbose)
	return chomp(&b)
}

func arpBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putIPv4(&b, "sip", k.NwSrc(), m.NwSrc(), verbose)
	putIPv4(&b, "tip", k.NwDst(), m.NwDst(), verbose)
	putUint(&b, "op", uint64(k.NwProto()), uint64(m.NwProto()), 0xff, false, verbose)
	putEth(&b, "sha", k.ARPSha(), m.ARPSha(), verbose)
	putEth(&b, "tha", k.ARPTha(), m.ARPTha(), verbose)
	return chomp(&b)
}

func ndBody(k, m *FlowKey, verbose bool) string {
	var b strings.Builder
	putIn6(&b, "target", k.NDTarget(), m.NDTarget(), verbose)
	putEth(&b, "sll", k.NDSll(), m.NDSll(), verbose)
	putEth(&b, "tll", k.NDTll(), m.NDTll(), verbose)
	return chomp(&b)
}

func mplsBody(k, m *FlowKey) string {
	if m.MPLSLSE() == 0xffffffff {
		return mplsText(k.MPLSLSE())
	}
	return mplsMaskedText(k.MPLSLSE(), m.MPLSLSE())
}

// MegaflowKeyText prints a megaflow's key under its mask as
// "ovs-appctl dpctl/dump-flows" does: fields the mask ignores are left out,
// partially masked ones print as value/mask. verbose (-m) prints every
// attribute with its mask instead. key should be the flow's unmasked key
// (the first packet's), as OVS prints it; names replaces port numbers.
func MegaflowKeyText(key *FlowKey, mask *FlowMask, verbose bool, names PortNames) string {
	k, m := key, mask.Fields()
	var attrs []string
	add := func(name, body string) { attrs = append(attrs, name+"("+body+")") }
	u32 := func(name string, v, mv uint32, skip bool) {
		if !verbose && (mv == 0 || skip) {
			return
		}
		s := hexC(uint64(v))
		if mv != 0xffffffff {
			s += "/" + hexC(uint64(mv))
		}
		add(name, s)
	}

	u32("skb_priority", k.SkbPriority(), m.SkbPriority(), false)
	u32("skb_mark", k.PktMark(), m.PktMark(), false)
	if sm := m.CtState(); verbose {
		add("ct_state", hexC(uint64(k.CtState()))+"/"+hexC(uint64(sm)))
	} else if sm != 0 {
		add("ct_state", flagsMaskedText(uint32(k.CtState()), uint32(sm), 0xffffffff, ctStateNames))
	}
	if zm := m.CtZone(); verbose || zm != 0 {
		s := hexC(uint64(k.CtZone()))
		if zm != 0xffff {
			s += "/" + hexC(uint64(zm))
		}
		add("ct_zone", s)
	}
	u32("ct_mark", k.CtMark(), m.CtMark(), false)
	hi, lo := k.CtLabel()
	if mhi, mlo := m.CtLabel(); verbose || mhi != 0 || mlo != 0 {
		add("ct_label", u128Text(hi, lo, mhi, mlo))
	}
	if k.CtNwProto() != 0 {
		var b strings.Builder
		switch k.EthType() {
		case ethTypeIPv4:
			putIPv4(&b, "src", k.CtNwSrc(), m.CtNwSrc(), verbose)
			putIPv4(&b, "dst", k.CtNwDst(), m.CtNwDst(), verbose)
			putUint(&b, "proto", uint64(k.CtNwProto()), uint64(m.CtNwProto()), 0xff, false, verbose)
			putUint(&b, "tp_src", uint64(k.CtTpSrc()), uint64(m.CtTpSrc()), 0xffff, false, verbose)
			putUint(&b, "tp_dst", uint64(k.CtTpDst()), uint64(m.CtTpDst()), 0xffff, false, verbose)
			if verbose || b.Len() > 0 {
				add("ct_tuple4", chomp(&b))
			}
		case ethTypeIPv6:
			putIn6(&b, "src", k.CtIPv6Src(), m.CtIPv6Src(), verbose)
			putIn6(&b, "dst", k.CtIPv6Dst(), m.CtIPv6Dst(), verbose)
			putUint(&b, "proto", uint64(k.CtNwProto()), uint64(m.CtNwProto()), 0xff, false, verbose)
			putUint(&b, "src_port", uint64(k.CtTpSrc()), uint64(m.CtTpSrc()), 0xffff, false, verbose)
			putUint(&b, "dst_port", uint64(k.CtTpDst()), uint64(m.CtTpDst()), 0xffff, false, verbose)
			if verbose || b.Len() > 0 {
				add("ct_tuple6", chomp(&b))
			}
		}
	}
	u32("recirc_id", k.RecircID(), m.RecircID(), false)
	u32("dp_hash", k.DpHash(), m.DpHash(), false)
	if pm := m.InPort(); pm == 0xffffffff {
		add("in_port", names.port(k.InPort()))
	} else if verbose || pm != 0 {
		add("in_port", strconv.FormatUint(uint64(k.InPort()), 10)+"/"+hexC(uint64(pm)))
	}
	add("packet_type", "ns=0,id=0")

	// L2, then each VLAN tag opens an encap() that holds the rest.
	var tail []string
	if verbose || m[11]>>16 != 0 || m[12]>>16 != 0 {
		add("eth", ethBody(k, m, verbose))
	}
	ethType, etMask := k.EthType(), m.EthType()
	encaps := 0
	for i := range maxVLANHeaders {
		tpid, tci := k.VLAN(i)
		if tci&VLANCFI == 0 {
			break
		}
		_, tciMask := m.VLAN(i)
		add("eth_type", "0x"+hex4(tpid))
		var b strings.Builder
		putVLANTCI(&b, tci, tciMask, verbose)
		add("vlan", chomp(&b))
		tail, attrs = append(tail, strings.Join(attrs, ",")), nil
		encaps++
	}
	if ethType >= ethTypeMin && (verbose || etMask != 0) {
		s := "0x" + hex4(ethType)
		if etMask != 0xffff {
			s += "/0x" + hex4(etMask)
		}
		add("eth_type", s)
	}
	l3 := func(name, body string) {
		if verbose || body != "" {
			add(name, body)
		}
	}
	isIP := false
	switch ethType {
	case ethTypeIPv4:
		l3("ipv4", ipv4Body(k, m, verbose))
		isIP = true
	case ethTypeIPv6:
		l3("ipv6", ipv6Body(k, m, verbose))
		isIP = true
	case ethTypeARP, ethTypeRARP:
		l3("arp", arpBody(k, m, verbose))
	case ethTypeMPLS, ethTypeMPLSMcast:
		if verbose || m.MPLSLSE() != 0 {
			add("mpls", mplsBody(k, m))
		}
	case EthTypeNSH:
		if verbose || nshMasked(m) {
			add("nsh", nshBody(k, m, verbose))
		}
	}
	if isIP && k.NwFrag()&NwFragLater == 0 {
		switch proto := k.NwProto(); {
		case proto == ipProtoTCP:
			l3("tcp", portsBody(k, m, verbose))
			if fm := m.TCPFlags(); k.TCPFlags() != 0 || fm != 0 {
				if verbose || fm != 0 {
					add("tcp_flags", flagsMaskedText(uint32(k.TCPFlags()), uint32(fm), 0x0fff, tcpFlagNames))
				}
			}
		case proto == ipProtoUDP:
			l3("udp", portsBody(k, m, verbose))
		case proto == ipProtoSCTP:
			l3("sctp", portsBody(k, m, verbose))
		case proto == ipProtoICMP && ethType == ethTypeIPv4:
			l3("icmp", icmpBody(k, m, verbose))
		case proto == ipProtoICMPv6 && ethType == ethTypeIPv6:
			l3("icmpv6", icmpBody(k, m, verbose))
			if k.TpDst() == 0 && (k.TpSrc() == icmp6NeighborSolicit || k.TpSrc() == icmp6NeighborAdvert) &&
				m.TpSrc()&0xff == 0xff && m.TpDst()&0xff == 0xff {
				l3("nd", ndBody(k, m, verbose))
			}
		}
	}
	s := strings.Join(attrs, ",")
	for i := encaps - 1; i >= 0; i-- {
		s = tail[i] + ",encap(" + s + ")"
	}
	return s
}

func hex4(v uint16) string {
	s := strconv.FormatUint(uint64(v), 16)
	return strings.Repeat("0", 4-len(s)) + s
}
