package ofproto

import (
	"sync/atomic"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// numTables is OVS's table count: 0..253 are visible, 254 is hidden and
// read-only.
const numTables = 255

// hiddenTable is OVS's internal read-only table.
const hiddenTable = 254

// maxFlowsPerTable is the max_entries OVS reports.
const maxFlowsPerTable = 1000000

// table is one flow table and its lookup counters.
type table struct {
	id      uint8
	cls     classifier
	config  tableConfig // guarded by Bridge.mu
	limits  tableLimits // Flow_Table settings (eviction.go), guarded by Bridge.mu
	lookups atomic.Uint64
	matched atomic.Uint64
}

// Lookup finds the highest-priority rule of table tableID matching flow,
// counting the lookup in the table's statistics; nil on a miss. It does
// not allocate and is safe for concurrent use with flow_mods.
func (b *Bridge) Lookup(tableID uint8, flow *mf.Flow) *Rule {
	if int(tableID) >= numTables {
		return nil
	}
	t := &b.tables[tableID]
	t.lookups.Add(1)
	b.mu.RLock()
	r := t.cls.lookup(flow, nil)
	b.mu.RUnlock()
	if r != nil {
		t.matched.Add(1)
	}
	return r
}

// insertRule adds r to its table. Caller holds mu.
func (b *Bridge) insertRule(r *Rule) {
	b.tables[r.TableID].cls.insert(r)
}

// removeRule takes r out of its table. Caller holds mu.
func (b *Bridge) removeRule(r *Rule) {
	b.tables[r.TableID].cls.remove(r)
	r.removed.Store(true)
}

// removeRules takes rules out of their tables, each table compacted once
// however many of its rules go. Caller holds mu.
func (b *Bridge) removeRules(rules []*Rule) {
	if len(rules) == 1 {
		b.removeRule(rules[0])
		return
	}
	var touched [numTables]bool
	for _, r := range rules {
		r.removed.Store(true)
		touched[r.TableID] = true
	}
	for i := range touched {
		if touched[i] {
			b.tables[i].cls.removeMarked()
		}
	}
}

// ruleCount is the number of rules in table id. Caller holds mu.
func (b *Bridge) ruleCount(id int) int { return b.tables[id].cls.count() }
