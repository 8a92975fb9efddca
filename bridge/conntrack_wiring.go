package bridge

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/govswitchd/govswitchd/vswitchdb"
)

// Conntrack zone configuration from the database, as OVS 3.1's bridge layer
// applies it: Open_vSwitch.datapaths maps a datapath type to a Datapath row,
// whose ct_zones map zone numbers to CT_Zone rows, each with an optional
// CT_Timeout_Policy. Every listed zone gets a policy (an absent
// timeout_policy means one of all defaults, as in OVS), zones no longer
// listed lose theirs, and a change makes the datapath retranslate its flows
// so that ct(commit) carries the new policy id. (Zone limits in CT_Zone and
// Datapath.ct_zone_default_limit arrived with schema 8.4 / OVS 3.2; the 3.1
// schema has neither, so limits stay with dpctl/ct-set-limits.)

// ctZoneConfig is the zone timeout policies per datapath type: zone ->
// attribute -> seconds.
type ctZoneConfig map[string]map[uint16]map[string]uint32

// readCTZones reads the zone configuration referenced from root out of the
// cache. A dangling reference means the cache is mid-resync.
func readCTZones(ctx context.Context, c client.Client, root *vswitchdb.OpenvSwitch) (ctZoneConfig, error) {
	cfg := ctZoneConfig{}
	if len(root.Datapaths) == 0 {
		return cfg, nil
	}
	var dps []vswitchdb.Datapath
	var zones []vswitchdb.CTZone
	var tps []vswitchdb.CTTimeoutPolicy
	for _, l := range []any{&dps, &zones, &tps} {
		if err := c.List(ctx, l); err != nil {
			return nil, fmt.Errorf("read database cache: %w", err)
		}
	}
	dpBy := map[string]*vswitchdb.Datapath{}
	for i := range dps {
		dpBy[dps[i].UUID] = &dps[i]
	}
	zoneBy := map[string]*vswitchdb.CTZone{}
	for i := range zones {
		zoneBy[zones[i].UUID] = &zones[i]
	}
	tpBy := map[string]*vswitchdb.CTTimeoutPolicy{}
	for i := range tps {
		tpBy[tps[i].UUID] = &tps[i]
	}
	for typ, u := range root.Datapaths {
		dp := dpBy[u]
		if dp == nil {
			return nil, errInconsistent
		}
		zs := map[uint16]map[string]uint32{}
		for zone, zu := range dp.CTZones {
			z := zoneBy[zu]
			if z == nil || zone < 0 || zone > 0xffff {
				return nil, errInconsistent
			}
			attrs := map[string]uint32{}
			if z.TimeoutPolicy != nil {
				tp := tpBy[*z.TimeoutPolicy]
				if tp == nil {
					return nil, errInconsistent
				}
				for k, v := range tp.Timeouts {
					attrs[k] = uint32(v)
				}
			}
			zs[uint16(zone)] = attrs
		}
		cfg[typ] = zs
	}
	return cfg, nil
}

// applyCTZones brings the running datapaths' zone timeout policies in line
// with cfg. Datapath types without a running datapath are kept for when one
// starts: reconfiguration calls this again after creating bridges.
func (r *reconciler) applyCTZones(cfg ctZoneConfig) {
	for _, typ := range sortedKeys(r.datapaths) {
		ds := r.datapaths[typ]
		t := ds.dp.Conntrack()
		want := cfg[typ]
		changed := false
		for _, zone := range slices.Sorted(maps.Keys(want)) {
			c, err := t.SetZoneTimeoutPolicy(zone, want[zone])
			if err != nil {
				log.Warn("%s: conntrack zone %d: %v", ds.dp.FullName(), zone, err)
				continue
			}
			changed = changed || c
		}
		for _, zone := range t.TimeoutPolicyZones() {
			if _, ok := want[zone]; !ok {
				changed = t.DelZoneTimeoutPolicy(zone) || changed
			}
		}
		if changed {
			ds.dp.RequestRevalidation()
		}
	}
}

// datapathCapabilities is what OVS 3.1 reports in Datapath.capabilities for
// the userspace datapath; govswitchd supports the same.
var datapathCapabilities = map[string]string{
	"max_vlan_headers": "1", "max_mpls_depth": "3", "recirc": "true",
	"ct_state": "true", "ct_zone": "true", "ct_mark": "true", "ct_label": "true",
	"ct_state_nat": "true", "ct_orig_tuple": "true", "ct_orig_tuple6": "true",
	"nd_ext": "true", "masked_set_action": "true", "tnl_push_pop": "true",
	"ufid": "true", "trunc": "true", "clone": "true", "sample_nesting": "true",
	"ct_eventmask": "true", "ct_clear": "true", "max_hash_alg": "1",
	"check_pkt_len": "true", "ct_timeout": "true", "explicit_drop_action": "true",
	"lb_output_action": "true", "ct_zero_snat": "true", "add_mpls": "true",
	"ct_flush": "true",
}

var datapathColumns = []column[vswitchdb.Datapath]{
	{"capabilities", func(m *vswitchdb.Datapath) any { return &m.Capabilities }},
}

// datapathCapabilityOps fills in the capabilities of the Datapath rows of
// running datapath types, as OVS does when it first sees such a row (keys
// the user added are kept). Called by writeBack with s.mu held.
func (s *Switch) datapathCapabilityOps(snap *snapshot, add func(model.Model, []any) error) error {
	if len(snap.root.Datapaths) == 0 {
		return nil
	}
	var dps []vswitchdb.Datapath
	if err := s.db.List(context.Background(), &dps); err != nil {
		return fmt.Errorf("read database cache: %w", err)
	}
	for _, typ := range sortedKeys(snap.root.Datapaths) {
		if s.rec.datapaths[typ] == nil {
			continue
		}
		u := snap.root.Datapaths[typ]
		i := slices.IndexFunc(dps, func(d vswitchdb.Datapath) bool { return d.UUID == u })
		if i < 0 {
			continue
		}
		have := &dps[i]
		want := &vswitchdb.Datapath{UUID: u, Capabilities: maps.Clone(have.Capabilities)}
		if want.Capabilities == nil {
			want.Capabilities = map[string]string{}
		}
		maps.Copy(want.Capabilities, datapathCapabilities)
		if err := add(want, changedFields(datapathColumns, u, want, have, nil, s.writes)); err != nil {
			return err
		}
	}
	return nil
}
