package mf

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultPriority is OpenFlow's default flow priority; it is not printed.
const DefaultPriority = 0x8000

// String prints m as ovs-ofctl does (without priority).
func (m *Match) String() string { return m.Format(DefaultPriority) }

// Format prints m in OVS's canonical order, with "priority=N," first when
// priority is not the default. Fields whose prerequisites are not met are
// printed only where OVS prints them (it mostly selects by protocol).
func (m *Match) Format(priority int) string {
	var sb strings.Builder
	p := matchPrinter{m: m, sb: &sb}
	if priority != DefaultPriority {
		fmt.Fprintf(&sb, "priority=%d,", priority)
	}
	p.hex32("pkt_mark", slotPktMark)
	p.hex32("recirc_id", slotRecircID)
	p.hex32("dp_hash", slotDpHash)
	if m.Mask.u32(slotConjID) != 0 {
		fmt.Fprintf(&sb, "conj_id=%d,", m.Flow.u32(slotConjID))
	}
	if m.Mask.u32(slotSkbPriority) != 0 {
		sb.WriteString("skb_priority=" + cHex(uint64(m.Flow.u32(slotSkbPriority))) + ",")
	}
	if m.Mask.u16(slotActsetOutput) != 0 {
		fmt.Fprintf(&sb, "actset_output=%s,", PortString(m.Flow.u16(slotActsetOutput)))
	}
	if mk := m.Mask.u32(slotCtState); mk != 0 {
		v := m.Flow.u32(slotCtState)
		if mk&0xff == 0xff {
			fmt.Fprintf(&sb, "ct_state=%s,", formatFlags(ctStateNames, v))
		} else {
			fmt.Fprintf(&sb, "ct_state=%s,", formatFlagsMasked(ctStateNames, v, mk, 0xff))
		}
	}
	if mk := m.Mask.u16(slotCtZone); mk != 0 {
		p.u16masked("ct_zone", m.Flow.u16(slotCtZone), mk)
	}
	p.hex32("ct_mark", slotCtMark)
	if !m.Mask.isZero(slotCtLabel) {
		sb.WriteString("ct_label=" + hexBytes(m.Flow.bytes(slotCtLabel)))
		if !m.Mask.isOnes(slotCtLabel) {
			sb.WriteString("/" + hexBytes(m.Mask.bytes(slotCtLabel)))
		}
		sb.WriteByte(',')
	}
	p.ip("ct_nw_src", slotCtNwSrc)
	p.ip("ct_ipv6_src", slotCtIPv6Src)
	p.ip("ct_nw_dst", slotCtNwDst)
	p.ip("ct_ipv6_dst", slotCtIPv6Dst)
	if m.Mask.u8(slotCtNwProto) != 0 {
		fmt.Fprintf(&sb, "ct_nw_proto=%d,", m.Flow.u8(slotCtNwProto))
		p.be16("ct_tp_src", slotCtTpSrc)
		p.be16("ct_tp_dst", slotCtTpDst)
	}

	dl := m.Flow.u16(slotDlType)
	dlMatched := m.Mask.u16(slotDlType) != 0
	p.formatPacketType()
	if pt := m.Flow.u32(slotPacketType); pt>>16 == 1 && m.Mask.u32(slotPacketType) == 0xffffffff {
		// A non-Ethernet packet's type stands for its dl_type.
		dl = uint16(pt)
	}
	proto, protoMatched := m.Flow.u8(slotNwProto), m.Mask.u8(slotNwProto) != 0
	skipType, skipProto := false, false
	if dlMatched {
		skipType = true
		name := ""
		switch dl {
		case EthTypeIP, EthTypeIPv6:
			v6 := dl == EthTypeIPv6
			name = map[bool]string{false: "ip", true: "ipv6"}[v6]
			if protoMatched {
				skipProto = true
				switch {
				case proto == IPProtoICMP && !v6:
					name = "icmp"
				case proto == IPProtoICMPv6 && v6:
					name = "icmp6"
				case proto == IPProtoTCP:
					name = "tcp"
				case proto == IPProtoUDP:
					name = "udp"
				case proto == IPProtoSCTP:
					name = "sctp"
				default:
					skipProto = false
				}
				if skipProto && v6 && proto != IPProtoICMPv6 {
					name += "6"
				}
			}
		case EthTypeARP:
			name = "arp"
		case EthTypeRARP:
			name = "rarp"
		case EthTypeMPLS:
			name = "mpls"
		case EthTypeMPLSMcast:
			name = "mplsm"
		default:
			skipType = false
		}
		if name != "" {
			sb.WriteString(name + ",")
		}
	}
	for i := 0; i < NumRegs; i++ {
		p.hex32("reg"+strconv.Itoa(i), slot{slotRegs.off + 4*i, 4})
	}
	p.tunnel()
	if !m.Mask.isZero(slotMetadata) {
		sb.WriteString("metadata=" + cHex(uintValue(m.Flow.bytes(slotMetadata))))
		if !m.Mask.isOnes(slotMetadata) {
			sb.WriteString("/" + cHex(uintValue(m.Mask.bytes(slotMetadata))))
		}
		sb.WriteByte(',')
	}
	if m.Mask.u16(slotInPort) != 0 {
		fmt.Fprintf(&sb, "in_port=%s,", PortString(m.Flow.u16(slotInPort)))
	}
	if tciMask := m.Mask.u16(slotVlanTCI); tciMask != 0 {
		tci := m.Flow.u16(slotVlanTCI)
		vidMask, pcpMask := tciMask&0x0fff, tciMask&0xe000
		if tciMask&vlanCFI != 0 && tci&vlanCFI != 0 &&
			(vidMask == 0 || vidMask == 0x0fff) && (pcpMask == 0 || pcpMask == 0xe000) &&
			(vidMask != 0 || pcpMask != 0) {
			if vidMask != 0 {
				fmt.Fprintf(&sb, "dl_vlan=%d,", tci&0x0fff)
			}
			if pcpMask != 0 {
				fmt.Fprintf(&sb, "dl_vlan_pcp=%d,", tci>>13)
			}
		} else if tciMask == 0xffff {
			fmt.Fprintf(&sb, "vlan_tci=0x%04x,", tci)
		} else {
			fmt.Fprintf(&sb, "vlan_tci=0x%04x/0x%04x,", tci, tciMask)
		}
	}
	p.eth("dl_src", slotDlSrc)
	p.eth("dl_dst", slotDlDst)
	if !skipType && dlMatched {
		fmt.Fprintf(&sb, "dl_type=0x%04x,", dl)
	}
	isARP := dl == EthTypeARP || dl == EthTypeRARP
	switch {
	case dl == EthTypeIPv6:
		p.ip("ipv6_src", slotIpv6Src)
		p.ip("ipv6_dst", slotIpv6Dst)
		if mk := m.Mask.u32(slotIpv6Label); mk != 0 {
			if mk == 0xffffffff {
				fmt.Fprintf(&sb, "ipv6_label=0x%05x,", m.Flow.u32(slotIpv6Label))
			} else {
				fmt.Fprintf(&sb, "ipv6_label=0x%05x/0x%05x,", m.Flow.u32(slotIpv6Label), mk)
			}
		}
	case isARP:
		p.ip("arp_spa", slotNwSrc)
		p.ip("arp_tpa", slotNwDst)
	case dl == EthTypeNSH:
		p.formatNSH()
	default:
		p.ip("nw_src", slotNwSrc)
		p.ip("nw_dst", slotNwDst)
	}
	if !skipProto && protoMatched {
		if isARP {
			fmt.Fprintf(&sb, "arp_op=%d,", proto)
		} else {
			fmt.Fprintf(&sb, "nw_proto=%d,", proto)
		}
	}
	if isARP {
		p.eth("arp_sha", slotArpSha)
		p.eth("arp_tha", slotArpTha)
	}
	tos, tosMask := m.Flow.u8(slotNwTOS), m.Mask.u8(slotNwTOS)
	if tosMask&0xfc != 0 {
		fmt.Fprintf(&sb, "nw_tos=%d,", tos&0xfc)
	}
	if tosMask&0x03 != 0 {
		fmt.Fprintf(&sb, "nw_ecn=%d,", tos&0x03)
	}
	if m.Mask.u8(slotNwTTL) != 0 {
		fmt.Fprintf(&sb, "nw_ttl=%d,", m.Flow.u8(slotNwTTL))
	}
	lse, lseMask := m.Flow.u32(slotMplsLSE), m.Mask.u32(slotMplsLSE)
	if lseMask&0xfffff000 != 0 {
		fmt.Fprintf(&sb, "mpls_label=%d,", lse>>12)
	}
	if lseMask&0xe00 != 0 {
		fmt.Fprintf(&sb, "mpls_tc=%d,", (lse>>9)&7)
	}
	if lseMask&0xff != 0 {
		fmt.Fprintf(&sb, "mpls_ttl=%d,", lse&0xff)
	}
	if lseMask&0x100 != 0 {
		fmt.Fprintf(&sb, "mpls_bos=%d,", (lse>>8)&1)
	}
	if fm := m.Mask.u8(slotNwFrag) & 3; fm != 0 {
		fmt.Fprintf(&sb, "nw_frag=%s,", formatFrag(m.Flow.u8(slotNwFrag), fm))
	}
	switch {
	case dl == EthTypeIP && proto == IPProtoICMP:
		p.be16("icmp_type", slotTpSrc)
		p.be16("icmp_code", slotTpDst)
	case dl == EthTypeIPv6 && proto == IPProtoICMPv6:
		p.be16("icmp_type", slotTpSrc)
		p.be16("icmp_code", slotTpDst)
		p.ip("nd_target", slotNdTarget)
		p.eth("nd_sll", slotArpSha)
		p.eth("nd_tll", slotArpTha)
		if mk := m.Mask.u32(slotIgmpGroup); mk != 0 {
			p.be32("nd_reserved", m.Flow.u32(slotIgmpGroup), mk)
		}
		p.be16("nd_options_type", slotTcpFlags)
	default:
		p.be16("tp_src", slotTpSrc)
		p.be16("tp_dst", slotTpDst)
	}
	if (dl == EthTypeIP || dl == EthTypeIPv6) && proto == IPProtoTCP && m.Mask.u16(slotTcpFlags)&0x0fff != 0 {
		fmt.Fprintf(&sb, "tcp_flags=%s,", formatFlagsMasked(tcpFlagNames,
			uint32(m.Flow.u16(slotTcpFlags)), uint32(m.Mask.u16(slotTcpFlags)&0x0fff), 0x0fff))
	}
	return strings.TrimSuffix(sb.String(), ",")
}

