package dpif

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPMDCores(t *testing.T) {
	all := []numaCore{{0, 1}, {0, 0}, {1, 3}, {1, 2}}
	for _, tc := range []struct {
		mask string
		want []numaCore
	}{
		{"", []numaCore{{0, 1}, {1, 3}}}, // first of each node, in listing order
		{"0x1", []numaCore{{0, 0}}},
		{"0X6", []numaCore{{0, 1}, {1, 2}}},
		{"c", []numaCore{{1, 2}, {1, 3}}},
		{"0x30", nil},              // no such cores
		{"g1", []numaCore{{0, 0}}}, // a bad digit counts as 0
	} {
		got := pmdCores(all, tc.mask)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("pmdCores(%q) = %v, want %v", tc.mask, got, tc.want)
		}
	}
	if len(discoverCores()) == 0 {
		t.Fatal("no cores discovered")
	}
}

// pmdTestPort is an "afxdp"-typed port whose queues hand out frames put on
// a channel; Send counts atomically (PMD threads send concurrently).
type pmdTestPort struct {
	name  string
	nq    int
	rx    chan []byte
	sent  atomic.Int64
	recvs atomic.Int64
	mu    sync.Mutex
	bufs  [BatchSize][]byte
}

func newPMDTestPort(name string, nq int) *pmdTestPort {
	return &pmdTestPort{name: name, nq: nq, rx: make(chan []byte, 64)}
}

func (p *pmdTestPort) Name() string   { return p.name }
func (p *pmdTestPort) Type() string   { return "afxdp" }
func (p *pmdTestPort) Info() PortInfo { return PortInfo{} }
func (p *pmdTestPort) Close() error   { return nil }
func (p *pmdTestPort) RxQueues() int  { return p.nq }
func (p *pmdTestPort) WaitFD(int) int { return -1 }
func (p *pmdTestPort) Send(q int, b *Batch) error {
	p.sent.Add(int64(b.N))
	return nil
}
func (p *pmdTestPort) Recv(q int, b *Batch) error {
	p.recvs.Add(1)
	b.N = 0
	if q != 0 {
		return nil
	}
	select {
	case f := <-p.rx:
		p.mu.Lock()
		defer p.mu.Unlock()
		p.bufs[0] = make([]byte, Headroom+len(f))
		copy(p.bufs[0][Headroom:], f)
		b.Pkts[0].Reset(p.bufs[0], Headroom, len(f))
		b.N = 1
	default:
	}
	return nil
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestPMDThreadsForward: a PMD thread busy-polls every queue assigned to
// it, forwards, counts cycles, and lets go of a removed port's queues
// before RemovePort closes it; threads end with the last PMD port.
func TestPMDThreadsForward(t *testing.T) {
	d, err := NewDatapath("dummy", "h6pmdfwd")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		out := uint32(2)
		if u.Key.InPort() == 2 {
			out = 1
		}
		u.Actions = []Action{Output(out)}
		return nil
	}))
	procs := runtime.GOMAXPROCS(0)
	d.SetOtherConfig(map[string]string{"pmd-cpu-mask": "1"})
	a, b := newPMDTestPort("pa", 2), newPMDTestPort("pb", 1)
	d.AddPort(a)
	d.AddPort(b)
	d.Start()
	if got := runtime.GOMAXPROCS(0); got != procs+1 {
		t.Errorf("GOMAXPROCS %d with one PMD, want %d", got, procs+1)
	}
	for range 5 {
		a.rx <- ckUDP("10.0.0.1", "10.0.0.2", 1, 2, []byte("x"))
	}
	b.rx <- ckUDP("10.0.0.2", "10.0.0.1", 2, 1, []byte("y"))
	waitFor(t, "forwarding", func() bool { return b.sent.Load() == 5 && a.sent.Load() == 1 })

	rxq, _ := d.PMDRxqShow(nil)
	want := `Displaying last 60 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: pa                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  port: pa                queue-id:  1 (enabled)   pmd usage: NOT AVAIL
  port: pb                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  overhead: NOT AVAIL
`
	if rxq != want {
		t.Fatalf("rxq-show:\n%s\nwant\n%s", rxq, want)
	}
	stats, _ := d.PMDStatsShow(nil)
	head := "pmd thread numa_id 0 core_id 0:\n  packets received: 6\n"
	if !strings.HasPrefix(stats, head) || !strings.Contains(stats, "  miss with success upcall: 2\n") ||
		!strings.Contains(stats, "  idle cycles: ") || !strings.Contains(stats, "  avg processing cycles per packet: ") {
		t.Fatalf("stats-show:\n%s", stats)
	}
	d.PMDStatsClear([]string{"-pmd", "0"})
	stats, _ = d.PMDStatsShow([]string{"-pmd", "0"})
	if !strings.HasPrefix(stats, "pmd thread numa_id 0 core_id 0:\n  packets received: 0\n") {
		t.Fatalf("after clear:\n%s", stats)
	}

	// Removal: the thread stops polling pa before RemovePort returns.
	if err := d.RemovePort(1); err != nil {
		t.Fatal(err)
	}
	n := a.recvs.Load()
	time.Sleep(20 * time.Millisecond)
	if a.recvs.Load() != n {
		t.Fatal("removed port still polled")
	}
	if rxq, _ := d.PMDRxqShow(nil); !strings.Contains(rxq, "port: pb") || strings.Contains(rxq, "port: pa") {
		t.Fatalf("after removal:\n%s", rxq)
	}
	if err := d.RemovePort(2); err != nil {
		t.Fatal(err)
	}
	if rxq, _ := d.PMDRxqShow(nil); rxq != "Displaying last 60 seconds pmd usage %\n" {
		t.Fatalf("threads left without PMD ports:\n%s", rxq)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS %d without PMDs, want %d", got, procs)
	}
}

