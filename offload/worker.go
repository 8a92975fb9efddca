package offload

import (
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// worker is the one goroutine that talks to the provider: it drains the
// queue in batches and polls the offloaded connections.
func (m *Manager) worker(poll time.Duration) {
	defer close(m.done)
	var tick <-chan time.Time
	if poll > 0 {
		tk := time.NewTicker(poll)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		select {
		case <-m.stop:
			m.drain()
			m.shutdown()
			return
		case <-tick:
			m.poll()
		case <-m.wake:
			m.drain()
		}
	}
}

// takeQueue swaps the queue out.
func (m *Manager) takeQueue() []task {
	m.qmu.Lock()
	defer m.qmu.Unlock()
	q := m.queue
	m.queue, m.queued = nil, 0
	return q
}

// drain processes everything queued, in order, batching consecutive
// provider operations.
func (m *Manager) drain() {
	for {
		q := m.takeQueue()
		if len(q) == 0 {
			return
		}
		b := batch{m: m}
		for _, tk := range q {
			switch tk.kind {
			case taskSync:
				b.flush()
				close(tk.done)
			case taskPoll:
				b.flush()
				m.poll()
				close(tk.done)
			default:
				b.addTask(tk)
			}
		}
		b.flush()
	}
}

// batch collects provider operations and what to do with each result.
type batch struct {
	m    *Manager
	ops  []Op
	sts  []*connState
	kind []taskKind
}

func (b *batch) push(op Op, st *connState, k taskKind) {
	if op.Kind == OpAdd {
		st.addPending = true
	}
	b.ops = append(b.ops, op)
	b.sts = append(b.sts, st)
	b.kind = append(b.kind, k)
	if len(b.ops) >= b.m.batchMax {
		b.flush()
	}
}

// addTask turns a task into provider operations, applying the policy the
// connection's state allows at this moment.
func (b *batch) addTask(tk task) {
	m, st := b.m, tk.st
	if st != nil && st.addPending {
		b.flush() // what follows depends on the add's result
	}
	switch tk.kind {
	case taskAdd:
		if st.state.Load() != stQueued || st.added {
			return
		}
		if ok, _ := m.eligible(tk.c); !ok {
			st.state.CompareAndSwap(stQueued, stCandidate)
			return
		}
		if st.ctx.Conn == nil {
			m.nextID++
			st.ctx = Context{Conn: tk.c, ID: m.nextID, Orig: tk.c.Key(), Reply: tk.c.ReplyKey()}
		}
		st.ctx.Now = m.t.Now()
		if !m.p.CanOffload(&st.ctx) {
			st.state.CompareAndSwap(stQueued, stRefused)
			m.stats.refused.Add(1)
			return
		}
		b.push(Op{Kind: OpAdd, Ctx: &st.ctx}, st, tk.kind)
	case taskEstablished:
		if st.added && !st.estDone {
			st.ctx.Now = m.t.Now()
			b.push(Op{Kind: OpEstablished, Ctx: &st.ctx}, st, tk.kind)
		}
	case taskUnoffload, taskDelete:
		if st.added {
			st.ctx.Now = m.t.Now()
			if tk.kind == taskUnoffload {
				// The connection goes on in software: collect what the
				// provider forwarded since the last poll first.
				b.push(Op{Kind: OpUpdate, Ctx: &st.ctx}, st, tk.kind)
			}
			b.push(Op{Kind: OpDelete, Ctx: &st.ctx}, st, tk.kind)
		}
	case taskFlush:
		b.push(Op{Kind: OpFlush}, nil, tk.kind)
	}
}

// flush submits the collected operations and applies the results.
func (b *batch) flush() {
	if len(b.ops) == 0 {
		return
	}
	m := b.m
	submit(m.p, b.ops)
	m.stats.batches.Add(1)
	var follow []task
	for i := range b.ops {
		op, st := &b.ops[i], b.sts[i]
		if op.Err != nil {
			m.stats.errors.Add(1)
		}
		switch op.Kind {
		case OpAdd:
			st.addPending = false
			if op.Err != nil {
				st.state.CompareAndSwap(stQueued, stFailed)
				continue
			}
			st.added = true
			st.ctx.Conn.SetOffloaded(true)
			m.stats.added.Add(1)
			m.mu.Lock()
			m.entries[st.ctx.ID] = st
			m.mu.Unlock()
			if !st.state.CompareAndSwap(stQueued, stOffloaded) {
				continue // removed meanwhile: its delete is queued
			}
			if tcpClosing(st.ctx.Conn) && st.state.CompareAndSwap(stOffloaded, stDone) {
				follow = append(follow, task{kind: taskUnoffload, c: st.ctx.Conn, st: st})
			} else if st.replySeen.Load() && st.estQueued.CompareAndSwap(false, true) {
				follow = append(follow, task{kind: taskEstablished, c: st.ctx.Conn, st: st})
			}
		case OpEstablished:
			st.estDone = true // told once, whatever the answer
			if op.Err == nil {
				m.mu.Lock()
				st.established = true
				m.mu.Unlock()
			}
		case OpUpdate:
			if op.Err == nil {
				m.credit(st, op.Stats)
			}
		case OpDelete:
			st.added = false
			st.ctx.Conn.SetOffloaded(false)
			m.stats.removed.Add(1)
			m.mu.Lock()
			delete(m.entries, st.ctx.ID)
			m.mu.Unlock()
		case OpFlush:
			m.forgetAll()
		}
	}
	b.ops, b.sts, b.kind = b.ops[:0], b.sts[:0], b.kind[:0]
	for _, tk := range follow {
		b.addTask(tk)
	}
	if len(follow) > 0 {
		b.flush()
	}
}

// forgetAll records that the provider dropped everything (after a Flush).
func (m *Manager) forgetAll() {
	m.mu.Lock()
	all := m.entries
	m.entries = map[uint64]*connState{}
	m.mu.Unlock()
	for _, st := range all {
		st.added = false
		st.ctx.Conn.SetOffloaded(false)
		st.state.CompareAndSwap(stOffloaded, stDone)
		m.stats.removed.Add(1)
	}
}

// poll asks the provider about every offloaded connection and applies the
// answers: counters and last-used time to the tracker, errors delete.
func (m *Manager) poll() {
	m.mu.Lock()
	sts := make([]*connState, 0, len(m.entries))
	for _, st := range m.entries {
		sts = append(sts, st)
	}
	m.mu.Unlock()
	var lost []*conntrack.Conn
	var dead []*connState
	ops := make([]Op, 0, min(len(sts), m.batchMax))
	for len(sts) > 0 {
		n := min(len(sts), m.batchMax)
		chunk := sts[:n]
		sts = sts[n:]
		ops = ops[:0]
		now := m.t.Now()
		for _, st := range chunk {
			st.ctx.Now = now
			ops = append(ops, Op{Kind: OpUpdate, Ctx: &st.ctx})
		}
		submit(m.p, ops)
		m.stats.batches.Add(1)
		for i, st := range chunk {
			op := &ops[i]
			if op.Err != nil {
				m.stats.errors.Add(1)
				lost = append(lost, st.ctx.Conn)
				continue
			}
			if !m.credit(st, op.Stats) && st.state.CompareAndSwap(stOffloaded, stDone) {
				// Force-expired (port reuse, force commit): a successor
				// may hold the same tuple, so take it out of the
				// provider now rather than when the sweeper frees it.
				dead = append(dead, st)
			}
		}
	}
	if len(dead) > 0 {
		b := batch{m: m}
		for _, st := range dead {
			b.addTask(task{kind: taskUnoffload, c: st.ctx.Conn, st: st})
		}
		b.flush()
	}
	// The provider lost these: remove them from the tracker too (the
	// observer then queues their deletes).
	for _, c := range lost {
		m.t.Delete(c)
	}
}

// credit hands the traffic a provider reports for st since the last
// report to the tracker; false if the tracker no longer keeps the
// connection.
func (m *Manager) credit(st *connState, s Stats) bool {
	dOrig, dReply := delta(s.Orig, st.lastOrig), delta(s.Reply, st.lastReply)
	st.lastOrig, st.lastReply = s.Orig, s.Reply
	used := s.LastUsed
	if used <= st.lastUsed {
		used = 0 // nothing new: let the software timer run
	} else {
		st.lastUsed = used
	}
	return m.t.RefreshOffloaded(st.ctx.Conn, used, dOrig, dReply)
}

// delta is what cur added to prev; a provider whose counters went back
// (restarted) starts a fresh count.
func delta(cur, prev conntrack.Counters) conntrack.Counters {
	if cur.Packets < prev.Packets || cur.Bytes < prev.Bytes {
		return cur
	}
	return conntrack.Counters{Packets: cur.Packets - prev.Packets, Bytes: cur.Bytes - prev.Bytes}
}

// shutdown flushes the provider and returns its connections to software.
func (m *Manager) shutdown() {
	ops := []Op{{Kind: OpFlush}}
	submit(m.p, ops)
	m.stats.batches.Add(1)
	if ops[0].Err != nil {
		m.stats.errors.Add(1)
	}
	m.forgetAll()
}
