package ofactions

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Parse parses ovs-ofctl action text (the value of "actions=").
func Parse(s string) (List, error) {
	return parseList(s, 0)
}

func parseList(s string, depth int) (List, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%s: actions nested too deeply", s)
	}
	items, err := splitTopLevel(s)
	if err != nil {
		return nil, err
	}
	l := List{}
	for i, item := range items {
		if item == "drop" {
			if len(items) != 1 {
				return nil, fmt.Errorf("\"drop\" must not be accompanied by any other action or instruction")
			}
			return l, nil
		}
		a, err := parseOne(item, depth)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		l = append(l, a...)
		_ = i
	}
	return l, nil
}

// splitTopLevel splits on commas outside parentheses and brackets.
func splitTopLevel(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("%s: unbalanced parentheses", s)
			}
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%s: unbalanced parentheses", s)
	}
	if last := strings.TrimSpace(s[start:]); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out, nil
}

// splitKey separates "name:arg", "name=arg" and "name(arg)".
func splitKey(item string) (name, arg string) {
	i := strings.IndexAny(item, ":=(")
	if i < 0 {
		return item, ""
	}
	if item[i] == '(' {
		if !strings.HasSuffix(item, ")") {
			return item[:i], item[i+1:]
		}
		return item[:i], item[i+1 : len(item)-1]
	}
	return item[:i], item[i+1:]
}

