package vlog

import (
	"sync"
	"time"
)

// msgTokens is the cost of one message: tokens accrue at 'rate' per
// millisecond, so a rate of N allows N messages per minute (OVS's scheme).
const msgTokens = 60 * 1000

// RateLimit caps how often a call site logs, like OVS's
// VLOG_RATE_LIMIT_INIT(rate, burst): at most perMinute messages a minute on
// average and burst in a row. vlog/disable-rate-limit bypasses it per module.
type RateLimit struct {
	mu           sync.Mutex
	rate         uint64 // tokens per millisecond
	maxTokens    uint64
	tokens       uint64
	lastFill     time.Time
	firstDropped time.Time
	lastDropped  time.Time
	nDropped     uint
	now          func() time.Time // tests substitute a fake clock
}

// NewRateLimit allows perMinute messages a minute and bursts of burst.
func NewRateLimit(perMinute, burst int) *RateLimit {
	if perMinute < 1 {
		perMinute = 1
	}
	if burst < 1 {
		burst = 1
	}
	return &RateLimit{rate: uint64(perMinute), maxTokens: uint64(burst) * msgTokens, now: time.Now}
}

// withdraw takes one message's worth of tokens, refilling first. The bucket
// starts full.
func (rl *RateLimit) withdraw(now time.Time) bool {
	if rl.lastFill.IsZero() {
		rl.tokens = rl.maxTokens
	} else if elapsed := now.Sub(rl.lastFill).Milliseconds(); elapsed > 0 {
		rl.tokens = min(rl.maxTokens, rl.tokens+uint64(elapsed)*rl.rate)
	}
	if rl.lastFill.IsZero() || now.After(rl.lastFill) {
		rl.lastFill = now
	}
	if rl.tokens < msgTokens {
		return false
	}
	rl.tokens -= msgTokens
	return true
}

// shouldDrop decides whether a rate-limited message is dropped. When
// messages were dropped before and one passes again, it first reports how
// many were lost, as OVS does.
func (m *Module) shouldDrop(rl *RateLimit, l Level) bool {
	if !m.honorRateLimits.Load() {
		return false
	}
	if !m.Enabled(l) {
		return true
	}
	rl.mu.Lock()
	now := rl.now()
	if !rl.withdraw(now) {
		if rl.nDropped == 0 {
			rl.firstDropped = now
		}
		rl.lastDropped = now
		rl.nDropped++
		rl.mu.Unlock()
		return true
	}
	n, first, last := rl.nDropped, rl.firstDropped, rl.lastDropped
	rl.nDropped = 0
	rl.mu.Unlock()
	if n > 0 {
		m.Log(l, "Dropped %d log messages in last %d seconds (most recently, %d seconds ago) due to excessive rate",
			n, int64(now.Sub(first)/time.Second), int64(now.Sub(last)/time.Second))
	}
	return false
}

// LogRL logs at level l unless rl says this call site is too chatty.
func (m *Module) LogRL(rl *RateLimit, l Level, format string, args ...any) {
	if rl == nil {
		m.Log(l, format, args...)
		return
	}
	if !m.shouldDrop(rl, l) {
		m.Log(l, format, args...)
	}
}

// ErrRL logs at ERR, rate-limited by rl.
func (m *Module) ErrRL(rl *RateLimit, format string, args ...any) {
	m.LogRL(rl, LevelErr, format, args...)
}

// WarnRL logs at WARN, rate-limited by rl.
func (m *Module) WarnRL(rl *RateLimit, format string, args ...any) {
	m.LogRL(rl, LevelWarn, format, args...)
}

// InfoRL logs at INFO, rate-limited by rl.
func (m *Module) InfoRL(rl *RateLimit, format string, args ...any) {
	m.LogRL(rl, LevelInfo, format, args...)
}

// DbgRL logs at DBG, rate-limited by rl.
func (m *Module) DbgRL(rl *RateLimit, format string, args ...any) {
	m.LogRL(rl, LevelDbg, format, args...)
}
