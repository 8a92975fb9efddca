package dpif

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// engine is the packet-processing half of a Datapath: the megaflow cache
// shared by all pollers, the conntrack tracker, the upcall handler, the
// transmit side of each port and the poll goroutines.
//
// Lock discipline: Datapath.mu guards pollers, polling and pmdSched, and
// serializes writers of tx (readers load the snapshot without a lock).
// mainMu serializes users of the main-thread context (Input, Execute).
// flowMu guards info. The classifier has its own lock. Handlers are called
// with no datapath lock held.
type engine struct {
	cls     Classifier
	tracker *conntrack.Tracker
	handler atomic.Pointer[handlerBox]
	tx      atomic.Pointer[[]*txPort] // indexed by odp port

	pollers  map[uint32][]*pmd
	polling  bool
	pmdSched // PMD threads (pmd_threads.go)

	// emcInsertMin is other_config:emc-insert-inv-prob as OVS keeps it: a
	// megaflow hit is cached in the EMC when a random uint32 is at most
	// this; 0 turns the EMC off (emc.go).
	emcInsertMin atomic.Uint32

	mainMu sync.Mutex
	main   *pmd

	flowMu sync.Mutex
	info   map[*Megaflow]*flowInfo

	expireStop chan struct{} // closes the idle-flow sweeper Start runs
	expireDone chan struct{}

	gen       atomic.Uint64 // bumped by RequestRevalidation
	flowLimit atomic.Int64  // most megaflows cached, 0 default (flowlimit.go)
	revalMu   sync.Mutex    // one revalidation at a time
	revalBusy atomic.Bool
	revalWG   sync.WaitGroup
}

type handlerBox struct{ h UpcallHandler }

// flowInfo is what the datapath keeps beside a megaflow: the unmasked key
// of the packet that created it (dump-flows prints it; revalidation
// re-translates it) and the statistics already credited upstream.
type flowInfo struct {
	key      FlowKey
	created  time.Time
	credited MegaflowStats
}

func (d *Datapath) initEngine() {
	d.tracker = conntrack.New(conntrack.Config{})
	d.pollers = map[uint32][]*pmd{}
	d.info = map[*Megaflow]*flowInfo{}
	d.main = newPMD(d, 0, nil, 0)
	d.emcInsertMin.Store(emcInsertMinDefault)
	d.tx.Store(&[]*txPort{})
}

func (d *Datapath) closeEngine() {
	if d.expireStop != nil {
		close(d.expireStop)
		<-d.expireDone
	}
	d.revalWG.Wait()
	d.FlushFlows()
	d.tracker.Close()
}

// Conntrack is the datapath's connection tracker (for the dpctl/*conntrack*
// commands).
func (d *Datapath) Conntrack() *conntrack.Tracker { return d.tracker }

// SetUpcallHandler sets who translates misses; nil restores DropHandler.
func (d *Datapath) SetUpcallHandler(h UpcallHandler) {
	if h == nil {
		d.handler.Store(nil)
		return
	}
	d.handler.Store(&handlerBox{h})
}

func (d *Datapath) upcallHandler() UpcallHandler {
	if b := d.handler.Load(); b != nil {
		return b.h
	}
	return DropHandler{}
}

// portAdded publishes p's transmit side and, once Start was called, starts
// its pollers. Called with mu held (or before the datapath is shared).
func (d *Datapath) portAdded(n uint32, p Port) {
	io, ok := p.(PacketIO)
	if !ok {
		return
	}
	old := *d.tx.Load()
	tx := make([]*txPort, max(len(old), int(n)+1))
	copy(tx, old)
	tx[n] = &txPort{io: io}
	d.tx.Store(&tx)
	if d.polling {
		d.startPollers(n, p, io)
	}
}

// portRemoved unpublishes port n and returns its pollers for the caller
// to halt once mu is released. Called with mu held.
func (d *Datapath) portRemoved(n uint32) []*pmd {
	old := *d.tx.Load()
	if int(n) < len(old) && old[n] != nil {
		tx := make([]*txPort, len(old))
		copy(tx, old)
		tx[n] = nil
		d.tx.Store(&tx)
	}
	ps := d.pollers[n]
	delete(d.pollers, n)
	for _, p := range ps {
		if p.isPMD {
			d.detachRxq(p)
		}
	}
	return ps
}

func (d *Datapath) txPort(n uint32) *txPort {
	tx := *d.tx.Load()
	if int(n) < len(tx) {
		return tx[n]
	}
	return nil
}

func (d *Datapath) startPollers(n uint32, p Port, io PacketIO) {
	for q := range io.RxQueues() {
		pm := newPMD(d, n, io, q)
		pm.name = p.Name()
		if pm.isPMD = isPMDPort(p); pm.isPMD {
			d.pollers[n] = append(d.pollers[n], pm)
			d.assignRxq(pm)
			continue
		}
		if err := pm.start(); err != nil {
			continue // no eventfd: the queue stays unpolled
		}
		d.pollers[n] = append(d.pollers[n], pm)
	}
}

