package ofactions

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Output sends the packet to a port (output:N, NORMAL, LOCAL,
// CONTROLLER:len, ...).
type Output struct {
	Port   uint16
	MaxLen uint16 // bytes sent to the controller when Port is CONTROLLER
}

func (a *Output) String() string {
	if a.Port < mf.PortMax {
		return "output:" + strconv.Itoa(int(a.Port))
	}
	s := mf.PortString(a.Port)
	if a.Port == mf.PortController {
		s += ":" + strconv.Itoa(int(a.MaxLen))
	}
	return s
}

// OutputReg outputs to the port held in a subfield (output:NXM_NX_REG0[0..15]).
type OutputReg struct {
	Src    Subfield
	MaxLen uint16
}

func (a *OutputReg) String() string { return "output:" + a.Src.String() }

// Controller sends the packet to the controllers with extra options.
type Controller struct {
	MaxLen uint16
	ID     uint16
	Reason uint8
	// Userdata, Pause and MeterID (0: none) need NXAST_CONTROLLER2;
	// Raw2 records that the action came as one (see nx_controller.go).
	Userdata []byte
	Pause    bool
	MeterID  uint32
	Raw2     bool
}

var controllerReasons = []string{"no_match", "action", "invalid_ttl", "action_set", "group", "packet_out"}

// reasonAction is OFPR_ACTION, the default reason.
const reasonAction = 1

func (a *Controller) String() string {
	if a.Reason == reasonAction && a.ID == 0 && len(a.Userdata) == 0 && !a.Pause && a.MeterID == 0 {
		return "CONTROLLER:" + strconv.Itoa(int(a.MaxLen))
	}
	var sb strings.Builder
	sb.WriteString("controller(")
	if a.Reason != reasonAction {
		r := strconv.Itoa(int(a.Reason))
		if int(a.Reason) < len(controllerReasons) {
			r = controllerReasons[a.Reason]
		}
		sb.WriteString("reason=" + r + ",")
	}
	if a.MaxLen != 0xffff {
		sb.WriteString("max_len=" + strconv.Itoa(int(a.MaxLen)) + ",")
	}
	if a.ID != 0 {
		sb.WriteString("id=" + strconv.Itoa(int(a.ID)) + ",")
	}
	a.writeController2Options(&sb)
	return strings.TrimSuffix(sb.String(), ",") + ")"
}

// Resubmit re-searches a table (resubmit:port, resubmit(port,table[,ct])).
type Resubmit struct {
	InPort uint16 // mf.PortInPort for "same port"
	Table  uint8  // 255 for "same table"
	CT     bool
	// Short records that the text or wire form was the plain
	// resubmit:PORT (NXAST_RESUBMIT).
	Short bool
}

func (a *Resubmit) String() string {
	if a.InPort != mf.PortInPort && a.Table == 255 && !a.CT {
		return "resubmit:" + mf.PortString(a.InPort)
	}
	s := "resubmit("
	if a.InPort != mf.PortInPort {
		s += mf.PortString(a.InPort)
	}
	s += ","
	if a.Table != 255 {
		s += strconv.Itoa(int(a.Table))
	}
	if a.CT {
		s += ",ct"
	}
	return s + ")"
}

// SetField writes a value under a mask into a field (set_field and load).
type SetField struct {
	Field       *mf.Field
	Value, Mask mf.ValueMask // Field.Bytes significant bytes
	// Load marks a set_field that came from (or is printed as) load:
	// NXAST_REG_LOAD.
	Load bool
	// WidthMask marks a masked set_field whose mask is exactly the
	// field's bits (0xfffff for mpls_label): the same write as an
	// unmasked one, but OVS keeps and prints the mask.
	WidthMask bool
}

func (a *SetField) String() string {
	n := a.Field.Bytes
	if !a.Load {
		v := a.Field.FormatValue(a.Value[:n], a.Mask[:n])
		if a.WidthMask {
			v += "/" + hexMinimal(a.Mask[:n])
		}
		return "set_field:" + v + "->" + a.Field.Name
	}
	// One load: per contiguous run of mask bits, lowest first.
	var parts []string
	bits := a.Field.Bits
	for ofs := 0; ofs < bits; {
		if !bitSet(a.Mask[:n], ofs) {
			ofs++
			continue
		}
		end := ofs
		for end < bits && bitSet(a.Mask[:n], end) {
			end++
		}
		v := extractBits(a.Value[:n], ofs, end-ofs)
		sf := Subfield{Field: a.Field, Ofs: ofs, NBits: end - ofs}
		parts = append(parts, "load:"+v+"->"+sf.String())
		ofs = end
	}
	return strings.Join(parts, ",")
}

// bitSet reports whether bit i (0 = least significant) of big-endian b is set.
func bitSet(b []byte, i int) bool { return b[len(b)-1-i/8]&(1<<(i%8)) != 0 }

// extractBits returns bits ofs..ofs+n-1 of b as minimal hex.
func extractBits(b []byte, ofs, n int) string {
	out := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		if bitSet(b, ofs+i) {
			out[len(out)-1-i/8] |= 1 << (i % 8)
		}
	}
	return hexMinimal(out)
}

