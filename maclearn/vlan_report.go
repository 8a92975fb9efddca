package maclearn

import "fmt"

// InputVLANError explains, in ofproto/trace's words, why a packet whose
// outer VID is vid may not enter on port in (the decision's
// ReasonBadVLAN); it is "" when the VID is allowed or the port unknown.
func (s *Switch) InputVLANError(in Port, vid uint16) string {
	pv := s.conf.Load().byPort[in]
	if pv == nil || pv.inputVIDValid(vid) {
		return ""
	}
	switch pv.mode {
	case ModeAccess:
		return fmt.Sprintf("dropping VLAN %d tagged packet received on port %s configured as VLAN %d access port",
			vid, pv.name, pv.vlan)
	case ModeDot1QTunnel:
		return fmt.Sprintf("dropping VLAN %d packet received on dot1q-tunnel port %s that excludes this VLAN",
			vid, pv.name)
	}
	return fmt.Sprintf("dropping VLAN %d packet received on port %s not configured for trunking VLAN %d",
		vid, pv.name, vid)
}