// Start launches one poll goroutine per receive queue of every port, now
// and for ports added later, and a sweeper that deletes megaflows idle for
// MaxIdle. Without Start the datapath only processes
// what Input and Execute hand it.
func (d *Datapath) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.polling || d.closed {
		return
	}
	d.polling = true
	d.expireStop, d.expireDone = make(chan struct{}), make(chan struct{})
	go d.expireLoop()
	for n, p := range d.ports {
		if io, ok := p.(PacketIO); ok {
			d.startPollers(n, p, io)
		}
	}
}

// Input runs a batch received on inPort through the datapath in the
// caller's goroutine (the "main thread"), as the pollers do: lookups,
// upcalls, actions, and one Send per output port. The packets' buffers
// must stay valid until it returns.
func (d *Datapath) Input(inPort uint32, b *Batch) {
	d.mainMu.Lock()
	defer d.mainMu.Unlock()
	d.main.input(inPort, b)
}

// Execute runs acts on a copy of frame as if it had been received on
// inPort, without a flow lookup (OpenFlow packet-out).
func (d *Datapath) Execute(frame []byte, inPort uint32, acts []Action) error {
	if len(frame) > maxFrameLen {
		return fmt.Errorf("execute on %s: frame of %d bytes is too long", d.FullName(), len(frame))
	}
	buf := make([]byte, Headroom+len(frame))
	copy(buf[Headroom:], frame)
	var p Packet
	p.Reset(buf, Headroom, len(frame))
	var meta PacketMeta
	meta.Reset(inPort)
	var key FlowKey
	meta.ExtractKey(&p, &key)
	d.mainMu.Lock()
	defer d.mainMu.Unlock()
	ref := [1]pktRef{{&p, &meta}}
	d.main.exec.execute(ref[:], acts, 0, 1) // cloneDepth 1: p dies here
	d.main.exec.flush()
	return nil
}

// upcallMiss asks the handler for the actions of key and installs the
// megaflow. It returns the installed flow, or for flows the handler keeps
// out of the cache (NoInstall) the actions to run once.
func (d *Datapath) upcallMiss(r pktRef, k *FlowKey) (*Megaflow, []Action, error) {
	u := &Upcall{Type: UpcallMiss, Key: k, Packet: r.p, Meta: r.m}
	if err := d.upcallHandler().HandleUpcall(u); err != nil {
		return nil, nil, err
	}
	if u.NoInstall || d.atFlowLimit() {
		return nil, u.Actions, nil
	}
	return d.install(k, &u.Mask, u.Actions), u.Actions, nil
}

// install adds a megaflow for key under mask (with forceMask's fields
// added) unless one is there already, and returns the flow in use.
func (d *Datapath) install(k *FlowKey, mask *FlowMask, acts []Action) *Megaflow {
	m := *mask
	forceMask(&m, k)
	f := NewMegaflow(k, &m, acts)
	f.UFID = ufidOf(&f.Key, &f.Mask)
	d.flowMu.Lock()
	defer d.flowMu.Unlock()
	got, fresh := d.cls.Insert(f)
	if fresh {
		d.info[f] = &flowInfo{key: *k, created: time.Now()}
		d.flows.Store(uint64(len(d.info)))
	}
	return got
}

// userspaceUpcall hands a packet to the handler for a userspace() action.
func (d *Datapath) userspaceUpcall(r pktRef, ua *UserspaceAction) {
	var key FlowKey
	meta := *r.m
	meta.ExtractKey(r.p, &key)
	_ = d.upcallHandler().HandleUpcall(&Upcall{Type: UpcallAction, Key: &key, Packet: r.p, Meta: &meta, Userspace: ua})
}

// ufidOf derives a flow's unique id from its masked key and mask.
func ufidOf(k *FlowKey, m *FlowMask) (u [16]byte) {
	h1, h2 := uint64(keyHashSeed), uint64(keyHashPrime3)
	for i := range k {
		h1 = keyHashWord(h1, k[i])
		h2 = keyHashWord(h2, m[i]^k[i])
	}
	binary.BigEndian.PutUint64(u[:8], keyHashFinish(h1))
	binary.BigEndian.PutUint64(u[8:], keyHashFinish(h2))
	return u
}

// DumpedFlow is one megaflow as dpctl/dump-flows shows it.
type DumpedFlow struct {
	Flow    *Megaflow
	Key     FlowKey // the unmasked key of the packet that created it
	Actions []Action
	Stats   MegaflowStats
}

