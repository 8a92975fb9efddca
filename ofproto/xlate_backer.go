package ofproto

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/maclearn"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Backer is the OpenFlow side of one shared datapath (OVS's dpif_backer):
// it maps datapath ports to the bridges and OpenFlow ports they belong to,
// translates the datapath's upcalls through the owning bridge's tables,
// keeps the recirculation ids, and asks the datapath to revalidate its
// megaflows when tables, groups, ports or learned MACs change, crediting
// megaflow traffic to the rules on the way.
//
// Lock discipline: mu guards bridges and byOdp; it is never held while a
// Bridge's own lock is taken for longer than a map read, and never across
// datapath calls.
type Backer struct {
	dp     *dpif.Datapath
	recirc *recircTable

	mu      sync.RWMutex
	bridges map[*Bridge]*backerBridge
	byOdp   map[uint32]portRef

	seed      maphash.Seed
	kick      chan struct{} // a bridge changed: look now, not at the next tick
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	// kickPending is set from a kick until the loop looks at the change
	// (revalkick.go): kicks meanwhile need no wake-up.
	kickPending atomic.Bool
}

// portRef is one datapath port as a bridge sees it.
type portRef struct {
	br     *Bridge
	ofport uint16
}

// backerBridge is what the Backer keeps per bridge. ofToOdp is replaced,
// never modified, so translations read it without locks once loaded.
type backerBridge struct {
	br      *Bridge
	ofToOdp map[uint16]uint32
	normal  *maclearn.Switch
	mac     *maclearn.Table
	vlans   map[uint16]maclearn.PortSettings // guarded by Backer.mu (normal_vlan.go)
}

// revalidatePeriod is how often the Backer looks for changes, and
// statsPeriod how often it revalidates anyway so that rule counters and
// idle timeouts follow the traffic (OVS's revalidators run about every
// 500 ms).
const (
	revalidatePeriod = 50 * time.Millisecond
	statsPeriod      = time.Second
)

