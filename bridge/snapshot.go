package bridge

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/govswitchd/govswitchd/maclearn"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// snapshot is one consistent read of the tables the bridge layer uses.
type snapshot struct {
	root    *vswitchdb.OpenvSwitch // nil while the database has no row
	bridges map[string]*vswitchdb.Bridge
	ports   map[string]*vswitchdb.Port
	ifaces  map[string]*vswitchdb.Interface
	ctrls   map[string]*vswitchdb.Controller
}

// errInconsistent means the cache was caught mid-resync (a row refers to a
// row we do not have); the caller retries shortly instead of acting on it.
var errInconsistent = fmt.Errorf("database cache is being resynchronised")

// readSnapshot copies the tables out of libovsdb's cache.
func readSnapshot(ctx context.Context, c client.Client) (*snapshot, error) {
	var roots []vswitchdb.OpenvSwitch
	var bridges []vswitchdb.Bridge
	var ports []vswitchdb.Port
	var ifaces []vswitchdb.Interface
	var ctrls []vswitchdb.Controller
	for _, l := range []any{&roots, &bridges, &ports, &ifaces, &ctrls} {
		if err := c.List(ctx, l); err != nil {
			return nil, fmt.Errorf("read database cache: %w", err)
		}
	}
	s := &snapshot{
		bridges: make(map[string]*vswitchdb.Bridge),
		ports:   make(map[string]*vswitchdb.Port),
		ifaces:  make(map[string]*vswitchdb.Interface),
		ctrls:   make(map[string]*vswitchdb.Controller),
	}
	for i := range ctrls {
		s.ctrls[ctrls[i].UUID] = &ctrls[i]
	}
	if len(roots) > 0 {
		slices.SortFunc(roots, func(a, b vswitchdb.OpenvSwitch) int { return compareStrings(a.UUID, b.UUID) })
		s.root = &roots[0]
	}
	for i := range bridges {
		s.bridges[bridges[i].UUID] = &bridges[i]
	}
	for i := range ports {
		s.ports[ports[i].UUID] = &ports[i]
	}
	for i := range ifaces {
		s.ifaces[ifaces[i].UUID] = &ifaces[i]
	}
	if s.root == nil {
		return s, nil
	}
	for _, u := range s.root.Bridges {
		br := s.bridges[u]
		if br == nil {
			return nil, errInconsistent
		}
		for _, pu := range br.Ports {
			p := s.ports[pu]
			if p == nil {
				return nil, errInconsistent
			}
			for _, iu := range p.Interfaces {
				if s.ifaces[iu] == nil {
					return nil, errInconsistent
				}
			}
		}
	}
	return s, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bridgeConfig is what the database asks of one bridge.
type bridgeConfig struct {
	uuid        string
	name        string
	dpType      string // normalised: "netdev" or "dummy"
	otherConfig map[string]string
	ifaces      []ifaceConfig // sorted by name
	protocols   []string      // Bridge.protocols, sorted
	failSecure  bool          // fail_mode=secure
	controllers []string      // Controller targets, sorted
}

// ifaceConfig is what the database asks of one interface.
type ifaceConfig struct {
	uuid          string
	name          string
	typ           string
	options       map[string]string
	ofportRequest int // 0 if none
	mtuRequest    int // 0 if none
	local         bool
	portMAC       string // Port.mac of its port, used to pick the bridge MAC
	portName      string
	mac           string                // Interface.mac: the MAC to give an internal port
	vlan          maclearn.PortSettings // its Port's VLAN settings (vlan_config.go)
}

// supportedDatapaths maps Bridge.datapath_type to the datapath we run it on.
// "" would be the kernel datapath in OVS; we have none, so it is netdev.
var supportedDatapaths = map[string]string{
	"":       "netdev",
	"netdev": "netdev",
	"dummy":  "dummy",
}

// datapathTypes is what we advertise in Open_vSwitch.datapath_types.
func datapathTypes() []string {
	var types []string
	for k, v := range supportedDatapaths {
		if k == v {
			types = append(types, k)
		}
	}
	slices.Sort(types)
	return types
}

// desiredBridges turns a snapshot into per-bridge configurations. Bridges of
// an unsupported datapath type are reported through refuse and left out, as
// are ports and interfaces listed twice (OVS warns and keeps the first).
func desiredBridges(s *snapshot, refuse func(name, dpType string)) map[string]*bridgeConfig {
	out := make(map[string]*bridgeConfig)
	if s.root == nil {
		return out
	}
	brUUIDs := slices.Clone(s.root.Bridges)
	slices.SortFunc(brUUIDs, func(a, b string) int { return compareStrings(s.bridges[a].Name, s.bridges[b].Name) })
	seenIface := make(map[string]bool)
	for _, bu := range brUUIDs {
		br := s.bridges[bu]
		if out[br.Name] != nil {
			log.Warn("bridge %s specified twice", br.Name)
			continue
		}
		dpType, ok := supportedDatapaths[br.DatapathType]
		if !ok {
			refuse(br.Name, br.DatapathType)
			continue
		}
		bc := &bridgeConfig{uuid: br.UUID, name: br.Name, dpType: dpType, otherConfig: maps.Clone(br.OtherConfig)}
		bc.protocols = slices.Sorted(slices.Values(br.Protocols))
		bc.failSecure = br.FailMode != nil && *br.FailMode == "secure"
		for _, cu := range br.Controller {
			if c := s.ctrls[cu]; c != nil {
				bc.controllers = append(bc.controllers, c.Target)
			}
		}
		slices.Sort(bc.controllers)
		for _, pu := range br.Ports {
			p := s.ports[pu]
			for _, iu := range p.Interfaces {
				ifc := s.ifaces[iu]
				if seenIface[ifc.Name] {
					log.Warn("bridge %s: %s is already in use, ignoring it on port %s", br.Name, ifc.Name, p.Name)
					continue
				}
				seenIface[ifc.Name] = true
				ic := ifaceConfig{
					uuid:     ifc.UUID,
					name:     ifc.Name,
					typ:      ifc.Type,
					options:  maps.Clone(ifc.Options),
					local:    ifc.Name == br.Name,
					portName: p.Name,
					vlan:     portVLANSettings(p),
				}
				if ifc.OfportRequest != nil {
					ic.ofportRequest = *ifc.OfportRequest
				}
				if ifc.MTURequest != nil {
					ic.mtuRequest = *ifc.MTURequest
				}
				if p.MAC != nil {
					ic.portMAC = *p.MAC
				}
				if ifc.MAC != nil {
					ic.mac = *ifc.MAC
				}
				bc.ifaces = append(bc.ifaces, ic)
			}
		}
		slices.SortFunc(bc.ifaces, func(a, b ifaceConfig) int { return compareStrings(a.name, b.name) })
		out[br.Name] = bc
	}
	return out
}