type matchPrinter struct {
	m  *Match
	sb *strings.Builder
}

// hex32 prints like OVS's format_uint32_masked ("%#x": 0 prints as "0").
func (p matchPrinter) hex32(name string, s slot) {
	mk := p.m.Mask.u32(s)
	if mk == 0 {
		return
	}
	p.sb.WriteString(name + "=" + cHex(uint64(p.m.Flow.u32(s))))
	if mk != 0xffffffff {
		p.sb.WriteString("/" + cHex(uint64(mk)))
	}
	p.sb.WriteByte(',')
}

func (p matchPrinter) u16masked(name string, v, mk uint16) {
	if mk == 0xffff {
		fmt.Fprintf(p.sb, "%s=%d,", name, v)
	} else {
		fmt.Fprintf(p.sb, "%s=0x%x/0x%x,", name, v, mk)
	}
}

func (p matchPrinter) be16(name string, s slot) {
	if mk := p.m.Mask.u16(s); mk != 0 {
		p.u16masked(name, p.m.Flow.u16(s), mk)
	}
}

func (p matchPrinter) be32(name string, v, mk uint32) {
	if mk == 0xffffffff {
		fmt.Fprintf(p.sb, "%s=%d,", name, v)
	} else {
		fmt.Fprintf(p.sb, "%s=0x%08x/0x%08x,", name, v, mk)
	}
}

