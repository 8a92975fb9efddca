package dpif

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// ParseODPFlow reads a flow written in OVS's datapath flow syntax, as
// dpctl/dump-flows prints it and OVS's tests write packets for
// netdev-dummy/receive:
//
//	in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),
//	ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=80)
//
// VLAN tags are written eth_type(0x8100),vlan(vid=10,pcp=0),encap(...).
// Masks ("/...") are accepted and ignored: the result is the flow's key.
// Errors read "syntax error at TEXT" with TEXT the attribute that failed,
// as OVS reports them.
func ParseODPFlow(s string) (FlowKey, error) {
	var p odpParser
	if err := p.parseList(s); err != nil {
		return FlowKey{}, err
	}
	return p.k, nil
}

type odpParser struct {
	k     FlowKey
	vlans int // tags seen so far
	tpid  uint16
}

// parseList parses a comma-separated list of name(body) attributes.
func (p *odpParser) parseList(s string) error {
	for {
		s = strings.TrimLeft(s, " \t\r\n,")
		if s == "" {
			return nil
		}
		open := strings.IndexByte(s, '(')
		if open <= 0 {
			return syntaxErrorAt(s)
		}
		end := matchingParen(s, open)
		if end < 0 {
			return syntaxErrorAt(s)
		}
		name, body := strings.TrimSpace(s[:open]), s[open+1:end]
		if err := p.parseAttr(name, body); err != nil {
			if name == "encap" {
				return err // already names the inner attribute
			}
			return syntaxErrorAt(s)
		}
		s = s[end+1:]
	}
}

func syntaxErrorAt(s string) error { return errors.New("syntax error at " + s) }

// matchingParen returns the index of the ')' that closes s[open], or -1.
func matchingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// odpFields splits "a=1,b=2/0xff" into its key=value pairs, masks dropped.
func odpFields(body string) ([][2]string, error) {
	var out [][2]string
	for _, f := range strings.Split(body, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("%q: missing value", f)
		}
		v, _, _ = strings.Cut(v, "/")
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// scalar is the value of a one-value attribute such as in_port(1), with
// its mask dropped.
func scalar(body string) string {
	v, _, _ := strings.Cut(strings.TrimSpace(body), "/")
	return v
}

func parseNum(s string, bits int) (uint64, error) {
	return strconv.ParseUint(strings.TrimSpace(s), 0, bits)
}

func parseMAC(s string) ([6]byte, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return [6]byte{}, fmt.Errorf("%q: bad Ethernet address", s)
	}
	return [6]byte(hw), nil
}

func parseIP4(s string) (uint32, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return 0, fmt.Errorf("%q: bad IPv4 address", s)
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), nil
}

func parseIP6(s string) ([16]byte, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return [16]byte{}, fmt.Errorf("%q: bad IPv6 address", s)
	}
	return a.As16(), nil
}

// parseFlags reads a number or names from names (bit i is names[i])
// joined by '|' or '+'.
func parseFlags(s string, names []string) (uint64, error) {
	if v, err := parseNum(s, 32); err == nil {
		return v, nil
	}
	var v uint64
	for _, n := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '+' }) {
		found := false
		for i, name := range names {
			if name == n {
				v |= 1 << i
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("%q: unknown flag", n)
		}
	}
	return v, nil
}

