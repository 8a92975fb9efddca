package dpif

import (
	"cmp"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/govswitchd/govswitchd/vlog"
)

// PMD threads. Ports whose queues are polled (afxdp, as OVS's netdev_is_pmd)
// are not served by a goroutine per queue: as in OVS's dpif-netdev, every
// receive queue is assigned to one PMD thread, one per core of
// other_config:pmd-cpu-mask (default: the first core of each NUMA node, as
// OVS lists them), and each PMD thread busy-polls all of its queues without
// ever sleeping, pinned to its core. A PMD owns a whole Go P while it spins,
// so the datapath raises GOMAXPROCS by one per PMD: the rest of the daemon
// keeps the Ps it had, and the kernel shares a CPU between a PMD and other
// threads as it does for ovs-vswitchd's. other_config:pmd-maxsleep (OVS 3.1's
// experimental knob, 0 by default) lets an idle PMD sleep up to that many
// microseconds per iteration, as OVS does. Other ports keep their own
// event-driven goroutines, OVS's "main thread" polling.

var pmdLog = vlog.New("dpif_netdev")

const (
	// pmdSleepThresh is how many packets from one queue in one iteration
	// end a pmd-maxsleep backoff (OVS's PMD_SLEEP_THRESH, half a batch).
	pmdSleepThresh = BatchSize / 2
	// pmdMaxSleepCap caps pmd-maxsleep (µs), as OVS's RCU quiesce interval.
	pmdMaxSleepCap = 10000
	// pmdIntervalLen and pmdIntervals are the usage history pmd-rxq-show
	// reports on: 12 intervals of 5 s.
	pmdIntervalLen = 5 * time.Second
	pmdIntervals   = 12
	// pmdIdleIteration is the shortest empty iteration, in cycles
	// (about 0.4 µs at 2.5 GHz; see run).
	pmdIdleIteration = 1000
	// pmdHousekeeping is how many iterations pass between EMC sweeps and
	// interval checks.
	pmdHousekeeping = 1024
)

// pmdSched is the engine's PMD-thread state. Datapath.mu guards everything
// but maxSleep.
type pmdSched struct {
	threads  []*pmdThread // running, sorted by core
	pmdMask  string       // other_config:pmd-cpu-mask
	maxSleep atomic.Uint64
	// configured is set by the first SetOtherConfig, which logs the sleep
	// setting even when it is the default.
	configured atomic.Bool
	baseProc   int // GOMAXPROCS before any PMD raised it; 0 until then
}

// pmdThread is one busy-polling thread (OVS's "pmd thread numa_id N
// core_id C"). Its poll list is replaced by publishing a new slice and a new
// generation; whoever removes a queue waits until the loop has seen that
// generation (or ended) before closing the port.
type pmdThread struct {
	core, numa int
	polls      atomic.Pointer[[]*pmd] // sorted by port name and queue
	want, seen atomic.Uint64          // poll-list generation published / in use
	stop       atomic.Bool
	retired    bool // guarded by Datapath.mu: being replaced, take no queues
	done       chan struct{}

	idle, busy atomic.Uint64 // cycles of iterations with and without packets
	// Usage history, written by the loop, read by pmd-rxq-show.
	intrvlCycles atomic.Uint64 // length of the last complete interval
	busyIntrvl   [pmdIntervals]atomic.Uint64
	intrvlIdx    atomic.Uint64
}

// numaCore is one CPU as OVS's ovs-numa lists it.
type numaCore struct{ numa, core int }

// discoverCores lists the CPUs per NUMA node in directory order, which is
// the order OVS takes them in (so its default PMD core is the first one
// readdir returns, core 1 on many two-CPU VMs). Without NUMA information
// every CPU is on node 0.
func discoverCores() []numaCore {
	var out []numaCore
	add := func(numa int, dir string) bool {
		f, err := os.Open(dir)
		if err != nil {
			return false
		}
		names, _ := f.Readdirnames(-1) // unsorted: readdir order
		f.Close()
		for _, n := range names {
			id, ok := strings.CutPrefix(n, "cpu")
			c, err := strconv.Atoi(id)
			if !ok || err != nil || c < 0 {
				continue
			}
			if _, err := os.Stat("/sys/devices/system/cpu/cpu" + id + "/topology/core_id"); err == nil {
				out = append(out, numaCore{numa, c})
			}
		}
		return true
	}
	if _, err := os.Stat("/sys/devices/system/node"); err == nil {
		for n := 0; n < 128; n++ {
			add(n, "/sys/devices/system/node/node"+strconv.Itoa(n))
		}
	} else {
		add(0, "/sys/devices/system/cpu")
	}
	if len(out) == 0 {
		for c := range runtime.NumCPU() {
			out = append(out, numaCore{0, c})
		}
	}
	return out
}

