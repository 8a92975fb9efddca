package bridge

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/offload"
	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vlog"
)

// OpenFlow port numbers the bridge layer hands out.
const (
	ofportLocal = 65534 // OFPP_LOCAL
	ofportMax   = 65279 // OFPP_MAX in 16-bit OpenFlow 1.0 numbering
	ofportNone  = -1    // what OVS writes for an interface that failed
)

var ofprotoLog = vlog.New("ofproto")

// datapathNames are the shared datapath of each type, as OVS names them.
var datapathNames = map[string]string{"netdev": "ovs-netdev", "dummy": "ovs-dummy"}

// datapathState is one shared datapath and how many bridges use it.
type datapathState struct {
	dp      *dpif.Datapath
	backer  *ofproto.Backer  // translates its upcalls (datapath_wiring.go)
	offload *offload.Manager // nil unless hw-offload (offload_wiring.go)
	bridges int
}

// bridgeState is a running bridge.
type bridgeState struct {
	uuid   string
	name   string
	dpType string
	dp     *dpif.Datapath
	of     *ofproto.Bridge // nil until its sockets could be created
	ifaces map[string]*ifaceState
	mac    net.HardwareAddr
	dpid   string
	// ofPorts are the OpenFlow port numbers told to of; controllers the
	// Controller targets it was started with.
	ofPorts     map[uint16]bool
	controllers []string
	// ctrlWritten is the Controller state last written, by row UUID
	// (controller_status.go).
	ctrlWritten map[string]*ctrlWritten
}

// ifaceState is an interface of a running bridge, open or failed.
type ifaceState struct {
	uuid    string
	name    string
	typ     string
	options map[string]string
	local   bool
	port    dpif.Port // nil if opening failed
	odp     uint32
	ofport  int    // ofportNone while failed
	err     string // Interface.error text while failed
}

// reconciler owns the datapaths, bridges and ports. Its methods are called
// from the Switch's single configuration goroutine with Switch.mu held.
type reconciler struct {
	rundir    string
	datapaths map[string]*datapathState // by datapath type
	bridges   map[string]*bridgeState   // by name
	offload   offloadSetting            // read at the first configuration
	dpConfig  map[string]string         // Open_vSwitch other_config for datapaths (pmd_config.go)
	// setMAC and setMTU change a device by ifindex; variables so tests can
	// watch them.
	setMAC func(ifindex int, mac net.HardwareAddr) error
	setMTU func(ifindex, mtu int) error
	// statusNotify is given to each OpenFlow bridge: controller state
	// changes are written back without waiting for the stats timer.
	statusNotify func()
	// restoreWait follows other_config:flow-restore-wait (restore_wait.go).
	restoreWait restoreWaitState
	// tableCfg is the Flow_Table settings last given to each OpenFlow
	// agent (flow_table.go).
	tableCfg map[*ofproto.Bridge]string
	// ctrlCfg is the controller settings last given to each OpenFlow
	// agent (controller_settings.go).
	ctrlCfg map[*ofproto.Bridge]string
	// tls is the SSL configuration shared by every bridge (ssl.go).
	tls *ofproto.TLS
}

func newReconciler(rundir string) *reconciler {
	return &reconciler{
		rundir:    rundir,
		datapaths: make(map[string]*datapathState),
		bridges:   make(map[string]*bridgeState),
		setMAC:    setLinkMAC,
		setMTU:    setLinkMTU,
	}
}

// refuse logs, as OVS does on every reconfiguration, that a bridge's
// datapath type does not exist.
func (r *reconciler) refuse(name, dpType string) {
	ofprotoLog.Warn("unknown datapath type %s", dpType)
	ofprotoLog.Warn("could not create datapath %s of unknown type %s", name, dpType)
	log.Err("failed to create bridge %s: Address family not supported by protocol", name)
}

