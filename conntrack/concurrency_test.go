package conntrack

import (
	"encoding/binary"
	"sync"
	"testing"
)

// TestConcurrentTrafficFlushSweep runs packets, NAT commits, flushes, sweeps
// and dumps at once (meant for -race), then checks the books balance.
func TestConcurrentTrafficFlushSweep(t *testing.T) {
	tr, clk := newTestTracker(t)
	na := &NATAction{Flags: NATSrc, MinAddr: addr16("10.9.0.1"), MaxAddr: addr16("10.9.0.4")}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			p := udpPkt("10.0.0.1", "10.1.0.1", 1, 53, 0)
			p.Csum = L4CsumGood
			orig := append([]byte(nil), p.Data...)
			for i := 0; i < 3000; i++ {
				copy(p.Data, orig)
				binary.BigEndian.PutUint16(p.Data[ethLen+20:], uint16(i%300+1))
				a := Action{Commit: true, Zone: uint16(g % 2)}
				if g%2 == 1 {
					a.NAT = na
				}
				p.MD = Metadata{}
				tr.Execute(p, &a)
				if i%500 == 0 {
					clk.advance(30)
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			tr.Sweep()
			tr.Dump(nil)
			z := uint16(i % 2)
			_ = tr.Flush(&z, &FlushMatch{Proto: ProtoUDP, Orig: FlushTuple{SrcPort: uint16(i + 1)}})
			if i%10 == 0 {
				_ = tr.Flush(&z, nil)
			}
		}
	}()
	wg.Wait()
	_ = tr.Flush(nil, nil)
	if n := tr.NConns(); n != 0 {
		t.Fatalf("nconns %d after full flush", n)
	}
	for i := range tr.lists {
		if tr.lists[i].head != nil {
			t.Fatalf("expiry list %d not empty", i)
		}
	}
	for i := range tr.table.shards {
		if tr.table.shards[i].n != 0 {
			t.Fatalf("shard %d still has %d nodes", i, tr.table.shards[i].n)
		}
	}
}
