package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
)

// A meter is enforced by the datapath the bridge is attached to: each
// OpenFlow meter gets a datapath meter of its own (OVS's provider meter
// id), which the meter action names and the stats are read from.

// datapathConfig is m in the datapath's terms (drop bands only: the agent
// refuses the others).
func (m *meter) datapathConfig() dpif.MeterConfig {
	c := dpif.MeterConfig{PacketsPerSecond: m.flags&meterPktps != 0}
	for _, b := range m.bands {
		burst := uint32(0)
		if m.flags&meterBurst != 0 {
			burst = b.burst
		}
		c.Bands = append(c.Bands, dpif.MeterBand{Rate: b.rate, Burst: burst})
	}
	return c
}

// installMeter gives m its datapath meter, replacing old's (nil for a new
// meter) when there is one. Called with b.mu held.
func (b *Bridge) installMeter(m, old *meter) {
	if old != nil && old.dp != nil {
		if err := old.dp.SetMeter(old.dpID, m.datapathConfig()); err == nil {
			m.dp, m.dpID = old.dp, old.dpID
			return
		}
		old.dp.DeleteMeter(old.dpID)
	}
	k, ok := BackerOf(b)
	if !ok {
		return // attachMeters installs it when the bridge gets a datapath
	}
	id, err := k.dp.AddMeter(m.datapathConfig())
	if err != nil {
		log.Warn("%s: meter %d: %v", b.name, m.id, err)
		return
	}
	m.dp, m.dpID = k.dp, id
}

// uninstallMeter removes m's datapath meter. Called with b.mu held.
func (m *meter) uninstall() {
	if m.dp != nil {
		m.dp.DeleteMeter(m.dpID)
		m.dp = nil
	}
}

// attachMeters installs the bridge's meters on a datapath it joins.
func (b *Bridge) attachMeters() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.meters {
		if m.dp == nil {
			b.installMeter(m, nil)
		}
	}
}

// detachMeters removes the bridge's meters from the datapath it leaves.
func (b *Bridge) detachMeters() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.meters {
		m.uninstall()
	}
}

// datapathMeter returns the datapath meter id of OpenFlow meter id on dp.
func (b *Bridge) datapathMeter(id uint32, dp *dpif.Datapath) (uint32, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	m := b.meters[id]
	if m == nil || m.dp != dp {
		return 0, false
	}
	return m.dpID, true
}

// meterCounters returns what entered m and what each band dropped, zero
// when it has no datapath meter. Called with b.mu held.
func (m *meter) counters() dpif.MeterStats {
	if m.dp != nil {
		if s, err := m.dp.MeterStats(m.dpID); err == nil {
			return s
		}
	}
	return dpif.MeterStats{Bands: make([]dpif.MeterBandStats, len(m.bands))}
}
