package ofproto

import "github.com/govswitchd/govswitchd/ofp"

// Packet-in reasons OpenFlow 1.0 to 1.3 already had, beside the table
// misses of async.go; 3 to 5 came with OpenFlow 1.4.
const (
	pinAction    = 1
	pinActionSet = 3
	pinGroup     = 4
	pinPacketOut = 5
)

// isTableMiss reports whether r is a table-miss rule: priority 0 and a
// match that takes every packet.
func (r *Rule) isTableMiss() bool { return r.Priority == 0 && r.Match.IsCatchAll() }

// explicitMiss turns a controller action's reason into an explicit table
// miss when the rule executing it is a table-miss rule, as OVS does, so
// that OpenFlow 1.3 and later controllers see no_match (table_miss) for
// the table-miss flow they installed.
func explicitMiss(reason uint8, r *Rule) uint8 {
	if reason == pinAction && r.isTableMiss() {
		return pinExplicitMiss
	}
	return reason
}

// wireReason is the reason a packet-in carries on a connection of
// version v: OpenFlow before 1.3 has no explicit miss (the rule's action
// sent it), before 1.4 no action_set, group or packet_out reason.
func wireReason(reason, v uint8) uint8 {
	switch reason {
	case pinExplicitMiss:
		if v < ofp.Version13 {
			return pinAction
		}
		return pinNoMatch
	case pinImplicitMiss:
		return pinNoMatch
	case pinActionSet, pinGroup, pinPacketOut:
		if v < ofp.Version14 {
			return pinAction
		}
	}
	return reason
}
