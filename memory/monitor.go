package memory

import (
	"sync"
	"syscall"
	"time"

	"github.com/govswitchd/govswitchd/vlog"
)

var log = vlog.New("memory")

// checkInterval is how often peak RSS is checked, as in OVS.
const checkInterval = 10 * time.Second

// monitor remembers the last peak RSS reported, to log only on growth.
type monitor struct {
	start        time.Time
	lastReport   time.Time
	lastMaxRSSKB int64
}

// check logs the peak RSS the first time and whenever it has grown by half
// since the last report, each time followed by the usage report, as OVS's
// ovs-vswitchd log shows ("5472 kB peak resident set size after 10.0
// seconds", then "ports:2 rules:5").
func (m *monitor) check(now time.Time, maxRSSKB int64) {
	switch {
	case m.lastMaxRSSKB == 0:
		log.Info("%d kB peak resident set size after %.1f seconds",
			maxRSSKB, now.Sub(m.start).Seconds())
	case float64(maxRSSKB) >= float64(m.lastMaxRSSKB)*1.5:
		log.Info("peak resident set size grew %.0f%% in last %.1f seconds, from %d kB to %d kB",
			(float64(maxRSSKB)/float64(m.lastMaxRSSKB)-1)*100,
			now.Sub(m.lastReport).Seconds(), m.lastMaxRSSKB, maxRSSKB)
	default:
		return
	}
	m.lastReport, m.lastMaxRSSKB = now, maxRSSKB
	if r := Report(); r != "" {
		log.Info("%s", r)
	}
}

func peakRSSKB() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss // kilobytes on Linux
}

// Start checks peak RSS every 10 seconds, measured from the call, until the
// returned stop function is called.
func Start() (stop func()) {
	m := &monitor{start: time.Now()}
	t := time.NewTicker(checkInterval)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case now := <-t.C:
				if kb := peakRSSKB(); kb > 0 {
					m.check(now, kb)
				}
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			t.Stop()
			close(done)
		})
	}
}
