package bridge

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/unixctl"
)

// registerRevalidatorCommands adds OVS's revalidator/wait and
// revalidator/purge: tests use them to make the datapath flow cache follow
// a flow table change before sending traffic, on govswitchd as on
// ovs-vswitchd (where dpctl/del-flows would leave the revalidators' flow
// keys behind).
func (s *Switch) registerRevalidatorCommands(ctl *unixctl.Server) {
	ctl.Register("revalidator/wait", "", 0, 0, func([]string) (string, error) {
		for _, dp := range s.runningDatapaths() {
			dp.RevalidateAll()
		}
		return "", nil
	})
	ctl.Register("revalidator/purge", "", 0, 0, func([]string) (string, error) {
		for _, dp := range s.runningDatapaths() {
			// Credit what the flows carried to their rules first, as
			// OVS's purge does.
			dp.RevalidateAll()
			dp.FlushFlows()
		}
		return "", nil
	})
}

// runningDatapaths lists the open datapaths.
func (s *Switch) runningDatapaths() []*dpif.Datapath {
	s.mu.Lock()
	defer s.mu.Unlock()
	var dps []*dpif.Datapath
	for _, typ := range sortedKeys(s.rec.datapaths) {
		dps = append(dps, s.rec.datapaths[typ].dp)
	}
	return dps
}
