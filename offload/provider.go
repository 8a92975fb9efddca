package offload

import (
	"errors"
	"fmt"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Context describes the connection an operation is about. The Manager owns
// it; providers may keep the pointer until they are told Delete or Flush.
type Context struct {
	// Conn is the tracker's connection: its identity is stable from Add
	// until Delete. Providers must not call the tracker from a callback.
	Conn *conntrack.Conn
	// ID is the Manager's number for the connection, unique per Manager,
	// shown by ct-offload/show.
	ID uint64
	// Orig is the original-direction key, Reply the reply-direction key
	// after NAT: a provider derives any address rewrite from the two.
	Orig, Reply conntrack.Key
	// Now is the tracker clock (ms) when the operation was submitted.
	Now int64
}

// Stats is a provider's report on one offloaded connection.
type Stats struct {
	// LastUsed is when (tracker clock, ms) the provider last forwarded a
	// packet of the connection; 0 if never or unknown.
	LastUsed int64
	// Orig and Reply count everything forwarded since Add, per direction.
	Orig, Reply conntrack.Counters
}

// Provider is an offload provider. Every method is called from the
// Manager's single worker goroutine, never from the packet path. A provider
// that forwards packets must still hand TCP FIN and RST segments to the
// software path: the tracker sees the close there, and the Manager then
// takes the connection back (Delete) to finish it in software.
type Provider interface {
	// Init prepares the provider; an error aborts the Manager's start.
	Init() error
	// CanOffload is the provider's policy: false keeps the connection in
	// software for good (counted as refused).
	CanOffload(ctx *Context) bool
	// Add installs a connection. An error keeps it in software.
	Add(ctx *Context) error
	// Established tells the provider, once per added connection, that the
	// reply direction is established.
	Established(ctx *Context) error
	// Update reports the connection's use. An error means the provider lost
	// it: the Manager deletes the connection from the tracker.
	Update(ctx *Context) (Stats, error)
	// Delete removes a connection (removed from the tracker, or returned
	// to software).
	Delete(ctx *Context) error
	// Flush removes every connection.
	Flush() error
}

// OpKind is the kind of one batched operation.
type OpKind uint8

// Batched operation kinds.
const (
	OpAdd OpKind = iota
	OpEstablished
	OpUpdate
	OpDelete
	OpFlush
)

var opNames = [...]string{"add", "established", "update", "delete", "flush"}

func (k OpKind) String() string {
	if int(k) < len(opNames) {
		return opNames[k]
	}
	return fmt.Sprintf("op%d", uint8(k))
}

// Op is one operation of a batch. The provider fills in Err (and Stats for
// OpUpdate).
type Op struct {
	Kind  OpKind
	Ctx   *Context // nil for OpFlush
	Err   error
	Stats Stats
}

// Batcher is implemented by providers that take a whole batch at once (one
// lock, one syscall); others get the operations one at a time. SubmitBatch
// must set every op's result.
type Batcher interface {
	SubmitBatch(ops []Op)
}

// Errors a provider may return or wrap.
var (
	ErrNotOffloaded = errors.New("offload: connection not offloaded")
	ErrInjected     = errors.New("offload: injected failure")
)

// submit runs ops through p, as a batch if it can.
func submit(p Provider, ops []Op) {
	if b, ok := p.(Batcher); ok {
		b.SubmitBatch(ops)
		return
	}
	for i := range ops {
		RunOp(p, &ops[i])
	}
}

// RunOp performs one operation with p's single-operation methods; a Batcher
// may use it for the operations it has no bulk path for.
func RunOp(p Provider, op *Op) {
	switch op.Kind {
	case OpAdd:
		op.Err = p.Add(op.Ctx)
	case OpEstablished:
		op.Err = p.Established(op.Ctx)
	case OpUpdate:
		op.Stats, op.Err = p.Update(op.Ctx)
	case OpDelete:
		op.Err = p.Delete(op.Ctx)
	case OpFlush:
		op.Err = p.Flush()
	default:
		op.Err = fmt.Errorf("offload: unknown operation %v", op.Kind)
	}
}
