package ofp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// ParseFlow parses ovs-ofctl flow text ("table=1,priority=5,tcp,tp_dst=80,
// actions=output:2") for the given command (FlowAdd, FlowModify, ...).
// Actions are required for add and modify, and rejected for delete; they
// are checked against the match (OFPBAC_MATCH_INCONSISTENT).
func ParseFlow(s string, command uint8) (*FlowMod, error) {
	fm := &FlowMod{
		Priority: mf.DefaultPriority,
		TableID:  TableAll,
		Command:  command,
		BufferID: NoBuffer,
		OutPort:  mf.PortNone,
		OutGroup: GroupAny,
	}
	if command == FlowModify || command == FlowModifyStrict {
		fm.NewCookie = CookieNoChange
	}
	wantActions := command == FlowAdd || command == FlowModify || command == FlowModifyStrict
	matchStr, actStr, hasActions := cutActions(s)
	if wantActions && !hasActions {
		return nil, fmt.Errorf("must specify an action")
	}
	if !wantActions && hasActions {
		return nil, fmt.Errorf("unknown keyword actions")
	}
	for _, tok := range mf.SplitMatch(matchStr) {
		name, value, hasValue := strings.Cut(tok, "=")
		if !hasValue {
			switch name {
			case "send_flow_rem":
				fm.Flags |= FlagSendFlowRem
			case "check_overlap":
				fm.Flags |= FlagCheckOverlap
			case "reset_counts":
				fm.Flags |= FlagResetCounts
			case "no_packet_counts":
				fm.Flags |= FlagNoPktCounts
			case "no_byte_counts":
				fm.Flags |= FlagNoBytCounts
			default:
				if !fm.Match.ParseProtocol(name) {
					if mf.ByName(name) != nil {
						return nil, fmt.Errorf("field %s missing value", name)
					}
					return nil, fmt.Errorf("unknown keyword %s", name)
				}
			}
			continue
		}
		if ok, err := fm.Match.ParseField(name, value); ok {
			if err != nil {
				return nil, err
			}
			if !of10Usable(mf.ByName(name), value) {
				fm.needsNXM = true
			}
			continue
		}
		if err := fm.parseKeyword(name, value, command); err != nil {
			return nil, err
		}
	}
	if fm.CookieMask == 0 && fm.NewCookie == CookieNoChange {
		fm.NewCookie = 0
	}
	if hasActions {
		l, err := ofactions.Parse(actStr)
		if err != nil {
			return nil, err
		}
		// Soft inconsistencies leave OpenFlow 1.0 usable, as in ovs-ofctl.
		if err := ofactions.Check(l, &fm.Match, Version10); err != nil {
			return nil, fmt.Errorf("actions are invalid with specified match (%s)", err)
		}
		fm.Actions = l
	}
	return fm, nil
}

// cutActions splits off "actions=..." (or "apply_actions(") which must be
// last.
func cutActions(s string) (match, actions string, ok bool) {
	i := strings.Index(s, "actions=")
	for i > 0 && s[i-1] != ',' && s[i-1] != ' ' && s[i-1] != '\t' {
		j := strings.Index(s[i+1:], "actions=")
		if j < 0 {
			return s, "", false
		}
		i += 1 + j
	}
	if i < 0 {
		return s, "", false
	}
	return s[:i], strings.TrimSpace(s[i+len("actions="):]), true
}