func hexMinimal(b []byte) string {
	allZero := true
	for _, c := range b {
		allZero = allZero && c == 0
	}
	if allZero {
		return "0"
	}
	i := 0
	for i < len(b)-1 && b[i] == 0 {
		i++
	}
	s := fmt.Sprintf("%x", b[i:])
	if len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return "0x" + s
}

// Move copies a subfield into another (move:SRC->DST).
type Move struct{ Src, Dst Subfield }

func (a *Move) String() string { return "move:" + a.Src.String() + "->" + a.Dst.String() }

// SetEthAddr is mod_dl_src / mod_dl_dst.
type SetEthAddr struct {
	Dst  bool
	Addr [6]byte
}

func (a *SetEthAddr) String() string {
	return map[bool]string{false: "mod_dl_src:", true: "mod_dl_dst:"}[a.Dst] + mf.EthernetString(a.Addr[:])
}

// SetIPv4 is mod_nw_src / mod_nw_dst.
type SetIPv4 struct {
	Dst  bool
	Addr [4]byte
}

func (a *SetIPv4) String() string {
	return map[bool]string{false: "mod_nw_src:", true: "mod_nw_dst:"}[a.Dst] + netip.AddrFrom4(a.Addr).String()
}

// SetL4Port is mod_tp_src / mod_tp_dst.
type SetL4Port struct {
	Dst  bool
	Port uint16
	// Proto is the IP protocol of the flow (set by Check); it picks the
	// tcp/udp/sctp field when encoded as set_field in OpenFlow 1.2+.
	Proto uint8
}

func (a *SetL4Port) String() string {
	return map[bool]string{false: "mod_tp_src:", true: "mod_tp_dst:"}[a.Dst] + strconv.Itoa(int(a.Port))
}

// SetNwTOS is mod_nw_tos (DSCP bits, low two bits zero).
type SetNwTOS struct{ TOS uint8 }

func (a *SetNwTOS) String() string { return "mod_nw_tos:" + strconv.Itoa(int(a.TOS)) }

// SetVLANVID is mod_vlan_vid.
type SetVLANVID struct {
	VID uint16
	// Push adds an 802.1Q header first when the packet has none (the
	// mod_vlan_vid and OpenFlow 1.0 semantics); FlowHasVLAN is set by
	// Check from the match and the preceding actions.
	Push, FlowHasVLAN bool
}

func (a *SetVLANVID) String() string { return "mod_vlan_vid:" + strconv.Itoa(int(a.VID)) }

// SetVLANPCP is mod_vlan_pcp (Push and FlowHasVLAN as for SetVLANVID).
type SetVLANPCP struct {
	PCP               uint8
	Push, FlowHasVLAN bool
}

func (a *SetVLANPCP) String() string { return "mod_vlan_pcp:" + strconv.Itoa(int(a.PCP)) }