// apply brings the running state in line with want. It never fails as a
// whole: what cannot be done is logged and recorded per interface, and
// retried on the next call.
func (r *reconciler) apply(want map[string]*bridgeConfig) {
	// Removals first, so an interface moving between bridges is free again.
	for _, name := range slices.Sorted(maps.Keys(r.bridges)) {
		br := r.bridges[name]
		bc := want[name]
		if bc == nil || bc.dpType != br.dpType {
			r.destroyBridge(br)
			continue
		}
		wanted := make(map[string]*ifaceConfig, len(bc.ifaces))
		for i := range bc.ifaces {
			wanted[bc.ifaces[i].name] = &bc.ifaces[i]
		}
		for _, in := range slices.Sorted(maps.Keys(br.ifaces)) {
			is := br.ifaces[in]
			ic := wanted[in]
			if ic == nil || ic.typ != is.typ || !maps.Equal(ic.options, is.options) || ic.local != is.local {
				r.removeIface(br, is)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		bc := want[name]
		br := r.bridges[name]
		if br == nil {
			var err error
			if br, err = r.createBridge(bc); err != nil {
				log.Err("failed to create bridge %s: %v", name, err)
				continue
			}
		}
		br.uuid = bc.uuid
		r.applyIfaces(br, bc)
		r.applyIfaceMACs(br, bc)
		r.applyHwaddr(br, bc)
		r.applyPortVLANs(br, bc)
		r.applyOpenFlow(br, bc)
		r.applyPortVLANs(br, bc)
		r.applyMTU(br, bc)
	}
}

// createBridge opens (or shares) the datapath of the bridge's type.
func (r *reconciler) createBridge(bc *bridgeConfig) (*bridgeState, error) {
	ds := r.datapaths[bc.dpType]
	if ds == nil {
		dp, err := dpif.NewDatapath(bc.dpType, datapathNames[bc.dpType])
		if err != nil {
			return nil, fmt.Errorf("open datapath %s@%s: %w", bc.dpType, datapathNames[bc.dpType], err)
		}
		ds = &datapathState{dp: dp}
		dp.SetOtherConfig(r.dpConfig)
		dp.SetFlowLimit(flowLimitOf(r.dpConfig))
		startDatapath(ds)
		r.holdDatapath(ds)
		r.attachOffload(ds)
		r.datapaths[bc.dpType] = ds
	}
	ds.bridges++
	br := &bridgeState{
		uuid:   bc.uuid,
		name:   bc.name,
		dpType: bc.dpType,
		dp:     ds.dp,
		ifaces: make(map[string]*ifaceState),
	}
	r.bridges[bc.name] = br
	return br, nil
}

// destroyBridge closes the bridge's sockets and ports and releases its
// datapath, closing it after its last bridge.
func (r *reconciler) destroyBridge(br *bridgeState) {
	if br.of != nil {
		r.detachOpenFlow(br)
		if err := br.of.Close(); err != nil {
			log.Warn("bridge %s: %v", br.name, err)
		}
		br.of = nil
	}
	// LOCAL goes last, as in OVS's log.
	names := slices.Sorted(maps.Keys(br.ifaces))
	slices.SortStableFunc(names, func(a, b string) int {
		la, lb := br.ifaces[a].local, br.ifaces[b].local
		switch {
		case la == lb:
			return 0
		case la:
			return 1
		}
		return -1
	})
	for _, n := range names {
		r.removeIface(br, br.ifaces[n])
	}
	delete(r.bridges, br.name)
	if ds := r.datapaths[br.dpType]; ds != nil {
		ds.bridges--
		if ds.bridges <= 0 {
			detachOffload(ds)
			stopDatapath(ds)
			if err := ds.dp.Close(); err != nil {
				log.Warn("close datapath %s: %v", ds.dp.FullName(), err)
			}
			delete(r.datapaths, br.dpType)
		}
	}
}

// removeIface detaches and closes one interface.
func (r *reconciler) removeIface(br *bridgeState, is *ifaceState) {
	delete(br.ifaces, is.name)
	if is.port == nil {
		return
	}
	// RemovePort also closes the port.
	if err := br.dp.RemovePort(is.odp); err != nil {
		log.Warn("bridge %s: %v", br.name, err)
	}
	is.port = nil
	log.Info("bridge %s: deleted interface %s on port %d", br.name, is.name, is.ofport)
}

// applyIfaces opens missing interfaces (retrying failed ones) and gives
// every open interface its OpenFlow port number.
func (r *reconciler) applyIfaces(br *bridgeState, bc *bridgeConfig) {
	used := make(map[int]bool)
	for _, is := range br.ifaces {
		if is.port != nil {
			used[is.ofport] = true
		}
	}
	var opened []*ifaceState
	for i := range bc.ifaces {
		ic := &bc.ifaces[i]
		is := br.ifaces[ic.name]
		if is == nil {
			is = &ifaceState{name: ic.name, typ: ic.typ, options: maps.Clone(ic.options), local: ic.local, ofport: ofportNone}
			br.ifaces[ic.name] = is
		}
		is.uuid = ic.uuid
		if is.port != nil {
			// Move to a newly requested number if it is free, as OVS does.
			if req := ic.ofportRequest; !is.local && req > 0 && req != is.ofport && req <= ofportMax && !used[req] {
				delete(used, is.ofport)
				is.ofport = req
				used[req] = true
			}
			continue
		}
		openType := ic.typ
		if ic.local {
			// The LOCAL port is always the bridge's own internal device.
			openType = "internal"
		}
		p, err := br.dp.OpenPort(openType, ic.name, ic.options)
		if err != nil {
			is.err = openErrorText(ic.name, err)
			is.ofport = ofportNone
			log.Warn("%s", is.err)
			continue
		}
		is.port, is.err = p, ""
		is.odp = br.dp.AddPort(p)
		opened = append(opened, is)
	}
	// Requests first, then the lowest free numbers, in name order.
	req := make(map[string]int, len(bc.ifaces))
	for _, ic := range bc.ifaces {
		req[ic.name] = ic.ofportRequest
	}
	var rest []*ifaceState
	for _, is := range opened {
		switch n := req[is.name]; {
		case is.local:
			is.ofport = ofportLocal
		case n > 0 && n <= ofportMax && !used[n]:
			is.ofport = n
			used[n] = true
		default:
			rest = append(rest, is)
		}
	}
	next := 1
	for _, is := range rest {
		for used[next] {
			next++
		}
		is.ofport = next
		used[next] = true
	}
	for _, is := range opened {
		log.Info("bridge %s: added interface %s on port %d", br.name, is.name, is.ofport)
	}
}

// openErrorText is the Interface.error text of a failed open: dpif already
// words its errors as OVS does; anything else is wrapped the same way.
func openErrorText(name string, err error) string {
	var oe *dpif.OpenError
	if errors.As(err, &oe) {
		return oe.Error()
	}
	return (&dpif.OpenError{Name: name, Err: err}).Error()
}

// closeAll tears everything down (Switch.Close).
func (r *reconciler) closeAll() error {
	for _, name := range slices.Sorted(maps.Keys(r.bridges)) {
		r.destroyBridge(r.bridges[name])
	}
	var errs []error
	for typ, ds := range r.datapaths {
		detachOffload(ds)
		stopDatapath(ds)
		if err := ds.dp.Close(); err != nil {
			errs = append(errs, err)
		}
		delete(r.datapaths, typ)
	}
	return errors.Join(errs...)
}
