package bridge

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/govswitchd/govswitchd/ofproto"
)

// Controller.controller_rate_limit and controller_burst_limit: each
// bridge's OpenFlow agent rate-limits the packet-ins of the controllers
// that have them (ofproto/pinsched.go).

// controllerRateLimits reads the limits of the bridge's controllers, by
// target, from snap.
func controllerRateLimits(snap *snapshot, bridgeName string) map[string]ofproto.RateLimit {
	out := map[string]ofproto.RateLimit{}
	for _, u := range snap.root.Bridges {
		br := snap.bridges[u]
		if br == nil || br.Name != bridgeName {
			continue
		}
		for _, cu := range br.Controller {
			c := snap.ctrls[cu]
			if c == nil || c.ControllerRateLimit == nil {
				continue
			}
			l := ofproto.RateLimit{Rate: *c.ControllerRateLimit}
			if c.ControllerBurstLimit != nil {
				l.Burst = *c.ControllerBurstLimit
			}
			out[c.Target] = l
		}
	}
	return out
}

// applyRateLimits gives each running OpenFlow agent its controllers'
// packet-in limits when they changed.
func (r *reconciler) applyRateLimits(snap *snapshot) {
	seen := make(map[*ofproto.Bridge]bool, len(r.bridges))
	for _, name := range sortedKeys(r.bridges) {
		br := r.bridges[name]
		if br.of == nil {
			continue
		}
		seen[br.of] = true
		limits := controllerRateLimits(snap, name)
		var sb strings.Builder
		for _, t := range slices.Sorted(maps.Keys(limits)) {
			fmt.Fprintf(&sb, "%q:%d/%d;", t, limits[t].Rate, limits[t].Burst)
		}
		fp := sb.String()
		if old, ok := r.rateCfg[br.of]; ok && old == fp {
			continue
		}
		if r.rateCfg == nil {
			r.rateCfg = make(map[*ofproto.Bridge]string)
		}
		r.rateCfg[br.of] = fp
		br.of.SetControllerRateLimits(limits)
	}
	for of := range r.rateCfg {
		if !seen[of] {
			delete(r.rateCfg, of)
		}
	}
}
