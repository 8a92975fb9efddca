package ofproto

import (
	"sync"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/vlog"
)

// Fail-open, OVS's fail_mode=standalone with controllers: when no
// controller has been connected for three inactivity-probe intervals
// (idle time, the probe's answer time, a reconnection), the switch
// flushes its flow table and forwards with NORMAL by itself; once a
// controller connects again the NORMAL rule goes and the controller is in
// charge. fail_mode=secure never fails open: the flows stay as they are
// and misses go to the controllers (or nowhere).
//
// OVS installs its NORMAL rule at a priority above OpenFlow's range,
// hidden from dump-flows; rule priorities are 16 bits here, so the rule
// is the lowest-priority catch-all of table 0 instead, visible in
// dump-flows. Over an empty (just flushed) table both forward the same.

var failOpenLog = vlog.New("fail_open")

// failOpenCheck is how often the controllers' failure is looked at.
const failOpenCheck = 500 * time.Millisecond

// failOpenState is a bridge's fail-open bookkeeping.
type failOpenState struct {
	mu sync.Mutex
	// since is when each active controller was last connected, or was
	// configured if it never was.
	since map[*activeController]time.Time
	// active is set while failing open; rule is the NORMAL rule added.
	active   bool
	lastSecs int
	rule     *Rule
}

// failOpenLoop runs the fail-open checks until the bridge closes.
func (b *Bridge) failOpenLoop() {
	defer b.wg.Done()
	t := time.NewTicker(failOpenCheck)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case now := <-t.C:
			b.failOpenRun(now)
		}
	}
}

// failureDuration is how long the bridge has been without an admitted
// active controller: zero if one is connected and admitted the switch,
// or none is configured.
func (b *Bridge) failureDuration(now time.Time) time.Duration {
	b.connMu.Lock()
	actives := append([]*activeController(nil), b.actives...)
	b.connMu.Unlock()
	fo := &b.failOpen
	fo.mu.Lock()
	defer fo.mu.Unlock()
	if fo.since == nil {
		fo.since = make(map[*activeController]time.Time)
	}
	seen := make(map[*activeController]bool, len(actives))
	var least time.Duration = -1
	for _, ac := range actives {
		seen[ac] = true
		ac.status.mu.Lock()
		admitted := ac.status.state == stateActive && isAdmitted(ac.status.conn, ac.status.connectedAt, now)
		ac.status.mu.Unlock()
		if admitted {
			fo.since[ac] = now
		} else if _, ok := fo.since[ac]; !ok {
			fo.since[ac] = now
		}
		if d := now.Sub(fo.since[ac]); least < 0 || d < least {
			least = d
		}
	}
	for ac := range fo.since {
		if !seen[ac] {
			delete(fo.since, ac)
		}
	}
	return max(least, 0)
}

// failOpenRun enters or leaves fail-open mode as the controllers' state
// asks.
func (b *Bridge) failOpenRun(now time.Time) {
	b.mu.RLock()
	secure := b.cfg.FailSecure
	b.mu.RUnlock()
	down := b.failureDuration(now)
	fo := &b.failOpen
	fo.mu.Lock()
	active := fo.active
	fo.mu.Unlock()
	trigger := 3 * b.maxProbe()
	secs := int(down / time.Second)
	switch {
	case active && (down == 0 || secure):
		b.failOpenRecover()
	case !active && !secure && down >= time.Second && down >= trigger:
		failOpenLog.Warn("Could not connect to controller (or switch failed controller's post-connection admission control policy) for %d seconds, failing open", secs)
		b.failOpenEnter(secs)
	case active && secs > b.failOpenLastSecs()+60:
		failOpenLog.Info("Still in fail-open mode after %d seconds disconnected from controller", secs)
		fo.mu.Lock()
		fo.lastSecs = secs
		fo.mu.Unlock()
	}
}

func (b *Bridge) failOpenLastSecs() int {
	b.failOpen.mu.Lock()
	defer b.failOpen.mu.Unlock()
	return b.failOpen.lastSecs
}

// failOpenEnter flushes every table, as OVS does on failing open, and
// adds the NORMAL rule.
func (b *Bridge) failOpenEnter(secs int) {
	b.mu.Lock()
	gone := b.collect(&criteria{table: ofp.TableAll, outPort: mf.PortNone, outGroup: ofp.GroupAny})
	b.removeRules(gone)
	b.noteRemoved(gone, removedDelete)
	r := newRule(0, 0, nil, normalActions())
	b.insertRule(r)
	b.noteEvent(eventAdded, 0, r)
	events := b.takeEvents()
	b.mu.Unlock()
	fo := &b.failOpen
	fo.mu.Lock()
	fo.active, fo.lastSecs, fo.rule = true, secs, r
	fo.mu.Unlock()
	b.reportEvents(events)
	b.notifyRemoved(gone, removedDelete)
}

// failOpenRecover leaves fail-open mode, deleting the NORMAL rule if it
// is still there. The state changes under the bridge lock, so nobody sees
// the mode left with the rule still in place.
func (b *Bridge) failOpenRecover() {
	b.mu.Lock()
	fo := &b.failOpen
	fo.mu.Lock()
	r := fo.rule
	fo.active, fo.lastSecs, fo.rule = false, 0, nil
	fo.mu.Unlock()
	if r != nil && !r.Removed() {
		b.removeRule(r)
		b.noteRemoved([]*Rule{r}, removedDelete)
	}
	events := b.takeEvents()
	b.mu.Unlock()
	failOpenLog.Warn("No longer in fail-open mode")
	b.reportEvents(events)
}

// FailOpen reports whether the bridge is failing open.
func (b *Bridge) FailOpen() bool {
	b.failOpen.mu.Lock()
	defer b.failOpen.mu.Unlock()
	return b.failOpen.active
}

// admissionGrace is how long a connected controller that sent nothing
// but handshake messages counts as not (yet) admitting the switch.
const admissionGrace = 30 * time.Second

// noteAdmission marks the connection admitted when msg is one a
// controller sends only to a switch it accepted: anything but the
// handshake and keep-alive messages, as OVS's rconn judges it. Group and
// table-features multipart requests, which OVS also ignores here, count.
func (c *conn) noteAdmission(msg []byte) {
	if c.admitted.Load() || len(msg) < 2 {
		return
	}
	switch msg[1] {
	case 0, 1, 2, 3, 5, 6, 7, 8, 9: // hello, error, echo, features, get/set config
		return
	}
	c.admitted.Store(true)
}

// isAdmitted reports whether an active controller connection counts as
// admitted at now.
func isAdmitted(c *conn, connectedAt, now time.Time) bool {
	return c != nil && (c.admitted.Load() || now.Sub(connectedAt) >= admissionGrace)
}
