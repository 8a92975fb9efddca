package dpif

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pmdCounters are one poller's pmd-stats-show counters; atomics so the
// command reads them while the poller runs.
type pmdCounters struct {
	rx, recirc, emcHits, mfHits, upcallOK, upcallFail atomic.Uint64
	sentPkts, sentBatches                             atomic.Uint64
	recircDrops                                       atomic.Uint64 // beyond maxRecirc
}

func (c *pmdCounters) clear() {
	for _, a := range []*atomic.Uint64{&c.rx, &c.recirc, &c.emcHits, &c.mfHits, &c.upcallOK,
		&c.upcallFail, &c.sentPkts, &c.sentBatches, &c.recircDrops} {
		a.Store(0)
	}
}

// lookupLevel is the scratch one lookup pass needs; a poller has one per
// recirculation depth, so recirculating never allocates.
type lookupLevel struct {
	keys   [BatchSize]FlowKey
	flows  [BatchSize]*Megaflow
	missK  [BatchSize]*FlowKey
	missF  [BatchSize]*Megaflow
	missI  [BatchSize]int
	group  [BatchSize]pktRef
	single [1]pktRef
}

// pmd is one packet-processing context: one rx queue of one port, polled
// either by its own event-driven goroutine (non-PMD ports: OVS's main
// thread) or by the PMD thread it is assigned to (pmd_threads.go), or the
// datapath's "main thread" context that Input and Execute use. It owns its
// EMC, batch, metadata and executor; only its poller touches them.
type pmd struct {
	dp     *Datapath
	port   uint32
	name   string // port name for pmd-rxq-show
	io     PacketIO
	q      int
	isPMD  bool // polled by a PMD thread (AF_XDP), else main thread
	coreID int  // the PMD thread's core

	thread       *pmdThread // PMD contexts: the thread polling it (Datapath.mu)
	release      uint64     // poll-list generation that dropped it
	cyclesCurr   uint64     // processing cycles this interval (PMD loop only)
	cyclesIntrvl [pmdIntervals]atomic.Uint64

	emc    *EMC
	batch  Batch
	metas  [BatchSize]PacketMeta
	refs   [BatchSize]pktRef
	levels [maxRecirc + 1]lookupLevel
	exec   *executor
	ctr    pmdCounters

	stop   atomic.Bool
	stopFD int      // eventfd that wakes the poll loop to stop
	wait   *os.File // the queue's wait descriptor (a duplicate), nil if none
	done   chan struct{}
}

func newPMD(dp *Datapath, port uint32, io PacketIO, q int) *pmd {
	p := &pmd{dp: dp, port: port, io: io, q: q, emc: new(EMC), stopFD: -1}
	p.exec = newExecutor(dp, p, q)
	return p
}

// input runs the received batch through the datapath and sends what it
// produced.
func (p *pmd) input(inPort uint32, b *Batch) {
	n := b.N
	p.ctr.rx.Add(uint64(n))
	for i := range n {
		p.metas[i].Reset(inPort)
		p.refs[i] = pktRef{&b.Pkts[i], &p.metas[i]}
	}
	p.process(p.refs[:n], 0, 0)
	p.exec.flush()
}

// process is one datapath pass (OVS's dp_netdev_input__): extract keys,
// look them up in the EMC, then the megaflow classifier, upcall what is
// left, and execute each flow's actions on its packets together.
// cloneDepth is passed on to execution (see executor.execute).
func (p *pmd) process(refs []pktRef, depth, cloneDepth int) {
	lv := &p.levels[depth]
	dp := p.dp
	n := len(refs)
	nmiss := 0
	var emcHits, mfHits uint64
	emcMin := dp.emcInsertMin.Load()
	for i, r := range refs {
		k := &lv.keys[i]
		r.m.ExtractKey(r.p, k)
		var f *Megaflow
		if emcMin != 0 {
			f = p.emc.Lookup(k, EMCHash(k))
		}
		lv.flows[i] = f
		if f != nil {
			emcHits++
			continue
		}
		lv.missK[nmiss], lv.missI[nmiss] = k, i
		nmiss++
	}
	if nmiss > 0 {
		dp.cls.LookupBatch(lv.missK[:nmiss], lv.missF[:nmiss])
		for j := range nmiss {
			i := lv.missI[j]
			k := &lv.keys[i]
			f := lv.missF[j]
			if f != nil {
				mfHits++
			} else if f = dp.cls.Lookup(k); f != nil {
				mfHits++ // installed by an earlier miss of this batch
			} else {
				// The packet that missed has been handled; it is not
				// counted by the flow it installed.
				f = p.miss(refs[i], k, lv, depth, cloneDepth)
				lv.flows[i] = nil
				if f != nil && emcShouldInsert(emcMin) {
					p.emc.Insert(k, EMCHash(k), f)
				}
				continue
			}
			lv.flows[i] = f
			if emcShouldInsert(emcMin) {
				p.emc.Insert(k, EMCHash(k), f)
			}
		}
	}
	p.ctr.emcHits.Add(emcHits)
	p.ctr.mfHits.Add(mfHits)
	dp.hit.Add(emcHits + mfHits)

	now := time.Now()
	for i := range n {
		f := lv.flows[i]
		if f == nil {
			continue
		}
		g, bytes, flags := 0, 0, uint16(0)
		for j := i; j < n; j++ {
			if lv.flows[j] != f {
				continue
			}
			lv.flows[j] = nil
			lv.group[g] = refs[j]
			g++
			bytes += refs[j].p.Len()
			flags |= lv.keys[j].TCPFlags()
		}
		f.Account(uint64(g), uint64(bytes), flags, now)
		acts, _ := f.Actions().([]Action)
		p.exec.execute(lv.group[:g], acts, depth, cloneDepth)
	}
}