func (p matchPrinter) ip(name string, s slot) {
	if p.m.Mask.isZero(s) {
		return
	}
	fmt.Fprintf(p.sb, "%s=%s,", name, formatIP(p.m.Flow.bytes(s), p.m.Mask.bytes(s)))
}

func (p matchPrinter) eth(name string, s slot) {
	if p.m.Mask.isZero(s) {
		return
	}
	p.sb.WriteString(name + "=" + EthernetString(p.m.Flow.bytes(s)))
	if !p.m.Mask.isOnes(s) {
		p.sb.WriteString("/" + EthernetString(p.m.Mask.bytes(s)))
	}
	p.sb.WriteByte(',')
}

func (p matchPrinter) tunnel() {
	m, sb := p.m, p.sb
	if !m.Mask.isZero(slotTunID) {
		sb.WriteString("tun_id=" + cHex(uintValue(m.Flow.bytes(slotTunID))))
		if !m.Mask.isOnes(slotTunID) {
			sb.WriteString("/" + cHex(uintValue(m.Mask.bytes(slotTunID))))
		}
		sb.WriteByte(',')
	}
	p.ip("tun_src", slotTunSrc)
	p.ip("tun_dst", slotTunDst)
	p.ip("tun_ipv6_src", slotTunIPv6Src)
	p.ip("tun_ipv6_dst", slotTunIPv6Dst)
	p.be16("tun_gbp_id", slotTunGBPID)
	if m.Mask.u8(slotTunGBPFlags) != 0 {
		sb.WriteString("tun_gbp_flags=" + cHex(uint64(m.Flow.u8(slotTunGBPFlags))) + ",")
	}
	if m.Mask.u8(slotTunTOS) != 0 {
		fmt.Fprintf(sb, "tun_tos=%x,", m.Flow.u8(slotTunTOS))
	}
	if m.Mask.u8(slotTunTTL) != 0 {
		fmt.Fprintf(sb, "tun_ttl=%d,", m.Flow.u8(slotTunTTL))
	}
	ver := m.Flow.u8(slotErspanVer)
	if m.Mask.u8(slotErspanVer) != 0 {
		fmt.Fprintf(sb, "tun_erspan_ver=%d,", ver)
	}
	if m.Mask.u32(slotErspanIdx) != 0 && ver == 1 {
		sb.WriteString("tun_erspan_idx=" + cHex(uint64(m.Flow.u32(slotErspanIdx))) + ",")
	}
	if m.Mask.u8(slotErspanDir) != 0 && ver == 2 {
		fmt.Fprintf(sb, "tun_erspan_dir=%d,", m.Flow.u8(slotErspanDir))
	}
	if m.Mask.u8(slotErspanHwid) != 0 && ver == 2 {
		sb.WriteString("tun_erspan_hwid=" + cHex(uint64(m.Flow.u8(slotErspanHwid))) + ",")
	}
	if m.Mask.u8(slotGtpuFlags) != 0 {
		sb.WriteString("gtpu_flags=" + cHex(uint64(m.Flow.u8(slotGtpuFlags))) + ",")
	}
	if m.Mask.u8(slotGtpuMsgtype) != 0 {
		fmt.Fprintf(sb, "gtpu_msgtype=%d,", m.Flow.u8(slotGtpuMsgtype))
	}
	if mk := m.Mask.u16(slotTunFlags) & 1; mk != 0 {
		fmt.Fprintf(sb, "tun_flags=%s,", formatFlagsMasked(tunFlagNames, uint32(m.Flow.u16(slotTunFlags)&1), uint32(mk), tunFlagsPrintMax))
	}
	p.tunMetadata()
}