func parseOne(item string, depth int) ([]Action, error) {
	name, arg := splitKey(item)
	one := func(a Action, err error) ([]Action, error) {
		if err != nil {
			return nil, err
		}
		return []Action{a}, nil
	}
	switch strings.ToLower(name) {
	case "output":
		return one(parseOutput(arg))
	case "controller":
		return one(parseController(arg))
	case "resubmit":
		return one(parseResubmit(arg, strings.Contains(item, "(")))
	case "set_field":
		return one(parseSetField(arg))
	case "load":
		return one(parseLoad(arg))
	case "move":
		return one(parseMove(arg))
	case "mod_dl_src", "mod_dl_dst":
		a := &SetEthAddr{Dst: name == "mod_dl_dst"}
		f := mf.ByID(mf.EthSrc)
		var v, m mf.ValueMask
		if err := f.ParseValue(arg, v[:6], m[:6]); err != nil {
			return nil, err
		}
		copy(a.Addr[:], v[:6])
		return one(a, nil)
	case "mod_nw_src", "mod_nw_dst":
		ip, err := netip.ParseAddr(arg)
		if err != nil || !ip.Is4() || ip.Zone() != "" {
			return nil, fmt.Errorf("%s: invalid IP address", arg)
		}
		return one(&SetIPv4{Dst: name == "mod_nw_dst", Addr: ip.As4()}, nil)
	case "mod_tp_src", "mod_tp_dst":
		v, err := parseUint(arg, 16)
		return one(&SetL4Port{Dst: name == "mod_tp_dst", Port: uint16(v)}, err)
	case "mod_nw_tos":
		v, err := parseUint(arg, 8)
		if err == nil && v&3 != 0 {
			err = fmt.Errorf("%s: not a valid TOS", arg)
		}
		return one(&SetNwTOS{TOS: uint8(v)}, err)
	case "mod_vlan_vid":
		v, err := parseUint(arg, 16)
		if err == nil && v > 4095 {
			err = fmt.Errorf("%s: not a valid VLAN VID", arg)
		}
		return one(&SetVLANVID{VID: uint16(v), Push: true}, err)
	case "mod_vlan_pcp":
		v, err := parseUint(arg, 8)
		if err == nil && v > 7 {
			err = fmt.Errorf("%s: not a valid VLAN PCP", arg)
		}
		return one(&SetVLANPCP{PCP: uint8(v), Push: true}, err)
	case "strip_vlan":
		return one(&StripVLAN{}, nil)
	case "pop_vlan":
		return one(&StripVLAN{Pop: true}, nil)
	case "push_vlan":
		v, err := parseUint(arg, 16)
		if err == nil && v != 0x8100 && v != 0x88a8 {
			err = fmt.Errorf("%s: not a valid VLAN ethertype", arg)
		}
		return one(&PushVLAN{EthType: uint16(v)}, err)
	case "push_mpls":
		v, err := parseUint(arg, 16)
		if err == nil && v != mf.EthTypeMPLS && v != mf.EthTypeMPLSMcast {
			err = fmt.Errorf("%s: not a valid MPLS ethertype", arg)
		}
		return one(&PushMPLS{EthType: uint16(v)}, err)
	case "pop_mpls":
		v, err := parseUint(arg, 16)
		return one(&PopMPLS{EthType: uint16(v)}, err)
	case "dec_ttl":
		if arg == "" {
			return one(&DecTTL{}, nil)
		}
		d := &DecTTL{WithIDs: true}
		for _, id := range strings.Split(arg, ",") {
			v, err := parseUint(strings.TrimSpace(id), 16)
			if err != nil {
				return nil, err
			}
			d.IDs = append(d.IDs, uint16(v))
		}
		return one(d, nil)
	case "set_queue":
		v, err := parseUint(arg, 32)
		return one(&SetQueue{Queue: uint32(v)}, err)
	case "group":
		v, err := parseUint(arg, 32)
		return one(&Group{ID: uint32(v)}, err)
	case "meter":
		v, err := parseUint(arg, 32)
		return one(&Meter{ID: uint32(v)}, err)
	case "note":
		return one(parseNote(arg))
	case "set_tunnel", "set_tunnel64":
		v, err := parseUint(arg, 64)
		return one(&SetTunnel{ID: v, Is64: name == "set_tunnel64"}, err)
	case "learn":
		return one(parseLearn(arg))
	case "ct":
		return one(parseCT(arg, depth))
	case "ct_clear":
		return one(&CTClear{}, nil)
	case "goto_table":
		v, err := parseUint(arg, 8)
		return one(&GotoTable{Table: uint8(v)}, err)
	case "clear_actions":
		return one(&ClearActions{}, nil)
	case "write_actions":
		l, err := parseList(arg, depth+1)
		return one(&WriteActions{Actions: l}, err)
	case "write_metadata":
		vs, ms, masked := strings.Cut(arg, "/")
		v, err := parseUint(vs, 64)
		if err != nil {
			return nil, err
		}
		m := ^uint64(0)
		if masked {
			if m, err = parseUint(ms, 64); err != nil {
				return nil, err
			}
		}
		return one(&WriteMetadata{Value: v & m, Mask: m}, nil)
	}
	if a, ok, err := parseMore(strings.ToLower(name), arg); ok {
		return one(a, err)
	}
	if a, ok, err := parseNX(strings.ToLower(name), arg, item, depth); ok {
		return one(a, err)
	}
	if a, ok, err := parseExt(strings.ToLower(name), arg, depth); ok {
		return one(a, err)
	}
	// A port number or name alone means output to it.
	if arg == "" {
		if p, err := mf.ParsePort(item); err == nil {
			return one(outputTo(p), nil)
		}
	}
	return nil, fmt.Errorf("unknown action %s", name)
}

func outputTo(p uint16) *Output {
	o := &Output{Port: p}
	if p == mf.PortController {
		o.MaxLen = 0xffff
	}
	return o
}

func parseUint(s string, bits int) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, fmt.Errorf("%s: invalid numeric value", s)
	}
	return v, nil
}

func parseOutput(arg string) (Action, error) {
	if isOutputTrunc(arg) {
		return parseOutputTrunc(arg)
	}
	if strings.Contains(arg, "[") || mf.ByName(arg) != nil && !isPortName(arg) {
		sf, err := ParseSubfield(arg)
		if err != nil {
			return nil, err
		}
		return &OutputReg{Src: sf, MaxLen: 0xffff}, nil
	}
	p, err := mf.ParsePort(arg)
	if err != nil {
		return nil, err
	}
	return outputTo(p), nil
}

func isPortName(s string) bool {
	_, err := mf.ParsePort(s)
	return err == nil
}

