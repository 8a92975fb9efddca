package ofproto

import (
	"slices"
	"strconv"
	"sync"
	"time"
)

// Packet-in rate limiting, OVS's pinsched: a controller with
// controller_rate_limit gets at most that many packet-ins a second (per
// kind: table misses and explicit controller actions each have their own
// limit), with bursts of controller_burst_limit. Beyond the rate,
// packet-ins wait in one queue per input port, served round-robin as
// tokens come back, so that one port's flood cannot crowd out the others;
// the queues hold at most a burst's worth in all, and when they are full
// the longest queue loses its oldest packet. The counters appear in the
// Controller table's status as OVS names them (packet-in-miss-backlog,
// -bypassed, -queued, -dropped and the same for "action").

// RateLimit is a Controller row's controller_rate_limit and
// controller_burst_limit; Rate 0 means no limit.
type RateLimit struct {
	Rate, Burst int
}

// PacketInStats are one scheduler's counters.
type PacketInStats struct {
	Backlog  int    // packet-ins queued now
	Bypassed uint64 // sent at once, under the rate
	Queued   uint64 // delayed by the limit
	Dropped  uint64 // dropped from a full queue
}

// pinsched is one token bucket and its per-port queues.
type pinsched struct {
	mu       sync.Mutex
	rate     int64 // tokens (milli-packets) per millisecond = packets/s
	burst    int64 // bucket size in milli-packets
	tokens   int64
	lastFill time.Time

	queues map[uint32][][]byte
	order  []uint32 // ports with a queue, in round-robin order
	next   int      // index in order of the next queue to serve
	stats  PacketInStats

	timer *time.Timer // drains the queues while they are not empty
	send  func([]byte)
}

// adjustLimits applies OVS's defaults: a burst of a quarter of the rate,
// at least one.
func adjustLimits(l RateLimit) RateLimit {
	if l.Rate <= 0 {
		l.Rate = 1000
	}
	if l.Burst <= 0 {
		l.Burst = l.Rate / 4
	}
	l.Burst = max(l.Burst, 1)
	return l
}

func newPinsched(l RateLimit, send func([]byte)) *pinsched {
	ps := &pinsched{queues: map[uint32][][]byte{}, send: send}
	ps.setLimits(l)
	ps.tokens = ps.burst // a fresh bucket is full
	return ps
}

// setLimits changes the rate and burst, trimming the queues to the new
// burst.
func (ps *pinsched) setLimits(l RateLimit) {
	l = adjustLimits(l)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.rate, ps.burst = int64(l.Rate), int64(l.Burst)*1000
	ps.tokens = min(ps.tokens, ps.burst)
	for int64(ps.stats.Backlog) > int64(l.Burst) {
		ps.dropOne()
	}
}

// takeToken withdraws one packet's worth of tokens if there is one.
// Caller holds mu.
func (ps *pinsched) takeToken(now time.Time) bool {
	if ps.tokens < 1000 {
		if ms := now.Sub(ps.lastFill).Milliseconds(); ms > 0 {
			ps.tokens = min(ps.tokens+ps.rate*ms, ps.burst)
			ps.lastFill = now
		}
		if ps.tokens < 1000 {
			return false
		}
	}
	ps.tokens -= 1000
	return true
}

// submit sends msg (a packet-in from port) now if the rate allows and
// nothing waits before it, else queues it.
func (ps *pinsched) submit(port uint32, msg []byte) {
	ps.mu.Lock()
	if ps.stats.Backlog == 0 && ps.takeToken(time.Now()) {
		ps.stats.Bypassed++
		ps.mu.Unlock()
		ps.send(msg)
		return
	}
	if int64(ps.stats.Backlog)*1000 >= ps.burst {
		ps.dropOne()
	}
	if _, ok := ps.queues[port]; !ok {
		ps.order = append(ps.order, port)
	}
	ps.queues[port] = append(ps.queues[port], msg)
	ps.stats.Backlog++
	ps.stats.Queued++
	ps.arm()
	ps.mu.Unlock()
}

// dropOne drops the oldest packet of the longest queue (the first such
// in round-robin order; OVS picks among equals at random). Caller holds
// mu.
func (ps *pinsched) dropOne() {
	ps.stats.Dropped++
	longest := -1
	for i, port := range ps.order {
		if longest < 0 || len(ps.queues[port]) > len(ps.queues[ps.order[longest]]) {
			longest = i
		}
	}
	if longest < 0 {
		return
	}
	ps.pop(longest, false)
}

// pop removes the head of the queue at order[i]; served moves the
// round-robin on past that queue. Caller holds mu.
func (ps *pinsched) pop(i int, served bool) []byte {
	port := ps.order[i]
	q := ps.queues[port]
	msg := q[0]
	q[0] = nil
	ps.stats.Backlog--
	if len(q) == 1 {
		delete(ps.queues, port)
		ps.order = slices.Delete(ps.order, i, i+1)
		if ps.next > i {
			ps.next--
		}
	} else {
		ps.queues[port] = q[1:]
		if served && ps.next == i {
			ps.next++
		}
	}
	if ps.next >= len(ps.order) {
		ps.next = 0
	}
	return msg
}

