package ofp_test

import (
	"encoding/hex"
	"fmt"

	"github.com/govswitchd/govswitchd/ofp"
)

// A flow as ovs-ofctl add-flow takes it, encoded the way default-mode
// ovs-ofctl sends it (NXT_FLOW_MOD with table ids) and printed back as
// ovs-ofctl ofp-print shows it.
func ExampleParseFlow() {
	fm, err := ofp.ParseFlow("table=0,priority=10,ip,ct_state=-trk,actions=ct(table=1)", ofp.FlowAdd)
	if err != nil {
		panic(err)
	}
	msg, err := ofp.EncodeFlowMod(fm, ofp.ProtoNXMTID, 10)
	if err != nil {
		panic(err)
	}
	fmt.Println(hex.EncodeToString(msg))
	text, _ := ofp.FormatMessage(msg, true)
	fmt.Println(text)
	// Output:
	// 010400600000000a000023200000000d0000000000000000000000000000000affffffffffff000000120000000000000000060208000001d3080000000000000020000000000000ffff00180000232000230000000000000000010000000000
	// NXT_FLOW_MOD (xid=0xa): ADD priority=10,ct_state=-trk,ip actions=ct(table=1)
}

// Version negotiation as ovs-vswitchd does it for a client that offers
// only OpenFlow 1.5 to a bridge restricted to 1.0 and 1.3.
func ExampleNegotiate() {
	peer, _ := ofp.DecodeHello(ofp.EncodeHello(1<<ofp.Version15, 1))
	_, err := ofp.Negotiate(1<<ofp.Version10|1<<ofp.Version13, peer)
	fmt.Println(err)
	// Output:
	// version negotiation failed (we support versions 0x01, 0x04, peer supports version 0x06)
}