func (p *odpParser) parseAttr(name, body string) error {
	k := &p.k
	one := func(bits int, set func(uint64)) error {
		v, err := parseNum(scalar(body), bits)
		if err != nil {
			return err
		}
		set(v)
		return nil
	}
	switch name {
	case "skb_priority":
		return one(32, func(v uint64) { k.SetSkbPriority(uint32(v)) })
	case "skb_mark":
		return one(32, func(v uint64) { k.SetPktMark(uint32(v)) })
	case "recirc_id":
		return one(32, func(v uint64) { k.SetRecircID(uint32(v)) })
	case "dp_hash":
		return one(32, func(v uint64) { k.SetDpHash(uint32(v)) })
	case "in_port":
		return one(32, func(v uint64) { k.SetInPort(uint32(v)) })
	case "ct_zone":
		return one(16, func(v uint64) { k.SetCtZone(uint16(v)) })
	case "ct_mark":
		return one(32, func(v uint64) { k.SetCtMark(uint32(v)) })
	case "ct_state":
		v, err := parseFlags(scalar(body), ctStateNames)
		if err != nil {
			return err
		}
		k.SetCtState(uint8(v))
	case "packet_type":
		// Only Ethernet packets are composed.
		return nil
	case "eth":
		return p.fields(body, map[string]func(string) error{
			"src": macSetter(k.SetEthSrc),
			"dst": macSetter(k.SetEthDst),
		})
	case "eth_type":
		return one(16, func(v uint64) {
			p.tpid = uint16(v)
			k.SetEthType(uint16(v))
		})
	case "vlan":
		return p.parseVLAN(body)
	case "encap":
		return p.parseList(body)
	case "mpls":
		var label, tc, ttl, bos uint64
		err := p.fields(body, map[string]func(string) error{
			"label": numSetter(20, &label),
			"tc":    numSetter(3, &tc),
			"ttl":   numSetter(8, &ttl),
			"bos":   numSetter(1, &bos),
		})
		k.SetMPLSLSE(uint32(label<<12 | tc<<9 | bos<<8 | ttl))
		return err
	case "ipv4":
		return p.fields(body, map[string]func(string) error{
			"src":   ip4Setter(k.SetNwSrc),
			"dst":   ip4Setter(k.SetNwDst),
			"proto": u8Setter(k.SetNwProto),
			"tos":   u8Setter(k.SetNwTOS),
			"ttl":   u8Setter(k.SetNwTTL),
			"frag":  p.fragSetter(),
		})
	case "ipv6":
		return p.fields(body, map[string]func(string) error{
			"src":    ip6Setter(k.SetIPv6Src),
			"dst":    ip6Setter(k.SetIPv6Dst),
			"label":  func(s string) error { return setNum(s, 20, func(v uint64) { k.SetIPv6Label(uint32(v)) }) },
			"proto":  u8Setter(k.SetNwProto),
			"tclass": u8Setter(k.SetNwTOS),
			"hlimit": u8Setter(k.SetNwTTL),
			"frag":   p.fragSetter(),
		})
	case "tcp", "udp", "sctp":
		return p.fields(body, map[string]func(string) error{
			"src": u16Setter(k.SetTpSrc),
			"dst": u16Setter(k.SetTpDst),
		})
	case "tcp_flags":
		v, err := parseFlags(scalar(body), tcpFlagNames)
		if err != nil {
			return err
		}
		k.SetTCPFlags(uint16(v))
	case "icmp", "icmpv6":
		return p.fields(body, map[string]func(string) error{
			"type": u16Setter(k.SetTpSrc),
			"code": u16Setter(k.SetTpDst),
		})
	case "arp":
		return p.fields(body, map[string]func(string) error{
			"sip": ip4Setter(k.SetNwSrc),
			"tip": ip4Setter(k.SetNwDst),
			"op":  u8Setter(k.SetNwProto),
			"sha": macSetter(k.SetARPSha),
			"tha": macSetter(k.SetARPTha),
		})
	case "nd":
		return p.fields(body, map[string]func(string) error{
			"target": ip6Setter(k.SetNDTarget),
			"sll":    macSetter(k.SetARPSha),
			"tll":    macSetter(k.SetARPTha),
		})
	default:
		return fmt.Errorf("%s: unknown attribute", name)
	}
	return nil
}

