package ofproto

import "time"

// kickHoldoff is the shortest time between two revalidations started by
// table changes. The first change after a quiet spell is revalidated at
// once; changes that follow within kickHoldoff (ovs-ofctl add-flows sends
// one flow_mod every few microseconds) wait together for its end, so a
// burst of N flow_mods costs a few revalidations of the datapath's
// megaflows rather than N, and a change still reaches the cached flows
// within kickHoldoff.
const kickHoldoff = 2 * time.Millisecond

// kickRevalidation is the bridges' onChange hook: something translation
// reads has changed, so the datapath's megaflows must be checked.
//
// It runs on every flow_mod, on the connection's reader goroutine, so it
// is kept to a few atomic operations:
//
//   - With no megaflow in the datapath there is nothing to check: a
//     packet that misses from now on is translated with the changed
//     tables. The kick is skipped without touching the fingerprint the
//     loop last acted on, so a megaflow installed meanwhile by a
//     translation that read the tables before the change (the datapath
//     installs after the handler returns) is still revalidated at the
//     loop's next tick, revalidatePeriod later at most.
//   - Otherwise the loop is woken only by the first kick since it last
//     looked (kickPending); the kicks after it are covered by that look.
func (k *Backer) kickRevalidation() {
	if k.dp.Stats().Flows == 0 {
		return
	}
	if k.kickPending.Swap(true) {
		return
	}
	select {
	case k.kick <- struct{}{}:
	default: // one pending kick covers every change before it
	}
}
