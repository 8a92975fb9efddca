package conntrack

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/conntrack/ipf"
)

// Config configures a Tracker.
type Config struct {
	// Clock returns the current time in milliseconds; nil means the
	// monotonic wall clock. Tests inject a fake one.
	Clock func() int64
	// NoSweeper disables the background goroutine; expired connections are
	// then reclaimed only by explicit Sweep calls.
	NoSweeper bool
	// Warnf, if set, receives the warnings OVS logs (e.g. NAT tuple space
	// exhaustion); rate limiting is the caller's business.
	Warnf func(format string, args ...any)

	// NoDefaultHelpers leaves out the built-in FTP and TFTP ALG hooks
	// (RegisterFTP / RegisterTFTP can add them later).
	NoDefaultHelpers bool
	// Expectation bounds; zero means the Default* constants.
	MaxExpectations        int
	MaxExpectationsPerConn int
	ExpectationTimeout     int64 // ms
}

// Action is one ct() action as the datapath hands it over.
type Action struct {
	Commit bool
	Force  bool // requires Commit
	Zone   uint16

	SetMark   bool
	Mark      uint32
	MarkMask  uint32
	SetLabel  bool
	Label     Label
	LabelMask Label

	NAT           *NATAction // nil: no nat; &NATAction{}: bare nat
	TimeoutPolicy uint32     // policy id stored on commit
	// Helper is ct(alg=...): "ftp" or "tftp" (any name a hook registered).
	// It is recorded on commit; later packets use the recorded helper.
	// Unknown names, or a name on the wrong protocol, are ignored.
	Helper string
}

// Tracker is the connection tracker: one per datapath.
type Tracker struct {
	table    *table
	lists    [numExpiryLists]expiryList
	nextList atomic.Uint32
	nconns   atomic.Int64
	maxConns atomic.Uint32
	seqChk   atomic.Bool
	limits   limits
	policies policies
	clock    func() int64
	warnf    func(format string, args ...any)
	natMu    sync.Mutex // serialises NAT tuple selection

	sweepInterval atomic.Int64 // ms
	sweepMu       sync.Mutex   // guards sweepNext, sweepBuf
	sweepNext     int
	sweepBuf      []*Conn

	stop       chan struct{}
	done       chan struct{}
	kick       chan struct{} // wakes the sweeper when the interval changes
	afterSweep func(removed int)
	closeOnce  sync.Once

	hookMu  sync.Mutex // serialises registration; readers use the snapshots
	hookSet atomic.Pointer[hookSet]
	helpers atomic.Pointer[helperNames]
	slots   slotRegistry
	exp     *expectTable
	ipf     *ipf.IPF // fragment reassembly ahead of ct(); see ipf_dpctl.go
	zoneTPs zoneTPs  // OVSDB zone timeout policies (zone_tp.go)
}

// New returns a tracker with OVS's defaults (maxconns 3000000, sequence
// checking on, sweep every 20 s), the FTP and TFTP helpers registered and,
// unless disabled, its sweeper running.
func New(cfg Config) *Tracker { return newTracker(cfg, nil) }

// newTracker lets tests observe the background sweeper's rounds.
func newTracker(cfg Config, afterSweep func(removed int)) *Tracker {
	t := &Tracker{table: newTable(), clock: cfg.Clock, warnf: cfg.Warnf,
		kick: make(chan struct{}, 1), afterSweep: afterSweep}
	if t.clock == nil {
		start := time.Now()
		t.clock = func() int64 { return int64(time.Since(start)/time.Millisecond) + 1 }
	}
	t.maxConns.Store(DefaultMaxConns)
	t.seqChk.Store(true)
	t.sweepInterval.Store(DefaultSweepInterval)
	t.limits.zones = map[uint16]*zoneLimit{}
	t.hookSet.Store(&hookSet{})
	t.exp = newExpectTable(&cfg)
	t.ipf = ipf.New(t.clock)
	if !cfg.NoDefaultHelpers {
		// Fresh tracker, free names and slots: these cannot fail.
		if err := t.RegisterFTP(PriorityNormal); err != nil {
			panic(err)
		}
		if err := t.RegisterTFTP(PriorityNormal); err != nil {
			panic(err)
		}
	}
	if !cfg.NoSweeper {
		t.stop = make(chan struct{})
		t.done = make(chan struct{})
		go t.sweeper()
	}
	return t
}

