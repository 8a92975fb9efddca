package dpif

import (
	"slices"
	"testing"
)

// TestMissNotCountedByMegaflow: as in OVS, the packet that missed is run
// by the upcall and not counted by the megaflow it installed (the handler
// credits it while translating), so revalidation passes only later hits.
func TestMissNotCountedByMegaflow(t *testing.T) {
	d, out := newTestDP(t, 2)
	var credited []uint64
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		if u.Type == UpcallRevalidate {
			credited = append(credited, u.Stats.Packets)
		}
		u.Actions = []Action{Output(2)}
		return nil
	}))
	f := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, nil)
	inputFrames(d, 1, f)
	d.RevalidateAll()
	inputFrames(d, 1, f, f)
	d.RevalidateAll()
	d.RevalidateAll()
	if !slices.Equal(credited, []uint64{0, 2, 0}) {
		t.Fatalf("revalidations credited %v, want [0 2 0]", credited)
	}
	if n := len(out[2].Sent()); n != 3 {
		t.Fatalf("port 2 sent %d frames, want 3 (the miss's packet too)", n)
	}
}
