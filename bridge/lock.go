package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// lockName is the OVSDB lock every ovs-vswitchd takes so that two daemons
// never configure the same database.
const lockName = "ovs_vswitchd"

var (
	errNotConnected = errors.New("not connected to the database")
	errNotLocked    = errors.New("not holding the " + lockName + " lock")
)

// rpcMessage is any JSON-RPC 1.0 message of the OVSDB protocol: a request
// or notification has Method, a response has Result or Error.
type rpcMessage struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

// rpcReply is a response handed to the caller waiting for it.
type rpcReply struct {
	result json.RawMessage
	err    error
}

// lockSession is a second, small JSON-RPC session to ovsdb-server that holds
// the ovs_vswitchd lock and carries every write of the daemon, each with the
// lock asserted, because libovsdb has no lock call. It reconnects with
// backoff and takes the lock again after each reconnection.
type lockSession struct {
	remote   remote
	database string
	changed  func() // called (without mu) when the lock is gained or lost

	mu      sync.Mutex // guards everything below
	conn    net.Conn
	enc     *json.Encoder
	nextID  int64
	pending map[int64]chan rpcReply
	locked  bool
	// replied is closed once the server answered our lock request on the
	// current connection, whatever the answer.
	replied chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
}

// dialLockSession connects (retrying until ctx ends), requests the lock and
// keeps the session alive in the background until close.
func dialLockSession(ctx context.Context, r remote, database string, changed func()) (*lockSession, error) {
	ls := &lockSession{remote: r, database: database, changed: changed}
	conn, err := dialRetry(ctx, r)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	ls.cancel = cancel
	ls.done = make(chan struct{})
	ls.attach(conn)
	go ls.run(runCtx, conn)
	return ls, nil
}

// dialRetry dials until it succeeds or ctx ends, returning the last error.
func dialRetry(ctx context.Context, r remote) (net.Conn, error) {
	for {
		c, err := r.dial(ctx)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// attach makes conn the current connection and sends the lock request.
func (ls *lockSession) attach(conn net.Conn) {
	ls.mu.Lock()
	ls.conn = conn
	ls.enc = json.NewEncoder(conn)
	ls.pending = make(map[int64]chan rpcReply)
	ls.locked = false
	ls.replied = make(chan struct{})
	ls.mu.Unlock()
	go ls.requestLock()
}

// requestLock sends "lock" and records the immediate answer; if the lock is
// contended the server later sends a "locked" notification.
func (ls *lockSession) requestLock() {
	ls.mu.Lock()
	replied := ls.replied
	ls.mu.Unlock()
	defer close(replied)
	res, err := ls.call("lock", []any{lockName})
	if err != nil {
		log.Warn("%s: lock request failed: %v", ls.remote.text, err)
		return
	}
	var reply struct {
		Locked bool `json:"locked"`
	}
	if err := json.Unmarshal(res, &reply); err != nil {
		log.Warn("%s: bad lock reply: %v", ls.remote.text, err)
		return
	}
	if reply.Locked {
		ls.setLocked(true)
	}
}

// waitReplied waits until the server answered the lock request (or ctx ends).
func (ls *lockSession) waitReplied(ctx context.Context) {
	ls.mu.Lock()
	replied := ls.replied
	ls.mu.Unlock()
	select {
	case <-replied:
	case <-ctx.Done():
	}
}

func (ls *lockSession) setLocked(v bool) {
	ls.mu.Lock()
	was := ls.locked
	ls.locked = v
	ls.mu.Unlock()
	if was != v && ls.changed != nil {
		ls.changed()
	}
}

// hasLock reports whether writes are currently allowed.
func (ls *lockSession) hasLock() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.locked
}

// contended reports whether the server answered our lock request on the
// current connection and someone else holds the lock.
func (ls *lockSession) contended() bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.conn == nil || ls.locked {
		return false
	}
	select {
	case <-ls.replied:
		return true
	default:
		return false
	}
}

// run reads the current connection and reconnects with backoff until ctx ends.
func (ls *lockSession) run(ctx context.Context, conn net.Conn) {
	defer close(ls.done)
	for {
		ls.read(conn)
		ls.detach(conn)
		if ctx.Err() != nil {
			return
		}
		log.Info("%s: connection dropped (lock session)", ls.remote.text)
		bo := backoff.NewExponentialBackOff()
		bo.InitialInterval = 100 * time.Millisecond
		bo.MaxInterval = 8 * time.Second
		bo.MaxElapsedTime = 0
		for conn = nil; conn == nil; {
			c, err := ls.remote.dial(ctx)
			if err == nil {
				conn = c
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(bo.NextBackOff()):
			}
		}
		ls.attach(conn)
		if ctx.Err() != nil {
			// close ran while we were dialing; it may not have seen conn.
			ls.detach(conn)
			return
		}
		log.Info("%s: connected (lock session)", ls.remote.text)
	}
}

