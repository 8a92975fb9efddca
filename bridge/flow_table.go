package bridge

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// Bridge.flow_tables: each bridge's Flow_Table rows become per-table
// limits and eviction settings of its OpenFlow agent (flow_limit,
// overflow_policy, groups), as OVS's bridge_configure_tables. The name and
// prefixes columns are not used.

// readFlowTables reads the Flow_Table rows of every bridge of snap, by
// bridge name and table id.
func readFlowTables(ctx context.Context, c client.Client, snap *snapshot) (map[string]map[uint8]ofproto.TableSettings, error) {
	var rows []vswitchdb.FlowTable
	if err := c.List(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read database cache: %w", err)
	}
	byUUID := make(map[string]*vswitchdb.FlowTable, len(rows))
	for i := range rows {
		byUUID[rows[i].UUID] = &rows[i]
	}
	out := make(map[string]map[uint8]ofproto.TableSettings)
	for _, u := range snap.root.Bridges {
		br := snap.bridges[u]
		if br == nil || len(br.FlowTables) == 0 {
			continue
		}
		settings := make(map[uint8]ofproto.TableSettings, len(br.FlowTables))
		for id, ru := range br.FlowTables {
			row := byUUID[ru]
			if row == nil {
				return nil, errInconsistent
			}
			if id < 0 || id > math.MaxUint8 {
				continue
			}
			settings[uint8(id)] = tableSettings(row)
		}
		out[br.Name] = settings
	}
	return out, nil
}

// tableSettings is one Flow_Table row as the OpenFlow agent takes it.
func tableSettings(row *vswitchdb.FlowTable) ofproto.TableSettings {
	var s ofproto.TableSettings
	if row.FlowLimit != nil && *row.FlowLimit >= 0 && int64(*row.FlowLimit) < math.MaxUint32 {
		s.Limited, s.MaxFlows = true, uint32(*row.FlowLimit)
	}
	s.Evict = row.OverflowPolicy != nil && *row.OverflowPolicy == vswitchdb.FlowTableOverflowPolicyEvict
	s.Groups = slices.Clone(row.Groups)
	return s
}

// fingerprint identifies a bridge's settings, so that they are applied
// (and excess rules evicted) only when they change.
func tablesFingerprint(settings map[uint8]ofproto.TableSettings) string {
	var sb strings.Builder
	for _, id := range slices.Sorted(maps.Keys(settings)) {
		s := settings[id]
		fmt.Fprintf(&sb, "%d:%v/%d/%v/%q;", id, s.Limited, s.MaxFlows, s.Evict, s.Groups)
	}
	return sb.String()
}

// applyFlowTables gives every running OpenFlow agent its table settings
// when they changed (or the agent is new). Bad groups are logged, as OVS
// does, and skipped.
func (r *reconciler) applyFlowTables(want map[string]map[uint8]ofproto.TableSettings) {
	seen := make(map[*ofproto.Bridge]bool, len(r.bridges))
	for _, name := range sortedKeys(r.bridges) {
		br := r.bridges[name]
		if br.of == nil {
			continue
		}
		seen[br.of] = true
		fp := tablesFingerprint(want[name])
		if old, ok := r.tableCfg[br.of]; ok && old == fp {
			continue
		}
		if r.tableCfg == nil {
			r.tableCfg = make(map[*ofproto.Bridge]string)
		}
		r.tableCfg[br.of] = fp
		for _, err := range br.of.ConfigureTables(want[name]) {
			log.Warn("%v", err)
		}
	}
	for of := range r.tableCfg {
		if !seen[of] {
			delete(r.tableCfg, of)
		}
	}
}

// applyFlowTables reads and applies the Flow_Table settings of snap.
func (s *Switch) applyFlowTables(ctx context.Context, snap *snapshot) error {
	want, err := readFlowTables(ctx, s.db, snap)
	if err != nil {
		return err
	}
	s.rec.applyFlowTables(want)
	return nil
}

// flowLimitOf is Open_vSwitch other_config:flow-limit, 0 (the datapath's
// default) when unset or not a positive number.
func flowLimitOf(oc map[string]string) int {
	n, err := strconv.Atoi(oc["flow-limit"])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