// Close stops the sweeper and removes every connection (observers are told,
// slot destructors run). It is safe to call more than once.
func (t *Tracker) Close() {
	t.closeOnce.Do(func() {
		if t.stop != nil {
			close(t.stop)
			<-t.done
		}
		t.Flush(nil, nil)
		t.ipf.Close()
	})
}

func (t *Tracker) sweeper() {
	defer close(t.done)
	timer := time.NewTimer(time.Duration(t.sweepInterval.Load()) * time.Millisecond)
	defer timer.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-t.kick:
			timer.Stop()
			timer.Reset(time.Duration(t.sweepInterval.Load()) * time.Millisecond)
			continue
		case <-timer.C:
		}
		wait := t.sweepInterval.Load()
		removed, busy := t.Sweep()
		if busy {
			wait = sweepBusyRetry
		}
		if t.afterSweep != nil {
			t.afterSweep(removed)
		}
		timer.Reset(time.Duration(wait) * time.Millisecond)
	}
}

// Execute runs one ct() action on a packet: it looks the packet up, updates
// or creates its connection, and writes p.MD. It never fails: packets the
// tracker cannot parse come out as trk|inv.
func (t *Tracker) Execute(p *Packet, a *Action) {
	md := &p.MD
	if md.State == StateInvalid {
		t.writeMD(md, a.Zone, nil, nil, nil)
		return
	}
	// Connections with a helper always take the full path: their hooks
	// must see every packet.
	if c := md.conn; c != nil && c.key.Zone == a.Zone && !a.Force && c.helper == 0 && a.Helper == "" {
		t.processFast(p, a, c)
		return
	}
	var ctx lookupCtx
	if !extractKey(p, a.Zone, &ctx) {
		md.State = StateInvalid
		md.conn = nil
		t.writeMD(md, a.Zone, nil, nil, nil)
		return
	}
	t.processOne(p, &ctx, a, t.clock())
}

// processFast serves a packet whose earlier ct() in the same zone cached its
// connection: no lookup and no state update, only metadata, NAT and writes.
func (t *Tracker) processFast(p *Packet, a *Action, c *Conn) {
	md := &p.MD
	if a.NAT != nil {
		t.natPacket(p, c, md.reply, md.icmpRelated)
		md.conn = nil
	}
	md.Zone = a.Zone
	c.mu.Lock()
	md.Mark, md.Label = c.mark, c.label
	c.mu.Unlock()
	t.applyWrites(md, a, c)
}