// FlowDump lists the installed megaflows.
func (d *Datapath) FlowDump() []DumpedFlow {
	flows := d.cls.Flows()
	out := make([]DumpedFlow, 0, len(flows))
	d.flowMu.Lock()
	defer d.flowMu.Unlock()
	for _, f := range flows {
		df := DumpedFlow{Flow: f, Key: f.Key, Stats: f.Stats()}
		if fi := d.info[f]; fi != nil {
			df.Key = fi.key
		}
		df.Actions, _ = f.Actions().([]Action)
		out = append(out, df)
	}
	return out
}

// FlushFlows deletes every megaflow (dpctl/del-flows); exact-match caches
// drop them on their next hit.
func (d *Datapath) FlushFlows() {
	d.flowMu.Lock()
	defer d.flowMu.Unlock()
	d.cls.Flush()
	d.info = map[*Megaflow]*flowInfo{}
	d.flows.Store(0)
}

// Generation counts revalidation requests.
func (d *Datapath) Generation() uint64 { return d.gen.Load() }

// RequestRevalidation is what the OpenFlow side calls when its tables
// change: it bumps the generation and revalidates every megaflow in the
// background (coalescing requests that arrive meanwhile).
func (d *Datapath) RequestRevalidation() {
	d.gen.Add(1)
	if !d.revalBusy.CompareAndSwap(false, true) {
		return
	}
	d.revalWG.Add(1)
	go func() {
		defer d.revalWG.Done()
		for {
			g := d.gen.Load()
			d.RevalidateAll()
			d.revalBusy.Store(false)
			if d.gen.Load() == g || !d.revalBusy.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// RevalidateStats counts what one revalidation did.
type RevalidateStats struct {
	Kept, Modified, Deleted int
}

// RevalidateAll re-translates every megaflow with the handler: flows
// whose translation now needs a different mask, or fails, or must not be
// cached, are deleted; others get the new actions. Each flow's traffic
// since the last revalidation is passed in Upcall.Stats to be credited.
func (d *Datapath) RevalidateAll() RevalidateStats {
	d.revalMu.Lock()
	defer d.revalMu.Unlock()
	var rs RevalidateStats
	h := d.upcallHandler()
	for _, df := range d.FlowDump() {
		f := df.Flow
		d.flowMu.Lock()
		fi := d.info[f]
		var credited MegaflowStats
		if fi != nil {
			credited = fi.credited
		}
		d.flowMu.Unlock()
		key := df.Key
		u := &Upcall{Type: UpcallRevalidate, Key: &key, Stats: statsDelta(df.Stats, credited)}
		err := h.HandleUpcall(u)
		m := u.Mask
		forceMask(&m, &key)
		d.flowMu.Lock()
		if fi != nil {
			fi.credited = df.Stats
		}
		switch {
		case err != nil || u.NoInstall || m != f.Mask:
			if d.cls.Remove(f) {
				delete(d.info, f)
				d.flows.Store(uint64(len(d.info)))
			}
			rs.Deleted++
		case !sameActions(u.Actions, df.Actions):
			f.SetActions(u.Actions)
			rs.Modified++
		default:
			rs.Kept++
		}
		d.flowMu.Unlock()
	}
	return rs
}

func statsDelta(now, before MegaflowStats) MegaflowStats {
	d := MegaflowStats{Used: now.Used, TCPFlags: now.TCPFlags}
	if now.Packets >= before.Packets {
		d.Packets = now.Packets - before.Packets
		d.Bytes = now.Bytes - before.Bytes
	} else { // cleared meanwhile
		d.Packets, d.Bytes = now.Packets, now.Bytes
	}
	if d.Packets == 0 {
		d.Used = time.Time{}
	}
	return d
}

// sameActions compares action lists by their text, which covers every
// field that matters and is only paid on revalidation.
func sameActions(a, b []Action) bool {
	if len(a) != len(b) {
		return false
	}
	return ActionsText(a, nil) == ActionsText(b, nil)
}

// MaxIdle is how long a megaflow may go without packets before the sweeper
// Start runs deletes it (OVS's other_config:max-idle default).
const MaxIdle = 10 * time.Second

func (d *Datapath) expireLoop() {
	defer close(d.expireDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-d.expireStop:
			return
		case now := <-t.C:
			d.ExpireIdle(now, MaxIdle)
		}
	}
}

// ExpireIdle deletes the megaflows that saw no packet for maxIdle before
// now (or none since they were installed that long ago) and returns how
// many it deleted.
func (d *Datapath) ExpireIdle(now time.Time, maxIdle time.Duration) int {
	d.flowMu.Lock()
	defer d.flowMu.Unlock()
	n := 0
	for f, fi := range d.info {
		last := fi.created
		if u := f.Stats().Used; u.After(last) {
			last = u
		}
		if now.Sub(last) >= maxIdle && d.cls.Remove(f) {
			delete(d.info, f)
			n++
		}
	}
	d.flows.Store(uint64(len(d.info)))
	return n
}
