package ofproto

import (
	"maps"
	"time"
)

// ControllerTiming is how the connection of one Controller target is
// watched and re-established (the Controller columns inactivity_probe and
// max_backoff).
type ControllerTiming struct {
	// Probe is how long the connection may stay silent before the switch
	// sends an echo request, and then how long the peer has to answer;
	// 0 never probes.
	Probe time.Duration
	// MaxBackoff bounds the wait between reconnection attempts.
	MaxBackoff time.Duration
}

// SetControllerTiming sets the timing of Controller targets, applied to
// running connections from their next probe or reconnection; targets not
// in t get the defaults (a 5 s probe, an 8 s backoff).
func (b *Bridge) SetControllerTiming(t map[string]ControllerTiming) {
	b.connMu.Lock()
	b.timing = maps.Clone(t)
	b.connMu.Unlock()
}

// controllerTiming is target's timing.
func (b *Bridge) controllerTiming(target string) ControllerTiming {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	return b.timingLocked(target)
}

func (b *Bridge) timingLocked(target string) ControllerTiming {
	if t, ok := b.timing[target]; ok {
		return t
	}
	return ControllerTiming{Probe: b.probe, MaxBackoff: maxBackoff}
}

// maxProbe is the longest probe interval of the active controllers:
// fail-open waits for three of them (idle time, the probe's answer, a
// reconnection) so that every controller had its chance.
func (b *Bridge) maxProbe() time.Duration {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	var m time.Duration
	for _, ac := range b.actives {
		m = max(m, b.timingLocked(ac.target).Probe)
	}
	if m == 0 {
		return b.probe
	}
	return m
}
