package ofproto

import (
	"errors"
	"fmt"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// HandleUpcall implements dpif.UpcallHandler: misses and revalidations
// are translated through the tables of the bridge that owns the input
// port (or that froze the recirculation). A miss credits its packet, and
// a revalidation the megaflow's traffic since (Upcall.Stats), to every
// rule the translation went through.
func (k *Backer) HandleUpcall(u *dpif.Upcall) (err error) {
	if u == nil || u.Key == nil {
		return errors.New("upcall without a flow key")
	}
	// A translation bug must cost a packet, not the daemon.
	defer func() {
		if p := recover(); p != nil {
			log.Err("%s: translation failed: %v", k.dp.FullName(), p)
			err = fmt.Errorf("translation failed: %v", p)
		}
	}()
	switch u.Type {
	case dpif.UpcallAction:
		k.packetIn(u)
		return nil
	case dpif.UpcallMiss, dpif.UpcallRevalidate:
	default:
		return nil
	}
	// Revalidation learns MACs only from flows that carried traffic since
	// the last round, as OVS learns when pushing a flow's statistics.
	noLearn := u.Type == dpif.UpcallRevalidate && u.Stats.Packets == 0
	x := k.translateKey(u.Key, noLearn, nil)
	if x == nil {
		// Unknown port or recirculation: a drop flow on in_port and
		// recirc_id keeps such packets out of the slow path.
		u.Actions, u.Mask = nil, dpif.FlowMask{}
		return nil
	}
	u.Actions = x.acts
	u.Mask = maskToKeyMask(&x.wc)
	switch {
	case u.Type == dpif.UpcallMiss:
		creditMiss(x, u)
	case u.Stats.Packets > 0:
		creditRules(x.rules, u.Stats.Packets, u.Stats.Bytes)
	}
	// After crediting: learning may replace rules the credit went to.
	x.finishUpcall(u)
	return nil
}

// creditMiss credits a miss's packet to the rules its own translation
// went through, as OVS does; the datapath's megaflow does not count it.
// A later translation could take another path: a limited learn's result,
// for one, depends on the flows present when it runs.
func creditMiss(x *xlate, u *dpif.Upcall) {
	var bytes uint64
	if u.Packet != nil {
		bytes = uint64(u.Packet.Len())
	}
	creditRules(x.rules, 1, bytes)
}

// creditRules adds traffic to each distinct rule.
func creditRules(rules []*Rule, packets, bytes uint64) {
	for i, r := range rules {
		dup := false
		for _, o := range rules[:i] {
			if o == r {
				dup = true
				break
			}
		}
		if !dup {
			r.Credit(packets, bytes)
		}
	}
}

// translateKey translates a datapath key: from table 0 of the input
// port's bridge, or from where a recirculation id froze. It returns nil
// when the key belongs to no bridge.
func (k *Backer) translateKey(key *dpif.FlowKey, noLearn bool, tr *tracer) *xlate {
	table := uint8(0)
	var bb *backerBridge
	var ofport uint16
	var meta *mf.Flow
	var cont string // a frozen pipeline to continue instead of table
	if id := key.RecircID(); id != 0 {
		st, ok := k.recirc.lookup(id, timeNow())
		if !ok {
			return nil
		}
		if bb = k.stateOf(st.bridge); bb == nil {
			return nil
		}
		table, ofport, meta = st.table, st.inPort, &st.meta
		if st.recirc {
			cont = st.cont
		}
	} else {
		var ok bool
		if bb, ofport, ok = k.bridgeOf(key.InPort()); !ok {
			return nil
		}
	}
	flow := keyToFlow(key, ofport)
	if meta != nil {
		orFlow(&flow, meta)
	}
	x := k.newXlate(bb, &flow)
	x.noLearn = noLearn
	x.tr = tr
	if meta != nil {
		tr.thaw(table)
	}
	if cont != "" {
		x.thaw(cont)
	} else {
		x.run(table)
	}
	return x
}
