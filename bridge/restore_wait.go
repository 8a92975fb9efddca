package bridge

import (
	"strings"

	"github.com/govswitchd/govswitchd/dpif"
)

// Open_vSwitch other_config:flow-restore-wait, OVS's hot-upgrade protocol
// (ovs-save): a switch started with it true takes its configuration and
// accepts OpenFlow changes on the management sockets, but handles no
// packets (misses are dropped without installing anything), keeps the
// datapath's flows and does not connect to controllers, so that a
// restorer can rebuild the flow tables first. Once the key reads false
// (or is removed) the switch starts for good: the datapath's flows are
// flushed so that every packet is translated through the restored
// tables, and controllers are connected. As in ovs-vswitchd the key is
// read only until it is first seen false; setting it again later does
// nothing.

// restoreWaitState follows the key across reconfigurations.
type restoreWaitState struct {
	// read is set once the database was looked at: before that the
	// switch is waiting (a datapath is never opened before the first
	// read, so nothing passes in between).
	read bool
	// waiting is whether flow-restore-wait is in force.
	waiting bool
}

// restoreWaitHandler is the datapath's upcall handler while waiting: it
// drops every miss and installs nothing, as OVS's datapath does while
// receiving is disabled.
type restoreWaitHandler struct{}

// HandleUpcall drops the packet and keeps the flow out of the cache.
func (restoreWaitHandler) HandleUpcall(u *dpif.Upcall) error {
	u.Actions = nil
	u.NoInstall = true
	return nil
}

// smapBool is OVS's smap_get_bool with a false default: true only for a
// value of "true" in any case.
func smapBool(oc map[string]string, key string) bool {
	return strings.EqualFold(oc[key], "true")
}

// setFlowRestoreWait reads other_config:flow-restore-wait before a
// configuration pass. When waiting ends it releases every datapath.
func (r *reconciler) setFlowRestoreWait(oc map[string]string) {
	rw := &r.restoreWait
	if rw.read && !rw.waiting {
		return // only the first transition to false counts
	}
	was := rw.read && rw.waiting
	rw.read = true
	rw.waiting = smapBool(oc, "flow-restore-wait")
	switch {
	case rw.waiting && !was:
		log.Info("flow-restore-wait is set: not handling packets or connecting to controllers until it is cleared")
	case was && !rw.waiting:
		log.Info("flow-restore-wait cleared: handling packets")
		for _, typ := range sortedKeys(r.datapaths) {
			r.releaseDatapath(r.datapaths[typ])
		}
	}
}

// holdDatapath keeps a datapath just opened from handling packets while
// flow-restore-wait is in force.
func (r *reconciler) holdDatapath(ds *datapathState) {
	if r.restoreWait.waiting {
		ds.dp.SetUpcallHandler(restoreWaitHandler{})
	}
}

// releaseDatapath lets a held datapath's misses reach its Backer. Flows
// left in the datapath predate the restored tables, so they go, as OVS
// flushes them when it enables receiving.
func (r *reconciler) releaseDatapath(ds *datapathState) {
	if ds.backer != nil {
		ds.dp.SetUpcallHandler(ds.backer)
	}
	ds.dp.FlushFlows()
}

// gateControllers drops the controllers from the wanted configuration
// while flow-restore-wait is in force: OVS connects to none until the
// flows are restored. The management socket (ovs-ofctl) stays.
func (r *reconciler) gateControllers(want map[string]*bridgeConfig) {
	if !r.restoreWait.waiting {
		return
	}
	for _, bc := range want {
		bc.controllers = nil
	}
}
