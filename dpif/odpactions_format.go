package dpif

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ActionsText prints an action list as "ovs-appctl dpctl/dump-flows" and
// ofproto/trace's "Datapath actions:" do: "2", "ct(zone=5),recirc(0x1)",
// "drop" for an empty list. names replaces output port numbers.
func ActionsText(acts []Action, names PortNames) string {
	if len(acts) == 0 {
		return "drop"
	}
	var b strings.Builder
	writeActions(&b, acts, names)
	return b.String()
}

func writeActions(b *strings.Builder, acts []Action, names PortNames) {
	for i := range acts {
		if i > 0 {
			b.WriteByte(',')
		}
		writeAction(b, &acts[i], names)
	}
}

func writeAction(b *strings.Builder, a *Action, names PortNames) {
	switch a.Type {
	case ActDrop:
		b.WriteString("drop")
	case ActOutput:
		b.WriteString(names.port(a.Port))
	case ActSet:
		b.WriteString("set(" + setText(a.Set) + ")")
	case ActPushVLAN:
		b.WriteString("push_vlan(")
		if a.TPID != ethTypeVLAN {
			b.WriteString("tpid=0x" + hex4(a.TPID) + ",")
		}
		var t strings.Builder
		putVLANTCI(&t, a.TCI, 0xffff, false)
		b.WriteString(chomp(&t) + ")")
	case ActPopVLAN:
		b.WriteString("pop_vlan")
	case ActPushMPLS:
		fmt.Fprintf(b, "push_mpls(%s,eth_type=0x%x)", mplsText(a.LSE), a.EthType)
	case ActPopMPLS:
		fmt.Fprintf(b, "pop_mpls(eth_type=0x%x)", a.EthType)
	case ActCT:
		b.WriteString(ctText(a.CT))
	case ActCTClear:
		b.WriteString("ct_clear")
	case ActRecirc:
		b.WriteString("recirc(" + hexC(uint64(a.Arg)) + ")")
	case ActUserspace:
		b.WriteString(userspaceText(a.Userspace))
	case ActClone:
		b.WriteString("clone(")
		writeActions(b, a.Nested, names)
		b.WriteByte(')')
	case ActTrunc:
		fmt.Fprintf(b, "trunc(%d)", a.Arg)
	case ActMeter:
		fmt.Fprintf(b, "meter(%d)", a.Arg)
	case ActHash:
		switch a.HashAlg {
		case HashL4:
			fmt.Fprintf(b, "hash(l4(%d))", a.Arg)
		case HashSymL4:
			fmt.Fprintf(b, "hash(sym_l4(%d))", a.Arg)
		default:
			fmt.Fprintf(b, "hash(Unknown hash algorithm(%d))", a.HashAlg)
		}
	case ActCheckPktLen:
		writeCheckPktLen(b, a.CheckPktLen, names)
	case ActPushNSH, ActPushEth, ActPopEth, ActPopNSH:
		writeEncapAction(b, a)
	default:
		fmt.Fprintf(b, "action%d", a.Type)
	}
}

// setText is the inside of set(...): the header with only the fields the
// mask touches, as OVS prints masked sets.
func setText(s *SetAction) string {
	if s == nil {
		return "error"
	}
	k, m := &s.Value, s.Mask.Fields()
	switch s.Header {
	case SetEth:
		return "eth(" + ethBody(k, m, false) + ")"
	case SetIPv4:
		return "ipv4(" + ipv4Body(k, m, false) + ")"
	case SetIPv6:
		return "ipv6(" + ipv6Body(k, m, false) + ")"
	case SetTCP:
		return "tcp(" + portsBody(k, m, false) + ")"
	case SetUDP:
		return "udp(" + portsBody(k, m, false) + ")"
	case SetSCTP:
		return "sctp(" + portsBody(k, m, false) + ")"
	case SetVLAN:
		_, tci := k.VLAN(0)
		_, tm := m.VLAN(0)
		var b strings.Builder
		putVLANTCI(&b, tci|VLANCFI, tm, false)
		return "vlan(" + chomp(&b) + ")"
	case SetMPLS:
		return "mpls(" + mplsBody(k, m) + ")"
	case SetNSH:
		return "nsh(" + nshBody(k, m, false) + ")"
	case SetSkbMark:
		return "skb_mark(" + maskedHex32(k.PktMark(), m.PktMark()) + ")"
	case SetSkbPriority:
		return "skb_priority(" + maskedHex32(k.SkbPriority(), m.SkbPriority()) + ")"
	}
	return "error"
}

