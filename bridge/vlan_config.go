package bridge

import (
	"slices"

	"github.com/govswitchd/govswitchd/maclearn"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// portVLANSettings reads the Port row columns the NORMAL action depends
// on: tag, trunks, vlan_mode, cvlans, protected and the other_config keys
// qinq-ethtype and priority-tags. maclearn resolves them the way OVS's
// port_configure does (access when tagged without a mode, trunk otherwise).
func portVLANSettings(p *vswitchdb.Port) maclearn.PortSettings {
	s := maclearn.PortSettings{
		Trunks:       slices.Sorted(slices.Values(p.Trunks)),
		CVLANs:       slices.Sorted(slices.Values(p.CVLANs)),
		QinQEthType:  p.OtherConfig["qinq-ethtype"],
		PriorityTags: p.OtherConfig["priority-tags"],
		Protected:    p.Protected,
	}
	if p.Tag != nil {
		s.Tag, s.HasTag = *p.Tag, true
	}
	if p.VLANMode != nil {
		s.VLANMode = *p.VLANMode
		if _, err := maclearn.ParseVLANMode(s.VLANMode); err != nil {
			// ovsdb-server's schema check makes this unreachable; OVS
			// falls back to trunk.
			log.Warn("port %s: unknown VLAN mode %s, falling back to trunk mode", p.Name, s.VLANMode)
			s.VLANMode = maclearn.ModeTrunk.String()
		}
	}
	return s
}

// applyPortVLANs gives the bridge's NORMAL action the VLAN settings of its
// open interfaces' ports. It is called before the OpenFlow ports are
// mapped, so that a new port never forwards with the default (trunk)
// behaviour, and after, for a bridge whose OpenFlow agent was just made.
func (r *reconciler) applyPortVLANs(br *bridgeState, bc *bridgeConfig) {
	bk := r.backerOf(br)
	if bk == nil || br.of == nil {
		return
	}
	cfg := make(map[uint16]maclearn.PortSettings, len(bc.ifaces))
	for i := range bc.ifaces {
		ic := &bc.ifaces[i]
		if is := br.ifaces[ic.name]; is != nil && is.port != nil && is.ofport != ofportNone {
			cfg[uint16(is.ofport)] = ic.vlan
		}
	}
	bk.SetPortVLANs(br.of, cfg)
}