// pmdCores is where PMD threads run for mask: the cores whose bits are set
// (hex, optional 0x, bit i is core i, unknown cores ignored), or with no
// mask the first core of each NUMA node.
func pmdCores(all []numaCore, mask string) []numaCore {
	var out []numaCore
	if mask == "" {
		seen := map[int]bool{}
		for _, c := range all {
			if !seen[c.numa] {
				seen[c.numa] = true
				out = append(out, c)
			}
		}
		return out
	}
	digits := mask
	if len(digits) >= 2 && (digits[:2] == "0x" || digits[:2] == "0X") {
		digits = digits[2:]
	}
	core := 0
	for i := len(digits) - 1; i >= 0; i-- {
		v, err := strconv.ParseUint(digits[i:i+1], 16, 8)
		if err != nil {
			pmdLog.Warn("Invalid cpu mask: %c", digits[i])
			v = 0
		}
		for j := range 4 {
			if v>>j&1 != 0 {
				if k := slices.IndexFunc(all, func(c numaCore) bool { return c.core == core }); k >= 0 {
					out = append(out, all[k])
				}
			}
			core++
		}
	}
	return out
}

// isPMDPort says whether the port's queues go to PMD threads.
func isPMDPort(p Port) bool { return p.Type() == "afxdp" }

