package ofproto

import (
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
)

// TestKickRevalidationCoalesces checks the hook's bookkeeping on a Backer
// whose loop is not running, so that what it leaves for the loop can be
// looked at: nothing while the datapath caches no megaflow, and a single
// wake-up for any number of kicks once it does.
func TestKickRevalidationCoalesces(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,udp,actions=output:2")
	k := &Backer{dp: r.dp, kick: make(chan struct{}, 1)}

	for range 100 {
		k.kickRevalidation()
	}
	if len(k.kick) != 0 || k.kickPending.Load() {
		t.Fatalf("empty datapath: %d wake-ups queued, pending %v; want none", len(k.kick), k.kickPending.Load())
	}

	r.input(1, udpFrame(1000))
	if n := r.dp.Stats().Flows; n != 1 {
		t.Fatalf("datapath holds %d megaflows, want 1", n)
	}
	for range 100 {
		k.kickRevalidation()
	}
	if len(k.kick) != 1 || !k.kickPending.Load() {
		t.Fatalf("100 kicks: %d wake-ups queued, pending %v; want 1 and true", len(k.kick), k.kickPending.Load())
	}
	// Once the loop has taken the wake-up and looked (it clears the
	// flag first), the next change wakes it again.
	<-k.kick
	k.kickPending.Store(false)
	k.kickRevalidation()
	if len(k.kick) != 1 {
		t.Fatalf("kick after the loop looked: %d wake-ups queued, want 1", len(k.kick))
	}
}

// TestFlowModBurstReachesMegaflow is a burst of table changes, as
// add-flows sends them, against a cached megaflow: however the kicks are
// coalesced, the megaflow ends with the actions of the last change,
// without anyone calling RevalidateAll.
func TestFlowModBurstReachesMegaflow(t *testing.T) {
	r := newXlateRig(t, 4, "in_port=1,udp,actions=output:2")
	r.input(1, udpFrame(1000))
	if n := r.sent(t, 2); n != 1 {
		t.Fatalf("port 2 sent %d packets, want 1", n)
	}
	// The burst flips the rule between ports 3 and 2, then ends on port
	// 4, which no revalidation in the middle of the burst can have seen.
	const n = 500
	for i := range n + 1 {
		out := 3 - i%2
		if i == n {
			out = 4
		}
		fm, err := ofp.ParseFlow("in_port=1,udp,actions=output:"+uitoa(uint64(out)), ofp.FlowModify)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.br.FlowMod(fm); err != nil {
			t.Fatal(err)
		}
	}
	// Wait for the revalidator: the deadline only bounds a hung test.
	deadline := time.Now().Add(20 * time.Second)
	for {
		acts := dumpActions(t, r)
		if acts == "4" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("megaflow actions %q after the burst, want %q", acts, "4")
		}
		time.Sleep(time.Millisecond)
	}
	r.input(1, udpFrame(1000))
	if n := r.sent(t, 4); n != 1 {
		t.Fatalf("port 4 sent %d packets after the burst, want 1", n)
	}
}

// staleHandler translates with the Backer, then applies a table change
// before the datapath installs that translation: the race of a packet
// missing while a flow_mod lands.
type staleHandler struct {
	k      *Backer
	change func()
}

func (h *staleHandler) HandleUpcall(u *dpif.Upcall) error {
	err := h.k.HandleUpcall(u)
	if h.change != nil && u.Type == dpif.UpcallMiss {
		h.change()
		h.change = nil
	}
	return err
}

// TestKickOnEmptyDatapathStillRevalidates covers the race the empty
// datapath shortcut leaves open: a megaflow installed after a skipped
// kick, from a translation of the tables before the change, is fixed by
// the loop's next tick, because the skipped kick left the fingerprint the
// loop compares with untouched.
func TestKickOnEmptyDatapathStillRevalidates(t *testing.T) {
	r := newXlateRig(t, 3, "in_port=1,udp,actions=output:2")
	h := &staleHandler{k: r.bk, change: func() {
		fm, err := ofp.ParseFlow("in_port=1,udp,actions=output:3", ofp.FlowModify)
		if err != nil {
			t.Error(err)
			return
		}
		if err := r.br.FlowMod(fm); err != nil {
			t.Error(err)
		}
	}}
	r.dp.SetUpcallHandler(h)
	r.input(1, udpFrame(1000))
	if got := dumpActions(t, r); got != "2" {
		t.Fatalf("megaflow installed with actions %q, want the stale 2", got)
	}
	// The deadline only bounds a hung test.
	deadline := time.Now().Add(20 * time.Second)
	for dumpActions(t, r) != "3" {
		if time.Now().After(deadline) {
			t.Fatalf("megaflow actions %q, want 3", dumpActions(t, r))
		}
		time.Sleep(time.Millisecond)
	}
}

func dumpActions(t *testing.T, r *xlateRig) string {
	t.Helper()
	flows := r.dp.FlowDump()
	if len(flows) != 1 {
		t.Fatalf("datapath holds %d megaflows, want 1", len(flows))
	}
	return dpif.ActionsText(flows[0].Actions, nil)
}
