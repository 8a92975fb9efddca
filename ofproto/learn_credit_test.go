package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
)

// TestLearnResultCreditedAtMiss: a packet through the datapath is
// credited to the rules of the translation that handled it, the one that
// learned, not to those of a later revalidation, which may see the learn
// fail once the tables have changed (here the learned flow no longer is
// what the learn teaches, and the limit is reached). OVS credits a miss's
// packet while translating it.
func TestLearnResultCreditedAtMiss(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,ip,actions=learn(table=2,limit=1,result_dst=reg3[0],eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,3)",
		"table=3,priority=10,reg3=0x1,actions=output:2",
		"table=3,priority=0,actions=output:3",
	)
	r.input(1, udpFrame(1000))
	if n := r.sent(t, 2); n != 1 {
		t.Fatalf("port 2 sent %d packets, want 1 (learn succeeded)", n)
	}
	// The learned flow changes: learning 10.0.0.1 again would now be
	// over the limit.
	fm, err := ofp.ParseFlow("table=2,actions=drop", ofp.FlowModify)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.br.FlowMod(fm); err != nil {
		t.Fatal(err)
	}
	r.dp.RevalidateAll()
	r.br.mu.RLock()
	rules := r.br.tables[3].cls.ordered()
	r.br.mu.RUnlock()
	got := map[uint16]uint64{}
	for _, rule := range rules {
		got[rule.Priority], _ = rule.Stats()
	}
	if got[10] != 1 || got[0] != 0 {
		t.Errorf("table 3 counters: reg3=0x1 rule %d, priority 0 rule %d; want 1 and 0", got[10], got[0])
	}
}
