package conntrack

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The million-connection test is too heavy for the default run (about 1 GB
// of heap at peak and tens of seconds on the shared VM); ask for it:
//
//	go test -run TestMillionConns -ct.million ./conntrack/ -v
//	go test -run TestMillionConns -ct.million -ct.million.n=200000 ./conntrack/ -v
var (
	millionFlag = flag.Bool("ct.million", false, "run TestMillionConns")
	millionN    = flag.Int("ct.million.n", 1000000, "connections per TestMillionConns case")
)

// scaleCase is one kind of connection TestMillionConns fills the table with.
type scaleCase struct {
	name  string
	proto uint8
	nat   *NATAction
}

// scaleTemplate is a packet of connection i: source 10.a.b.c (i's low 24
// bits), source port 1024 + i mod 64000, to 172.16.0.1:80. Checksums are
// declared good, so rewriting the tuple needs no checksum work.
type scaleTemplate struct {
	orig []byte
	p    Packet
}

func newScaleTemplate(proto uint8) *scaleTemplate {
	var p *Packet
	if proto == ProtoTCP {
		p = tcpPkt("10.0.0.1", "172.16.0.1", 1024, 80, tcpSYN, tcpOpt{seq: 1, wscale: -1})
	} else {
		p = udpPkt("10.0.0.1", "172.16.0.1", 1024, 80, 0)
	}
	p.Csum = IPCsumGood | L4CsumGood
	return &scaleTemplate{orig: append([]byte(nil), p.Data...), p: *p}
}

// set makes the packet connection i's first packet (NAT rewrote the last).
func (s *scaleTemplate) set(i int) *Packet {
	d := s.p.Data
	copy(d, s.orig)
	d[ethLen+13], d[ethLen+14], d[ethLen+15] = byte(i>>16), byte(i>>8), byte(i)
	binary.BigEndian.PutUint16(d[ethLen+20:], uint16(1024+i%64000))
	s.p.MD = Metadata{}
	return &s.p
}

// TestMillionConns fills a tracker with a million connections per case
// (UDP, TCP; without and with SNAT to a /24) and reports what it cost: heap
// bytes per connection, insert and lookup time at that size, the time to
// sweep them all once they expire, and the latency a concurrent packet loop
// (hits plus new commits) sees while the sweep runs, against the same loop
// with no sweep.
func TestMillionConns(t *testing.T) {
	if !*millionFlag {
		t.Skip("needs -ct.million")
	}
	snat := &NATAction{Flags: NATSrc, MinAddr: addr16("192.168.0.0"), MaxAddr: addr16("192.168.0.255")}
	for _, sc := range []scaleCase{
		{"udp", ProtoUDP, nil},
		{"tcp", ProtoTCP, nil},
		{"udp+snat", ProtoUDP, snat},
		{"tcp+snat", ProtoTCP, snat},
	} {
		t.Run(sc.name, func(t *testing.T) { runMillion(t, sc, *millionN) })
	}
}

func runMillion(t *testing.T, sc scaleCase, n int) {
	clk := &fakeClock{}
	clk.ms.Store(1000000)
	tr := New(Config{Clock: clk.now, NoSweeper: true})
	defer tr.Close()
	tmpl := newScaleTemplate(sc.proto)
	commit := Action{Commit: true, NAT: sc.nat}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := range n {
		tr.Execute(tmpl.set(i), &commit)
	}
	insert := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := tr.NConns(); got != int64(n) {
		t.Fatalf("nconns %d, want %d", got, n)
	}
	perConn := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)

	// Lookups at full size, in random order (every one a cache miss, as
	// with many flows), without commit.
	order := rand.Perm(n)
	look := Action{NAT: sc.nat}
	if sc.nat != nil {
		look.NAT = &NATAction{} // bare nat, as table 0 of a NAT firewall
	}
	lookups := min(n, 500000)
	start = time.Now()
	for _, i := range order[:lookups] {
		p := tmpl.set(i)
		tr.Execute(p, &look)
		if p.MD.State&StateTracked == 0 || p.MD.State&StateNew == 0 && p.MD.State&StateEstablished == 0 {
			t.Fatalf("conn %d: state %v", i, p.MD.State)
		}
	}
	lookup := time.Since(start)

	// Everything expires; a small live set keeps a packet loop busy.
	clk.advance(86401)
	live := newScaleTemplate(ProtoUDP)
	const liveN = 4096
	liveBase := 1 << 23 // source addresses 10.128.x.y: clear of the million
	for i := range liveN {
		tr.Execute(live.set(liveBase+i), &Action{Commit: true})
	}
	baseline := packetLoop(tr, liveBase, liveN, liveBase+liveN, nil)

	var stop atomic.Bool
	var res loopStats
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res = packetLoop(tr, liveBase, liveN, liveBase+liveN+1<<21, &stop)
	}()
	var rounds int
	var worst time.Duration
	start = time.Now()
	for {
		t0 := time.Now()
		_, busy := tr.Sweep()
		worst = max(worst, time.Since(t0))
		rounds++
		if !busy {
			break
		}
	}
	sweep := time.Since(start)
	stop.Store(true)
	wg.Wait()
	// What is left: the live set and the loops' new connections.
	if left, want := tr.NConns(), int64(liveN+baseline.newConns+res.newConns); left > want {
		t.Fatalf("%d connections left after the sweep, want <= %d", left, want)
	}

	t.Logf("%s: %d conns: %.1f B/conn (heap), insert %.0f ns/conn, lookup %.0f ns (random order, %d lookups)",
		sc.name, n, perConn, float64(insert.Nanoseconds())/float64(n), float64(lookup.Nanoseconds())/float64(lookups), lookups)
	t.Logf("%s: sweep of %d expired: %v in %d rounds (budget %d), longest round %v",
		sc.name, n, sweep.Round(time.Millisecond), rounds, DefaultMaxConns/64, worst.Round(time.Microsecond))
	t.Logf("%s: packet loop (hit + 1/16 new commit) without sweep: %s", sc.name, baseline)
	t.Logf("%s: packet loop during the sweep:                     %s", sc.name, res)
}

