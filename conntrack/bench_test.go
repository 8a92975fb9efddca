package conntrack

import (
	"encoding/binary"
	"runtime"
	"sync/atomic"
	"testing"
	"unsafe"
)

// BenchmarkLookupHit measures an established UDP packet through ct() (run
// with -cpu 1,2 for one and two goroutines).
func BenchmarkLookupHit(b *testing.B) {
	tr, _ := newTestTracker(b)
	const conns = 1024
	var pkts []*Packet
	for i := 0; i < conns; i++ {
		src := "10.0." + itoa(i/250) + "." + itoa(i%250+1)
		ct(tr, udpPkt(src, "10.1.0.1", uint16(1000+i), 53, 32), Action{Commit: true})
		r := udpPkt("10.1.0.1", src, 53, uint16(1000+i), 32)
		ct(tr, r, Action{})
		pkts = append(pkts, r)
	}
	var next atomic.Uint32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// Each goroutine works on its own copies: Execute writes metadata.
		base := int(next.Add(1)) * 97
		mine := make([]Packet, conns)
		for i := range mine {
			mine[i] = *pkts[(base+i)%conns]
		}
		a := Action{}
		i := 0
		for pb.Next() {
			p := &mine[i%conns]
			p.MD = Metadata{}
			tr.Execute(p, &a)
			i++
		}
	})
}

// BenchmarkNewConn measures committing a new UDP connection. Each goroutine
// cycles through 65536 tuples; at each wrap the clock jumps past the UDP
// timeout and the sweeper runs, so memory stays bounded and the reclaim cost
// is part of the measurement.
func BenchmarkNewConn(b *testing.B) {
	tr, clk := newTestTracker(b)
	tr.SetMaxConns(1 << 30)
	var next atomic.Uint32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := next.Add(1)
		p := udpPkt("10.0.0.1", "10.1.0.1", 1, 53, 16)
		p.Csum = L4CsumGood         // ports change below without fixing the checksum
		p.Data[ethLen+13] = byte(g) // distinct source address per goroutine
		binary.BigEndian.PutUint16(p.Data[ethLen+10:], 0)
		binary.BigEndian.PutUint16(p.Data[ethLen+10:], csumFold(csumAdd(0, p.Data[ethLen:ethLen+20])))
		a := Action{Commit: true}
		port := uint16(1)
		for pb.Next() {
			binary.BigEndian.PutUint16(p.Data[ethLen+20:], port)
			p.MD = Metadata{}
			tr.Execute(p, &a)
			port++
			if port == 0 {
				port = 1
				clk.advance(61)
				tr.Sweep()
			}
		}
	})
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestEstablishedPathAllocs holds the per-packet path of known connections
// at zero allocations.
func TestEstablishedPathAllocs(t *testing.T) {
	tr, _ := newTestTracker(t)
	udp := udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 8)
	ct(tr, udp, Action{Commit: true})
	udpReply := udpPkt("10.0.0.2", "10.0.0.1", 2, 1, 8)
	cv := newConv(t, tr, "fd00::1", "fd00::2", 1000, 80, 7)
	cv.handshake()
	ack := tcpPkt("fd00::1", "fd00::2", 1000, 80, tcpACK, tcpOpt{seq: cv.cseq, ack: cv.sseq, win: 502, wscale: -1})
	mark := Action{Commit: true, SetMark: true, Mark: 1, MarkMask: 1}
	for name, p := range map[string]*Packet{"udp reply": udpReply, "tcp ack": ack} {
		allocs := testing.AllocsPerRun(200, func() {
			p.MD = Metadata{}
			tr.Execute(p, &mark)
			tr.Execute(p, &mark) // cached fast path
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocs per packet, want 0", name, allocs)
		}
		if p.MD.State&StateEstablished == 0 {
			t.Errorf("%s: state %v", name, p.MD.State)
		}
	}
}

// TestConnMemory reports (and bounds) the heap cost of one connection:
// the Conn object plus its share of the table's bucket arrays.
func TestConnMemory(t *testing.T) {
	const n = 20000
	tr, _ := newTestTracker(t)
	pkts := make([]*Packet, n)
	for i := range pkts {
		p := udpPkt("10.0.0.1", "10.1.0.1", 1, 53, 0)
		binary.BigEndian.PutUint16(p.Data[ethLen+20:], uint16(i+1))
		binary.BigEndian.PutUint16(p.Data[ethLen+22:], uint16(i/60000+1))
		p.Csum = L4CsumGood
		pkts[i] = p
	}
	a := Action{Commit: true}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, p := range pkts {
		tr.Execute(p, &a)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if tr.NConns() != n {
		t.Fatalf("nconns %d", tr.NConns())
	}
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("Conn struct %d bytes; heap per connection %.1f bytes", unsafe.Sizeof(Conn{}), per)
	if unsafe.Sizeof(Conn{}) > 208 {
		t.Errorf("Conn is %d bytes, want <= 208 (the 208-byte size class)", unsafe.Sizeof(Conn{}))
	}
	if per >= 256 {
		t.Errorf("%.1f bytes per connection, want < 256", per)
	}
	runtime.KeepAlive(pkts)
}