// NewBacker creates the Backer of dp and installs it as dp's upcall
// handler. Close uninstalls it.
func NewBacker(dp *dpif.Datapath) *Backer {
	k := &Backer{
		dp:      dp,
		recirc:  newRecircTable(),
		bridges: map[*Bridge]*backerBridge{},
		byOdp:   map[uint32]portRef{},
		seed:    maphash.MakeSeed(),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	dp.SetUpcallHandler(k)
	registerTraceBacker(k)
	go k.revalidateLoop()
	return k
}

// Datapath is the datapath this Backer serves.
func (k *Backer) Datapath() *dpif.Datapath { return k.dp }

// Close stops the revalidation loop and restores the datapath's default
// (drop) handler. It is idempotent.
func (k *Backer) Close() {
	k.closeOnce.Do(func() {
		unregisterTraceBacker(k)
		close(k.stop)
		<-k.done
		k.dp.SetUpcallHandler(nil)
	})
}

// AddBridge attaches a bridge to the datapath. Its NORMAL action learns
// into a MAC table with OVS's defaults.
func (k *Backer) AddBridge(b *Bridge) {
	k.mu.Lock()
	if k.bridges[b] != nil {
		k.mu.Unlock()
		return
	}
	t := maclearn.NewTable(maclearn.Config{})
	k.bridges[b] = &backerBridge{br: b, ofToOdp: map[uint16]uint32{}, normal: maclearn.NewSwitch(t), mac: t}
	backers.Store(b, k)
	k.mu.Unlock()
	kick := k.kickRevalidation
	b.onChange.Store(&kick)
	// ct-flush-zone and ct-flush act on the datapath's tracker. Set
	// outside k.mu: the bridge's own lock must never nest inside it.
	if ct := k.dp.Conntrack(); ct != nil {
		b.SetConntrack(ct)
	}
	b.attachMeters()
}

// RemoveBridge detaches a bridge and its ports.
func (k *Backer) RemoveBridge(b *Bridge) {
	k.mu.Lock()
	delete(k.bridges, b)
	backers.CompareAndDelete(b, k)
	b.onChange.Store(nil)
	for odp, pr := range k.byOdp {
		if pr.br == b {
			delete(k.byOdp, odp)
		}
	}
	k.mu.Unlock()
	b.SetConntrack(nil)
	b.detachMeters()
	k.recirc.sweep(time.Now(), recircIdle, func(x *Bridge) bool { return x == b })
	k.dp.RequestRevalidation()
}

// MACTable is the bridge's MAC learning table (for the fdb/* commands),
// nil for a bridge not attached.
func (k *Backer) MACTable(b *Bridge) *maclearn.Table {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if bb := k.bridges[b]; bb != nil {
		return bb.mac
	}
	return nil
}

// SetPort maps OpenFlow port ofport of bridge b to datapath port odp,
// replacing any previous mapping of either.
func (k *Backer) SetPort(b *Bridge, ofport uint16, odp uint32) error {
	k.mu.Lock()
	bb := k.bridges[b]
	if bb == nil {
		k.mu.Unlock()
		return fmt.Errorf("map port %d of bridge %s: bridge not attached to %s", ofport, b.Name(), k.dp.FullName())
	}
	if pr, ok := k.byOdp[odp]; ok && (pr.br != b || pr.ofport != ofport) {
		k.unmapLocked(pr.br, pr.ofport)
	}
	if old, ok := bb.ofToOdp[ofport]; ok && old == odp {
		k.mu.Unlock()
		return nil
	}
	k.unmapLocked(b, ofport)
	bb = k.bridges[b]
	m := make(map[uint16]uint32, len(bb.ofToOdp)+1)
	for p, o := range bb.ofToOdp {
		m[p] = o
	}
	m[ofport] = odp
	bb.ofToOdp = m
	k.byOdp[odp] = portRef{br: b, ofport: ofport}
	k.mu.Unlock()
	k.syncNormalPorts(bb)
	k.dp.RequestRevalidation()
	return nil
}

// RemovePort forgets OpenFlow port ofport of bridge b.
func (k *Backer) RemovePort(b *Bridge, ofport uint16) {
	k.mu.Lock()
	bb := k.bridges[b]
	k.unmapLocked(b, ofport)
	k.mu.Unlock()
	if bb != nil {
		k.syncNormalPorts(bb)
	}
	k.dp.RequestRevalidation()
}

// unmapLocked removes one port mapping. Caller holds mu.
func (k *Backer) unmapLocked(b *Bridge, ofport uint16) {
	bb := k.bridges[b]
	if bb == nil {
		return
	}
	odp, ok := bb.ofToOdp[ofport]
	if !ok {
		return
	}
	m := make(map[uint16]uint32, len(bb.ofToOdp))
	for p, o := range bb.ofToOdp {
		if p != ofport {
			m[p] = o
		}
	}
	bb.ofToOdp = m
	if pr := k.byOdp[odp]; pr.br == b && pr.ofport == ofport {
		delete(k.byOdp, odp)
	}
}

// syncNormalPorts gives the NORMAL switch the bridge's mapped ports with
// their VLAN settings (trunks of every VLAN unless configured). The order is the flood order: LOCAL first, as OVS usually
// creates it first, then by port number.
func (k *Backer) syncNormalPorts(bb *backerBridge) {
	pm := k.portMap(bb)
	ports := make([]uint16, 0, len(pm))
	for p := range pm {
		ports = append(ports, p)
	}
	floodRank := func(p uint16) int {
		if p == mf.PortLocal {
			return -1
		}
		return int(p)
	}
	slices.SortFunc(ports, func(a, b uint16) int { return cmp.Compare(floodRank(a), floodRank(b)) })
	settings := make([]maclearn.PortSettings, 0, len(ports))
	for _, p := range ports {
		ps := k.portVLANSettings(bb, p)
		ps.Port, ps.Name = maclearn.Port(p), portName(bb.br, p)
		settings = append(settings, ps)
	}
	if err := bb.normal.SetPorts(settings); err != nil {
		log.Warn("bridge %s: %v", bb.br.Name(), err)
	}
}

func portName(b *Bridge, no uint16) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if p := b.ports[no]; p != nil {
		return p.Name
	}
	return mf.PortString(no)
}

// bridgeOf returns the bridge state and OpenFlow port of odp port odp.
func (k *Backer) bridgeOf(odp uint32) (*backerBridge, uint16, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	pr, ok := k.byOdp[odp]
	if !ok {
		return nil, 0, false
	}
	bb := k.bridges[pr.br]
	return bb, pr.ofport, bb != nil
}

