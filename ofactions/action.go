package ofactions

import (
	"strings"
)

// Action is one decoded action. Implementations are the small structs of
// this package; String returns the ovs-ofctl text.
type Action interface {
	String() string
}

// List is a sequence of actions (and instructions) of one flow.
type List []Action

// String prints the list as ovs-ofctl's "actions=" value ("drop" if
// empty).
func (l List) String() string {
	if len(l) == 0 {
		return "drop"
	}
	var sb strings.Builder
	for i, a := range l {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(a.String())
	}
	return sb.String()
}

// Wire versions used by the codecs (same numbering as package ofp).
const (
	version10 uint8 = 0x01
	version11 uint8 = 0x02
	version12 uint8 = 0x03
	version13 uint8 = 0x04
	version14 uint8 = 0x05
	version15 uint8 = 0x06
)

// Experimenter ids.
const (
	nxVendor  = 0x00002320
	onfVendor = 0x4f4e4600
)
