package offload

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// TestConcurrentTraffic drives commits, replies, flushes, polls and
// inspection from several goroutines against a small queue and small
// batches, then checks that the tracker, the Manager and the provider agree
// on which connections are offloaded.
func TestConcurrentTraffic(t *testing.T) {
	tr, m, d, _ := setup(t, Config{QueueLimit: 8, BatchSize: 4, PollInterval: time.Millisecond})
	const workers, conns = 4, 150
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fmt.Sprintf("10.0.%d.1", w)
			for i := 0; i < conns; i++ {
				sport := uint16(1000 + i)
				ct(tr, udp(src, "10.9.0.1", sport, 53), commit)
				ct(tr, udp("10.9.0.1", src, 53, sport), conntrack.Action{})
				ct(tr, udp(src, "10.9.0.1", sport, 53), conntrack.Action{})
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			zone := uint16(0)
			tr.Flush(&zone, nil)
			m.Poll()
			_, _ = m.Show(nil)
			_, _ = d.ShowCommand(nil)
			_, _ = tr.DumpConntrack([]string{"-m", "-s"})
		}
	}()
	wg.Wait()
	// Every surviving connection gets one more packet, so those dropped on
	// a full queue are offered again.
	m.Sync()
	for _, e := range tr.Dump(nil) {
		if e.Status&conntrack.StatusOffload != 0 {
			continue
		}
		k := e.Orig
		src, dst := k.Addr(&k.Src), k.Addr(&k.Dst)
		ct(tr, udp(src.String(), dst.String(), k.Src.Port, k.Dst.Port), conntrack.Action{})
		m.Sync()
	}
	held := map[uint64]bool{}
	for _, c := range d.Conns() {
		held[c.ID] = true
	}
	listed := m.Connections()
	if len(listed) != len(held) {
		t.Fatalf("manager lists %d, provider holds %d", len(listed), len(held))
	}
	for _, c := range listed {
		if !held[c.ID] {
			t.Fatalf("connection %d not in the provider", c.ID)
		}
	}
	offloaded := 0
	for _, e := range tr.Dump(nil) {
		if e.Status&conntrack.StatusOffload == 0 {
			t.Fatalf("not offloaded after a retry: %s", e.Format(false, false))
		}
		offloaded++
	}
	s := m.Stats()
	if offloaded != len(held) || s.Offloaded != uint64(offloaded) || s.Added-s.Removed != s.Offloaded {
		t.Fatalf("tracker %d offloaded, provider %d, stats %+v", offloaded, len(held), s)
	}
	tr.Flush(nil, nil)
	m.Sync()
	if len(d.Conns()) != 0 || m.Stats().Offloaded != 0 {
		t.Fatalf("after flush: %d held", len(d.Conns()))
	}
}
