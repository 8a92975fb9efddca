package vlog

import (
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	buf := reset(t)
	if err := SetSpec("PATTERN:console:%p|%m"); err != nil {
		t.Fatal(err)
	}
	m := New("bridge")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rl := NewRateLimit(1, 2) // 1 a minute, bursts of 2
	rl.now = func() time.Time { return now }

	for i := range 5 {
		m.WarnRL(rl, "burst %d", i)
	}
	now = now.Add(30 * time.Second)
	m.WarnRL(rl, "too soon")
	now = now.Add(31 * time.Second)
	m.WarnRL(rl, "after a minute")
	m.DbgRL(rl, "disabled level")

	if err := SetSpec("bridge:console:dbg"); err != nil {
		t.Fatal(err)
	}
	setRateLimits([]string{"bridge"}, false)
	for i := range 3 {
		m.InfoRL(rl, "unlimited %d", i)
	}

	want := "WARN|burst 0\nWARN|burst 1\n" +
		"WARN|Dropped 4 log messages in last 61 seconds (most recently, 31 seconds ago) due to excessive rate\n" +
		"WARN|after a minute\n" +
		"INFO|unlimited 0\nINFO|unlimited 1\nINFO|unlimited 2\n"
	if got := buf.String(); got != want {
		t.Fatalf("rate-limited output:\n%s\nwant:\n%s", got, want)
	}
}