// TestPMDCPUMaskChange moves queues onto the threads of a new mask: one
// queue per thread when there are as many threads as queues.
func TestPMDCPUMaskChange(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	d, err := NewDatapath("dummy", "h6pmdmask")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetOtherConfig(map[string]string{"pmd-cpu-mask": "0x1"})
	a, b := newPMDTestPort("pa", 1), newPMDTestPort("pb", 1)
	d.AddPort(a)
	d.AddPort(b)
	d.Start()
	d.SetOtherConfig(map[string]string{"pmd-cpu-mask": "0x3", "pmd-maxsleep": "50"})
	rxq, _ := d.PMDRxqShow([]string{"-secs", "7"})
	want := `Displaying last 10 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: pa                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  overhead: NOT AVAIL
pmd thread numa_id 0 core_id 1:
  isolated : false
  port: pb                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  overhead: NOT AVAIL
`
	if rxq != want {
		t.Fatalf("rxq-show:\n%s\nwant\n%s", rxq, want)
	}
	// Both threads keep polling (pmd-maxsleep only spaces the polls out).
	na, nb := a.recvs.Load(), b.recvs.Load()
	waitFor(t, "polls", func() bool { return a.recvs.Load() > na+10 && b.recvs.Load() > nb+10 })
}

// TestPMDStatsCycleLines: the cycle lines come as OVS prints them, only
// when the thread has counted cycles, the per-packet ones only when it
// has received packets.
func TestPMDStatsCycleLines(t *testing.T) {
	head := "  packets received: %d\n  packet recirculations: 0\n  avg. datapath passes per packet: %s\n" +
		"  phwol hits: 0\n  mfex opt hits: 0\n  simple match hits: 0\n  emc hits: %d\n  smc hits: 0\n" +
		"  megaflow hits: 0\n  avg. subtable lookups per megaflow hit: 0.00\n  miss with success upcall: 0\n" +
		"  miss with failed upcall: 0\n  avg. packets per output batch: %s\n"
	for _, c := range []struct {
		tot  pmdTotals
		want string
	}{
		{pmdTotals{}, fmt.Sprintf(head, 0, "0.00", 0, "0.00")},
		{pmdTotals{idle: 300, busy: 100}, fmt.Sprintf(head, 0, "0.00", 0, "0.00") +
			"  idle cycles: 300 (75.00%)\n  processing cycles: 100 (25.00%)\n"},
		{pmdTotals{rx: 3, emc: 3, sent: 3, batches: 2, idle: 11082260987, busy: 12008949285},
			fmt.Sprintf(head, 3, "1.00", 3, "1.50") +
				"  idle cycles: 11082260987 (47.99%)\n  processing cycles: 12008949285 (52.01%)\n" +
				"  avg cycles per packet: 7697070090.67 (23091210272/3)\n" +
				"  avg processing cycles per packet: 4002983095.00 (12008949285/3)\n"},
	} {
		var b strings.Builder
		writePMDStats(&b, &c.tot)
		if b.String() != c.want {
			t.Errorf("got\n%s\nwant\n%s", b.String(), c.want)
		}
	}
}

// TestPMDRxqUsage: pmd-rxq-show's usage figures are each queue's share of
// the thread's cycles over the intervals asked for, and the overhead is the
// busy time no queue accounts for.
func TestPMDRxqUsage(t *testing.T) {
	d, err := NewDatapath("dummy", "h6pmdusage")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetOtherConfig(map[string]string{"pmd-cpu-mask": "0x1"})
	a, b := newPMDTestPort("pa", 1), newPMDTestPort("pb", 1)
	d.AddPort(a)
	d.AddPort(b)
	d.Start()
	_, threads := d.pmds()
	th := threads[0]
	waitFor(t, "the poll list", func() bool { return th.t.seen.Load() == th.t.want.Load() })
	// Two intervals of 1000 cycles: 600 and 400 busy, pa used 300+100,
	// pb 100+100. The loop writes these only every 5 s.
	th.t.intrvlCycles.Store(1000)
	th.t.busyIntrvl[0].Store(600)
	th.t.busyIntrvl[1].Store(400)
	th.polls[0].cyclesIntrvl[0].Store(300)
	th.polls[0].cyclesIntrvl[1].Store(100)
	th.polls[1].cyclesIntrvl[0].Store(100)
	th.polls[1].cyclesIntrvl[1].Store(100)
	th.t.intrvlIdx.Store(2)
	for _, c := range []struct{ secs, want string }{
		{"5", `Displaying last 5 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: pa                queue-id:  0 (enabled)   pmd usage: 10 %
  port: pb                queue-id:  0 (enabled)   pmd usage: 10 %
  overhead: 20 %
`},
		{"10", `Displaying last 10 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: pa                queue-id:  0 (enabled)   pmd usage: 20 %
  port: pb                queue-id:  0 (enabled)   pmd usage: 10 %
  overhead: 20 %
`},
	} {
		if got, _ := d.PMDRxqShow([]string{"-secs", c.secs}); got != c.want {
			t.Errorf("-secs %s:\n%s\nwant\n%s", c.secs, got, c.want)
		}
	}
}