// loopStats are the per-packet latencies of packetLoop: hits (lock-free
// lookups) and new commits (shard and expiry-list locks) apart.
type loopStats struct {
	hit, commit latencies
	newConns    int
}

type latencies struct {
	n              int
	p50, p999, max time.Duration
	over100us      int // samples above 100µs (preemption, GC, lock waits)
}

func summarize(lat []time.Duration) latencies {
	if len(lat) == 0 {
		return latencies{}
	}
	slices.Sort(lat)
	n := len(lat)
	over, _ := slices.BinarySearch(lat, 100*time.Microsecond)
	return latencies{n: n, p50: lat[n/2], p999: lat[n*999/1000], max: lat[n-1], over100us: n - over}
}

func (l latencies) String() string {
	return fmt.Sprintf("%d: p50 %v, p99.9 %v, max %v, %d over 100µs", l.n, l.p50, l.p999, l.max, l.over100us)
}

func (s loopStats) String() string {
	return fmt.Sprintf("hits %s; new commits %s", s.hit, s.commit)
}

// packetLoop runs ct() on the live connections (and, every 16th packet, a
// new committed one) until stop is set, or for 200000 packets when stop is
// nil, timing each packet.
func packetLoop(tr *Tracker, base, n, freshBase int, stop *atomic.Bool) loopStats {
	hit := newScaleTemplate(ProtoUDP)
	fresh := newScaleTemplate(ProtoUDP)
	hits := make([]time.Duration, 0, 1<<20)
	commits := make([]time.Duration, 0, 1<<16)
	var s loopStats
	a, commit := Action{}, Action{Commit: true}
	for i := 0; ; i++ {
		if stop == nil && i == 200000 || stop != nil && stop.Load() {
			break
		}
		if i%16 == 15 {
			p := fresh.set(freshBase + s.newConns%(1<<20))
			t0 := time.Now()
			tr.Execute(p, &commit)
			if d := time.Since(t0); len(commits) < cap(commits) {
				commits = append(commits, d)
			}
			s.newConns++
			continue
		}
		p := hit.set(base + i%n)
		t0 := time.Now()
		tr.Execute(p, &a)
		if d := time.Since(t0); len(hits) < cap(hits) {
			hits = append(hits, d)
		}
	}
	s.hit, s.commit = summarize(hits), summarize(commits)
	return s
}
