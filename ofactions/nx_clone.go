// clone(actions): NXAST_CLONE, a nested action list run on a copy of the
// packet and pipeline state.

package ofactions

import "github.com/govswitchd/govswitchd/ofp/ofperr"

// Clone runs Actions on a copy of the packet; what they change is not seen
// by the actions after the clone.
type Clone struct{ Actions List }

func (a *Clone) String() string { return "clone(" + a.Actions.String() + ")" }

const nxastClone = 42

func decodeClone(a []byte, version uint8, depth int) (Action, error) {
	if err := need(a, 16, true); err != nil {
		return nil, err
	}
	nested, err := decodeActions(a[16:], version, depth+1)
	if err != nil {
		return nil, err
	}
	for _, n := range nested {
		// Only apply-actions nest: OpenFlow 1.0's write_metadata action
		// stands for an instruction and is refused, as in OVS.
		if _, ok := n.(*WriteMetadata); ok {
			return nil, ofperr.OFPBIC_UNSUP_INST
		}
	}
	if nested == nil {
		nested = List{}
	}
	return &Clone{Actions: nested}, nil
}

func appendClone(b []byte, a *Clone, version uint8) ([]byte, error) {
	start := len(b)
	b, _ = putNX(b, nxastClone, 16)
	b, err := AppendActions(b, a.Actions, version)
	if err != nil {
		return b, err
	}
	return fixLen(b, start), nil
}

func parseClone(arg string, depth int) (Action, error) {
	l, err := parseList(arg, depth+1)
	if err != nil {
		return nil, err
	}
	return &Clone{Actions: l}, nil
}
