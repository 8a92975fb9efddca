package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
)

// The fingerprint changes only when something translation reads does:
// with several ports and groups it is the same from one call to the next
// (map order must not leak into it), and a flow_mod changes it.
func TestFingerprintStable(t *testing.T) {
	r := newXlateRig(t, 4, "in_port=1,actions=output:2")
	r.br.mu.Lock()
	for id := uint32(1); id <= 4; id++ {
		r.br.groups[id] = &group{id: id, typ: groupTypeAll}
	}
	r.br.mu.Unlock()
	fp := r.bk.fingerprint()
	for range 50 {
		if got := r.bk.fingerprint(); got != fp {
			t.Fatalf("fingerprint changed without a change: %#x then %#x", fp, got)
		}
	}
	mustMod(t, r.br, ofp.FlowAdd, "in_port=3,actions=output:4")
	if r.bk.fingerprint() == fp {
		t.Error("a flow_mod left the fingerprint unchanged")
	}
}
