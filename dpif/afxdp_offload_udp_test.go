package dpif

import (
	"errors"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

// A UDP connection is established by its first reply, which can come
// before the original direction's second packet has installed the
// post-ct megaflow of established packets on port 1. Port 2's templates
// then resolve the original direction as if its packets arrived there;
// that path alone would leave the real traffic (on port 1) in software.
// Since a packet of the original direction made port 1's template, the
// direction must wait (the provider retries) until port 1 resolves.
func TestConnPathsWaitForOwnPort(t *testing.T) {
	old := offloadPortOf
	offloadPortOf = func(p Port) (offloadPort, bool) {
		if _, ok := p.(*DummyPort); ok {
			return offloadPort{ifindex: 100 + int(p.Name()[1]-'0')}, true
		}
		return offloadPort{}, false
	}
	t.Cleanup(func() { offloadPortOf = old })
	d, _ := newTestDP(t, 2)
	d.SetUpcallHandler(coarseCtFirewall{&offloadFirewall{}})
	committed := watchCommitted(t, d)
	// One datagram out, its reply back: port 1 has only the megaflow of
	// +new packets after ct().
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 40000, 9000, []byte("x")))
	inputFrames(d, 2, ckUDP("10.0.0.2", "10.0.0.1", 9000, 40000, []byte("y")))
	c := committed()
	if c == nil {
		t.Fatal("the datagram was not committed")
	}
	if paths, err := d.ConnPaths(c, false); !errors.Is(err, ErrNotOffloadable) {
		t.Fatalf("original direction before its +est megaflow: paths %+v, err %v; want it refused for now", paths, err)
	}
	// The next datagram installs it: now port 1's path resolves.
	inputFrames(d, 1, ckUDP("10.0.0.1", "10.0.0.2", 40000, 9000, []byte("x")))
	paths, err := d.ConnPaths(c, false)
	if err != nil {
		t.Fatal(err)
	}
	if p := pathFrom(t, paths, 1); p.OutPort != 2 {
		t.Fatalf("original path from port 1 goes to port %d", p.OutPort)
	}
	reply, err := d.ConnPaths(c, true)
	if err != nil {
		t.Fatal(err)
	}
	if p := pathFrom(t, reply, 2); p.OutPort != 1 {
		t.Fatalf("reply path from port 2 goes to port %d", p.OutPort)
	}
}

// coarseCtFirewall is offloadFirewall with megaflows that match only the
// new, established and tracked bits of ct_state, as ofproto's translation
// of a table without +rpl rules makes them: the reply direction's
// established megaflow then also covers original-direction packets.
type coarseCtFirewall struct{ fw *offloadFirewall }

func (c coarseCtFirewall) HandleUpcall(u *Upcall) error {
	if err := c.fw.HandleUpcall(u); err != nil {
		return err
	}
	u.Mask.Fields().SetCtState(uint8(conntrack.StateNew | conntrack.StateEstablished | conntrack.StateTracked))
	return nil
}
