package ofproto

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
)

// BenchmarkFlowLoadRoundTrips is add-flows as ovs-ofctl really sends it:
// each flow_mod is followed by a barrier, and the next flow_mod waits for
// the barrier's reply. One op is one such round trip, on a bridge attached
// to a datapath's Backer, so that the revalidation kick of every change is
// paid too. The flows cycle through the 20,000 (after the first
// pass an add replaces an identical rule, as a repeated add-flows does).
// Run with -cpuprofile for the daemon's side of the round trip.
func BenchmarkFlowLoadRoundTrips(b *testing.B) {
	const n = 20000
	msgs := manyFlowMods(b, n)
	dp, err := dpif.NewDatapath("dummy", "")
	if err != nil {
		b.Fatal(err)
	}
	defer dp.Close()
	br, err := NewBridge("br0", b.TempDir(), dp, Config{FailSecure: true})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	bk := NewBacker(dp)
	defer bk.Close()
	bk.AddBridge(br)
	c, err := net.Dial("unix", MgmtPath(br.rundir, "br0"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := readMsg(c); err != nil { // the switch's hello
		b.Fatal(err)
	}
	if _, err := c.Write(ofp.EncodeHello(1<<ofp.Version13, 1)); err != nil {
		b.Fatal(err)
	}
	barrier := []byte{ofp.Version13, 20, 0, 8, 0, 0, 0, 0}
	b.ReportAllocs()
	j := 0
	for b.Loop() {
		// Two writes, as ovs-ofctl's vconn sends them.
		if _, err := c.Write(msgs[j%n]); err != nil {
			b.Fatal(err)
		}
		binary.BigEndian.PutUint32(barrier[4:], uint32(j))
		if _, err := c.Write(barrier); err != nil {
			b.Fatal(err)
		}
		msg, err := readMsg(c)
		if err != nil {
			b.Fatal(err)
		}
		if msg[1] != 21 || binary.BigEndian.Uint32(msg[4:]) != uint32(j) {
			b.Fatalf("got %x, want the barrier reply %d", msg, j)
		}
		j++
	}
}