// parseVLAN reads vlan(vid=,pcp=,cfi=) or vlan(tci=); the tag's TPID is
// the eth_type written before it.
func (p *odpParser) parseVLAN(body string) error {
	if p.vlans >= maxVLANHeaders {
		return errors.New("too many VLAN headers")
	}
	var vid, pcp, tci uint64
	cfi := uint64(1)
	hasTCI := false
	err := p.fields(body, map[string]func(string) error{
		"vid": numSetter(12, &vid),
		"pcp": numSetter(3, &pcp),
		"cfi": numSetter(1, &cfi),
		"tci": func(s string) error { hasTCI = true; return numSetter(16, &tci)(s) },
	})
	if err != nil {
		return err
	}
	if !hasTCI {
		tci = pcp<<13 | cfi<<12 | vid
	}
	tpid := p.tpid
	if tpid != ethTypeVLAN && tpid != ethTypeQinQ {
		tpid = ethTypeVLAN
	}
	p.k.SetVLAN(p.vlans, tpid, uint16(tci))
	p.vlans++
	p.k.SetEthType(0)
	return nil
}

func (p *odpParser) fragSetter() func(string) error {
	return func(s string) error {
		switch s {
		case "no":
			p.k.SetNwFrag(0)
		case "first":
			p.k.SetNwFrag(NwFragAny)
		case "later":
			p.k.SetNwFrag(NwFragAny | NwFragLater)
		default:
			return fmt.Errorf("%q: bad frag value", s)
		}
		return nil
	}
}

// fields applies the setter of each key=value of body; unknown keys are
// errors.
func (p *odpParser) fields(body string, set map[string]func(string) error) error {
	fs, err := odpFields(body)
	if err != nil {
		return err
	}
	for _, f := range fs {
		fn := set[f[0]]
		if fn == nil {
			return fmt.Errorf("%s: unknown field", f[0])
		}
		if err := fn(f[1]); err != nil {
			return err
		}
	}
	return nil
}

func setNum(s string, bits int, set func(uint64)) error {
	v, err := parseNum(s, bits)
	if err != nil {
		return err
	}
	set(v)
	return nil
}

func numSetter(bits int, dst *uint64) func(string) error {
	return func(s string) error { return setNum(s, bits, func(v uint64) { *dst = v }) }
}

func u8Setter(set func(uint8)) func(string) error {
	return func(s string) error { return setNum(s, 8, func(v uint64) { set(uint8(v)) }) }
}

func u16Setter(set func(uint16)) func(string) error {
	return func(s string) error { return setNum(s, 16, func(v uint64) { set(uint16(v)) }) }
}

func macSetter(set func([6]byte)) func(string) error {
	return func(s string) error {
		a, err := parseMAC(s)
		if err == nil {
			set(a)
		}
		return err
	}
}

func ip4Setter(set func(uint32)) func(string) error {
	return func(s string) error {
		a, err := parseIP4(s)
		if err == nil {
			set(a)
		}
		return err
	}
}

func ip6Setter(set func([16]byte)) func(string) error {
	return func(s string) error {
		a, err := parseIP6(s)
		if err == nil {
			set(a)
		}
		return err
	}
}

// ComposeODPFlow is netdev-dummy/receive's flow composer (a
// DummyFlowComposer): it parses flow in datapath syntax and composes its
// packet with OVS's 64-byte default payload, or, when packetLen is not 0,
// with no payload padded out to packetLen bytes (a natural packet longer
// than packetLen is an error).
func ComposeODPFlow(flow string, packetLen int) ([]byte, error) {
	k, err := ParseODPFlow(flow)
	if err != nil {
		return nil, err
	}
	if packetLen == 0 {
		return ComposePacket(&k, nil, ComposeL7Len), nil
	}
	pkt := ComposePacket(&k, nil, 0)
	if len(pkt) > packetLen {
		return nil, fmt.Errorf("packet of %d bytes does not fit in --len %d", len(pkt), packetLen)
	}
	return ExpandPacket(pkt, &k, packetLen), nil
}
