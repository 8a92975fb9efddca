package bridge

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// Per-controller settings of the Controller table that the OpenFlow agent
// applies to running connections: controller_rate_limit and
// controller_burst_limit (packet-in rate limiting, ofproto/pinsched.go),
// inactivity_probe and max_backoff (ofproto/controller_timing.go).

// controllerSettings are one bridge's controller settings, by target.
type controllerSettings struct {
	limits map[string]ofproto.RateLimit
	timing map[string]ofproto.ControllerTiming
}

// readControllerSettings reads the settings of the bridge's controllers
// from snap.
func readControllerSettings(snap *snapshot, bridgeName string) controllerSettings {
	s := controllerSettings{limits: map[string]ofproto.RateLimit{}, timing: map[string]ofproto.ControllerTiming{}}
	for _, u := range snap.root.Bridges {
		br := snap.bridges[u]
		if br == nil || br.Name != bridgeName {
			continue
		}
		for _, cu := range br.Controller {
			c := snap.ctrls[cu]
			if c == nil {
				continue
			}
			s.timing[c.Target] = controllerTiming(c)
			if c.ControllerRateLimit == nil {
				continue
			}
			l := ofproto.RateLimit{Rate: *c.ControllerRateLimit}
			if c.ControllerBurstLimit != nil {
				l.Burst = *c.ControllerBurstLimit
			}
			s.limits[c.Target] = l
		}
	}
	return s
}

// controllerTiming converts a Controller's inactivity_probe and
// max_backoff (milliseconds) as ovs-vswitchd does: whole seconds, a probe
// of at least 5 s unless 0 (never), 5 s when unset; a backoff of at least
// 1 s, 8 s when unset.
func controllerTiming(c *vswitchdb.Controller) ofproto.ControllerTiming {
	t := ofproto.ControllerTiming{Probe: 5 * time.Second, MaxBackoff: 8 * time.Second}
	if p := c.InactivityProbe; p != nil {
		t.Probe = 0
		if *p != 0 {
			t.Probe = max(5, time.Duration(*p/1000)) * time.Second
		}
	}
	if b := c.MaxBackoff; b != nil {
		t.MaxBackoff = max(1, time.Duration(*b/1000)) * time.Second
	}
	return t
}

// fingerprint is a text that changes when the settings do.
func (s controllerSettings) fingerprint() string {
	var sb strings.Builder
	for _, t := range slices.Sorted(maps.Keys(s.limits)) {
		fmt.Fprintf(&sb, "%q:%d/%d;", t, s.limits[t].Rate, s.limits[t].Burst)
	}
	for _, t := range slices.Sorted(maps.Keys(s.timing)) {
		fmt.Fprintf(&sb, "%q:%v/%v;", t, s.timing[t].Probe, s.timing[t].MaxBackoff)
	}
	return sb.String()
}

// applyControllerSettings gives each running OpenFlow agent its
// controllers' settings when they changed.
func (r *reconciler) applyControllerSettings(snap *snapshot) {
	seen := make(map[*ofproto.Bridge]bool, len(r.bridges))
	for _, name := range sortedKeys(r.bridges) {
		br := r.bridges[name]
		if br.of == nil {
			continue
		}
		seen[br.of] = true
		s := readControllerSettings(snap, name)
		fp := s.fingerprint()
		if old, ok := r.ctrlCfg[br.of]; ok && old == fp {
			continue
		}
		if r.ctrlCfg == nil {
			r.ctrlCfg = make(map[*ofproto.Bridge]string)
		}
		r.ctrlCfg[br.of] = fp
		br.of.SetControllerRateLimits(s.limits)
		br.of.SetControllerTiming(s.timing)
	}
	for of := range r.ctrlCfg {
		if !seen[of] {
			delete(r.ctrlCfg, of)
		}
	}
}