// arm schedules a drain for when the next token is due. Caller holds mu.
func (ps *pinsched) arm() {
	if ps.timer != nil || ps.stats.Backlog == 0 {
		return
	}
	wait := time.Millisecond
	if need := 1000 - ps.tokens; need > 0 && ps.rate > 0 {
		wait = time.Duration((need+ps.rate-1)/ps.rate) * time.Millisecond
	}
	ps.timer = time.AfterFunc(wait, ps.drain)
}

// drain sends what the tokens allow, round-robin over the ports, at most
// 50 at a time as OVS does, and re-arms while packets wait.
func (ps *pinsched) drain() {
	ps.mu.Lock()
	ps.timer = nil
	var out [][]byte
	now := time.Now()
	for i := 0; i < 50 && ps.stats.Backlog > 0 && ps.takeToken(now); i++ {
		out = append(out, ps.pop(ps.next, true))
	}
	ps.arm()
	ps.mu.Unlock()
	for _, m := range out {
		ps.send(m)
	}
}

// stop drops the queues and cancels the drain.
func (ps *pinsched) stop() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.timer != nil {
		ps.timer.Stop()
		ps.timer = nil
	}
	ps.queues = map[uint32][][]byte{}
	ps.order, ps.next, ps.stats.Backlog = nil, 0, 0
}

func (ps *pinsched) snapshot() PacketInStats {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.stats
}

// pinState is the bridge's packet-in rate limiting: the limits by
// Controller target and the schedulers of the connections they apply to.
type pinState struct {
	mu     sync.Mutex
	limits map[string]RateLimit
	conns  map[*conn]*connPins
}

// connPins are one controller connection's schedulers: [0] for explicit
// packet-ins (actions), [1] for table misses, as OVS splits them.
type connPins struct {
	target string
	s      [2]*pinsched
}

// SetControllerRateLimits sets controller_rate_limit and
// controller_burst_limit by Controller target; targets not in limits are
// not limited. Connections already up take the new limits at once.
func (b *Bridge) SetControllerRateLimits(limits map[string]RateLimit) {
	p := &b.pins
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limits = limits
	for c, cp := range p.conns {
		l, ok := limits[cp.target]
		if !ok || l.Rate <= 0 {
			for _, s := range cp.s {
				s.stop()
			}
			delete(p.conns, c)
			continue
		}
		for _, s := range cp.s {
			s.setLimits(l)
		}
	}
}

// controllerTarget is the Controller target whose active connection c is,
// "" for any other connection.
func (b *Bridge) controllerTarget(c *conn) string {
	b.connMu.Lock()
	defer b.connMu.Unlock()
	for _, ac := range b.actives {
		ac.status.mu.Lock()
		is := ac.status.conn == c
		ac.status.mu.Unlock()
		if is {
			return ac.target
		}
	}
	return ""
}

// pinsFor is c's schedulers, nil if its packet-ins are not limited.
func (b *Bridge) pinsFor(c *conn) *connPins {
	p := &b.pins
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.limits) == 0 || c.kind != connPrimary {
		return nil
	}
	if cp, ok := p.conns[c]; ok {
		return cp
	}
	target := b.controllerTarget(c)
	l, ok := p.limits[target]
	if !ok || l.Rate <= 0 {
		return nil
	}
	// Forget the connections that are gone.
	for old, cp := range p.conns {
		select {
		case <-old.closed:
			for _, s := range cp.s {
				s.stop()
			}
			delete(p.conns, old)
		default:
		}
	}
	if p.conns == nil {
		p.conns = map[*conn]*connPins{}
	}
	send := func(msg []byte) { c.trySend(msg) }
	cp := &connPins{target: target, s: [2]*pinsched{newPinsched(l, send), newPinsched(l, send)}}
	p.conns[c] = cp
	return cp
}

// sendPacketInTo hands a packet-in for c to its scheduler, or straight to
// its queue when it has no limit.
func (b *Bridge) sendPacketInTo(c *conn, inPort uint16, reason uint8, msg []byte) {
	cp := b.pinsFor(c)
	if cp == nil {
		c.trySend(msg)
		return
	}
	miss := 0
	if reason == pinNoMatch || reason == pinExplicitMiss || reason == pinImplicitMiss {
		miss = 1
	}
	cp.s[miss].submit(uint32(inPort), msg)
}

// packetInStats are the scheduler counters of the connection of target
// as Controller status pairs, nil if it is not limited or not connected.
func (b *Bridge) packetInStats(c *conn) map[string]string {
	if c == nil {
		return nil
	}
	p := &b.pins
	p.mu.Lock()
	cp := p.conns[c]
	p.mu.Unlock()
	if cp == nil {
		return nil
	}
	out := map[string]string{}
	for i, name := range []string{"action", "miss"} {
		st := cp.s[i].snapshot()
		out["packet-in-"+name+"-backlog"] = strconv.Itoa(st.Backlog)
		out["packet-in-"+name+"-bypassed"] = strconv.FormatUint(st.Bypassed, 10)
		out["packet-in-"+name+"-queued"] = strconv.FormatUint(st.Queued, 10)
		out["packet-in-"+name+"-dropped"] = strconv.FormatUint(st.Dropped, 10)
	}
	return out
}