// StripVLAN removes the outer VLAN header (strip_vlan, or pop_vlan when
// it came from OpenFlow 1.1+).
type StripVLAN struct{ Pop bool }

func (a *StripVLAN) String() string {
	if a.Pop {
		return "pop_vlan"
	}
	return "strip_vlan"
}

// PushVLAN pushes a VLAN header with the given TPID.
type PushVLAN struct{ EthType uint16 }

func (a *PushVLAN) String() string { return fmt.Sprintf("push_vlan:%#x", a.EthType) }

// PushMPLS pushes an MPLS label stack entry.
type PushMPLS struct{ EthType uint16 }

func (a *PushMPLS) String() string { return fmt.Sprintf("push_mpls:%#x", a.EthType) }

// PopMPLS pops an MPLS label; EthType is the new Ethernet type.
type PopMPLS struct{ EthType uint16 }

func (a *PopMPLS) String() string { return fmt.Sprintf("pop_mpls:0x%04x", a.EthType) }

// DecTTL decrements the IP TTL; IDs are the controller ids to notify
// (dec_ttl(1,2)); empty means the default controller.
type DecTTL struct {
	IDs []uint16
	// WithIDs records the NXAST_DEC_TTL_CNT_IDS form.
	WithIDs bool
}

func (a *DecTTL) String() string {
	if !a.WithIDs {
		return "dec_ttl"
	}
	ids := make([]string, len(a.IDs))
	for i, id := range a.IDs {
		ids[i] = strconv.Itoa(int(id))
	}
	return "dec_ttl(" + strings.Join(ids, ",") + ")"
}

// SetQueue selects the output queue.
type SetQueue struct{ Queue uint32 }

func (a *SetQueue) String() string { return "set_queue:" + strconv.FormatUint(uint64(a.Queue), 10) }

// Group sends the packet through a group.
type Group struct{ ID uint32 }

func (a *Group) String() string { return "group:" + strconv.FormatUint(uint64(a.ID), 10) }

// Meter applies a meter (an instruction in OF1.3/1.4, an action in 1.5).
type Meter struct{ ID uint32 }

func (a *Meter) String() string { return "meter:" + strconv.FormatUint(uint64(a.ID), 10) }

// Note carries opaque bytes (note:01.02.03).
type Note struct{ Data []byte }

func (a *Note) String() string {
	parts := make([]string, len(a.Data))
	for i, c := range a.Data {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return "note:" + strings.Join(parts, ".")
}

// SetTunnel sets the tunnel id (set_tunnel, set_tunnel64).
type SetTunnel struct {
	ID   uint64
	Is64 bool
}

func (a *SetTunnel) String() string {
	if a.Is64 || a.ID > 0xffffffff {
		return fmt.Sprintf("set_tunnel64:%#x", a.ID)
	}
	return fmt.Sprintf("set_tunnel:%#x", a.ID)
}

// CTClear clears the connection tracking state.
type CTClear struct{}

func (a *CTClear) String() string { return "ct_clear" }

// GotoTable is the goto_table instruction.
type GotoTable struct{ Table uint8 }

func (a *GotoTable) String() string { return "goto_table:" + strconv.Itoa(int(a.Table)) }

// ClearActions is the clear_actions instruction.
type ClearActions struct{}

func (a *ClearActions) String() string { return "clear_actions" }

// WriteActions is the write_actions instruction.
type WriteActions struct{ Actions List }

func (a *WriteActions) String() string {
	if len(a.Actions) == 0 {
		return "write_actions()"
	}
	return "write_actions(" + a.Actions.String() + ")"
}

// WriteMetadata is the write_metadata instruction.
type WriteMetadata struct{ Value, Mask uint64 }

func (a *WriteMetadata) String() string {
	if a.Mask == ^uint64(0) {
		return fmt.Sprintf("write_metadata:%#x", a.Value)
	}
	return fmt.Sprintf("write_metadata:%#x/%#x", a.Value, a.Mask)
}
