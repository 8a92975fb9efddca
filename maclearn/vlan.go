package maclearn

import "fmt"

// VLANSet is a set of VLAN IDs 0..4095, OVS's vlan bitmap.
type VLANSet [4096 / 64]uint64

// NewVLANSet returns the set of vlans, ignoring values outside 0..4095 as
// OVS does when it reads trunks, cvlans and flood_vlans.
func NewVLANSet(vlans []int) *VLANSet {
	s := new(VLANSet)
	for _, v := range vlans {
		if v >= 0 && v < 4096 {
			s.Add(uint16(v))
		}
	}
	return s
}

// Has reports whether vid is in s.
func (s *VLANSet) Has(vid uint16) bool {
	return vid < 4096 && s[vid/64]&(1<<(vid%64)) != 0
}

// Add puts vid into s.
func (s *VLANSet) Add(vid uint16) {
	if vid < 4096 {
		s[vid/64] |= 1 << (vid % 64)
	}
}

// Remove takes vid out of s.
func (s *VLANSet) Remove(vid uint16) {
	if vid < 4096 {
		s[vid/64] &^= 1 << (vid % 64)
	}
}

// Equal compares two sets where nil means "no set configured".
func (s *VLANSet) Equal(o *VLANSet) bool {
	if s == nil || o == nil {
		return s == o
	}
	return *s == *o
}

// VLANMode is Port vlan_mode.
type VLANMode uint8

// The vlan_mode values of vswitch.xml.
const (
	ModeTrunk VLANMode = iota
	ModeAccess
	ModeNativeTagged
	ModeNativeUntagged
	ModeDot1QTunnel
)

var vlanModeNames = [...]string{
	ModeTrunk:          "trunk",
	ModeAccess:         "access",
	ModeNativeTagged:   "native-tagged",
	ModeNativeUntagged: "native-untagged",
	ModeDot1QTunnel:    "dot1q-tunnel",
}

func (m VLANMode) String() string {
	if int(m) < len(vlanModeNames) {
		return vlanModeNames[m]
	}
	return fmt.Sprintf("VLANMode(%d)", m)
}

