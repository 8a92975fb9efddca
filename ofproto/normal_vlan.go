package ofproto

import (
	"maps"
	"slices"

	"github.com/govswitchd/govswitchd/maclearn"
)

// SetPortVLANs gives the bridge's NORMAL action the VLAN configuration of
// its ports (the Port table's tag, trunks, vlan_mode and related columns),
// by OpenFlow port number. A port left out is a trunk of every VLAN, as an
// unconfigured OVS port is. Port and Name in the settings are ignored: the
// Backer's own port map decides them. Megaflows are revalidated when the
// configuration changes.
func (k *Backer) SetPortVLANs(b *Bridge, cfg map[uint16]maclearn.PortSettings) {
	k.mu.Lock()
	bb := k.bridges[b]
	if bb == nil || maps.EqualFunc(bb.vlans, cfg, equalPortSettings) {
		k.mu.Unlock()
		return
	}
	bb.vlans = maps.Clone(cfg)
	k.mu.Unlock()
	k.syncNormalPorts(bb)
	k.dp.RequestRevalidation()
}

// portVLANSettings is the configured VLAN behaviour of one port, for
// syncNormalPorts.
func (k *Backer) portVLANSettings(bb *backerBridge, ofport uint16) maclearn.PortSettings {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return bb.vlans[ofport]
}

func equalPortSettings(a, b maclearn.PortSettings) bool {
	return a.HasTag == b.HasTag && (!a.HasTag || a.Tag == b.Tag) &&
		slices.Equal(a.Trunks, b.Trunks) && a.VLANMode == b.VLANMode &&
		slices.Equal(a.CVLANs, b.CVLANs) && a.QinQEthType == b.QinQEthType &&
		a.PriorityTags == b.PriorityTags && a.NoFlood == b.NoFlood &&
		a.Protected == b.Protected && a.MirrorOut == b.MirrorOut
}
