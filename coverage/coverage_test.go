package coverage

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ovshash"
	"github.com/govswitchd/govswitchd/unixctl"
)

// resetRegistry gives a test an empty registry and restores the old one.
func resetRegistry(t *testing.T) {
	t.Helper()
	registry.mu.Lock()
	counters, byName, idx, nextRun := registry.counters, registry.byName, registry.idx, registry.nextRun
	registry.counters, registry.byName, registry.idx, registry.nextRun = nil, nil, 0, time.Time{}
	registry.mu.Unlock()
	t.Cleanup(func() {
		registry.mu.Lock()
		registry.counters, registry.byName, registry.idx, registry.nextRun = counters, byName, idx, nextRun
		registry.mu.Unlock()
	})
}

// TestShowMatchesOVS rebuilds the counters of a freshly started OVS 3.1
// ovs-vswitchd (registration order and totals as it printed them) and
// expects its coverage/show output byte for byte, hash included.
func TestShowMatchesOVS(t *testing.T) {
	resetRegistry(t)
	hit := []struct {
		name  string
		total uint64
	}{
		{"bridge_reconfigure", 1}, {"cmap_expand", 3}, {"hmap_pathological", 1},
		{"hmap_expand", 513}, {"txn_unchanged", 1}, {"txn_incomplete", 3},
		{"txn_success", 2}, {"poll_create_node", 262}, {"seq_change", 18},
		{"pstream_open", 1}, {"stream_open", 1}, {"unixctl_received", 1},
		{"unixctl_replied", 1}, {"util_xalloc", 8408}, {"netlink_received", 1},
		{"netlink_sent", 1},
	}
	for _, h := range hit {
		New(h.name).Add(h.total)
	}
	for i := range 135 {
		New(fmt.Sprintf("never_%03d", i))
	}
	want := `Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=89887675:
bridge_reconfigure         0.0/sec     0.000/sec        0.0000/sec   total: 1
cmap_expand                0.0/sec     0.000/sec        0.0000/sec   total: 3
hmap_pathological          0.0/sec     0.000/sec        0.0000/sec   total: 1
hmap_expand                0.0/sec     0.000/sec        0.0000/sec   total: 513
txn_unchanged              0.0/sec     0.000/sec        0.0000/sec   total: 1
txn_incomplete             0.0/sec     0.000/sec        0.0000/sec   total: 3
txn_success                0.0/sec     0.000/sec        0.0000/sec   total: 2
poll_create_node           0.0/sec     0.000/sec        0.0000/sec   total: 262
seq_change                 0.0/sec     0.000/sec        0.0000/sec   total: 18
pstream_open               0.0/sec     0.000/sec        0.0000/sec   total: 1
stream_open                0.0/sec     0.000/sec        0.0000/sec   total: 1
unixctl_received           0.0/sec     0.000/sec        0.0000/sec   total: 1
unixctl_replied            0.0/sec     0.000/sec        0.0000/sec   total: 1
util_xalloc                0.0/sec     0.000/sec        0.0000/sec   total: 8408
netlink_received           0.0/sec     0.000/sec        0.0000/sec   total: 1
netlink_sent               0.0/sec     0.000/sec        0.0000/sec   total: 1
135 events never hit
`
	if got := Show(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); got != want {
		t.Fatalf("coverage/show:\n%s\nwant:\n%s", got, want)
	}
}

