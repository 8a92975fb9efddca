package ofproto

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/maclearn"
)

// broadcastFrame is udpFrame sent to the broadcast address, with an
// 802.1Q tag of vid unless vid is 0.
func broadcastFrame(vid uint16) []byte {
	f := udpFrame(1000)
	copy(f[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if vid == 0 {
		return f
	}
	return slices.Concat(f[:12], []byte{0x81, 0x00, byte(vid >> 8), byte(vid)}, f[12:])
}

// frames returns (and forgets) what datapath port odp sent, in hex.
func (r *xlateRig) frames(t *testing.T, odp uint32) []string {
	t.Helper()
	p, ok := r.dp.Port(odp)
	if !ok {
		t.Fatalf("no port %d", odp)
	}
	var out []string
	for _, f := range p.(*dpif.DummyPort).Sent() {
		out = append(out, hex.EncodeToString(f))
	}
	return out
}

// The Port table's VLAN settings reach NORMAL: port 2 is an access port of
// VLAN 10, port 3 a trunk of VLAN 10 only, port 1 a trunk of every VLAN.
func TestNormalFollowsPortVLANs(t *testing.T) {
	r := newXlateRig(t, 3)
	r.bk.SetPortVLANs(r.br, map[uint16]maclearn.PortSettings{
		2: {HasTag: true, Tag: 10},
		3: {Trunks: []int{10}},
	})
	odp := func(p uint16) uint32 { return r.bk.portMap(r.bk.stateOf(r.br))[p] }
	untagged, tagged := hex.EncodeToString(broadcastFrame(0)), hex.EncodeToString(broadcastFrame(10))
	check := func(what string, port uint16, want ...string) {
		t.Helper()
		if got := r.frames(t, odp(port)); !slices.Equal(got, want) {
			t.Errorf("%s: port %d sent %q, want %q", what, port, got, want)
		}
	}

	r.input(odp(2), broadcastFrame(0))
	check("access port flood", 1, tagged)
	check("access port flood", 3, tagged)

	r.input(odp(3), broadcastFrame(10))
	check("trunk flood", 1, tagged)
	check("trunk flood", 2, untagged)

	r.input(odp(1), broadcastFrame(0))
	check("VLAN 0 flood", 2)
	check("VLAN 0 flood", 3)

	r.input(odp(2), broadcastFrame(10))
	r.input(odp(3), broadcastFrame(20))
	check("disallowed VLANs", 1)
	check("disallowed VLANs", 2)
	check("disallowed VLANs", 3)

	// The same settings again change nothing; dropping them makes port 2
	// a trunk of every VLAN again.
	r.bk.SetPortVLANs(r.br, map[uint16]maclearn.PortSettings{2: {HasTag: true, Tag: 10}, 3: {Trunks: []int{10}}})
	r.bk.SetPortVLANs(r.br, nil)
	r.dp.RevalidateAll()
	r.input(odp(1), broadcastFrame(0))
	check("after reset", 2, untagged)
	check("after reset", 3, untagged)
}