// portMap returns the bridge's current OpenFlow to odp port map; the
// map is never modified once published.
func (k *Backer) portMap(bb *backerBridge) map[uint16]uint32 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return bb.ofToOdp
}

// stateOf returns the attached state of b.
func (k *Backer) stateOf(b *Bridge) *backerBridge {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.bridges[b]
}

// revalidateLoop asks the datapath to revalidate when something
// translation depends on changed, and every statsPeriod anyway.
func (k *Backer) revalidateLoop() {
	defer close(k.done)
	tick := time.NewTicker(revalidatePeriod)
	defer tick.Stop()
	var last uint64
	lastReval := time.Now()
	// A kick within kickHoldoff of the last kicked revalidation waits
	// for the rest of it on hold (revalkick.go).
	var lastKicked time.Time
	hold := time.NewTimer(0)
	<-hold.C
	var holdC <-chan time.Time
	kicked := func() {
		holdC = nil
		k.kickPending.Store(false)
		if fp := k.fingerprint(); fp != last {
			last, lastKicked = fp, time.Now()
			k.dp.RequestRevalidation()
		}
	}
	for {
		select {
		case <-k.stop:
			return
		case <-k.kick:
			if wait := kickHoldoff - time.Since(lastKicked); wait > 0 {
				hold.Reset(wait)
				holdC = hold.C
				continue
			}
			kicked()
		case <-holdC:
			kicked()
		case now := <-tick.C:
			k.ageMACs()
			fp := k.fingerprint()
			if fp != last || now.Sub(lastReval) >= statsPeriod {
				last, lastReval = fp, now
				k.dp.RequestRevalidation()
				k.recirc.sweep(now, recircIdle, nil)
			}
		}
	}
}

// ageMACs expires idle learned MACs (a changed table shows in the
// fingerprint).
func (k *Backer) ageMACs() {
	k.mu.RLock()
	tables := make([]*maclearn.Table, 0, len(k.bridges))
	for _, bb := range k.bridges {
		tables = append(tables, bb.mac)
	}
	k.mu.RUnlock()
	for _, t := range tables {
		t.Run()
	}
}

// fingerprint summarizes everything translation reads that can change
// without the Backer being told: rules (a modified rule is a new *Rule),
// groups, port configuration and learned MACs.
func (k *Backer) fingerprint() uint64 {
	var h maphash.Hash
	h.SetSeed(k.seed)
	word := func(v uint64) {
		var b [8]byte
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		h.Write(b[:])
	}
	k.mu.RLock()
	bbs := make([]*backerBridge, 0, len(k.bridges))
	for _, bb := range k.bridges {
		bbs = append(bbs, bb)
	}
	k.mu.RUnlock()
	slices.SortFunc(bbs, func(a, b *backerBridge) int {
		return cmp.Compare(uintptr(unsafe.Pointer(a.br)), uintptr(unsafe.Pointer(b.br)))
	})
	for _, bb := range bbs {
		b := bb.br
		word(uint64(uintptr(unsafe.Pointer(b))))
		word(bb.mac.Generation())
		b.mu.RLock()
		// A table's generation changes with every rule added, replaced
		// or removed: hashing it, not every rule, keeps a table change
		// O(1) for a 100,000-flow load.
		for i := range b.tables {
			word(b.tables[i].cls.gen)
		}
		// Maps in key order: the fingerprint must not change when nothing
		// did (a change starts a revalidation of every megaflow).
		for _, id := range slices.Sorted(maps.Keys(b.groups)) {
			g := b.groups[id]
			word(uint64(id))
			word(uint64(uintptr(unsafe.Pointer(g))))
			word(uint64(len(g.buckets)))
			if len(g.buckets) > 0 {
				word(uint64(uintptr(unsafe.Pointer(&g.buckets[0]))))
			}
		}
		for _, no := range slices.Sorted(maps.Keys(b.ports)) {
			p := b.ports[no]
			word(uint64(no)<<32 | uint64(p.Config))
			if p.LinkDown {
				word(1)
			}
		}
		b.mu.RUnlock()
		if b.wantsMissPacketIn() {
			word(2)
		}
	}
	return h.Sum64()
}
