package bridge

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// column ties an OVSDB column to its field in a model, so the write-back can
// compare the wanted value with the cached one and update only differences.
type column[M any] struct {
	name  string
	field func(m *M) any // pointer to the field
}

var interfaceColumns = []column[vswitchdb.Interface]{
	{"ofport", func(m *vswitchdb.Interface) any { return &m.Ofport }},
	{"error", func(m *vswitchdb.Interface) any { return &m.Error }},
	{"status", func(m *vswitchdb.Interface) any { return &m.Status }},
	{"mac_in_use", func(m *vswitchdb.Interface) any { return &m.MACInUse }},
	{"ifindex", func(m *vswitchdb.Interface) any { return &m.Ifindex }},
	{"admin_state", func(m *vswitchdb.Interface) any { return &m.AdminState }},
	{"link_state", func(m *vswitchdb.Interface) any { return &m.LinkState }},
	{"mtu", func(m *vswitchdb.Interface) any { return &m.MTU }},
	{"link_speed", func(m *vswitchdb.Interface) any { return &m.LinkSpeed }},
	{"duplex", func(m *vswitchdb.Interface) any { return &m.Duplex }},
	{"link_resets", func(m *vswitchdb.Interface) any { return &m.LinkResets }},
	{"statistics", func(m *vswitchdb.Interface) any { return &m.Statistics }},
}

// clearedOnFailure are the columns OVS empties when an interface fails
// (link_resets is kept).
var clearedOnFailure = map[string]bool{
	"ofport": true, "error": true, "status": true, "mac_in_use": true, "ifindex": true,
	"admin_state": true, "link_state": true, "mtu": true, "link_speed": true,
	"duplex": true, "statistics": true,
}

var bridgeColumns = []column[vswitchdb.Bridge]{
	{"datapath_id", func(m *vswitchdb.Bridge) any { return &m.DatapathID }},
	{"datapath_version", func(m *vswitchdb.Bridge) any { return &m.DatapathVersion }},
}

var rootColumns = []column[vswitchdb.OpenvSwitch]{
	{"datapath_types", func(m *vswitchdb.OpenvSwitch) any { return &m.DatapathTypes }},
	{"iface_types", func(m *vswitchdb.OpenvSwitch) any { return &m.IfaceTypes }},
	{"dpdk_version", func(m *vswitchdb.OpenvSwitch) any { return &m.DpdkVersion }},
	{"ovs_version", func(m *vswitchdb.OpenvSwitch) any { return &m.OVSVersion }},
	{"cur_cfg", func(m *vswitchdb.OpenvSwitch) any { return &m.CurCfg }},
}

// changedFields lists pointers into want for the columns in cols whose value
// differs from have and that are not already on their way to the server.
func changedFields[M any](cols []column[M], uuid string, want, have *M, only map[string]bool, w *recentWrites) []any {
	var fields []any
	for _, c := range cols {
		if only != nil && !only[c.name] {
			continue
		}
		key := uuid + "/" + c.name
		if sameValue(c.field(want), c.field(have)) {
			w.forget(key)
			continue
		}
		if w.inFlight(key, c.field(want)) {
			continue
		}
		fields = append(fields, c.field(want))
		w.stage(key, c.field(want))
	}
	return fields
}

// recentWriteTTL is how long a written value is trusted to be on its way
// into the cache; after that a still-different cache value is rewritten.
const recentWriteTTL = 2 * time.Second

// recentWrites remembers what we wrote until the cache shows it. Our writes
// go over the lock session while the cache is fed by the monitor session,
// so the cache can lag behind our own transaction; without this every value
// would be written twice.
type recentWrites struct {
	now     func() time.Time
	written map[string]recentWrite
	staged  map[string]string
}

type recentWrite struct {
	value string
	at    time.Time
}

func newRecentWrites() *recentWrites {
	return &recentWrites{now: time.Now, written: make(map[string]recentWrite), staged: make(map[string]string)}
}

func encodeValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (w *recentWrites) forget(key string) { delete(w.written, key) }

func (w *recentWrites) inFlight(key string, v any) bool {
	r, ok := w.written[key]
	return ok && r.value == encodeValue(v) && w.now().Sub(r.at) < recentWriteTTL
}

func (w *recentWrites) stage(key string, v any) { w.staged[key] = encodeValue(v) }

// commit records the staged values after a successful transaction; abort
// drops them after a failed one.
func (w *recentWrites) commit() {
	now := w.now()
	for k, v := range w.staged {
		w.written[k] = recentWrite{v, now}
	}
	clear(w.staged)
}

func (w *recentWrites) abort() { clear(w.staged) }

// sameValue compares two pointers to model fields as OVSDB would: nil and
// empty maps and sets are equal, sets compare without order.
func sameValue(a, b any) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	switch va.Kind() {
	case reflect.Pointer:
		if va.IsNil() || vb.IsNil() {
			return va.IsNil() == vb.IsNil()
		}
		return reflect.DeepEqual(va.Elem().Interface(), vb.Elem().Interface())
	case reflect.Map:
		if va.Len() == 0 && vb.Len() == 0 {
			return true
		}
		return reflect.DeepEqual(va.Interface(), vb.Interface())
	case reflect.Slice:
		if va.Len() != vb.Len() {
			return false
		}
		if sa, ok := va.Interface().([]string); ok {
			sb := vb.Interface().([]string)
			return slices.Equal(slices.Sorted(slices.Values(sa)), slices.Sorted(slices.Values(sb)))
		}
		return reflect.DeepEqual(va.Interface(), vb.Interface())
	}
	return reflect.DeepEqual(va.Interface(), vb.Interface())
}

// update builds the update op of one row for the given field pointers.
func update(c client.Client, m model.Model, fields []any) ([]ovsdb.Operation, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	ops, err := c.Where(m).Update(m, fields...)
	if err != nil {
		return nil, fmt.Errorf("build update of %T: %w", m, err)
	}
	return ops, nil
}

// interfaceRow is the Interface row OVS would write for a running interface.
func interfaceRow(is *ifaceState) *vswitchdb.Interface {
	row := &vswitchdb.Interface{UUID: is.uuid}
	if is.port == nil {
		row.Ofport = ptr(ofportNone)
		row.Error = ptr(is.err)
		return row
	}
	info := is.port.Info()
	row.Ofport = ptr(is.ofport)
	row.Status = info.Status
	if len(info.MAC) == 6 {
		row.MACInUse = ptr(info.MAC.String())
	}
	row.Ifindex = ptr(info.Ifindex)
	row.AdminState = ptr(upDown(info.AdminUp))
	row.LinkState = ptr(upDown(info.LinkUp))
	if info.MTU > 0 {
		row.MTU = ptr(info.MTU)
	}
	if info.LinkSpeed > 0 {
		row.LinkSpeed = ptr(int(info.LinkSpeed))
		row.Duplex = ptr(vswitchdb.InterfaceDuplexHalf)
		if info.FullDuplex {
			row.Duplex = ptr(vswitchdb.InterfaceDuplexFull)
		}
	}
	row.LinkResets = ptr(0)
	row.Statistics = statistics(info.Stats)
	return row
}