// SetOtherConfig applies the Open_vSwitch other_config keys the datapath
// follows: pmd-cpu-mask (moving every polled queue onto the new set of PMD
// threads), pmd-maxsleep and emc-insert-inv-prob.
func (d *Datapath) SetOtherConfig(oc map[string]string) {
	d.setEMCInsertInvProb(oc)
	ms, _ := strconv.ParseUint(oc["pmd-maxsleep"], 10, 64)
	ms = min(ms, pmdMaxSleepCap)
	if old := d.maxSleep.Swap(ms); old != ms || !d.configured.Swap(true) {
		pmdLog.Info("PMD max sleep request is %d usecs.", ms)
		state := "disabled"
		if ms > 0 {
			state = "enabled"
		}
		pmdLog.Info("PMD load based sleeps are %s.", state)
	}
	mask := oc["pmd-cpu-mask"]
	d.mu.Lock()
	if mask == d.pmdMask || d.closed {
		d.mu.Unlock()
		return
	}
	d.pmdMask = mask
	old := d.threads
	d.threads = nil
	for _, t := range old {
		t.retired = true
		t.stop.Store(true)
	}
	d.mu.Unlock()
	for _, t := range old {
		<-t.done
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	for _, t := range old {
		pmdLog.Info("PMD thread on numa_id: %d, core id: %2d destroyed.", t.numa, t.core)
	}
	// Queues of the old threads go to the new ones; queues added meanwhile
	// already have a live thread.
	var moved []*pmd
	for _, ps := range d.pollers {
		for _, p := range ps {
			if p.thread != nil && p.thread.retired {
				moved = append(moved, p)
			}
		}
	}
	slices.SortFunc(moved, comparePolls)
	for _, p := range moved {
		d.assignRxq(p)
	}
	d.fitGOMAXPROCS()
}

// comparePolls orders queues as OVS lists them: by port name, then queue.
func comparePolls(a, b *pmd) int {
	if c := strings.Compare(a.name, b.name); c != 0 {
		return c
	}
	return cmp.Compare(a.q, b.q)
}

// ensureThreads starts the PMD threads of the configured cores that are
// not running. Called with mu held.
func (d *Datapath) ensureThreads() {
	cores := pmdCores(discoverCores(), d.pmdMask)
	changed := false
	for _, c := range cores {
		if slices.ContainsFunc(d.threads, func(t *pmdThread) bool { return t.core == c.core }) {
			continue
		}
		t := &pmdThread{core: c.core, numa: c.numa, done: make(chan struct{})}
		t.polls.Store(&[]*pmd{})
		d.threads = append(d.threads, t)
		go t.run(d)
		pmdLog.Info("PMD thread on numa_id: %d, core id: %2d created.", c.numa, c.core)
		changed = true
	}
	if changed {
		slices.SortFunc(d.threads, func(a, b *pmdThread) int { return cmp.Compare(a.core, b.core) })
		perNuma := map[int]int{}
		for _, t := range d.threads {
			perNuma[t.numa]++
		}
		for _, n := range slices.Sorted(maps.Keys(perNuma)) {
			pmdLog.Info("There are %d pmd threads on numa node %d", perNuma[n], n)
		}
		d.fitGOMAXPROCS()
	}
}

// fitGOMAXPROCS gives every running PMD a P of its own on top of what the
// process had. Called with mu held.
func (d *Datapath) fitGOMAXPROCS() {
	if d.baseProc == 0 {
		if len(d.threads) == 0 {
			return
		}
		d.baseProc = runtime.GOMAXPROCS(0)
	}
	runtime.GOMAXPROCS(d.baseProc + len(d.threads))
}

// assignRxq gives queue context p to the live PMD thread with the fewest
// queues (the first in core order on a tie), starting threads as needed.
// Called with mu held.
func (d *Datapath) assignRxq(p *pmd) {
	d.ensureThreads()
	var best *pmdThread
	for _, t := range d.threads {
		if best == nil || len(*t.polls.Load()) < len(*best.polls.Load()) {
			best = t
		}
	}
	if best == nil {
		p.thread = nil // no core to run on (empty mask): the queue is not polled
		pmdLog.Warn("There's no available (non-isolated) pmd thread on numa node 0. Port '%s' rx queue %d will not be polled.", p.name, p.q)
		return
	}
	p.thread, p.coreID = best, best.core
	list := slices.Clone(*best.polls.Load())
	list = append(list, p)
	slices.SortFunc(list, comparePolls)
	best.publish(list)
}

// detachRxq takes p off its thread; p.halt waits until the thread has let
// go of it. When no polled queue is left the threads end, as OVS runs PMD
// threads only while it has a PMD port. Called with mu held.
func (d *Datapath) detachRxq(p *pmd) {
	t := p.thread
	if t == nil {
		return
	}
	list := slices.DeleteFunc(slices.Clone(*t.polls.Load()), func(x *pmd) bool { return x == p })
	p.release = t.publish(list)
	if t.retired {
		return
	}
	for _, ps := range d.pollers {
		for _, x := range ps {
			if x.isPMD && x != p && x.thread != nil {
				return
			}
		}
	}
	d.stopThreads()
}

// stopThreads ends every PMD thread without waiting. Called with mu held.
func (d *Datapath) stopThreads() {
	for _, t := range d.threads {
		t.retired = true
		t.stop.Store(true)
		pmdLog.Info("PMD thread on numa_id: %d, core id: %2d destroyed.", t.numa, t.core)
	}
	d.threads = nil
	d.fitGOMAXPROCS()
}

// publish makes list the thread's poll list and returns its generation.
func (t *pmdThread) publish(list []*pmd) uint64 {
	t.polls.Store(&list)
	return t.want.Add(1)
}

// release waits until the thread no longer uses poll lists older than gen.
func (t *pmdThread) release(gen uint64) {
	for t.seen.Load() < gen {
		select {
		case <-t.done:
			return
		case <-time.After(50 * time.Microsecond):
		}
	}
}

// pinToCore binds the calling OS thread to CPU core.
func pinToCore(core int) error {
	var set unix.CPUSet
	set.Set(core)
	return unix.SchedSetaffinity(0, &set)
}

// run is the PMD loop: poll every queue, account the iteration's cycles as
// busy or idle, and every pmdHousekeeping iterations sweep the EMCs and roll
// the usage intervals.
func (t *pmdThread) run(d *Datapath) {
	defer close(t.done)
	// The goroutine keeps its OS thread to the end, so the thread (pinned
	// below) exits with it rather than returning to the pool pinned.
	runtime.LockOSThread()
	if err := pinToCore(t.core); err != nil {
		pmdLog.Warn("pmd thread on core %d: cannot set CPU affinity: %v", t.core, err)
	}
	var (
		polls     []*pmd
		gen       uint64
		sleepUS   uint64
		lc        int
		nextIntvl time.Time
		intvlTSC  uint64 // start of the current interval, 0 right after a reload
		intvlBusy uint64
	)
	for !t.stop.Load() {
		if g := t.want.Load(); g != gen {
			// A new poll list restarts the usage history, as an OVS PMD
			// reload does: pmd-rxq-show says NOT AVAIL until a whole
			// interval has passed.
			polls, gen = *t.polls.Load(), g
			t.resetIntervals(polls)
			nextIntvl, intvlTSC, intvlBusy = time.Now().Add(pmdIntervalLen), 0, 0
			t.seen.Store(g)
		}
		start := readTSC()
		rx := 0
		for _, p := range polls {
			n := p.pollOnce()
			rx += n
			if n >= pmdSleepThresh {
				sleepUS = 0
			}
		}
		if maxUS := d.maxSleep.Load(); maxUS > 0 {
			if sleepUS > 0 && rx < pmdSleepThresh {
				time.Sleep(time.Duration(sleepUS) * time.Microsecond)
			}
			sleepUS = min(sleepUS+1, maxUS)
		} else {
			sleepUS = 0
		}
		cycles := readTSC() - start
		if rx == 0 {
			// An empty poll comes round again only after
			// pmdIdleIteration cycles: reading the rings' producer
			// indexes in a tight loop pulls their cache lines away from
			// the kernel writing them on another core, which slows the
			// sender of the next packets.
			for cycles < pmdIdleIteration {
				cycles = readTSC() - start
			}
		}
		if rx > 0 {
			t.busy.Add(cycles)
			intvlBusy += cycles
		} else {
			t.idle.Add(cycles)
		}
		if lc++; lc < pmdHousekeeping && d.maxSleep.Load() == 0 {
			continue
		}
		lc = 0
		for _, p := range polls {
			p.emc.SlowSweep()
		}
		if now := time.Now(); now.After(nextIntvl) {
			nextIntvl = now.Add(pmdIntervalLen)
			tsc := readTSC()
			if intvlTSC != 0 {
				t.intrvlCycles.Store(tsc - intvlTSC)
			}
			i := t.intrvlIdx.Load() % pmdIntervals
			t.busyIntrvl[i].Store(intvlBusy)
			for _, p := range polls {
				p.rollInterval(i)
			}
			t.intrvlIdx.Add(1)
			intvlTSC, intvlBusy = tsc, 0
		}
	}
}

// resetIntervals clears the usage history of the thread and its queues.
// Only the PMD loop calls it.
func (t *pmdThread) resetIntervals(polls []*pmd) {
	t.intrvlCycles.Store(0)
	t.intrvlIdx.Store(0)
	for i := range t.busyIntrvl {
		t.busyIntrvl[i].Store(0)
	}
	for _, p := range polls {
		p.cyclesCurr = 0
		for i := range p.cyclesIntrvl {
			p.cyclesIntrvl[i].Store(0)
		}
	}
}

// pollOnce receives one batch from the context's queue and processes it,
// counting the cycles against the queue. It returns the packets received.
func (p *pmd) pollOnce() int {
	start := readTSC()
	if err := p.io.Recv(p.q, &p.batch); err != nil || p.batch.N == 0 {
		return 0
	}
	n := p.batch.N
	p.input(p.port, &p.batch)
	p.cyclesCurr += readTSC() - start
	return n
}

// rollInterval stores the queue's processing cycles of the interval that
// just ended in slot i. Only the PMD loop calls it.
func (p *pmd) rollInterval(i uint64) {
	p.cyclesIntrvl[i].Store(p.cyclesCurr)
	p.cyclesCurr = 0
}

// intervalSum adds up the last n entries of a ring of interval values
// whose next slot is idx.
func intervalSum(ring *[pmdIntervals]atomic.Uint64, idx uint64, n int) uint64 {
	var sum uint64
	for k := 1; k <= n && k <= pmdIntervals; k++ {
		sum += ring[(idx+pmdIntervals-uint64(k))%pmdIntervals].Load()
	}
	return sum
}