// miss handles a packet no flow matched: upcall, install the megaflow
// (returned, nil if none), and execute the actions on this packet alone.
// As in OVS, the megaflow does not count the packet: the handler credited
// it to the rules its translation went through.
func (p *pmd) miss(r pktRef, k *FlowKey, lv *lookupLevel, depth, cloneDepth int) *Megaflow {
	dp := p.dp
	dp.missed.Add(1)
	f, acts, err := dp.upcallMiss(r, k)
	if err != nil {
		p.ctr.upcallFail.Add(1)
		dp.lost.Add(1)
		return nil
	}
	p.ctr.upcallOK.Add(1)
	lv.single[0] = r
	p.exec.execute(lv.single[:], acts, depth, cloneDepth)
	return f
}

// Poll goroutines of ports without a descriptor to wait on re-check their
// queue every noFDPoll; after a receive error a queue is retried after
// errPoll.
const (
	noFDPoll = 10 // ms
	errPoll  = 100
)

// run is the poll goroutine. While its queue has packets it receives and
// processes them; when the queue is empty it parks on the Go netpoller until
// the queue's descriptor is readable. An idle port then costs no thread and
// no system call, and a busy one makes one receive per batch. (Spinning on
// empty receives, then sleeping in a blocking poll(2), made 195,000 system
// calls and 19,000 context switches a second on the core of two busy system
// ports, and cut the connection rate through them by a third.)
func (p *pmd) run() {
	defer close(p.done)
	var rc syscall.RawConn
	if p.wait != nil {
		defer p.wait.Close()
		rc, _ = p.wait.SyscallConn()
	}
	stop := []unix.PollFd{{Fd: int32(p.stopFD), Events: unix.POLLIN}}
	var recvErr error
	receive := func(uintptr) bool {
		recvErr = p.io.Recv(p.q, &p.batch)
		if recvErr == nil && p.batch.N == 0 {
			p.emc.SlowSweep()
			return false // park until readable
		}
		return true
	}
	for !p.stop.Load() {
		if rc == nil {
			receive(0)
		} else if err := rc.Read(receive); err != nil {
			// halt set a deadline to wake the goroutine, or the
			// descriptor cannot be polled: re-check on a timer then.
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				rc = nil
			}
			continue
		}
		switch {
		case recvErr != nil:
			_, _ = unix.Poll(stop, errPoll)
		case p.batch.N > 0:
			p.input(p.port, &p.batch)
		default: // no descriptor to wait on
			_, _ = unix.Poll(stop, noFDPoll)
		}
	}
}

// start launches the poll goroutine, with a duplicate of the queue's wait
// descriptor registered with the netpoller (the port keeps its own).
func (p *pmd) start() error {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return err
	}
	if wfd := p.io.WaitFD(p.q); wfd >= 0 {
		dup, err := unix.FcntlInt(uintptr(wfd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("poll %s queue %d: %w", p.name, p.q, err)
		}
		p.wait = os.NewFile(uintptr(dup), p.name)
	}
	p.stopFD = fd
	p.done = make(chan struct{})
	go p.run()
	return nil
}

// halt stops the poll goroutine and waits for it; for a PMD context,
// detached by Datapath.detachRxq, it waits until its thread let go of it.
func (p *pmd) halt() {
	if p.isPMD {
		if p.thread != nil {
			p.thread.release(p.release)
		}
		return
	}
	if p.done == nil {
		return
	}
	p.stop.Store(true)
	var one = [8]byte{1}
	_, _ = unix.Write(p.stopFD, one[:])
	if p.wait != nil {
		_ = p.wait.SetReadDeadline(time.Unix(1, 0))
	}
	<-p.done
	p.wait = nil
	unix.Close(p.stopFD)
	p.done = nil
}