func (fm *FlowMod) parseKeyword(name, value string, command uint8) error {
	u16 := func() (uint16, error) {
		v, err := strconv.ParseUint(value, 0, 16)
		if err != nil {
			return 0, fmt.Errorf("invalid %s \"%s\"", name, value)
		}
		return uint16(v), nil
	}
	var err error
	switch name {
	case "table":
		v, err := strconv.ParseUint(value, 0, 8)
		if err != nil {
			return fmt.Errorf("unknown table \"%s\"", value)
		}
		fm.TableID = uint8(v)
	case "priority":
		fm.Priority, err = u16()
	case "idle_timeout":
		fm.IdleTimeout, err = u16()
	case "hard_timeout":
		fm.HardTimeout, err = u16()
	case "importance":
		fm.Importance, err = u16()
	case "out_port":
		p, perr := mf.ParsePort(value)
		if perr != nil {
			return fmt.Errorf("%s is not a valid OpenFlow port", value)
		}
		fm.OutPort = p
	case "out_group":
		v, perr := strconv.ParseUint(value, 0, 32)
		if perr != nil {
			return fmt.Errorf("%s is not a valid OpenFlow group", value)
		}
		fm.OutGroup = uint32(v)
	case "cookie":
		vs, ms, masked := strings.Cut(value, "/")
		v, perr := parseCookie(vs)
		if perr != nil {
			return perr
		}
		if masked {
			if command == FlowAdd {
				return fmt.Errorf("flow additions cannot use a cookie mask")
			}
			m, perr := parseCookie(ms)
			if perr != nil {
				return perr
			}
			fm.Cookie, fm.CookieMask = v, m
		} else {
			if command != FlowAdd && command != FlowModify && command != FlowModifyStrict {
				return fmt.Errorf("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=%s/-1)", value)
			}
			fm.NewCookie = v
		}
	case "duration", "n_packets", "n_bytes", "idle_age", "hard_age":
		// Accepted so that dump-flows output can be fed back.
	default:
		return fmt.Errorf("unknown keyword %s", name)
	}
	return err
}

func parseCookie(s string) (uint64, error) {
	if s == "-1" {
		return ^uint64(0), nil
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: invalid cookie", s)
	}
	return v, nil
}

// ChooseProtocol picks the OpenFlow 1.0-mode flow format ovs-ofctl would
// use for fm: plain OpenFlow 1.0 when the match and cookie allow it, else
// NXM; with the table-id extension when a table is given.
func ChooseProtocol(fm *FlowMod) Protocol {
	nxm := fm.needsNXM || !fm.Match.OF10Expressible() || fm.CookieMask != 0 || actionsNeedNXM(fm.Actions)
	return ProtocolFor(Version10, nxm, fm.TableID != TableAll)
}

// actionsNeedNXM mirrors OVS's usable-protocol rule for set_field: setting
// a field OpenFlow 1.0 cannot match (or setting it under a mask) needs the
// NXM flow format.
func actionsNeedNXM(l ofactions.List) bool {
	for _, a := range l {
		switch a := a.(type) {
		case *ofactions.SetField:
			if a.Load {
				continue
			}
			n := a.Field.Bytes
			full := true
			for _, c := range a.Mask[:n] {
				if c != 0xff {
					full = false
				}
			}
			if !a.Field.OF10 || !full {
				return true
			}
		case *ofactions.CT:
			if actionsNeedNXM(a.Actions) {
				return true
			}
		case *ofactions.WriteActions:
			if actionsNeedNXM(a.Actions) {
				return true
			}
		case *ofactions.WriteMetadata:
			return true
		}
	}
	return false
}

// of10Usable says whether OVS allows the field, as written in text, in an
// OpenFlow 1.0 flow: fields marked "OF1.0: exact match" unmasked, and the
// IPv4 address fields with a CIDR mask. Other fields need NXM even when the
// resulting match could be expressed (vlan_tci=0x1005/0x1fff).
func of10Usable(f *mf.Field, value string) bool {
	if f == nil || !f.OF10 {
		return false
	}
	if !strings.Contains(value, "/") {
		return true
	}
	switch f.ID {
	case mf.IPv4Src, mf.IPv4Dst, mf.ARPSPA, mf.ARPTPA:
		return true // CIDR masks; OF10Expressible checks the mask shape
	}
	return false
}

var commandNames = []string{"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"}

