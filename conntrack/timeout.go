package conntrack

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// timeoutKind is one of the tracker's internal timers.
type timeoutKind uint8

const (
	tmTCPFirst timeoutKind = iota
	tmTCPOpening
	tmTCPEstablished
	tmTCPClosing
	tmTCPFinWait
	tmTCPClosed
	tmOtherFirst
	tmOtherMultiple
	tmOtherBidir
	tmICMPFirst
	tmICMPReply
	numTimeouts
)

// timeoutAttrs maps each timer to its OVSDB CT_Timeout_Policy attribute and
// userspace default in seconds.
var timeoutAttrs = [numTimeouts]struct {
	name string
	def  uint32
}{
	tmTCPFirst:       {"tcp_syn_sent", 30},
	tmTCPOpening:     {"tcp_syn_recv", 30},
	tmTCPEstablished: {"tcp_established", 86400},
	tmTCPClosing:     {"tcp_fin_wait", 900},
	tmTCPFinWait:     {"tcp_time_wait", 45},
	tmTCPClosed:      {"tcp_close", 30},
	tmOtherFirst:     {"udp_first", 60},
	tmOtherMultiple:  {"udp_single", 60},
	tmOtherBidir:     {"udp_multiple", 30},
	tmICMPFirst:      {"icmp_first", 60},
	tmICMPReply:      {"icmp_reply", 30},
}

// ignoredTimeoutAttrs exist in OVSDB but the userspace tracker has no timer
// for them; they are accepted and ignored.
var ignoredTimeoutAttrs = map[string]bool{
	"tcp_close_wait": true, "tcp_last_ack": true, "tcp_syn_sent2": true,
	"tcp_retransmit": true, "tcp_unack": true,
}

type timeoutPolicy [numTimeouts]uint32

var defaultPolicy = func() *timeoutPolicy {
	var p timeoutPolicy
	for i, a := range timeoutAttrs {
		p[i] = a.def
	}
	return &p
}()

// policies is a copy-on-write map from policy id to seconds per timer, read
// without locks on the packet path.
type policies struct {
	mu  sync.Mutex // serialises writers
	cur atomic.Pointer[map[uint32]*timeoutPolicy]
}

func (ps *policies) get(id uint32) *timeoutPolicy {
	if id == 0 {
		if m := ps.cur.Load(); m == nil || (*m)[0] == nil {
			return defaultPolicy
		}
	}
	if m := ps.cur.Load(); m != nil {
		if p := (*m)[id]; p != nil {
			return p
		}
	}
	return defaultPolicy
}

// SetTimeoutPolicy creates or replaces policy id: the defaults overlaid with
// attrs (OVSDB attribute name -> seconds). Existing connections using id pick
// the new values up on their next packet.
func (t *Tracker) SetTimeoutPolicy(id uint32, attrs map[string]uint32) error {
	p := *defaultPolicy
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		found := false
		for i, a := range timeoutAttrs {
			if a.name == n {
				p[i] = attrs[n]
				found = true
			}
		}
		if !found && !ignoredTimeoutAttrs[n] {
			return fmt.Errorf("set timeout policy %d: unknown attribute %q", id, n)
		}
	}
	t.policies.update(func(m map[uint32]*timeoutPolicy) { m[id] = &p })
	return nil
}

// DeleteTimeoutPolicy removes policy id; its connections fall back to the
// defaults.
func (t *Tracker) DeleteTimeoutPolicy(id uint32) {
	t.policies.update(func(m map[uint32]*timeoutPolicy) { delete(m, id) })
}

func (ps *policies) update(fn func(map[uint32]*timeoutPolicy)) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	m := map[uint32]*timeoutPolicy{}
	if old := ps.cur.Load(); old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	fn(m)
	ps.cur.Store(&m)
}

// setExpiration restarts c's timer tm at now.
func (t *Tracker) setExpiration(c *Conn, tm timeoutKind, now int64) {
	if c.flags.Load()&connDead != 0 { // force-expired or reclaimed: stay dead
		return
	}
	c.expiration.Store(now + int64(t.policies.get(c.tpID)[tm])*1000)
}
