package dpif

import "github.com/govswitchd/govswitchd/coverage"

// DefaultFlowLimit is the megaflow limit without other_config:flow-limit,
// OVS's default.
const DefaultFlowLimit = 200000

// flowLimitHit counts misses translated but not cached because the
// datapath held its limit of megaflows, under OVS's coverage name.
var flowLimitHit = coverage.New("upcall_flow_limit_hit")

// SetFlowLimit sets the most megaflows the datapath caches
// (other_config:flow-limit); n <= 0 restores DefaultFlowLimit. At the
// limit, misses are still translated and their packets forwarded, but
// nothing more is installed until flows expire, as in OVS: a flood of new
// flows costs upcalls, never unbounded memory. Lowering the limit does not
// delete flows; the idle sweeper does over time.
func (d *Datapath) SetFlowLimit(n int) {
	if n <= 0 {
		n = DefaultFlowLimit
	}
	d.flowLimit.Store(int64(n))
}

// FlowLimit is the megaflow limit in force.
func (d *Datapath) FlowLimit() int {
	if n := d.flowLimit.Load(); n > 0 {
		return int(n)
	}
	return DefaultFlowLimit
}

// atFlowLimit reports whether installing one more megaflow would exceed
// the limit, and counts it.
func (d *Datapath) atFlowLimit() bool {
	if d.flows.Load() < uint64(d.FlowLimit()) {
		return false
	}
	flowLimitHit.Inc()
	return true
}