// detach forgets conn, fails the calls waiting on it and drops the lock.
func (ls *lockSession) detach(conn net.Conn) {
	conn.Close()
	ls.mu.Lock()
	pending := ls.pending
	ls.pending = nil
	ls.conn, ls.enc = nil, nil
	ls.mu.Unlock()
	for _, ch := range pending {
		ch <- rpcReply{err: errNotConnected}
	}
	ls.setLocked(false)
}

// read dispatches messages until the connection fails.
func (ls *lockSession) read(conn net.Conn) {
	dec := json.NewDecoder(conn)
	for {
		var m rpcMessage
		if err := dec.Decode(&m); err != nil {
			return
		}
		switch {
		case m.Method == "echo":
			ls.send(rpcMessage{ID: m.ID, Result: orEmptyArray(m.Params), Error: json.RawMessage("null")})
		case m.Method == "locked":
			ls.setLocked(true)
		case m.Method == "stolen":
			log.Warn("%s: lock %s stolen by another client", ls.remote.text, lockName)
			ls.setLocked(false)
		case m.Method != "":
			// Other notifications (e.g. "update") are not ours to handle.
		default:
			ls.deliver(m)
		}
	}
}

func orEmptyArray(params json.RawMessage) json.RawMessage {
	if len(params) == 0 {
		return json.RawMessage("[]")
	}
	return params
}

// deliver hands a response to the caller waiting for its id.
func (ls *lockSession) deliver(m rpcMessage) {
	var id int64
	if err := json.Unmarshal(m.ID, &id); err != nil {
		return
	}
	ls.mu.Lock()
	ch := ls.pending[id]
	delete(ls.pending, id)
	ls.mu.Unlock()
	if ch == nil {
		return
	}
	var r rpcReply
	if len(m.Error) > 0 && string(m.Error) != "null" {
		r.err = fmt.Errorf("server error: %s", m.Error)
	} else {
		r.result = m.Result
	}
	ch <- r
}

func (ls *lockSession) send(m rpcMessage) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.enc == nil {
		return errNotConnected
	}
	return ls.enc.Encode(m)
}

// call sends a request and waits for its response or the connection's end.
func (ls *lockSession) call(method string, params []any) (json.RawMessage, error) {
	p, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", method, err)
	}
	ch := make(chan rpcReply, 1)
	ls.mu.Lock()
	if ls.enc == nil {
		ls.mu.Unlock()
		return nil, errNotConnected
	}
	ls.nextID++
	id := ls.nextID
	ls.pending[id] = ch
	idText, _ := json.Marshal(id)
	err = ls.enc.Encode(rpcMessage{ID: idText, Method: method, Params: p})
	conn := ls.conn
	ls.mu.Unlock()
	if err != nil {
		// The reader notices the broken connection and fails ch.
		conn.Close()
	}
	r := <-ch
	return r.result, r.err
}

// transact runs ops with {"op":"assert","lock":"ovs_vswitchd"} appended and
// returns an error if the transaction or any operation failed.
func (ls *lockSession) transact(ops []ovsdb.Operation) error {
	if !ls.hasLock() {
		return errNotLocked
	}
	lock := lockName
	params := []any{ls.database}
	for _, op := range ops {
		params = append(params, op)
	}
	params = append(params, ovsdb.Operation{Op: "assert", Lock: &lock})
	res, err := ls.call("transact", params)
	if err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	var results []*ovsdb.OperationResult
	if err := json.Unmarshal(res, &results); err != nil {
		return fmt.Errorf("transact: bad reply %s: %w", res, err)
	}
	for i, r := range results {
		if r != nil && r.Error != "" {
			what := "commit"
			if i < len(ops) {
				what = fmt.Sprintf("%s %s", ops[i].Op, ops[i].Table)
			} else if i == len(ops) {
				what = "assert lock"
			}
			return fmt.Errorf("transact: %s: %s (%s)", what, r.Error, r.Details)
		}
	}
	return nil
}

// close ends the session for good; ovsdb-server releases the lock.
func (ls *lockSession) close() {
	ls.cancel()
	ls.mu.Lock()
	if ls.conn != nil {
		ls.conn.Close()
	}
	ls.mu.Unlock()
	<-ls.done
}