// protocols are ovs-ofctl's shorthand match keywords.
var protocols = []struct {
	name  string
	dl    uint16
	proto uint8
}{
	{"ip", EthTypeIP, 0}, {"ipv6", EthTypeIPv6, 0},
	{"icmp", EthTypeIP, IPProtoICMP}, {"icmp6", EthTypeIPv6, IPProtoICMPv6},
	{"tcp", EthTypeIP, IPProtoTCP}, {"tcp6", EthTypeIPv6, IPProtoTCP},
	{"udp", EthTypeIP, IPProtoUDP}, {"udp6", EthTypeIPv6, IPProtoUDP},
	{"sctp", EthTypeIP, IPProtoSCTP}, {"sctp6", EthTypeIPv6, IPProtoSCTP},
	{"arp", EthTypeARP, 0}, {"rarp", EthTypeRARP, 0},
	{"mpls", EthTypeMPLS, 0}, {"mplsm", EthTypeMPLSMcast, 0},
	{"ip6", EthTypeIPv6, 0},
}

// ParseProtocol applies a shorthand keyword such as "tcp6"; it reports
// false if name is not one.
func (m *Match) ParseProtocol(name string) bool {
	for _, p := range protocols {
		if p.name == name {
			_ = m.SetExact(EthType, uint64(p.dl))
			if p.proto != 0 {
				_ = m.SetExact(IPProto, uint64(p.proto))
			}
			return true
		}
	}
	return false
}

// ParseField applies "name=value" for a match field; it reports false if
// name is not a field.
func (m *Match) ParseField(name, value string) (bool, error) {
	f := ByName(name)
	if f == nil {
		return false, nil
	}
	var v, mk ValueMask
	if f.ID == DlVLAN && (value == "0xffff" || value == "65535") {
		// dl_vlan=0xffff means "no VLAN header".
		m.Mask.setU16(slotVlanTCI, 0xffff)
		m.Flow.setU16(slotVlanTCI, 0)
		return true, nil
	}
	if err := f.ParseValue(value, v[:f.Bytes], mk[:f.Bytes]); err != nil {
		return true, err
	}
	if f.ID == IPDSCP && v[0]&3 != 0 {
		return true, fmt.Errorf("%s: not a valid TOS value (low 2 bits must be zero)", value)
	}
	return true, m.Set(f.ID, v[:f.Bytes], mk[:f.Bytes])
}

// Parse parses a comma separated match such as "tcp,nw_src=10.0.0.0/8".
func Parse(s string) (Match, error) {
	var m Match
	for _, tok := range SplitMatch(s) {
		name, value, hasValue := strings.Cut(tok, "=")
		if !hasValue {
			if m.ParseProtocol(name) {
				continue
			}
			return m, fmt.Errorf("%s: unknown keyword", name)
		}
		ok, err := m.ParseField(name, value)
		if err != nil {
			return m, err
		}
		if !ok {
			return m, fmt.Errorf("%s: unknown field", name)
		}
	}
	return m, nil
}

// tunFlagsPrintMax is OVS's internal tunnel flag mask, wider than the one
// public flag, so tun_flags always prints in the +oam form.
const tunFlagsPrintMax = 0xf

// cHex formats like C's "%#x": "0" for zero, else 0x-prefixed hex.
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}
