package dpif

import (
	"fmt"
	"strings"
)

// ActCheckPktLen is check_pkt_len(size=N,gt(...),le(...)): the packet
// runs one of two action lists depending on its length (OVS's
// OVS_ACTION_ATTR_CHECK_PKT_LEN). It is numbered apart from the iota
// block so that new action types there do not renumber it.
const ActCheckPktLen ActionType = 64

// CheckPktLenAction holds check_pkt_len's arguments: packets longer than
// PktLen bytes run Greater, the others LessEqual.
type CheckPktLenAction struct {
	PktLen             uint16
	Greater, LessEqual []Action
}

// CheckPktLen returns a check_pkt_len action.
func CheckPktLen(c *CheckPktLenAction) Action { return Action{Type: ActCheckPktLen, CheckPktLen: c} }

// writeCheckPktLen prints check_pkt_len as OVS's odp-util does, "drop"
// for an empty branch.
func writeCheckPktLen(b *strings.Builder, c *CheckPktLenAction, names PortNames) {
	if c == nil {
		b.WriteString("check_pkt_len(error)")
		return
	}
	fmt.Fprintf(b, "check_pkt_len(size=%d,gt(", c.PktLen)
	branch := func(acts []Action) {
		if len(acts) == 0 {
			b.WriteString("drop")
			return
		}
		writeActions(b, acts, names)
	}
	branch(c.Greater)
	b.WriteString("),le(")
	branch(c.LessEqual)
	b.WriteString("))")
}

// checkPktLen runs check_pkt_len on each packet. When it is the last
// action the packet itself goes down its branch (as OVS's datapath does);
// otherwise a copy does, so the actions after it see the packet
// unchanged. Packets are run one at a time: no allocation is needed to
// split the batch.
func (e *executor) checkPktLen(refs []pktRef, c *CheckPktLenAction, last bool, depth, cloneDepth int) {
	if c == nil {
		return
	}
	for i := range refs {
		acts := c.LessEqual
		if refs[i].p.Len() > int(c.PktLen) {
			acts = c.Greater
		}
		if last {
			e.execute(refs[i:i+1], acts, depth, cloneDepth)
		} else {
			e.clone(refs[i], acts, depth, cloneDepth)
		}
	}
}
