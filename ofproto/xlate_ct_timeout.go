package ofproto

import (
	"strconv"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// ctTimeout gives a committing ct() its zone's timeout policy (configured
// from OVSDB CT_Zone rows), as OVS's translation does for the userspace
// datapath: the policy id travels in the datapath action, shown as
// timeout=ID. Like OVS, which treats the userspace policy as generic, it
// does not unwildcard the protocol it looked at.
func (x *xlate) ctTimeout(ca *dpif.CTAction) {
	if !ca.Commit || x.bk == nil {
		return
	}
	if et := fieldUint(&x.flow, mf.EthType); et != mf.EthTypeIP && et != mf.EthTypeIPv6 {
		return
	}
	id, ok := x.bk.Datapath().Conntrack().ZoneTimeoutPolicy(ca.Zone, uint8(fieldUint(&x.flow, mf.IPProto)))
	if !ok {
		return
	}
	ca.TimeoutPolicy = id
	ca.Timeout = strconv.FormatUint(uint64(id), 10)
}