// ParseVLANMode reads a vlan_mode column value.
func ParseVLANMode(s string) (VLANMode, error) {
	for m, name := range vlanModeNames {
		if s == name {
			return VLANMode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown VLAN mode %q", s)
}

// EtherTypes of VLAN headers.
const (
	TPID8021Q  uint16 = 0x8100
	TPID8021AD uint16 = 0x88a8
)

// PortSettings is the part of a Port row (and its Interface's OpenFlow
// config) the NORMAL action depends on. The zero value plus Port is a trunk
// of every VLAN, as an unconfigured OVS port is.
type PortSettings struct {
	Port Port
	Name string

	Tag      int  // Port tag, used only when HasTag
	HasTag   bool // tag column set
	Trunks   []int
	VLANMode string // "" picks access when tagged, else trunk
	CVLANs   []int  // dot1q-tunnel: customer VLANs admitted; empty for all
	// QinQEthType is other_config:qinq-ethtype: "802.1q" selects 0x8100,
	// anything else 802.1ad (0x88a8).
	QinQEthType string
	// PriorityTags is other_config:priority-tags: "if-nonzero" (or
	// "true") and "always" carry the received PCP out of ports that would
	// send the frame untagged; anything else never does.
	PriorityTags string

	NoFlood   bool // OpenFlow no-flood: left out of floods
	Protected bool // protected ports never forward to each other
	MirrorOut bool // output port of a mirror: never forwards or receives
}

// priorityTags says when a port sends 802.1p priority-only tags.
type priorityTags uint8

const (
	prioNever priorityTags = iota
	prioIfNonzero
	prioAlways
)

// portVLAN is a port's resolved VLAN behaviour.
type portVLAN struct {
	port      Port
	name      string
	mode      VLANMode
	vlan      uint16   // access/native/tunnel VLAN
	trunks    *VLANSet // nil: every VLAN
	cvlans    *VLANSet // nil: every customer VLAN
	qinq      uint16
	prioTags  priorityTags
	floodable bool
	protected bool
	mirrorOut bool
}

// resolve turns settings into behaviour the way bridge.c and
// ofproto-dpif.c do: the implicit mode, the tag range, and native modes
// always trunking their native VLAN but never VLAN 0.
func (s *PortSettings) resolve() (portVLAN, error) {
	pv := portVLAN{
		port: s.Port, name: s.Name, qinq: TPID8021AD,
		floodable: !s.NoFlood, protected: s.Protected, mirrorOut: s.MirrorOut,
	}
	if s.Port == PortNone {
		return pv, fmt.Errorf("port %q: invalid port number %d", s.Name, s.Port)
	}
	if s.QinQEthType == "802.1q" {
		pv.qinq = TPID8021Q
	}
	switch s.PriorityTags {
	case "if-nonzero", "true":
		pv.prioTags = prioIfNonzero
	case "always":
		pv.prioTags = prioAlways
	}
	tag := -1
	if s.HasTag && s.Tag >= 0 && s.Tag <= 4095 {
		tag = s.Tag
	}
	switch {
	case s.VLANMode != "":
		m, err := ParseVLANMode(s.VLANMode)
		if err != nil {
			return pv, fmt.Errorf("port %q: %w", s.Name, err)
		}
		pv.mode = m
	case tag >= 0:
		pv.mode = ModeAccess // trunks are ignored in favour of the tag
	default:
		pv.mode = ModeTrunk
	}
	if pv.mode != ModeTrunk && tag > 0 {
		pv.vlan = uint16(tag)
	}
	switch pv.mode {
	case ModeTrunk:
		if len(s.Trunks) > 0 {
			pv.trunks = NewVLANSet(s.Trunks)
		}
	case ModeNativeTagged, ModeNativeUntagged:
		if len(s.Trunks) > 0 {
			pv.trunks = NewVLANSet(s.Trunks)
		}
		if pv.vlan != 0 && (pv.trunks == nil || !pv.trunks.Has(pv.vlan) || pv.trunks.Has(0)) {
			if pv.trunks == nil {
				pv.trunks = new(VLANSet)
				for i := range pv.trunks {
					pv.trunks[i] = ^uint64(0)
				}
			}
			pv.trunks.Add(pv.vlan)
			pv.trunks.Remove(0)
		}
	case ModeDot1QTunnel:
		if len(s.CVLANs) > 0 {
			pv.cvlans = NewVLANSet(s.CVLANs)
		}
	}
	return pv, nil
}

// equalVLAN reports whether two resolved ports treat VLANs identically;
// a change means the port's learned MACs may be wrong.
func (pv *portVLAN) equalVLAN(o *portVLAN) bool {
	return pv.mode == o.mode && pv.vlan == o.vlan && pv.qinq == o.qinq && pv.prioTags == o.prioTags &&
		pv.trunks.Equal(o.trunks) && pv.cvlans.Equal(o.cvlans)
}

func (pv *portVLAN) trunksVLAN(vid uint16) bool {
	return pv.mode != ModeAccess && (pv.trunks == nil || pv.trunks.Has(vid))
}

func (pv *portVLAN) allowsCVLAN(vid uint16) bool {
	return pv.cvlans == nil || pv.cvlans.Has(vid)
}

// inputVIDValid reports whether a packet whose outer VID is vid (0 when
// untagged) may enter on this port.
func (pv *portVLAN) inputVIDValid(vid uint16) bool {
	switch pv.mode {
	case ModeAccess:
		return vid == 0
	case ModeNativeTagged, ModeNativeUntagged:
		if vid == 0 {
			return true // a port always carries its native VLAN
		}
		return pv.trunksVLAN(vid)
	case ModeTrunk:
		return pv.trunksVLAN(vid)
	case ModeDot1QTunnel:
		return pv.allowsCVLAN(vid)
	}
	return false
}

// includesVLAN reports whether a packet with internal VLAN stack v belongs
// on this port.
func (pv *portVLAN) includesVLAN(v *vlanStack) bool {
	switch pv.mode {
	case ModeAccess:
		return v[0].VID == pv.vlan && v[1].VID == 0
	case ModeTrunk, ModeNativeTagged, ModeNativeUntagged:
		return pv.trunksVLAN(v[0].VID)
	case ModeDot1QTunnel:
		return v[0].VID == pv.vlan && pv.allowsCVLAN(v[1].VID)
	}
	return false
}

// VLANTag is one 802.1Q/802.1ad header. TPID 0 means "no header".
type VLANTag struct {
	TPID uint16
	VID  uint16
	PCP  uint8
}

// vlanStack is the outer and inner VLAN of a packet, outer first.
type vlanStack [2]VLANTag

func (v *vlanStack) pop() { v[0], v[1] = v[1], VLANTag{} }

func (v *vlanStack) push(t VLANTag) { v[1], v[0] = v[0], t }

// inputTranslate maps the received headers to the VLANs the bridge
// switches the packet in.
func (pv *portVLAN) inputTranslate(in *vlanStack) vlanStack {
	var v vlanStack
	switch pv.mode {
	case ModeAccess:
		v[0] = VLANTag{TPID: orTPID(in[0].TPID), VID: pv.vlan, PCP: in[0].PCP}
	case ModeTrunk:
		v = *in
	case ModeNativeTagged, ModeNativeUntagged:
		v = *in
		if in[0].VID == 0 {
			v[0] = VLANTag{TPID: orTPID(in[0].TPID), VID: pv.vlan, PCP: in[0].PCP}
		}
	case ModeDot1QTunnel:
		v = *in
		v.push(VLANTag{TPID: pv.qinq, VID: pv.vlan})
	}
	return v
}

// outputTranslate maps the bridge's VLANs to the headers to send here.
func (pv *portVLAN) outputTranslate(v *vlanStack) vlanStack {
	out := *v
	switch pv.mode {
	case ModeAccess:
		out = vlanStack{}
	case ModeNativeUntagged:
		if v[0].VID == pv.vlan {
			out.pop()
		}
	case ModeDot1QTunnel:
		out.pop()
	}
	return out
}

func orTPID(tpid uint16) uint16 {
	if tpid == 0 {
		return TPID8021Q
	}
	return tpid
}
