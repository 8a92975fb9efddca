package dpif

import "testing"

func TestFlowLimit(t *testing.T) {
	var d Datapath
	if got := d.FlowLimit(); got != DefaultFlowLimit {
		t.Errorf("default limit %d", got)
	}
	d.SetFlowLimit(2)
	d.flows.Store(1)
	if d.atFlowLimit() {
		t.Error("at the limit with 1 of 2 flows")
	}
	d.flows.Store(2)
	if !d.atFlowLimit() {
		t.Error("not at the limit with 2 of 2 flows")
	}
	d.SetFlowLimit(0)
	if got := d.FlowLimit(); got != DefaultFlowLimit || d.atFlowLimit() {
		t.Errorf("limit %d after reset", got)
	}
}