func parseController(arg string) (Action, error) {
	c := &Controller{MaxLen: 0xffff, Reason: reasonAction}
	if arg != "" && strings.Trim(arg, "0123456789") == "" {
		v, err := parseUint(arg, 16)
		if err != nil {
			return nil, err
		}
		c.MaxLen = uint16(v)
	} else if arg != "" {
		for _, kv := range strings.Split(arg, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "max_len":
				n, err := parseUint(v, 16)
				if err != nil {
					return nil, err
				}
				c.MaxLen = uint16(n)
			case "id":
				n, err := parseUint(v, 16)
				if err != nil {
					return nil, err
				}
				c.ID = uint16(n)
			case "reason":
				found := false
				for i, r := range controllerReasons {
					if r == v {
						c.Reason, found = uint8(i), true
					}
				}
				if !found {
					return nil, fmt.Errorf("unknown reason \"%s\"", v)
				}
			case "userdata", "pause", "meter_id":
				if err := c.parseController2Option(k, v); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("unknown key \"%s\" parsing controller action", k)
			}
		}
	}
	if c.Reason == reasonAction && c.ID == 0 && len(c.Userdata) == 0 && !c.Pause && c.MeterID == 0 {
		return &Output{Port: mf.PortController, MaxLen: c.MaxLen}, nil
	}
	return c, nil
}

func parseResubmit(arg string, paren bool) (Action, error) {
	r := &Resubmit{InPort: mf.PortInPort, Table: 255}
	if !paren {
		p, err := mf.ParsePort(arg)
		if err != nil {
			return nil, err
		}
		r.InPort = p
		return r, nil
	}
	parts := strings.Split(arg, ",")
	if len(parts) > 3 {
		return nil, fmt.Errorf("%s: too many arguments to resubmit", arg)
	}
	if parts[0] != "" {
		p, err := mf.ParsePort(parts[0])
		if err != nil {
			return nil, err
		}
		r.InPort = p
	}
	if len(parts) > 1 && parts[1] != "" {
		t, err := parseUint(parts[1], 8)
		if err != nil {
			return nil, err
		}
		r.Table = uint8(t)
	}
	if len(parts) > 2 && parts[2] != "" {
		if parts[2] != "ct" {
			return nil, fmt.Errorf("%s: unknown parameter", parts[2])
		}
		r.CT = true
	}
	if r.InPort == mf.PortInPort && r.Table == 255 {
		return nil, fmt.Errorf("at least one \"in_port\" or \"table\" must be specified on resubmit")
	}
	return r, nil
}

func parseSetField(arg string) (Action, error) {
	vs, fs, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	f := mf.ByName(fs)
	if f == nil {
		return nil, fmt.Errorf("%s is not a valid OXM field name", fs)
	}
	if !f.Writable {
		return nil, fmt.Errorf("%s is read-only", fs)
	}
	s := &SetField{Field: f}
	if err := f.ParseValue(vs, s.Value[:f.Bytes], s.Mask[:f.Bytes]); err != nil {
		return nil, err
	}
	for i := 0; i < f.Bytes; i++ {
		s.Value[i] &= s.Mask[i]
	}
	return s, nil
}

func parseLoad(arg string) (Action, error) {
	vs, ds, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->'", arg)
	}
	dst, err := ParseSubfield(ds)
	if err != nil {
		return nil, err
	}
	if !dst.Field.Writable {
		return nil, fmt.Errorf("%s is read-only", dst.Field.Name)
	}
	n := dst.Field.Bytes
	var val mf.ValueMask
	if err := parseBigValue(vs, val[:n]); err != nil {
		return nil, err
	}
	// The value must fit in the destination's width.
	for i := dst.NBits; i < 8*n; i++ {
		if bitSet(val[:n], i) {
			return nil, fmt.Errorf("%s: value %s does not fit into %d bits", arg, vs, dst.NBits)
		}
	}
	s := &SetField{Field: dst.Field, Load: true}
	for i := 0; i < dst.NBits; i++ {
		bit := dst.Ofs + i
		idx := n - 1 - bit/8
		s.Mask[idx] |= 1 << (bit % 8)
		if bitSet(val[:n], i) {
			s.Value[idx] |= 1 << (bit % 8)
		}
	}
	return s, nil
}

