package conntrack

import "strings"

// State is the ct_state bit set the tracker writes into packet metadata. The
// values are the OpenFlow ct_state bits.
type State uint8

// ct_state bits, as in OpenFlow's ct_state field.
const (
	StateNew         State = 0x01
	StateEstablished State = 0x02
	StateRelated     State = 0x04
	StateReply       State = 0x08
	StateInvalid     State = 0x10
	StateTracked     State = 0x20
	StateSrcNAT      State = 0x40
	StateDstNAT      State = 0x80
)

var stateNames = [...]struct {
	bit  State
	name string
}{
	{StateNew, "new"}, {StateEstablished, "est"}, {StateRelated, "rel"},
	{StateReply, "rpl"}, {StateInvalid, "inv"}, {StateTracked, "trk"},
	{StateSrcNAT, "snat"}, {StateDstNAT, "dnat"},
}

// String renders the bits the way ovs-ofctl prints ct_state: "new|trk".
func (s State) String() string {
	if s == 0 {
		return "0"
	}
	var parts []string
	for _, n := range stateNames {
		if s&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, "|")
}
