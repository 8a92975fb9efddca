package conntrack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Named hook and observer priorities. Lower runs first; any int is accepted.
const (
	PriorityHigh   = 50  // before the built-in ALG helpers
	PriorityNormal = 100 // the built-in ALG helpers
	PriorityLow    = 150 // after them (offload providers observe here)
)

// Hook is one entry of the state-update chain. For every packet that updates
// an existing connection the hooks are offered the update in ascending
// priority order (equal priorities in registration order); the first whose
// Update returns true has handled it, including the state update itself
// (usually by calling Update.Default). If none claims it the default update
// runs. Hooks are entered with no connection lock held and must not call
// Execute, Sweep, Flush or Close.
type Hook struct {
	Name     string
	Priority int
	// Helper, if set, restricts the hook to connections committed with this
	// ct(alg=...) helper name; registering it makes the name a valid helper.
	// A hook without a helper is offered every update.
	Helper string
	// Protocol, if non-zero, is the IP protocol Helper applies to (TCP for
	// ftp, UDP for tftp); commits of other protocols ignore the helper.
	Protocol uint8
	// Update is offered the state update; returning true claims it.
	Update func(u *Update) bool
	// Commit, if set, is told about the packet that committed a new
	// connection, after the connection has been published (a TFTP request
	// creates its expectation here). It cannot change the verdict.
	Commit func(u *Update)
}

// EventKind is a connection event told to observers.
type EventKind uint8

// Connection events.
const (
	EventCommitted   EventKind = iota // a new connection was committed
	EventEstablished                  // first reply-direction packet accepted as established
	EventUpdated                      // a packet updated an existing connection (not invalid)
	EventDeleted                      // the connection was removed (expiry, flush, close)
	EventFlushed                      // the whole table was flushed (Conn is nil)
	numEventKinds
)

var eventNames = [numEventKinds]string{"committed", "established", "updated", "deleted", "flushed"}

func (k EventKind) String() string {
	if k < numEventKinds {
		return eventNames[k]
	}
	return fmt.Sprintf("event%d", uint8(k))
}

// EventMask selects event kinds: bit 1<<EventKind.
type EventMask uint8

// EventsAll selects every event kind.
const EventsAll EventMask = 1<<numEventKinds - 1

// Has reports whether k is selected.
func (m EventMask) Has(k EventKind) bool { return m&(1<<k) != 0 }

// Event is what an observer is told.
type Event struct {
	Kind  EventKind
	Conn  *Conn // nil for EventFlushed
	Reply bool  // the packet that raised it travelled in the reply direction
	Now   int64 // tracker clock, ms
}

// Observer is told about connection events in ascending priority order,
// without being able to change them. Notify runs on the packet path, the
// sweeper or a flush, with no connection lock held; it must not block, nor
// call Sweep, Flush, Close or (un)registration. EventDeleted comes before
// the connection's slot destructors run.
type Observer struct {
	Name     string
	Priority int
	Events   EventMask // zero means EventsAll
	Notify   func(ev Event)
}

// Registration errors.
var (
	ErrHookExists     = errors.New("conntrack: a hook or observer with this name is already registered")
	ErrHookNotFound   = errors.New("conntrack: no hook or observer with this name")
	ErrHookInvalid    = errors.New("conntrack: hook needs a name and a function")
	ErrTooManyHelpers = errors.New("conntrack: too many helper names")
)

// hookSet is an immutable snapshot of the registrations; the packet path
// loads it with one atomic read and never locks.
type hookSet struct {
	hooks     []Hook     // sorted by priority, stable
	observers []Observer // sorted by priority, stable
	events    EventMask  // union of the observers' masks
	anyHook   bool       // some hook is offered every connection
	helperIDs []uint8    // per hook: its helper id (0: all connections)
}

// helperInfo is one known ct(alg=...) name.
type helperInfo struct {
	name  string
	proto uint8 // 0: any protocol
}

// helperNames maps helper ids (index) to names; id 0 is "no helper". Names
// are only ever appended, so connections keep a valid id after their hook
// goes away.
type helperNames []helperInfo

func (t *Tracker) helperID(name string) uint8 {
	if name == "" {
		return 0
	}
	names := t.helpers.Load()
	if names == nil {
		return 0
	}
	for i, h := range *names {
		if i > 0 && h.name == name {
			return uint8(i)
		}
	}
	return 0
}

// helperFor is the helper id a commit with ct(alg=name) records for proto.
func (t *Tracker) helperFor(name string, proto uint8) uint8 {
	id := t.helperID(name)
	if id == 0 {
		return 0
	}
	if want := (*t.helpers.Load())[id].proto; want != 0 && want != proto {
		return 0
	}
	return id
}

