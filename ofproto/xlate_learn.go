package ofproto

import (
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Translation of learn and fin_timeout, the two actions whose effect is
// on the flow tables rather than on the packet.
//
// Design: as in OVS 3.1, a megaflow whose translation ran learn is cached
// like any other. Translation only builds the learned flow (and unwildcards
// every bit it read, so a packet that would teach a different flow misses
// the megaflow and is translated again); the flow is installed once the
// translation is over, so that lookups of the same translation never see
// it (OVS's versioned tables give the same result). The datapath then
// re-runs the learn for the packets the megaflow handles on its own:
// every revalidation that carries traffic (at least once per statsPeriod)
// re-translates with side effects allowed, which refreshes the learned
// flow's hard timeout or re-adds it if it expired, like the stats push of
// OVS's XC_LEARN cache entries. A revalidation without traffic has no side
// effects; if a limited learn then finds its flow gone, the megaflow is
// not kept (OVS's avoid_caching), so that the next packet learns again.
// A packet-out learns once its translation is over too; like OVS's
// packet-out path it ignores the learn's limit.
//
// fin_timeout works the same way: translation notes the rule and its new
// timeouts, and they are applied after it when the upcall's packet (or the
// megaflow's traffic) had TCP FIN or RST.

// xlateLearn is the learning state of one translation.
type xlateLearn struct {
	flows []pendingLearn
	fins  []pendingFin
	// avoidCaching: the result depends on a learn that could not run.
	avoidCaching bool
	// packetOut: translating a packet-out, whose learns OVS installs
	// without checking their limit (and so always reports success).
	packetOut bool
	// rule is the rule whose actions are running (nil for a
	// packet-out's own actions): the one fin_timeout changes.
	rule *Rule
}

// enterRule makes r the running rule and returns the previous one, which
// the caller restores when r's actions are done.
func (l *xlateLearn) enterRule(r *Rule) *Rule {
	outer := l.rule
	l.rule = r
	return outer
}

// pendingLearn is a flow to learn once the translation is over.
type pendingLearn struct {
	lf    *ofactions.LearnedFlow
	limit uint32
}

// pendingFin is a fin_timeout to apply to a rule on TCP FIN or RST.
type pendingFin struct {
	rule       *Rule
	idle, hard uint16
}

// TCP flags that make fin_timeout take effect.
const (
	tcpFIN = 0x001
	tcpRST = 0x004
)

// learn translates a learn action.
func (x *xlate) learn(a *ofactions.Learn) {
	a.Mask(&x.wc)
	if x.tr != nil && x.noLearn {
		x.tr.warn("suppressing side effects, so learn action ignored")
		return
	}
	lf := a.Execute(&x.flow)
	if x.tr != nil {
		x.tr.detail(learnedFlowText(lf))
	}
	var success bool
	if x.noLearn {
		// No side effects: a limited learn whose flow is gone would have
		// to learn again, which only a packet may do.
		success = true
		if a.Limit != 0 && !x.br.learnedPresent(lf) {
			x.learning.avoidCaching = true
		}
	} else if x.learning.packetOut {
		success = x.br.learnTable(lf) != nil
		x.learning.flows = append(x.learning.flows, pendingLearn{lf: lf})
	} else {
		success = x.br.learnWouldSucceed(lf, a.Limit)
		if success {
			x.learning.flows = append(x.learning.flows, pendingLearn{lf: lf, limit: a.Limit})
		}
	}
	if a.Flags&ofactions.LearnWriteResult != 0 {
		x.writeResult(a.ResultDst, success)
		if x.tr != nil {
			x.tr.detail(a.ResultDst.String() + " is now " + subfieldText(&x.flow, a.ResultDst))
		}
	}
	if !success && x.tr != nil {
		x.tr.detail("Limit exceeded, learn failed")
	}
}

// writeResult stores a learn's result bit into dst (one bit).
func (x *xlate) writeResult(dst ofactions.Subfield, ok bool) {
	f := dst.Field
	if f == nil {
		return
	}
	var v, m mf.ValueMask
	i := f.Bytes - 1 - dst.Ofs/8
	if i < 0 {
		return
	}
	m[i] = 1 << (dst.Ofs % 8)
	if ok {
		v[i] = m[i]
	}
	x.setField(f, v, m)
}

// finTimeout translates fin_timeout: it applies to the rule whose actions
// are running.
func (x *xlate) finTimeout(a *ofactions.FinTimeout) {
	if x.noLearn || x.learning.rule == nil {
		return
	}
	x.learning.fins = append(x.learning.fins, pendingFin{rule: x.learning.rule, idle: a.IdleTimeout, hard: a.HardTimeout})
}

// learnedFlowText describes a learned flow as ofproto/trace does.
func learnedFlowText(lf *ofactions.LearnedFlow) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "table=%d", lf.Table)
	if m := lf.Match.Format(mf.DefaultPriority); m != "" {
		sb.WriteString(" " + m)
	}
	fmt.Fprintf(&sb, " priority=%d", lf.Priority)
	if lf.Cookie != 0 {
		fmt.Fprintf(&sb, " cookie=%#x", lf.Cookie)
	}
	if lf.IdleTimeout != 0 {
		fmt.Fprintf(&sb, " idle=%d", lf.IdleTimeout)
	}
	if lf.HardTimeout != 0 {
		fmt.Fprintf(&sb, " hard=%d", lf.HardTimeout)
	}
	if lf.SendFlowRem {
		sb.WriteString(" send_flow_rem")
	}
	sb.WriteString(" actions=" + lf.Actions.String())
	return sb.String()
}

// applyLearn carries out what translation x learned, now that it is over:
// it installs the learned flows and applies fin_timeout when tcpFlags
// (the packet's, or the megaflow's traffic's) has FIN or RST.
func (x *xlate) applyLearn(tcpFlags uint16) {
	if x.err != nil {
		return
	}
	for _, p := range x.learning.flows {
		x.br.learnFlow(p.lf, p.limit)
	}
	if tcpFlags&(tcpFIN|tcpRST) != 0 {
		for _, f := range x.learning.fins {
			x.br.reduceTimeouts(f.rule, f.idle, f.hard)
		}
	}
}

// finishUpcall applies the learning of an upcall's translation and keeps
// a translation that depends on a learn it could not run out of the
// megaflow cache.
func (x *xlate) finishUpcall(u *dpif.Upcall) {
	flags := u.Stats.TCPFlags
	if u.Type == dpif.UpcallMiss && u.Key != nil {
		flags = u.Key.TCPFlags()
	}
	x.applyLearn(flags)
	if x.learning.avoidCaching {
		u.NoInstall = true
	}
}
