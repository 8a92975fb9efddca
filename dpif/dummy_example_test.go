package dpif_test

import (
	"fmt"

	"github.com/govswitchd/govswitchd/dpif"
)

// A frame injected with netdev-dummy/receive comes out of Recv; what the
// datapath sends is captured for Sent.
func ExampleDummyPort() {
	p, err := dpif.NewDummyPort("dummy", "example0", nil)
	if err != nil {
		panic(err)
	}
	defer p.Close()
	if _, err := dpif.NetdevDummyReceive([]string{"example0", "ffffffffffff505400000001 88b5 0102"}); err != nil {
		panic(err)
	}
	var b dpif.Batch
	if err := p.Recv(0, &b); err != nil {
		panic(err)
	}
	fmt.Printf("received %d: %x\n", b.N, b.Pkts[0].Data())
	if err := p.Send(0, &b); err != nil {
		panic(err)
	}
	fmt.Printf("sent: %x\n", p.Sent())
	fmt.Println(p.Info().Stats.Map())
	// Output:
	// received 1: ffffffffffff50540000000188b50102
	// sent: [ffffffffffff50540000000188b50102]
	// map[rx_bytes:16 rx_packets:1 tx_bytes:16 tx_packets:1]
}
