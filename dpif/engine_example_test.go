package dpif_test

import (
	"fmt"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif"
)

// A translation layer implements UpcallHandler: on a miss it returns the
// datapath actions and the mask of the fields it looked at, and the
// datapath caches the megaflow. Here every IPv4 packet is sent through
// conntrack in zone 5 and recirculated, as ct(table=1,zone=5) translates.
func ExampleUpcallHandler() {
	d, err := dpif.NewDatapath("dummy", "example")
	if err != nil {
		panic(err)
	}
	defer d.Close()
	ct := &dpif.CTAction{Action: conntrack.Action{Zone: 5}}
	d.SetUpcallHandler(dpif.UpcallFunc(func(u *dpif.Upcall) error {
		if u.Key.RecircID() == 0 && u.Key.EthType() == 0x0800 {
			u.Mask.Fields().SetCtState(0x20)
			u.Actions = []dpif.Action{dpif.CT(ct), dpif.Recirc(1)}
		}
		return nil
	}))

	frame := make([]byte, 64)
	frame[12], frame[13] = 0x08, 0x00
	frame[14] = 0x45
	frame[17] = 50 // total length
	var b dpif.Batch
	buf := make([]byte, dpif.Headroom+len(frame))
	copy(buf[dpif.Headroom:], frame)
	b.Pkts[0].Reset(buf, dpif.Headroom, len(frame))
	b.N = 1
	d.Input(0, &b)

	for _, f := range d.FlowDump() {
		fmt.Println(dpif.MegaflowKeyText(&f.Key, &f.Flow.Mask, false, nil), "->", dpif.ActionsText(f.Actions, nil))
	}
	// Output:
	// ct_state(-trk),recirc_id(0),in_port(0),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no) -> ct(zone=5),recirc(0x1)
	// recirc_id(0x1),in_port(0),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no) -> drop
}