// FormatFlowModBody prints a flow_mod the way ovs-ofctl ofp-print does
// after the "NAME (xid=...):" prefix, e.g. " ADD table:1 priority=5,tcp
// actions=output:2".
func (fm *FlowMod) FormatFlowModBody(version uint8) string {
	var sb strings.Builder
	sb.WriteByte(' ')
	if int(fm.Command) < len(commandNames) {
		sb.WriteString(commandNames[fm.Command])
	} else {
		fmt.Fprintf(&sb, "cmd:%d", fm.Command)
	}
	if fm.TableID != 0 {
		fmt.Fprintf(&sb, " table:%d", fm.TableID)
	}
	sb.WriteByte(' ')
	sb.WriteString(fm.Match.Format(int(fm.Priority)))
	if s := sb.String(); s[len(s)-1] != ' ' {
		sb.WriteByte(' ')
	}
	if fm.NewCookie != 0 && fm.NewCookie != CookieNoChange {
		fmt.Fprintf(&sb, "cookie:%#x ", fm.NewCookie)
	}
	if fm.CookieMask != 0 {
		fmt.Fprintf(&sb, "cookie:%#x/%#x ", fm.Cookie, fm.CookieMask)
	}
	if fm.IdleTimeout != 0 {
		fmt.Fprintf(&sb, "idle:%d ", fm.IdleTimeout)
	}
	if fm.HardTimeout != 0 {
		fmt.Fprintf(&sb, "hard:%d ", fm.HardTimeout)
	}
	if fm.Importance != 0 {
		fmt.Fprintf(&sb, "importance:%d ", fm.Importance)
	}
	if fm.BufferID != NoBuffer {
		fmt.Fprintf(&sb, "buf:%#x ", fm.BufferID)
	}
	if fm.OutPort != mf.PortNone {
		fmt.Fprintf(&sb, "out_port:%s ", mf.PortString(fm.OutPort))
	}
	flags := fm.Flags
	if version == Version10 || version == Version11 {
		flags &^= FlagResetCounts
	}
	sb.WriteString(formatFlowFlags(flags))
	sb.WriteString("actions=" + fm.Actions.String())
	return sb.String()
}

func formatFlowFlags(flags uint16) string {
	var sb strings.Builder
	for _, f := range []struct {
		bit  uint16
		name string
	}{{FlagSendFlowRem, "send_flow_rem"}, {FlagCheckOverlap, "check_overlap"}, {FlagResetCounts, "reset_counts"},
		{FlagNoPktCounts, "no_packet_counts"}, {FlagNoBytCounts, "no_byte_counts"}} {
		if flags&f.bit != 0 {
			sb.WriteString(f.name + " ")
		}
	}
	return sb.String()
}

// FormatMessage prints the first line ovs-ofctl ofp-print gives for the
// messages this package decodes (flow mods, errors, flow/aggregate stats
// requests, aggregate replies, the NX set-up messages), e.g.
// "NXT_FLOW_MOD (xid=0x1): ADD table:7 priority=1,ip actions=drop".
func FormatMessage(msg []byte, tid bool) (string, error) {
	mh, err := DecodeRaw(msg)
	if err != nil {
		return "", err
	}
	prefix := fmt.Sprintf("%s%s (xid=%#x):", mh.Raw.Name(), VersionString(mh.Version), mh.Xid)
	switch mh.Raw {
	case RawOFPT10FlowMod, RawOFPT11FlowMod, RawNXTFlowMod:
		fm, err := DecodeFlowMod(msg, tid)
		if err != nil {
			return "", err
		}
		return prefix + fm.FormatFlowModBody(mh.Version), nil
	case RawOFPTError:
		e, err := DecodeError(msg)
		if err != nil {
			return "", err
		}
		return e.String(), nil
	}
	if body, ok, err := formatSmall(msg, mh); ok {
		if err != nil {
			return "", err
		}
		// ofp-print drops the space an empty match leaves behind.
		return strings.TrimRight(prefix+body, " "), nil
	}
	return prefix, nil
}
