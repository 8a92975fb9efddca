package maclearn_test

import (
	"fmt"

	"github.com/govswitchd/govswitchd/maclearn"
)

func ExampleTable() {
	tb := maclearn.NewTable(maclearn.Config{})
	tb.Learn(maclearn.MAC{2, 0, 0, 0, 0, 1}, 10, 3, 0)
	port, ok := tb.Lookup(maclearn.MAC{2, 0, 0, 0, 0, 1}, 10)
	fmt.Println(port, ok)
	// Output: 3 true
}

// An access port in VLAN 10 and a trunk: the first frame floods, the reply
// is forwarded to the learned port with its tag stripped.
func ExampleSwitch_Normal() {
	sw := maclearn.NewSwitch(maclearn.NewTable(maclearn.Config{}))
	err := sw.SetPorts([]maclearn.PortSettings{
		{Port: 1, Name: "vm1", Tag: 10, HasTag: true},
		{Port: 2, Name: "uplink"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := maclearn.MAC{2, 0, 0, 0, 0, 1}
	peer := maclearn.MAC{2, 0, 0, 0, 0, 2}

	var d maclearn.Decision
	sw.Normal(&maclearn.Packet{InPort: 1, Src: vm, Dst: maclearn.BroadcastMAC}, &d)
	fmt.Println(d.Verdict, d.Reason)
	for _, o := range d.Outputs {
		fmt.Println(" port", o.Port, o.Action, o.VLANs[0].VID)
	}

	reply := maclearn.Packet{InPort: 2, Src: peer, Dst: vm,
		VLANs: [2]maclearn.VLANTag{{TPID: maclearn.TPID8021Q, VID: 10}}}
	sw.Normal(&reply, &d)
	fmt.Println(d.Verdict, d.Reason)
	for _, o := range d.Outputs {
		fmt.Println(" port", o.Port, o.Action)
	}
	// Output:
	// flood no learned MAC for destination, flooding
	//  port 2 push 10
	// forward forwarding to learned port
	//  port 1 strip
}
