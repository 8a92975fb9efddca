package ofproto

import (
	"sync"
	"testing"
)

// collector records what a scheduler sends.
type collector struct {
	mu   sync.Mutex
	sent []byte // the first byte of each message, in order
}

func (c *collector) send(m []byte) {
	c.mu.Lock()
	c.sent = append(c.sent, m[0])
	c.mu.Unlock()
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent)
}

func TestPinschedBurstQueueAndDrops(t *testing.T) {
	var c collector
	ps := newPinsched(RateLimit{Rate: 100, Burst: 25}, c.send)
	defer ps.stop()
	// A flood from port 1, then a few from port 2.
	for i := 0; i < 100; i++ {
		ps.submit(1, []byte{1})
	}
	for i := 0; i < 5; i++ {
		ps.submit(2, []byte{2})
	}
	st := ps.snapshot()
	// The burst passes; the queues hold a burst's worth, the longest
	// (port 1's) losing its oldest when full.
	if st.Bypassed+st.Queued != 105 || st.Bypassed < 25 || st.Backlog != 25 ||
		st.Dropped != st.Queued-25 {
		t.Fatalf("stats after the flood: %+v", st)
	}
	waitUntil(t, "the queues to drain", func() bool { return ps.snapshot().Backlog == 0 })
	if got, want := c.count(), int(st.Bypassed)+25; got != want {
		t.Errorf("sent %d, want %d", got, want)
	}
	// Port 2's packets were kept (port 1's queue was the longest) and
	// served round-robin with port 1's, not after them.
	c.mu.Lock()
	drained := c.sent[st.Bypassed:]
	c.mu.Unlock()
	n2, last2 := 0, 0
	for i, p := range drained {
		if p == 2 {
			n2++
			last2 = i
		}
	}
	if n2 != 5 || last2 >= 15 {
		t.Errorf("port 2 in the drain order %v", drained)
	}
}

func TestPinschedLimitsDefaults(t *testing.T) {
	for _, c := range []struct{ in, want RateLimit }{
		{RateLimit{100, 0}, RateLimit{100, 25}},
		{RateLimit{2, 0}, RateLimit{2, 1}},
		{RateLimit{0, 0}, RateLimit{1000, 250}},
		{RateLimit{500, 30}, RateLimit{500, 30}},
	} {
		if got := adjustLimits(c.in); got != c.want {
			t.Errorf("adjustLimits(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