// HelperName returns the ct(alg=...) helper c was committed with, or "".
func (t *Tracker) HelperName(c *Conn) string {
	names := t.helpers.Load()
	if c.helper == 0 || names == nil || int(c.helper) >= len(*names) {
		return ""
	}
	return (*names)[c.helper].name
}

// internHelper returns name's id, adding it if new. Caller holds hookMu.
func (t *Tracker) internHelper(name string, proto uint8) (uint8, error) {
	if id := t.helperID(name); id != 0 {
		return id, nil
	}
	var names helperNames
	if cur := t.helpers.Load(); cur != nil {
		names = slices.Clone(*cur)
	} else {
		names = helperNames{{}}
	}
	if len(names) > 255 {
		return 0, ErrTooManyHelpers
	}
	names = append(names, helperInfo{name, proto})
	t.helpers.Store(&names)
	return uint8(len(names) - 1), nil
}

func (t *Tracker) nameTaken(hs *hookSet, name string) bool {
	return slices.ContainsFunc(hs.hooks, func(h Hook) bool { return h.Name == name }) ||
		slices.ContainsFunc(hs.observers, func(o Observer) bool { return o.Name == name })
}

// publish rebuilds the derived fields and swaps the snapshot in.
func (t *Tracker) publish(hs *hookSet) {
	slices.SortStableFunc(hs.hooks, func(a, b Hook) int { return a.Priority - b.Priority })
	slices.SortStableFunc(hs.observers, func(a, b Observer) int { return a.Priority - b.Priority })
	hs.events, hs.anyHook, hs.helperIDs = 0, false, make([]uint8, len(hs.hooks))
	for i, h := range hs.hooks {
		hs.helperIDs[i] = t.helperID(h.Helper)
		if h.Helper == "" {
			hs.anyHook = true
		}
	}
	for _, o := range hs.observers {
		hs.events |= o.Events
	}
	t.hookSet.Store(hs)
}

func (t *Tracker) cloneHooks() *hookSet {
	cur := t.hookSet.Load()
	return &hookSet{hooks: slices.Clone(cur.hooks), observers: slices.Clone(cur.observers)}
}

// RegisterHook adds h to the state-update chain. It is safe while traffic
// flows: packets already in flight finish with the previous chain.
func (t *Tracker) RegisterHook(h Hook) error {
	if h.Name == "" || h.Update == nil {
		return ErrHookInvalid
	}
	t.hookMu.Lock()
	defer t.hookMu.Unlock()
	hs := t.cloneHooks()
	if t.nameTaken(hs, h.Name) {
		return fmt.Errorf("register hook %s: %w", h.Name, ErrHookExists)
	}
	if h.Helper != "" {
		if _, err := t.internHelper(h.Helper, h.Protocol); err != nil {
			return fmt.Errorf("register hook %s: %w", h.Name, err)
		}
	}
	hs.hooks = append(hs.hooks, h)
	t.publish(hs)
	return nil
}

// RegisterObserver adds o to the observer list.
func (t *Tracker) RegisterObserver(o Observer) error {
	if o.Name == "" || o.Notify == nil {
		return ErrHookInvalid
	}
	if o.Events == 0 {
		o.Events = EventsAll
	}
	t.hookMu.Lock()
	defer t.hookMu.Unlock()
	hs := t.cloneHooks()
	if t.nameTaken(hs, o.Name) {
		return fmt.Errorf("register observer %s: %w", o.Name, ErrHookExists)
	}
	hs.observers = append(hs.observers, o)
	t.publish(hs)
	return nil
}

// Unregister removes the hook or observer called name. Connections keep
// their helper name; they just stop getting that hook's processing.
func (t *Tracker) Unregister(name string) error {
	t.hookMu.Lock()
	defer t.hookMu.Unlock()
	hs := t.cloneHooks()
	nh, no := len(hs.hooks), len(hs.observers)
	hs.hooks = slices.DeleteFunc(hs.hooks, func(h Hook) bool { return h.Name == name })
	hs.observers = slices.DeleteFunc(hs.observers, func(o Observer) bool { return o.Name == name })
	if len(hs.hooks) == nh && len(hs.observers) == no {
		return fmt.Errorf("unregister %s: %w", name, ErrHookNotFound)
	}
	t.publish(hs)
	return nil
}

// Update is one state update (or commit) offered to hooks. It is only valid
// during the call.
type Update struct {
	Packet *Packet
	Conn   *Conn
	Reply  bool  // the packet travels in the reply direction
	NAT    bool  // the ct() action carries nat
	Now    int64 // tracker clock, ms

	t      *Tracker
	ctx    lookupCtx // a copy: a pointer would make every packet's ctx escape
	create bool
	ran    bool
}

// Default runs the tracker's own state update (protocol state machine,
// ct_state bits) and reports whether the packet must start a new connection
// instead (the old one is then already expired). A claiming hook calls it at
// most once.
func (u *Update) Default() bool {
	if u.ran {
		return u.create
	}
	u.ran = true
	u.create = u.t.defaultUpdateState(u.Packet, &u.ctx, u.Conn, u.Now)
	return u.create
}

