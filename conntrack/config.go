package conntrack

// SetMaxConns sets the global connection limit (ct-set-maxconns).
func (t *Tracker) SetMaxConns(n uint32) { t.maxConns.Store(n) }

// MaxConns returns the global connection limit.
func (t *Tracker) MaxConns() uint32 { return t.maxConns.Load() }

// NConns returns the number of committed connections, including expired
// ones the sweeper has not reclaimed yet.
func (t *Tracker) NConns() int64 { return t.nconns.Load() }

// SetTCPSeqCheck turns TCP window validation on or off (default on).
func (t *Tracker) SetTCPSeqCheck(on bool) { t.seqChk.Store(on) }

// TCPSeqCheck reports whether TCP window validation is on.
func (t *Tracker) TCPSeqCheck() bool { return t.seqChk.Load() }

// SetDefaultZoneLimit sets the limit for zones without their own; 0 removes
// the default (those zones become unlimited).
func (t *Tracker) SetDefaultZoneLimit(n uint32) { t.limits.setDefault(n) }

// SetZoneLimit sets an explicit limit for one zone; 0 blocks all commits.
func (t *Tracker) SetZoneLimit(zone uint16, n uint32) { t.limits.setZone(zone, n) }

// DeleteZoneLimit returns a zone to the default limit.
func (t *Tracker) DeleteZoneLimit(zone uint16) { t.limits.delZone(zone) }

// ZoneLimit returns a zone's effective limit and its count.
func (t *Tracker) ZoneLimit(zone uint16) (limit uint32, count int64) {
	l, c, _ := t.limits.get(zone)
	return l, c
}

// SetSweepInterval sets how often (ms) the sweeper runs; it takes effect at
// once.
func (t *Tracker) SetSweepInterval(ms uint32) {
	t.sweepInterval.Store(int64(ms))
	select {
	case t.kick <- struct{}{}:
	default:
	}
}