// parseBigValue parses a decimal or 0x hex number into big-endian dst.
func parseBigValue(s string, dst []byte) error {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		h := s[2:]
		if h == "" || len(h) > 2*len(dst) {
			return fmt.Errorf("%s: invalid numeric value", s)
		}
		for i := 0; i < len(h); i++ {
			c := h[len(h)-1-i]
			var d byte
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return fmt.Errorf("%s: invalid numeric value", s)
			}
			dst[len(dst)-1-i/2] |= d << (4 * (i % 2))
		}
		return nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: invalid numeric value", s)
	}
	if len(dst) < 8 {
		if len(dst) < 8 && v>>(8*len(dst)) != 0 {
			return fmt.Errorf("%s: value too large", s)
		}
		for i := len(dst) - 1; i >= 0; i-- {
			dst[i] = byte(v)
			v >>= 8
		}
		return nil
	}
	binary.BigEndian.PutUint64(dst[len(dst)-8:], v)
	return nil
}

func parseMove(arg string) (Action, error) {
	ss, ds, ok := strings.Cut(arg, "->")
	if !ok {
		return nil, fmt.Errorf("%s: missing `->' following source", arg)
	}
	src, err := ParseSubfield(ss)
	if err != nil {
		return nil, err
	}
	dst, err := ParseSubfield(ds)
	if err != nil {
		return nil, err
	}
	if src.NBits != dst.NBits {
		return nil, fmt.Errorf("%s: source field is %d bits wide but destination is %d bits wide", arg, src.NBits, dst.NBits)
	}
	if !dst.Field.Writable {
		return nil, fmt.Errorf("%s is read-only", dst.Field.Name)
	}
	return &Move{Src: src, Dst: dst}, nil
}

func parseNote(arg string) (Action, error) {
	n := &Note{}
	hexs := strings.ReplaceAll(arg, ".", "")
	if len(hexs)%2 != 0 {
		return nil, fmt.Errorf("%s: invalid hex digits in note", arg)
	}
	for i := 0; i < len(hexs); i += 2 {
		v, err := strconv.ParseUint(hexs[i:i+2], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid hex digits in note", arg)
		}
		n.Data = append(n.Data, byte(v))
	}
	return n, nil
}

func parseCT(arg string, depth int) (Action, error) {
	ct := &CT{Table: NoRecircTable}
	items, err := splitTopLevel(arg)
	if err != nil {
		return nil, err
	}
	var nat *NAT
	var exec List
	for _, item := range items {
		if item == "" {
			continue
		}
		k, v := splitKey(item)
		switch k {
		case "commit":
			ct.Flags |= CTCommit
		case "force":
			ct.Flags |= CTForce
		case "table":
			t, err := parseUint(v, 8)
			if err != nil {
				return nil, err
			}
			ct.Table = uint8(t)
		case "zone":
			if z, err := strconv.ParseUint(v, 0, 16); err == nil {
				ct.ZoneImm = uint16(z)
				continue
			}
			sf, err := ParseSubfield(v)
			if err != nil {
				return nil, err
			}
			if sf.NBits != 16 {
				return nil, fmt.Errorf("%s: zone subfield must be 16 bits wide", v)
			}
			ct.ZoneSrc = sf
		case "alg":
			switch v {
			case "ftp":
				ct.Alg = 21
			case "tftp":
				ct.Alg = 69
			default:
				a, err := parseUint(v, 16)
				if err != nil {
					return nil, fmt.Errorf("%s: unknown alg", v)
				}
				ct.Alg = uint16(a)
			}
		case "nat":
			if nat, err = parseNAT(v, strings.Contains(item, "(")); err != nil {
				return nil, err
			}
			// In the order given: nat after exec(...) is printed
			// inside it, as OVS keeps it.
			ct.Actions = append(ct.Actions, nat)
		case "exec":
			if exec, err = parseList(v, depth+1); err != nil {
				return nil, err
			}
			for _, a := range exec {
				ok := false
				switch a := a.(type) {
				case *SetField:
					ok = a.Field.ID == mf.CtMark || a.Field.ID == mf.CtLabel
				case *Move:
					ok = a.Dst.Field.ID == mf.CtMark || a.Dst.Field.ID == mf.CtLabel
				}
				if !ok {
					return nil, fmt.Errorf("%s: cannot set CT fields outside of ct action", a)
				}
			}
			ct.Actions = append(ct.Actions, exec...)
		default:
			return nil, fmt.Errorf("invalid argument to \"ct\" action: `%s'", k)
		}
	}
	if ct.Flags&CTForce != 0 && ct.Flags&CTCommit == 0 {
		return nil, fmt.Errorf("\"force\" flag requires \"commit\" flag.")
	}
	if len(exec) > 0 && ct.Flags&CTCommit == 0 {
		return nil, fmt.Errorf("\"exec\" requires \"commit\" flag.")
	}
	return ct, nil
}

