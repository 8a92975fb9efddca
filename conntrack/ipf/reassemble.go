package ipf

import (
	"encoding/binary"
	"math"
	"slices"
	"time"
)

// Verdict is what Add did with a packet.
type Verdict uint8

// Verdicts.
const (
	// Pass: not taken. The packet is not a fragment, or reassembly of its
	// family is off, or the limits refused it; conntrack sees it as it is
	// (a fragment is then invalid there).
	Pass Verdict = iota
	// Invalid: a fragment refused as malformed, too small or overlapping;
	// the caller marks it invalid for conntrack.
	Invalid
	// Held: copied into a list; the caller drops its own packet.
	Held
)

// Set is a completed list: the reassembled packet to run through conntrack
// and the fragments to forward afterwards. The caller owns the buffers.
type Set struct {
	f   *IPF
	fam Family

	// Reassembled is the whole packet: the first fragment's link-layer
	// header and the IP packet rebuilt without fragmentation (IPv6: the
	// fragment header removed). L3 is where its IP header starts.
	Reassembled []byte
	L3          int
	payload     int // offset of the reassembled data bytes

	frags []frag
}

// NumFrags is how many fragments the set releases.
func (s *Set) NumFrags() int { return len(s.frags) }

// Frag returns fragment i's frame and the offset of its IP header.
func (s *Set) Frag(i int) ([]byte, int) { return s.frags[i].data, s.frags[i].l3 }

// Family is the set's IP version.
func (s *Set) Family() Family { return s.fam }

// Add offers the frame's IP packet (at l3, of ethType) to the reassembler
// in conntrack zone zone and recirculation recircID. A completed list is
// returned with the fragment that completed it (verdict Held).
func (f *IPF) Add(data []byte, l3 int, ethType uint16, zone uint16, recircID uint32) (Verdict, *Set) {
	var fam Family
	switch ethType {
	case ethTypeIPv4:
		fam = V4
	case ethTypeIPv6:
		fam = V6
	default:
		return Pass, nil
	}
	if l3 < 0 || l3 > len(data) {
		return Pass, nil
	}
	var fr frag
	var key listKey
	var first, last bool
	var v Verdict
	if fam == V4 {
		v, first, last = f.parseV4(data, l3, &fr, &key)
	} else {
		v, first, last = f.parseV6(data, l3, &fr, &key)
	}
	if v != Held {
		return v, nil
	}
	if !f.enabled[fam].Load() {
		return Pass, nil
	}
	if f.nfrag.Load() >= int32(f.maxFrags.Load()) {
		return Pass, nil
	}
	key.ethType, key.zone, key.recircID = ethType, zone, recircID

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return Pass, nil
	}
	now := f.clock()
	l := f.lists[key]
	if l == nil {
		max := ipv6MaxList
		if fam == V4 {
			max = f.maxV4
		}
		l = &list{key: key, max: max, expiration: now + listTimeoutMS,
			frags: make([]frag, 0, min(max, listGrowth))}
		f.lists[key] = l
		f.order = append(f.order, l)
		if len(f.order) == 1 {
			f.nextExpiry.Store(l.expiration)
		}
		f.armSweep()
	} else if l.state == stateReassFail || l.done {
		return Pass, nil
	} else if len(l.frags) >= l.max {
		return Pass, nil
	}
	for _, o := range l.frags {
		// Any shared byte is an overlap; an exact repeat is one too.
		if fr.start <= o.end && fr.end >= o.start {
			f.cnt[fam].overlap.Add(1)
			return Invalid, nil
		}
	}
	fr.data = append([]byte(nil), data[:fr.payload+(fr.end-fr.start+1)]...)
	l.frags = append(l.frags, fr)
	f.nfrag.Add(1)
	f.cnt[fam].accepted.Add(1)
	l.state = nextState(l.state, first, last)
	if l.state != stateFirstLast {
		return Held, nil
	}
	slices.SortFunc(l.frags, func(a, b frag) int { return a.start - b.start })
	for i := 1; i < len(l.frags); i++ {
		if l.frags[i-1].end+1 != l.frags[i].start {
			return Held, nil // holes remain
		}
	}
	s := f.reassemble(l, fam)
	if s == nil {
		l.state = stateReassFail
		return Held, nil
	}
	l.state = stateComplete
	l.done = true
	delete(f.lists, key)
	f.unorder(l)
	return Held, s
}