// statistics is the Interface.statistics map, with OVS's key names.
func statistics(s dpif.PortStats) map[string]int {
	return map[string]int{
		"collisions":           int(s.Collisions),
		"rx_bytes":             int(s.RxBytes),
		"rx_crc_err":           int(s.RxCRCErr),
		"rx_dropped":           int(s.RxDropped),
		"rx_errors":            int(s.RxErrors),
		"rx_frame_err":         int(s.RxFrameErr),
		"rx_missed_errors":     int(s.RxMissedErrors),
		"rx_multicast_packets": int(s.RxMulticast),
		"rx_over_err":          int(s.RxOverErr),
		"rx_packets":           int(s.RxPackets),
		"tx_bytes":             int(s.TxBytes),
		"tx_dropped":           int(s.TxDropped),
		"tx_errors":            int(s.TxErrors),
		"tx_packets":           int(s.TxPackets),
	}
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func ptr[T any](v T) *T { return &v }

// writeBack builds the operations that bring the database in line with the
// running state: the root row's capabilities and, if bumpCfg, cur_cfg;
// each running bridge's datapath ID; each running interface's state.
// Interfaces of bridges we refused or do not run are left alone.
func (s *Switch) writeBack(snap *snapshot, bumpCfg bool) ([]ovsdb.Operation, error) {
	if snap.root == nil {
		return nil, nil
	}
	var ops []ovsdb.Operation
	add := func(m model.Model, fields []any) error {
		o, err := update(s.db, m, fields)
		ops = append(ops, o...)
		return err
	}
	for _, name := range sortedKeys(s.rec.bridges) {
		br := s.rec.bridges[name]
		have := snap.bridges[br.uuid]
		if have == nil {
			continue
		}
		want := &vswitchdb.Bridge{UUID: br.uuid, DatapathID: ptr(br.dpid), DatapathVersion: "<built-in>"}
		if err := add(want, changedFields(bridgeColumns, br.uuid, want, have, nil, s.writes)); err != nil {
			return nil, err
		}
		if err := s.controllerOps(snap, br, have, add); err != nil {
			return nil, err
		}
		for _, in := range sortedKeys(br.ifaces) {
			is := br.ifaces[in]
			have := snap.ifaces[is.uuid]
			if have == nil {
				continue
			}
			want := interfaceRow(is)
			var only map[string]bool
			if is.port == nil {
				only = clearedOnFailure
			}
			if err := add(want, changedFields(interfaceColumns, is.uuid, want, have, only, s.writes)); err != nil {
				return nil, err
			}
		}
	}
	if err := s.datapathCapabilityOps(snap, add); err != nil {
		return nil, err
	}
	root := &vswitchdb.OpenvSwitch{
		UUID:          snap.root.UUID,
		DatapathTypes: datapathTypes(),
		IfaceTypes:    dpif.Types(),
		DpdkVersion:   ptr("none"),
		CurCfg:        snap.root.CurCfg,
		OVSVersion:    snap.root.OVSVersion,
	}
	if s.cfg.Version != "" {
		root.OVSVersion = ptr(s.cfg.Version)
	}
	if bumpCfg {
		root.CurCfg = snap.root.NextCfg
	}
	if err := add(root, changedFields(rootColumns, root.UUID, root, snap.root, nil, s.writes)); err != nil {
		return nil, err
	}
	return ops, nil
}

// onlyOwnColumns reports whether a row update changed nothing but columns
// the daemon writes itself; such echoes of our own write-back need no
// reconfiguration (OVS omits alerts for them too).
func onlyOwnColumns(old, new model.Model) bool {
	switch o := old.(type) {
	case *vswitchdb.Interface:
		return sameExcept(interfaceColumns, o, new.(*vswitchdb.Interface))
	case *vswitchdb.Bridge:
		return sameExcept(bridgeColumns, o, new.(*vswitchdb.Bridge))
	case *vswitchdb.OpenvSwitch:
		return sameExcept(rootColumns, o, new.(*vswitchdb.OpenvSwitch))
	case *vswitchdb.Controller:
		return sameExcept(controllerColumns, o, new.(*vswitchdb.Controller))
	}
	return false
}

// sameExcept reports whether old and new differ only in the columns cols.
func sameExcept[M any](cols []column[M], old, new *M) bool {
	cp := *new
	for _, c := range cols {
		reflect.ValueOf(c.field(&cp)).Elem().Set(reflect.ValueOf(c.field(old)).Elem())
	}
	return reflect.DeepEqual(*old, cp)
}
