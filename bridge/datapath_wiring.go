package bridge

import (
	"errors"
	"math"
	"slices"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/maclearn"
	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/unixctl"
)

// startDatapath puts a new shared datapath to work: its Backer translates
// upcalls through the bridges' OpenFlow tables, and its poll loops move
// packets for every port, now and later.
func startDatapath(ds *datapathState) {
	ds.backer = ofproto.NewBacker(ds.dp)
	ds.dp.Start()
}

// stopDatapath undoes startDatapath before the datapath is closed.
func stopDatapath(ds *datapathState) {
	if ds.backer != nil {
		ds.backer.Close()
		ds.backer = nil
	}
}

// backerOf is the Backer of the bridge's datapath (nil if none).
func (r *reconciler) backerOf(br *bridgeState) *ofproto.Backer {
	if ds := r.datapaths[br.dpType]; ds != nil && ds.dp == br.dp {
		return ds.backer
	}
	return nil
}

// attachOpenFlow tells the Backer about a bridge's new OpenFlow agent.
func (r *reconciler) attachOpenFlow(br *bridgeState) {
	if bk := r.backerOf(br); bk != nil && br.of != nil {
		bk.AddBridge(br.of)
	}
}

// detachOpenFlow forgets the bridge's OpenFlow agent before it closes.
func (r *reconciler) detachOpenFlow(br *bridgeState) {
	if bk := r.backerOf(br); bk != nil && br.of != nil {
		bk.RemoveBridge(br.of)
	}
}

// mapPort maps an OpenFlow port to its datapath port in the Backer.
func (r *reconciler) mapPort(br *bridgeState, ofport uint16, odp uint32) {
	if bk := r.backerOf(br); bk != nil && br.of != nil {
		if err := bk.SetPort(br.of, ofport, odp); err != nil {
			log.Warn("bridge %s: %v", br.name, err)
		}
	}
}

// unmapPort removes an OpenFlow port from the Backer.
func (r *reconciler) unmapPort(br *bridgeState, ofport uint16) {
	if bk := r.backerOf(br); bk != nil && br.of != nil {
		bk.RemovePort(br.of, ofport)
	}
}

// registerDatapathCommands registers the datapath's dpctl/dpif-netdev
// commands and the conntrack dpctl commands once; each call is served by
// the datapath existing at that time (the netdev one first).
func (s *Switch) registerDatapathCommands(ctl *unixctl.Server) {
	names := map[string]bool{}
	var probe dpif.Datapath // only for the command list
	for _, c := range probe.Commands() {
		if names[c.Name] {
			continue
		}
		names[c.Name] = true
		name := c.Name
		ctl.Register(c.Name, c.Usage, c.MinArgs, c.MaxArgs, func(args []string) (string, error) {
			dp := s.commandDatapath()
			if dp == nil {
				return "", errNoDatapath
			}
			for _, dc := range dp.Commands() {
				if dc.Name == name {
					return dc.Run(args)
				}
			}
			return "", errNoDatapath
		})
	}
	var ct conntrack.Tracker
	for _, c := range ct.Commands() {
		if names[c.Name] {
			continue
		}
		names[c.Name] = true
		name := c.Name
		ctl.Register(c.Name, c.Usage, c.MinArgs, c.MaxArgs, func(args []string) (string, error) {
			dp := s.commandDatapath()
			if dp == nil {
				return "", errNoDatapath
			}
			for _, cc := range dp.Conntrack().Commands() {
				if cc.Name == name {
					return cc.Run(args)
				}
			}
			return "", errNoDatapath
		})
	}
}

// registerBridgeCommands registers ofproto/trace and the fdb/* commands,
// which look bridges up by name at call time.
func (s *Switch) registerBridgeCommands(ctl *unixctl.Server) {
	ctl.Register("ofproto/trace", ofproto.TraceUsage, 1, math.MaxInt32, ofproto.TraceCommand(s.openflowBridge))
	maclearn.RegisterCommands(ctl, s.fdbBridge, s.fdbBridges)
}

// openflowBridge finds a running bridge's OpenFlow agent and Backer.
func (s *Switch) openflowBridge(name string) (*ofproto.Bridge, *ofproto.Backer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	br := s.rec.bridges[name]
	if br == nil || br.of == nil {
		return nil, nil, false
	}
	bk := s.rec.backerOf(br)
	return br.of, bk, bk != nil
}

// fdbBridge describes a bridge's MAC learning table for the fdb/* commands.
func (s *Switch) fdbBridge(name string) (*maclearn.Bridge, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fdbBridgeLocked(name)
}

func (s *Switch) fdbBridgeLocked(name string) (*maclearn.Bridge, bool) {
	br := s.rec.bridges[name]
	if br == nil || br.of == nil {
		return nil, false
	}
	bk := s.rec.backerOf(br)
	if bk == nil {
		return nil, false
	}
	t := bk.MACTable(br.of)
	if t == nil {
		return nil, false
	}
	ports := make(map[string]maclearn.Port)
	for _, is := range br.ifaces {
		if is.port != nil && is.ofport != ofportNone {
			ports[is.name] = maclearn.Port(is.ofport)
		}
	}
	return &maclearn.Bridge{Name: name, Table: t, PortByName: func(n string) (maclearn.Port, bool) {
		p, ok := ports[n]
		return p, ok
	}}, true
}

// fdbBridges lists every bridge with a MAC table, by name.
func (s *Switch) fdbBridges() []*maclearn.Bridge {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*maclearn.Bridge
	for _, name := range sortedKeys(s.rec.bridges) {
		if b, ok := s.fdbBridgeLocked(name); ok {
			out = append(out, b)
		}
	}
	return out
}

// errNoDatapath is OVS's reply when no datapath exists yet.
var errNoDatapath = errors.New("ovs-vswitchd: no datapaths exist\novs-vswitchd: datapath not found (Invalid argument)\n")

// commandDatapath picks the datapath dpctl commands act on.
func (s *Switch) commandDatapath() *dpif.Datapath {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := sortedKeys(s.rec.datapaths)
	slices.SortStableFunc(types, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "netdev":
			return -1
		case b == "netdev":
			return 1
		}
		return 0
	})
	if len(types) == 0 {
		return nil
	}
	return s.rec.datapaths[types[0]].dp
}