// nextState advances a list's state for a new first (ff) or last (lf)
// fragment.
func nextState(cur listState, ff, lf bool) listState {
	switch cur {
	case stateFirst:
		if lf {
			return stateFirstLast
		}
	case stateLast:
		if ff {
			return stateFirstLast
		}
	case stateFirstLast:
	default:
		switch {
		case ff:
			return stateFirst
		case lf:
			return stateLast
		default:
			return stateOther
		}
	}
	return cur
}

// parseV4 validates an IPv4 fragment and fills its range and list key.
// Held means "a valid fragment"; Pass "not a fragment".
func (f *IPF) parseV4(data []byte, l3 int, fr *frag, k *listKey) (v Verdict, first, last bool) {
	ip := data[l3:]
	if len(ip) < 20 {
		return Pass, false, false
	}
	fo := binary.BigEndian.Uint16(ip[6:])
	if fo&0x3fff == 0 {
		return Pass, false, false
	}
	hl := int(ip[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(ip[2:]))
	// Link-layer padding may follow a short final fragment.
	if ip[0]>>4 != 4 || hl < 20 || tot < hl || tot > len(ip) || !ipv4CsumOK(ip[:hl]) {
		return Invalid, false, false
	}
	off := int(fo&0x1fff) * 8
	more := fo&0x2000 != 0
	first, last = off == 0 && more, off != 0 && !more
	if !last && tot < int(f.minFrag[V4].Load()) {
		f.cnt[V4].tooSmall.Add(1)
		return Invalid, false, false
	}
	if tot == hl {
		return Invalid, false, false // no data bytes: no range to hold
	}
	fr.l3, fr.payload = l3, l3+hl
	fr.start, fr.end = off, off+tot-hl-1
	copy(k.src[:4], ip[12:16])
	copy(k.dst[:4], ip[16:20])
	k.id = uint32(binary.BigEndian.Uint16(ip[4:]))
	k.proto = ip[9]
	return Held, first, last
}

// parseV6 validates an IPv6 fragment and fills its range and list key.
func (f *IPF) parseV6(data []byte, l3 int, fr *frag, k *listKey) (v Verdict, first, last bool) {
	ip := data[l3:]
	_, fh, ok := v6FragHeader(ip)
	if !ok {
		if len(ip) >= 40 && ip[0]>>4 == 6 {
			return Invalid, false, false // truncated extension headers
		}
		return Pass, false, false
	}
	if fh < 0 {
		return Pass, false, false
	}
	offlg := binary.BigEndian.Uint16(ip[fh+2:])
	if offlg&0xfff9 == 0 {
		return Pass, false, false // atomic fragment: a whole packet
	}
	tot := 40 + int(binary.BigEndian.Uint16(ip[4:]))
	if tot > len(ip) || tot < fh+8 {
		return Invalid, false, false
	}
	off := int(offlg & 0xfff8)
	more := offlg&1 != 0
	first, last = off == 0 && more, off != 0 && !more
	if !last && tot < int(f.minFrag[V6].Load()) {
		f.cnt[V6].tooSmall.Add(1)
		return Invalid, false, false
	}
	n := tot - (fh + 8)
	if n == 0 {
		return Invalid, false, false
	}
	fr.l3, fr.payload = l3, l3+fh+8
	fr.start, fr.end = off, off+n-1
	copy(k.src[:], ip[8:24])
	copy(k.dst[:], ip[24:40])
	k.id = binary.BigEndian.Uint32(ip[fh+4:])
	return Held, first, last
}

// reassemble builds the whole packet of a complete, sorted list; nil if it
// would exceed the IP maximum.
func (f *IPF) reassemble(l *list, fam Family) *Set {
	f0 := &l.frags[0]
	total := l.frags[len(l.frags)-1].end + 1
	hdr := f0.data[:f0.payload] // link layer, IP header, extensions
	var nextAt, fh int
	if fam == V4 {
		if f0.payload-f0.l3+total > ipv4MaxSize {
			return nil
		}
	} else {
		nextAt, fh, _ = v6FragHeader(f0.data[f0.l3:])
		hdr = f0.data[:f0.l3+fh] // the fragment header is dropped
		if fh-40+total > ipv6MaxData {
			return nil
		}
	}
	buf := make([]byte, 0, len(hdr)+total)
	buf = append(buf, hdr...)
	payload := len(buf)
	for i := range l.frags {
		fr := &l.frags[i]
		buf = append(buf, fr.data[fr.payload:fr.payload+fr.end-fr.start+1]...)
	}
	ip := buf[f0.l3:]
	if fam == V4 {
		fo := binary.BigEndian.Uint16(ip[6:]) &^ 0x3fff // keep DF and the reserved bit
		binary.BigEndian.PutUint16(ip[6:], fo)
		binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
		setIPv4Csum(ip[:int(ip[0]&0x0f)*4])
	} else {
		ip[nextAt] = f0.data[f0.l3+fh] // the fragment header's next header
		binary.BigEndian.PutUint16(ip[4:], uint16(len(ip)-40))
	}
	frags := l.frags
	l.frags = nil
	return &Set{f: f, fam: fam, Reassembled: buf, L3: f0.l3, payload: payload, frags: frags}
}

// Finish writes conntrack's verdict on the reassembled packet reass (the
// Set's Reassembled after conntrack, which may have rewritten it for NAT)
// into the fragments: its addresses into each, its data bytes over the
// first fragment's (carrying translated ports and the fixed checksum).
// The fragments count as completed and stop counting as held.
func (s *Set) Finish(reass []byte) {
	if len(reass) >= s.L3+40 || s.fam == V4 && len(reass) >= s.L3+20 {
		rip := reass[s.L3:]
		for i := range s.frags {
			fr := &s.frags[i]
			ip := fr.data[fr.l3:]
			if s.fam == V4 {
				copy(ip[12:20], rip[12:20])
				setIPv4Csum(ip[:int(ip[0]&0x0f)*4])
			} else {
				copy(ip[8:40], rip[8:40])
			}
		}
		f0 := &s.frags[0]
		if s.payload <= len(reass) {
			copy(f0.data[f0.payload:], reass[s.payload:])
		}
	}
	n := len(s.frags)
	s.f.nfrag.Add(-int32(n))
	s.f.cnt[s.fam].completed.Add(uint64(n))
}

// TakeExpired removes the oldest list if it has expired and returns its
// fragments, counted as expired, for the caller to forward as invalid
// (OVS sends one expired list per batch). nil if none is due.
func (f *IPF) TakeExpired() *Set {
	now := f.clock()
	if !f.ExpiryDue(now) {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.order) == 0 || now <= f.order[0].expiration {
		return nil
	}
	l := f.order[0]
	f.drop(l)
	fam := V4
	if l.key.ethType == ethTypeIPv6 {
		fam = V6
	}
	n := len(l.frags)
	f.nfrag.Add(-int32(n))
	if now >= l.expiration+purgeAdjustMS {
		f.cnt[fam].purged.Add(uint64(n))
		return nil
	}
	f.cnt[fam].expired.Add(uint64(n))
	s := &Set{f: f, fam: fam, frags: l.frags}
	l.frags = nil
	return s
}

// drop forgets a pending list. Called with mu held.
func (f *IPF) drop(l *list) {
	l.done = true
	delete(f.lists, l.key)
	f.unorder(l)
}

// unorder removes l from the expiration order. Called with mu held.
func (f *IPF) unorder(l *list) {
	if i := slices.Index(f.order, l); i >= 0 {
		f.order = slices.Delete(f.order, i, i+1)
	}
	if len(f.order) == 0 {
		f.nextExpiry.Store(math.MaxInt64)
	} else {
		f.nextExpiry.Store(f.order[0].expiration)
	}
}

// armSweep starts the purge timer if lists are pending. Called with mu
// held. The timer runs only while fragments are held.
func (f *IPF) armSweep() {
	if f.sweeping || len(f.order) == 0 || f.closed {
		return
	}
	f.sweeping = true
	time.AfterFunc(sweepPeriod, f.sweep)
}

// sweep purges lists expired long enough that no packet carried them out.
func (f *IPF) sweep() {
	f.Purge()
	f.mu.Lock()
	f.sweeping = false
	f.armSweep()
	f.mu.Unlock()
}

// Purge drops every list expired for purgeAdjust (OVS's clean thread).
func (f *IPF) Purge() {
	now := f.clock()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.order) > 0 && now >= f.order[0].expiration+purgeAdjustMS {
		l := f.order[0]
		f.drop(l)
		fam := V4
		if l.key.ethType == ethTypeIPv6 {
			fam = V6
		}
		f.nfrag.Add(-int32(len(l.frags)))
		f.cnt[fam].purged.Add(uint64(len(l.frags)))
	}
}

// ipv4CsumOK verifies an IPv4 header checksum.
func ipv4CsumOK(h []byte) bool { return ipv4Sum(h) == 0xffff }

// setIPv4Csum recomputes an IPv4 header's checksum.
func setIPv4Csum(h []byte) {
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], ^ipv4Sum(h))
}

// ipv4Sum is the one's complement sum of a header.
func ipv4Sum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
