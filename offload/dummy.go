package offload

import (
	"fmt"
	"sort"
	"sync"

	"github.com/govswitchd/govswitchd/conntrack"
)

// DummyName is the dummy provider's registered name.
const DummyName = "dummy"

func init() { Register(DummyName, func() Provider { return NewDummy() }) }

// Dummy is a provider that holds connections in memory and forwards
// nothing. ovs-appctl commands (DummyCommands) make it report traffic,
// refuse connections or fail operations, so every path of the Manager can
// be exercised without a kernel.
type Dummy struct {
	mu     sync.Mutex
	conns  map[uint64]*dummyConn // by Context.ID
	fail   [numOps]bool
	refuse bool
	calls  [numOps]uint64
	nbatch uint64
}

const numOps = int(OpFlush) + 1

type dummyConn struct {
	orig, reply  conntrack.Key
	established  bool
	oc, rc       conntrack.Counters // what set-traffic said
	seenO, seenR conntrack.Counters // what the last Update reported
	lastUsed     int64
}

// NewDummy returns an empty dummy provider.
func NewDummy() *Dummy { return &Dummy{conns: map[uint64]*dummyConn{}} }

// Init implements Provider.
func (d *Dummy) Init() error { return nil }

// CanOffload implements Provider: yes, unless told to refuse.
func (d *Dummy) CanOffload(*Context) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.refuse
}

// SubmitBatch implements Batcher: the whole batch under one lock.
func (d *Dummy) SubmitBatch(ops []Op) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nbatch++
	for i := range ops {
		d.runLocked(&ops[i])
	}
}

func (d *Dummy) runLocked(op *Op) {
	if int(op.Kind) >= numOps {
		op.Err = fmt.Errorf("dummy: unknown operation %v", op.Kind)
		return
	}
	d.calls[op.Kind]++
	if d.fail[op.Kind] {
		op.Err = fmt.Errorf("dummy %v: %w", op.Kind, ErrInjected)
		return
	}
	var dc *dummyConn
	if op.Ctx != nil {
		dc = d.conns[op.Ctx.ID]
		if dc == nil && op.Kind != OpAdd {
			op.Err = fmt.Errorf("dummy %v %d: %w", op.Kind, op.Ctx.ID, ErrNotOffloaded)
			return
		}
	}
	switch op.Kind {
	case OpAdd:
		d.conns[op.Ctx.ID] = &dummyConn{orig: op.Ctx.Orig, reply: op.Ctx.Reply}
	case OpEstablished:
		dc.established = true
	case OpUpdate:
		// The dummy does not know when its "packets" flowed: traffic that
		// appeared since the last poll counts as used now.
		if dc.oc != dc.seenO || dc.rc != dc.seenR {
			dc.lastUsed = op.Ctx.Now
			dc.seenO, dc.seenR = dc.oc, dc.rc
		}
		op.Stats = Stats{LastUsed: dc.lastUsed, Orig: dc.oc, Reply: dc.rc}
	case OpDelete:
		delete(d.conns, op.Ctx.ID)
	case OpFlush:
		clear(d.conns)
	}
}

func (d *Dummy) run(k OpKind, ctx *Context) (Stats, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	op := Op{Kind: k, Ctx: ctx}
	d.runLocked(&op)
	return op.Stats, op.Err
}

// Add implements Provider.
func (d *Dummy) Add(ctx *Context) error { _, err := d.run(OpAdd, ctx); return err }

// Established implements Provider.
func (d *Dummy) Established(ctx *Context) error { _, err := d.run(OpEstablished, ctx); return err }

// Update implements Provider.
func (d *Dummy) Update(ctx *Context) (Stats, error) { return d.run(OpUpdate, ctx) }

// Delete implements Provider.
func (d *Dummy) Delete(ctx *Context) error { _, err := d.run(OpDelete, ctx); return err }

// Flush implements Provider.
func (d *Dummy) Flush() error { _, err := d.run(OpFlush, nil); return err }

// SetTraffic sets the cumulative counters the dummy reports for connection
// id; the next Update reports them, as used at that moment.
func (d *Dummy) SetTraffic(id uint64, orig, reply conntrack.Counters) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dc := d.conns[id]
	if dc == nil {
		return fmt.Errorf("dummy: connection %d: %w", id, ErrNotOffloaded)
	}
	dc.oc, dc.rc = orig, reply
	return nil
}

// SetFail makes operation k (every operation if all) fail or succeed.
func (d *Dummy) SetFail(k OpKind, all, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.fail {
		if all || OpKind(i) == k {
			d.fail[i] = on
		}
	}
}

// SetRefuse makes CanOffload answer no (on) or yes.
func (d *Dummy) SetRefuse(on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refuse = on
}

// DummyConn is the dummy's view of one connection.
type DummyConn struct {
	ID          uint64
	Orig, Reply conntrack.Key
	Established bool
}

// Conns lists the connections the dummy holds, by ID.
func (d *Dummy) Conns() []DummyConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DummyConn, 0, len(d.conns))
	for id, dc := range d.conns {
		out = append(out, DummyConn{ID: id, Orig: dc.orig, Reply: dc.reply, Established: dc.established})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Calls returns how often each operation was called (index OpKind).
func (d *Dummy) Calls() [numOps]uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}