func parseNAT(arg string, paren bool) (*NAT, error) {
	n := &NAT{}
	if !paren {
		return n, nil
	}
	items, err := splitTopLevel(arg)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		k, v, hasValue := strings.Cut(item, "=")
		switch k {
		case "src", "dst":
			if n.Flags&(NATSrc|NATDst) != 0 {
				return nil, fmt.Errorf("May only specify one of \"src\" or \"dst\".")
			}
			if k == "src" {
				n.Flags |= NATSrc
			} else {
				n.Flags |= NATDst
			}
			if hasValue {
				if err := parseNATRange(v, n); err != nil {
					return nil, err
				}
			}
		case "persistent":
			n.Flags |= NATPersistent
		case "hash":
			n.Flags |= NATProtoHash
		case "random":
			n.Flags |= NATProtoRand
		default:
			return nil, fmt.Errorf("invalid key \"%s\" in \"nat\" argument", k)
		}
	}
	if n.Flags&NATProtoHash != 0 && n.Flags&NATProtoRand != 0 {
		return nil, fmt.Errorf("Both \"hash\" and \"random\" are specified.")
	}
	if n.Flags&(NATSrc|NATDst) == 0 && n.Flags != 0 {
		return nil, fmt.Errorf("Flags allowed only with \"src\" or \"dst\".")
	}
	return n, nil
}

// parseNATRange parses ADDR[-ADDR][:PORT[-PORT]] with IPv6 in brackets
// when ports follow.
func parseNATRange(s string, n *NAT) error {
	addrs, ports := s, ""
	if strings.HasPrefix(s, "[") {
		// [a]-[b]:p-q or [a]:p
		end := strings.LastIndex(s, "]")
		if end < 0 {
			return fmt.Errorf("%s: missing ']'", s)
		}
		addrs, ports = strings.NewReplacer("[", "", "]", "").Replace(s[:end+1]), strings.TrimPrefix(s[end+1:], ":")
	} else if strings.Count(s, ":") <= 1 {
		addrs, ports, _ = strings.Cut(s, ":")
	}
	lo, hi, isRange := strings.Cut(addrs, "-")
	min, err := netip.ParseAddr(lo)
	if err != nil || min.Zone() != "" {
		return fmt.Errorf("%s: invalid IP address", lo)
	}
	n.MinAddr = min
	if isRange {
		max, err := netip.ParseAddr(hi)
		if err != nil || max.Is4() != min.Is4() || max.Zone() != "" {
			return fmt.Errorf("%s: invalid IP address", hi)
		}
		n.MaxAddr = max
	}
	if ports != "" {
		plo, phi, pRange := strings.Cut(ports, "-")
		v, err := parseUint(plo, 16)
		if err != nil {
			return err
		}
		n.MinPort = uint16(v)
		if pRange {
			v, err := parseUint(phi, 16)
			if err != nil {
				return err
			}
			n.MaxPort = uint16(v)
		}
	}
	return nil
}