func maskedHex32(v, m uint32) string {
	if m == 0xffffffff {
		return hexC(uint64(v))
	}
	return hexC(uint64(v)) + "/" + hexC(uint64(m))
}

// ctText prints a ct() action as OVS's format_odp_conntrack_action.
func ctText(c *CTAction) string {
	if c == nil {
		return "ct(error)"
	}
	var b strings.Builder
	if c.Force {
		b.WriteString("force_commit,")
	} else if c.Commit {
		b.WriteString("commit,")
	}
	if c.Zone != 0 {
		fmt.Fprintf(&b, "zone=%d,", c.Zone)
	}
	if c.SetMark {
		fmt.Fprintf(&b, "mark=%s/%s,", hexC(uint64(c.Mark)), hexC(uint64(c.MarkMask)))
	}
	if c.SetLabel {
		b.WriteString("label=" + u128Text(c.Label.Hi, c.Label.Lo, c.LabelMask.Hi, c.LabelMask.Lo) + ",")
	}
	if c.Helper != "" {
		b.WriteString("helper=" + c.Helper + ",")
	}
	if c.Timeout != "" {
		b.WriteString("timeout=" + c.Timeout + ",")
	}
	if n := c.NAT; n != nil {
		b.WriteString("nat")
		if n.Flags&(natSrc|natDst) != 0 {
			b.WriteByte('(')
			if n.Flags&natSrc != 0 {
				b.WriteString("src")
			} else {
				b.WriteString("dst")
			}
			if n.MinAddr != [16]byte{} {
				b.WriteByte('=')
				b.WriteString(natAddrText(c, n.MinAddr, n.MinPort != 0))
				if n.MaxAddr != [16]byte{} && n.MaxAddr != n.MinAddr {
					b.WriteString("-" + natAddrText(c, n.MaxAddr, n.MinPort != 0))
				}
				if n.MinPort != 0 {
					fmt.Fprintf(&b, ":%d", n.MinPort)
					if n.MaxPort != 0 && n.MaxPort != n.MinPort {
						fmt.Fprintf(&b, "-%d", n.MaxPort)
					}
				}
			}
			b.WriteByte(',')
			if n.Flags&natPersistent != 0 {
				b.WriteString("persistent,")
			}
			if c.NATHash {
				b.WriteString("hash,")
			}
			if n.Flags&natRandom != 0 {
				b.WriteString("random,")
			}
			s := strings.TrimSuffix(b.String(), ",")
			b.Reset()
			b.WriteString(s + ")")
		}
	}
	s := strings.TrimSuffix(b.String(), ",")
	if s == "" {
		return "ct"
	}
	return "ct(" + s + ")"
}

func natAddrText(c *CTAction, a [16]byte, bracket bool) string {
	if !c.NATIPv6 {
		return netip.AddrFrom4([4]byte(a[:4])).String()
	}
	s := netip.AddrFrom16(a).String()
	if bracket {
		return "[" + s + "]"
	}
	return s
}

var slowPathNames = []string{"cfm", "bfd", "lacp", "stp", "lldp", "action", "match"}

// userspaceText prints userspace(pid=..,cookie) as OVS does.
func userspaceText(u *UserspaceAction) string {
	if u == nil {
		return "userspace(error)"
	}
	s := "userspace(pid=" + strconv.FormatUint(uint64(u.PID), 10)
	switch u.Kind {
	case UserspaceController:
		s += fmt.Sprintf(",controller(reason=%d,dont_send=%d,continuation=%d,recirc_id=%d,rule_cookie=%s,controller_id=%d,max_len=%d)",
			u.Reason, b2i(u.DontSend), b2i(u.Continuation), u.RecircID, hexC(u.RuleCookie), u.ControllerID, u.MaxLen)
	case UserspaceSlowPath:
		s += ",slow_path(" + flagsText(u.SlowPath, slowPathNames, ",") + ")"
	case UserspaceUserdata:
		s += fmt.Sprintf(",userdata(%x)", u.Userdata)
	}
	return s + ")"
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}