func (t *Tracker) processOne(p *Packet, ctx *lookupCtx, a *Action, now int64) {
	md := &p.MD
	if md.State != 0 && md.Zone != a.Zone {
		md.State = 0 // entering a new zone forgets the old verdict
	}
	t.initialLookup(ctx, now, md.State&(StateSrcNAT|StateDstNAT) != 0)
	c := ctx.conn
	if a.Force && ctx.reply && c != nil {
		t.forceExpire(c)
		c = nil
	}

	create := false
	switch {
	case c != nil:
		create = t.updateState(p, ctx, a, c, now)
		if a.NAT != nil && !create {
			t.natPacket(p, c, ctx.reply, ctx.icmpRelated)
		}
	case a.NAT == nil && t.lookupOrigTuple(p, ctx, now):
		c = ctx.conn
		create = t.updateState(p, ctx, a, c, now)
	case ctx.icmpRelated:
		md.State = StateInvalid // errors never create connections
	default:
		create = true
	}

	var exp *expectation
	fresh := false // c was committed by this packet
	if create {
		exp = t.exp.match(&ctx.key, now)
		// NAT commits insert two nodes, possibly in two shards; natMu
		// serialises them so no two goroutines ever hold two shard locks.
		// A data connection with any nat follows its expectation's NAT.
		natCommit := a.Commit && a.NAT != nil && (a.NAT.Flags&(NATSrc|NATDst) != 0 || exp != nil)
		if natCommit {
			t.natMu.Lock()
		}
		s := t.table.shardFor(ctx.hash)
		s.mu.Lock()
		if old, _ := t.table.lookup(&ctx.key, ctx.hash, now); old == nil {
			c = t.connNotFound(p, ctx, a, exp, now, s)
			fresh = c != nil
		}
		s.mu.Unlock()
		if natCommit {
			t.natMu.Unlock()
		}
	}

	t.writeMD(md, a.Zone, c, &ctx.key, exp)
	if c != nil {
		t.applyWrites(md, a, c)
	}
	if fresh {
		// After the writes, so ALG expectations inherit the new mark/label.
		t.committed(p, ctx, a, c, now)
	}
	if a.NAT == nil {
		md.conn, md.reply, md.icmpRelated = c, ctx.reply, ctx.icmpRelated
	} else {
		md.conn = nil
	}
}

// initialLookup finds the packet's connection. A packet already translated
// by an earlier ct(nat) in this zone carries post-NAT addresses, so it is
// looked up by its reversed key and the direction flipped.
func (t *Tracker) initialLookup(ctx *lookupCtx, now int64, natted bool) {
	if natted {
		ctx.key = ctx.key.Reverse()
	}
	ctx.conn, ctx.reply = t.table.lookup(&ctx.key, ctx.key.hash(hashSeed), now)
	if natted {
		if ctx.conn != nil {
			ctx.reply = !ctx.reply
			if ctx.reply {
				ctx.key = ctx.conn.rev
			} else {
				ctx.key = ctx.conn.key
			}
		} else {
			ctx.key = ctx.key.Reverse()
		}
	}
	ctx.hash = ctx.key.hash(hashSeed)
}

// lookupOrigTuple finds the connection of a packet NATed by an earlier ct()
// through the original tuple recorded in its metadata.
func (t *Tracker) lookupOrigTuple(p *Packet, ctx *lookupCtx, now int64) bool {
	md := &p.MD
	if md.State&(StateSrcNAT|StateDstNAT) == 0 || md.Orig.Proto == 0 {
		return false
	}
	k := Key{Zone: md.Zone, Proto: md.Orig.Proto, IPv6: ctx.key.IPv6}
	k.Src.Addr, k.Dst.Addr = md.Orig.Src, md.Orig.Dst
	if ctx.key.isICMP() {
		k.Src.Port, k.Dst.Port = ctx.key.Src.Port, ctx.key.Dst.Port
		k.Src.ICMPType = uint8(md.Orig.SrcPort)
		if k.IPv6 {
			k.Dst.ICMPType = icmp6ReplyType(k.Src.ICMPType)
		} else {
			k.Dst.ICMPType = icmp4ReplyType(k.Src.ICMPType)
		}
	} else {
		k.Src.Port, k.Dst.Port = md.Orig.SrcPort, md.Orig.DstPort
	}
	c, _ := t.table.lookup(&k, k.hash(hashSeed), now)
	ctx.conn = c
	return c != nil
}

