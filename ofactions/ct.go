package ofactions

import (
	"net/netip"
	"strconv"
	"strings"
)

// CT flags (NXAST_CT).
const (
	CTCommit = 1 << 0
	CTForce  = 1 << 1
)

// NoRecircTable means ct() does not resubmit.
const NoRecircTable = 0xff

// CT is the ct(...) action.
type CT struct {
	Flags   uint16
	ZoneSrc Subfield // zone from a field when ZoneSrc.Field != nil
	ZoneImm uint16
	Table   uint8  // NoRecircTable for none
	Alg     uint16 // L4 port of the ALG: 21 ftp, 69 tftp
	// Actions are the nested actions: an optional leading *NAT, then the
	// exec(...) actions (set_field/load/move to ct_mark or ct_label).
	Actions List
}

func (a *CT) String() string {
	var sb strings.Builder
	sb.WriteString("ct(")
	if a.Flags&CTCommit != 0 {
		sb.WriteString("commit,")
	}
	if a.Flags&CTForce != 0 {
		sb.WriteString("force,")
	}
	if a.Table != NoRecircTable {
		sb.WriteString("table=" + strconv.Itoa(int(a.Table)) + ",")
	}
	if a.ZoneSrc.Field != nil {
		sb.WriteString("zone=" + a.ZoneSrc.String() + ",")
	} else if a.ZoneImm != 0 {
		sb.WriteString("zone=" + strconv.Itoa(int(a.ZoneImm)) + ",")
	}
	rest := a.Actions
	if len(rest) > 0 {
		if n, ok := rest[0].(*NAT); ok {
			sb.WriteString(n.String() + ",")
			rest = rest[1:]
		}
	}
	if len(rest) > 0 {
		sb.WriteString("exec(" + rest.String() + "),")
	}
	switch a.Alg {
	case 0:
	case 21:
		sb.WriteString("alg=ftp,")
	case 69:
		sb.WriteString("alg=tftp,")
	default:
		sb.WriteString("alg=" + strconv.Itoa(int(a.Alg)) + ",")
	}
	return strings.TrimSuffix(sb.String(), ",") + ")"
}

// NAT flags (NXAST_NAT).
const (
	NATSrc        = 1 << 0
	NATDst        = 1 << 1
	NATPersistent = 1 << 2
	NATProtoHash  = 1 << 3
	NATProtoRand  = 1 << 4
)

// NAT range_present bits.
const (
	natRangeIPv4Min  = 1 << 0
	natRangeIPv4Max  = 1 << 1
	natRangeIPv6Min  = 1 << 2
	natRangeIPv6Max  = 1 << 3
	natRangeProtoMin = 1 << 4
	natRangeProtoMax = 1 << 5
)

// NAT is nat(...) inside ct().
type NAT struct {
	Flags            uint16
	MinAddr, MaxAddr netip.Addr // invalid (zero) when absent
	MinPort, MaxPort uint16
}

func (a *NAT) String() string {
	if a.Flags&(NATSrc|NATDst) == 0 {
		return "nat"
	}
	var sb strings.Builder
	sb.WriteString("nat(")
	if a.Flags&NATSrc != 0 {
		sb.WriteString("src")
	} else {
		sb.WriteString("dst")
	}
	if a.MinAddr.IsValid() {
		sb.WriteByte('=')
		addr := func(ip netip.Addr) string {
			if ip.Is6() && a.MinPort != 0 {
				return "[" + ip.String() + "]"
			}
			return ip.String()
		}
		sb.WriteString(addr(a.MinAddr))
		if a.MaxAddr.IsValid() && a.MaxAddr != a.MinAddr && !a.MaxAddr.IsUnspecified() {
			sb.WriteString("-" + addr(a.MaxAddr))
		}
		if a.MinPort != 0 {
			sb.WriteString(":" + strconv.Itoa(int(a.MinPort)))
			if a.MaxPort != 0 && a.MaxPort != a.MinPort {
				sb.WriteString("-" + strconv.Itoa(int(a.MaxPort)))
			}
		}
		sb.WriteByte(',')
		if a.Flags&NATPersistent != 0 {
			sb.WriteString("persistent,")
		}
		if a.Flags&NATProtoHash != 0 {
			sb.WriteString("hash,")
		}
		if a.Flags&NATProtoRand != 0 {
			sb.WriteString("random,")
		}
	}
	return strings.TrimSuffix(sb.String(), ",") + ")"
}