func TestRates(t *testing.T) {
	resetRegistry(t)
	c := New("events")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sample(t0) // arms the first sample at t0+5s

	c.Add(50)
	sample(t0.Add(5 * time.Second)) // one slot: 50 in 5 s
	c.Add(25)
	// 15 s later: three slots, 25 spread as 8, 8, 9.
	got := Show(t0.Add(20 * time.Second))
	want := "Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=" +
		fmt.Sprintf("%08x", ovshash.Words2(1, ovshash.Bytes([]byte("events"), ovshash.Words2(0, 0)))) + ":\n" +
		"events                     1.8/sec     1.250/sec        0.0208/sec   total: 75\n" +
		"0 events never hit\n"
	if got != want {
		t.Fatalf("Show:\n%s\nwant:\n%s", got, want)
	}
	// An hour and more later, everything has rotated out of the windows.
	got = Show(t0.Add(2 * time.Hour))
	want = want[:len(want)-len("events                     1.8/sec     1.250/sec        0.0208/sec   total: 75\n0 events never hit\n")] +
		"events                     0.0/sec     0.000/sec        0.0000/sec   total: 75\n" +
		"0 events never hit\n"
	if got != want {
		t.Fatalf("Show after 2h:\n%s\nwant:\n%s", got, want)
	}
}

// After a day without sampling, the day's events are spread evenly and only
// the last hour of them shows. The hour is 59 whole minutes plus the current
// minute's slots so far (here one slot): (59*120+10)/3600 = 1.9694, as OVS.
func TestRatesAfterLongPause(t *testing.T) {
	resetRegistry(t)
	c := New("steady")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sample(t0)
	sample(t0.Add(5 * time.Second))
	c.Add(172800) // 10 per 5 s slot over the day
	got := Show(t0.Add(5*time.Second + 24*time.Hour))
	want := fmt.Sprintf("Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=%08x:\n",
		ovshash.Words2(1, ovshash.Bytes([]byte("steady"), ovshash.Words2(0, 0)))) +
		"steady                     2.0/sec     2.000/sec        1.9694/sec   total: 172800\n" +
		"0 events never hit\n"
	if got != want {
		t.Fatalf("Show:\n%s\nwant:\n%s", got, want)
	}
}

func TestNewIsIdempotentAndConcurrent(t *testing.T) {
	resetRegistry(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := New("shared")
			for range 1000 {
				c.Inc()
			}
			_ = Show(time.Now())
		}()
	}
	wg.Wait()
	if v := New("shared").Value(); v != 8000 {
		t.Fatalf("shared = %d, want 8000", v)
	}
}

func TestCommands(t *testing.T) {
	resetRegistry(t)
	New("bridge_reconfigure").Add(3)
	New("never")
	dir, err := os.MkdirTemp("", "cov")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := unixctl.Listen(filepath.Join(dir, "c.ctl"), "v")
	if err != nil {
		t.Fatal(err)
	}
	RegisterCommands(s)
	go s.Serve()
	defer s.Close()

	if got, err := unixctl.Call(s.Path(), "coverage/read-counter", "bridge_reconfigure"); err != nil || got != "3\n" {
		t.Errorf("read-counter = %q, %v", got, err)
	}
	if got, err := unixctl.Call(s.Path(), "coverage/read-counter", "never"); err != nil || got != "0\n" {
		t.Errorf("read-counter never = %q, %v", got, err)
	}
	_, err = unixctl.Call(s.Path(), "coverage/read-counter", "nosuch")
	if se, ok := err.(*unixctl.ServerError); !ok || se.Text != "No such counter\n" {
		t.Errorf("read-counter nosuch: %v", err)
	}
	got, err := unixctl.Call(s.Path(), "coverage/show")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=%08x:\n",
		ovshash.Words2(1, ovshash.Bytes([]byte("bridge_reconfigure"), ovshash.Words2(0, 0)))) +
		"bridge_reconfigure         0.0/sec     0.000/sec        0.0000/sec   total: 3\n" +
		"1 events never hit\n"
	if got != want {
		t.Errorf("coverage/show:\n%s\nwant:\n%s", got, want)
	}
	list, _ := unixctl.Call(s.Path(), "list-commands")
	wantList := "The available commands are:\n" +
		"  coverage/read-counter   COUNTER\n" +
		"  coverage/show           \n" +
		"  list-commands           \n" +
		"  version                 \n"
	if list != wantList {
		t.Errorf("list-commands:\n%s\nwant:\n%s", list, wantList)
	}
}

func TestStartStop(t *testing.T) {
	stop := Start()
	stop()
	stop() // idempotent
}