// connNotFound decides a packet without a connection: invalid, new, or (with
// commit, within limits) a new committed connection inserted into shard s,
// whose lock the caller holds (and natMu too when NATing).
func (t *Tracker) connNotFound(p *Packet, ctx *lookupCtx, a *Action, exp *expectation, now int64, s *shard) *Conn {
	md := &p.MD
	if !validNew(ctx) {
		md.State = StateInvalid
		return nil
	}
	md.State = StateNew
	if exp != nil {
		md.State |= StateRelated
	}
	if !a.Commit {
		return nil
	}
	zl := t.limits.forCommit(ctx.key.Zone)
	if zl != nil && !zl.admit() {
		return nil
	}
	if t.nconns.Add(1) > int64(t.maxConns.Load()) {
		t.nconns.Add(-1)
		fullRefused.Inc()
		if zl != nil {
			zl.count.Add(-1)
		}
		return nil
	}
	c := &Conn{key: ctx.key, rev: ctx.key.Reverse(), tpID: a.TimeoutPolicy, zl: zl}
	c.fwd.conn = c
	t.initConnState(c, ctx, now)
	if a.Helper != "" {
		c.helper = t.helperFor(a.Helper, ctx.key.Proto)
	}
	if exp != nil {
		c.extras().parent = &exp.parentKey
		c.mark, c.label = exp.mark, exp.label
		if a.NAT != nil {
			t.natFromExpectation(c, exp)
			t.natPacket(p, c, false, ctx.icmpRelated)
		}
	} else if a.NAT != nil && a.NAT.Flags&(NATSrc|NATDst) != 0 {
		if !t.natSetup(c, a.NAT, now) {
			if t.warnf != nil {
				t.warnf("Unable to NAT due to tuple space exhaustion - if DoS attack, use firewalling and/or zone partitioning.")
			}
			t.nconns.Add(-1)
			if zl != nil {
				zl.count.Add(-1)
			}
			return nil
		}
		t.natPacket(p, c, false, ctx.icmpRelated)
	}
	c.expList = uint8(t.nextList.Add(1) % numExpiryLists)
	// Publish under c.mu (free: nobody else knows c yet) so that a flush or
	// sweep that finds c half-published waits until it is fully linked.
	c.mu.Lock()
	t.lists[c.expList].push(c)
	if c.revNode != nil {
		h := c.rev.hash(hashSeed)
		if rs := t.table.shardFor(h); rs != s {
			rs.mu.Lock()
			rs.insertLocked(c.revNode, h)
			rs.mu.Unlock()
		} else {
			rs.insertLocked(c.revNode, h)
		}
	}
	s.insertLocked(&c.fwd, ctx.hash)
	c.mu.Unlock()
	return c
}

// writeMD stamps the packet with the connection's zone, mark, label and
// original tuple (the packet's own key when there is no connection). ALG data
// connections, and packets matching an expectation, report the control
// connection's tuple and (inherited) mark and label.
func (t *Tracker) writeMD(md *Metadata, zone uint16, c *Conn, key *Key, exp *expectation) {
	md.State |= StateTracked
	md.Zone = zone
	switch {
	case c != nil:
		c.mu.Lock()
		md.Mark, md.Label = c.mark, c.label
		c.mu.Unlock()
		key = &c.key
		if pk := c.parentKey(); pk != nil {
			key = pk
		}
	case exp != nil:
		md.Mark, md.Label = exp.mark, exp.label
		key = &exp.parentKey
	default:
		md.Mark, md.Label = 0, Label{}
	}
	if key == nil {
		md.Orig = OrigTuple{}
		return
	}
	md.Orig = OrigTuple{Src: key.Src.Addr, Dst: key.Dst.Addr, Proto: key.Proto, IPv6: key.IPv6}
	if key.isICMP() {
		md.Orig.SrcPort, md.Orig.DstPort = uint16(key.Src.ICMPType), uint16(key.Src.ICMPCode)
	} else {
		md.Orig.SrcPort, md.Orig.DstPort = key.Src.Port, key.Dst.Port
	}
}

// applyWrites performs the masked ct_mark / ct_label writes of exec(...).
// ALG-related connections keep their inherited values.
func (t *Tracker) applyWrites(md *Metadata, a *Action, c *Conn) {
	if !a.SetMark && !a.SetLabel {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parentKey() != nil {
		md.Mark, md.Label = c.mark, c.label
		return
	}
	if a.SetMark {
		md.Mark = a.Mark | md.Mark&^a.MarkMask
		c.mark = md.Mark
	}
	if a.SetLabel {
		md.Label = a.Label.masked(md.Label, a.LabelMask)
		c.label = md.Label
	}
}
