package ofproto

import (
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Rule is one flow in a table. Everything but the counters is fixed once
// the rule is in a table: a modify installs a new Rule in its place, so a
// *Rule returned by Lookup stays consistent while the caller uses it.
type Rule struct {
	TableID     uint8
	Priority    uint16
	Match       mf.Match
	Cookie      uint64
	IdleTimeout uint16
	HardTimeout uint16
	Importance  uint16
	Flags       uint16 // ofp.Flag*
	Actions     ofactions.List

	// seq is the rule's place among its table's rules of the same
	// priority (classifier.go).
	seq uint64

	created  time.Time // for duration
	modified time.Time // for hard_age and the hard timeout

	used     atomic.Int64 // unix nanoseconds of the last hit (or creation)
	nPackets atomic.Uint64
	nBytes   atomic.Uint64
	removed  atomic.Bool
}

func newRule(table uint8, priority uint16, m *mf.Match, actions ofactions.List) *Rule {
	now := time.Now()
	r := &Rule{TableID: table, Priority: priority, Actions: actions, created: now, modified: now}
	if m != nil {
		r.Match = *m
	}
	r.used.Store(now.UnixNano())
	return r
}

func normalActions() ofactions.List {
	return ofactions.List{&ofactions.Output{Port: mf.PortNormal}}
}

// Credit counts packets and bytes that hit the rule and refreshes its idle
// timer. Safe for concurrent use.
func (r *Rule) Credit(packets, bytes uint64) {
	r.nPackets.Add(packets)
	r.nBytes.Add(bytes)
	r.used.Store(time.Now().UnixNano())
}

// Stats returns the rule's packet and byte counts.
func (r *Rule) Stats() (packets, bytes uint64) { return r.nPackets.Load(), r.nBytes.Load() }

// Removed reports whether the rule has left its table.
func (r *Rule) Removed() bool { return r.removed.Load() }

// flowStats fills the dump entry of r.
func (r *Rule) flowStats(now time.Time) ofp.FlowStats {
	d := now.Sub(r.created)
	if d < 0 {
		d = 0
	}
	idle := now.Sub(time.Unix(0, r.used.Load()))
	hard := now.Sub(r.modified)
	return ofp.FlowStats{
		TableID:     r.TableID,
		DurationSec: uint32(d / time.Second),
		// OVS keeps time in milliseconds, so ovs-ofctl prints 3 decimals.
		DurationNsec: uint32(d % time.Second / time.Millisecond * time.Millisecond),
		Priority:     r.Priority,
		IdleTimeout:  r.IdleTimeout,
		HardTimeout:  r.HardTimeout,
		Flags:        r.Flags,
		Importance:   r.Importance,
		IdleAge:      int(max(idle, 0) / time.Second),
		HardAge:      int(max(hard, 0) / time.Second),
		Cookie:       r.Cookie,
		PacketCount:  r.nPackets.Load(),
		ByteCount:    r.nBytes.Load(),
		Match:        r.Match,
		Actions:      r.Actions,
	}
}

// outputsTo reports whether the rule's actions send to port, as OVS's
// out_port filter: output actions, the controller, and actions nested in
// write_actions.
func outputsTo(l ofactions.List, port uint16) bool {
	for _, a := range l {
		switch a := a.(type) {
		case *ofactions.Output:
			if a.Port == port {
				return true
			}
		case *ofactions.Controller:
			if port == mf.PortController {
				return true
			}
		case *ofactions.WriteActions:
			if outputsTo(a.Actions, port) {
				return true
			}
		case *ofactions.Clone:
			if outputsTo(a.Actions, port) {
				return true
			}
		}
	}
	return false
}

// outputsToGroup reports whether the actions use group id.
func outputsToGroup(l ofactions.List, id uint32) bool {
	for _, a := range l {
		switch a := a.(type) {
		case *ofactions.Group:
			if a.ID == id {
				return true
			}
		case *ofactions.WriteActions:
			if outputsToGroup(a.Actions, id) {
				return true
			}
		case *ofactions.Clone:
			if outputsToGroup(a.Actions, id) {
				return true
			}
		}
	}
	return false
}