// Tracker returns the tracker the update belongs to.
func (u *Update) Tracker() *Tracker { return u.t }

// offered reports whether any hook must see an update of c.
func (hs *hookSet) offered(c *Conn) bool {
	if hs.anyHook {
		return true
	}
	if c.helper == 0 {
		return false
	}
	return slices.Contains(hs.helperIDs, c.helper)
}

// updateState is the single entry point for updating an existing connection
// from a packet; it reports whether a new connection must replace c.
func (t *Tracker) updateState(p *Packet, ctx *lookupCtx, a *Action, c *Conn, now int64) bool {
	hs := t.hookSet.Load()
	var create bool
	if hs.offered(c) {
		create = t.dispatchUpdate(hs, p, ctx, a, c, now)
	} else {
		create = t.defaultUpdateState(p, ctx, c, now)
	}
	if hs.events&(1<<EventUpdated|1<<EventEstablished) != 0 && !create {
		t.notifyUpdate(hs, p, ctx, c, now)
	}
	return create
}

// dispatchUpdate offers the update to the hooks. It is a separate function
// so that the Update escaping to hooks costs an allocation only here.
func (t *Tracker) dispatchUpdate(hs *hookSet, p *Packet, ctx *lookupCtx, a *Action, c *Conn, now int64) bool {
	u := &Update{Packet: p, Conn: c, Reply: ctx.reply, NAT: a.NAT != nil, Now: now, t: t, ctx: *ctx}
	for i := range hs.hooks {
		if id := hs.helperIDs[i]; id != 0 && id != c.helper {
			continue
		}
		if hs.hooks[i].Update(u) {
			return u.create
		}
	}
	return u.Default()
}

// committed tells hooks and observers about a newly committed connection.
func (t *Tracker) committed(p *Packet, ctx *lookupCtx, a *Action, c *Conn, now int64) {
	hs := t.hookSet.Load()
	if hs.offered(c) {
		u := &Update{Packet: p, Conn: c, Reply: ctx.reply, NAT: a.NAT != nil, Now: now, t: t, ctx: *ctx, ran: true}
		for i := range hs.hooks {
			if id := hs.helperIDs[i]; id != 0 && id != c.helper || hs.hooks[i].Commit == nil {
				continue
			}
			hs.hooks[i].Commit(u)
		}
	}
	if hs.events.Has(EventCommitted) {
		hs.notify(Event{Kind: EventCommitted, Conn: c, Reply: ctx.reply, Now: now})
	}
}

// notifyUpdate raises Updated for accepted packets and Established once per
// connection, on the first established reply.
func (t *Tracker) notifyUpdate(hs *hookSet, p *Packet, ctx *lookupCtx, c *Conn, now int64) {
	st := p.MD.State
	if st&StateInvalid != 0 {
		return
	}
	if hs.events.Has(EventEstablished) && ctx.reply && st&StateEstablished != 0 &&
		c.flags.Load()&connEstNotified == 0 && c.flags.Or(connEstNotified)&connEstNotified == 0 {
		hs.notify(Event{Kind: EventEstablished, Conn: c, Reply: true, Now: now})
	}
	if hs.events.Has(EventUpdated) {
		hs.notify(Event{Kind: EventUpdated, Conn: c, Reply: ctx.reply, Now: now})
	}
}

func (hs *hookSet) notify(ev Event) {
	for i := range hs.observers {
		if hs.observers[i].Events.Has(ev.Kind) {
			hs.observers[i].Notify(ev)
		}
	}
}

// ShowHooks implements conntrack/show-hooks: the hook chain and the
// observers in the order they run.
func (t *Tracker) ShowHooks(args []string) (string, error) {
	if len(args) != 0 {
		return "", errors.New("conntrack/show-hooks takes no arguments\n")
	}
	hs := t.hookSet.Load()
	var b strings.Builder
	b.WriteString("State update hooks (in call order):\n")
	if len(hs.hooks) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, h := range hs.hooks {
		fmt.Fprintf(&b, "  %s: priority=%d", h.Name, h.Priority)
		if h.Helper != "" {
			fmt.Fprintf(&b, ", helper=%s", h.Helper)
		}
		if h.Commit != nil {
			b.WriteString(", on commit")
		}
		b.WriteByte('\n')
	}
	b.WriteString("Observers (in call order):\n")
	if len(hs.observers) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, o := range hs.observers {
		fmt.Fprintf(&b, "  %s: priority=%d, events=", o.Name, o.Priority)
		sep := ""
		for k := EventKind(0); k < numEventKinds; k++ {
			if o.Events.Has(k) {
				b.WriteString(sep + k.String())
				sep = ","
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
