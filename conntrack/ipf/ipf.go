// Package ipf collects IPv4 and IPv6 fragments and reassembles them so that
// the connection tracker sees whole packets, with the semantics of OVS's
// userspace datapath: the reassembled packet goes through conntrack, then
// the original fragments are forwarded carrying its verdict. It works on raw
// frames and imports nothing from this module; the datapath owns the glue.
//
// Lists of fragments are keyed by addresses, IP id, protocol (IPv4 only),
// zone, recirculation id and ethertype. Limits: fragments that are not the
// last one must be at least the minimum fragment size (IPv4 1200, IPv6 1280
// bytes of IP packet by default, settable down to 400); at most MaxFrags
// fragments (default 1000, up to 5000) are held in all; a list expires 15 s
// after its first fragment, and its fragments are then forwarded marked
// invalid (one list per call of TakeExpired), or purged 10 s later if no
// packet came by to carry them. Overlapping and duplicate fragments are
// refused and counted.
//
// Fragments are copied when held: the caller's frame is never retained. The
// non-fragment path (IsFragment false) allocates nothing and takes no lock.
package ipf

import (
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Limits and defaults, as OVS's.
const (
	MinFragSizeLowerBound = 400  // lowest settable minimum fragment size
	DefaultMinFragSizeV4  = 1200 // default minimum IPv4 fragment size
	DefaultMinFragSizeV6  = 1280 // default minimum IPv6 fragment size
	DefaultMaxFrags       = 1000 // default fragments held at once
	MaxFragsUpperBound    = 5000 // highest settable MaxFrags

	listTimeoutMS = 15000 // a list expires this long after its first fragment
	purgeAdjustMS = 10000 // an expired list nobody carried is purged after this
	sweepPeriod   = time.Second

	ipv4MaxHdr  = 60
	ipv4MaxSize = 65535
	ipv6MaxData = 65535
	ipv6MaxList = 65535 // fragments per IPv6 list: bounded only by size
	listGrowth  = 4

	ethTypeIPv4 = 0x0800
	ethTypeIPv6 = 0x86dd
)

// Family indexes per-family settings and counters.
type Family int

// Families.
const (
	V4 Family = iota
	V6
)

func (f Family) String() string {
	if f == V6 {
		return "v6"
	}
	return "v4"
}

// listState is a fragment list's progress, named as OVS prints it.
type listState uint8

const (
	stateUnused listState = iota
	stateReassFail
	stateOther
	stateFirst
	stateLast
	stateFirstLast
	stateComplete
)

var stateNames = [...]string{"unused", "reassemble fail", "other frag", "first frag", "last frag", "first/last frag", "complete"}

// counters are one family's event counts.
type counters struct {
	accepted, completed, expired, tooSmall, overlap, purged atomic.Uint64
}

// IPF is one datapath's fragment reassembler. It is safe for concurrent
// use: settings and counters are atomics; mu guards the lists.
type IPF struct {
	enabled  [2]atomic.Bool
	minFrag  [2]atomic.Uint32
	maxFrags atomic.Uint32
	nfrag    atomic.Int32 // fragments held
	cnt      [2]counters
	clock    func() int64 // milliseconds, monotonic

	// nextExpiry is the earliest expiration of a pending list, or
	// math.MaxInt64: the datapath reads it to decide cheaply whether to
	// call TakeExpired.
	nextExpiry atomic.Int64

	mu       sync.Mutex
	lists    map[listKey]*list
	order    []*list // pending lists by creation, i.e. by expiration
	maxV4    int     // fragments per IPv4 list, from the minimum size
	sweeping bool    // the purge timer is armed
	closed   bool
}

// listKey identifies the fragments of one original packet.
type listKey struct {
	src, dst [16]byte
	recircID uint32
	id       uint32
	ethType  uint16
	zone     uint16
	proto    uint8
}

// frag is one held fragment: a private copy of its frame.
type frag struct {
	data       []byte
	l3         int
	payload    int // offset in data of the fragment's data bytes
	start, end int // data byte range in the original packet, inclusive
}

// list collects the fragments of one packet.
type list struct {
	key        listKey
	frags      []frag
	max        int
	expiration int64
	state      listState
	done       bool // reassembled and handed out, or expired
}

// New returns a reassembler with OVS's defaults, enabled for both families.
// clock returns monotonic milliseconds; nil means the wall clock.
func New(clock func() int64) *IPF {
	if clock == nil {
		start := time.Now()
		clock = func() int64 { return int64(time.Since(start)/time.Millisecond) + 1 }
	}
	f := &IPF{clock: clock, lists: map[listKey]*list{}}
	f.enabled[V4].Store(true)
	f.enabled[V6].Store(true)
	f.minFrag[V4].Store(DefaultMinFragSizeV4)
	f.minFrag[V6].Store(DefaultMinFragSizeV6)
	f.maxFrags.Store(DefaultMaxFrags)
	f.nextExpiry.Store(math.MaxInt64)
	f.maxV4 = maxV4List(DefaultMinFragSizeV4)
	return f
}

// maxV4List is how many fragments of at least minSize bytes an IPv4
// packet can have.
func maxV4List(minSize uint32) int {
	n := ipv4MaxSize - ipv4MaxHdr
	d := int(minSize) - ipv4MaxHdr
	return (n + d - 1) / d
}

// Close drops every held fragment and stops the purge timer.
func (f *IPF) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, l := range f.order {
		f.nfrag.Add(-int32(len(l.frags)))
	}
	f.lists = map[listKey]*list{}
	f.order = nil
	f.nextExpiry.Store(math.MaxInt64)
}

// SetEnabled turns reassembly of one family on or off.
func (f *IPF) SetEnabled(fam Family, on bool) { f.enabled[fam].Store(on) }

// SetMinFragSize sets the smallest accepted non-final fragment (whole IP
// packet bytes); it reports false for values below MinFragSizeLowerBound.
func (f *IPF) SetMinFragSize(fam Family, v uint32) bool {
	if v < MinFragSizeLowerBound {
		return false
	}
	f.mu.Lock()
	f.minFrag[fam].Store(v)
	if fam == V4 {
		f.maxV4 = maxV4List(v)
	}
	f.mu.Unlock()
	return true
}

// SetMaxFrags sets how many fragments may be held at once; it reports
// false above MaxFragsUpperBound.
func (f *IPF) SetMaxFrags(v uint32) bool {
	if v > MaxFragsUpperBound {
		return false
	}
	f.maxFrags.Store(v)
	return true
}

// Active reports whether fragments may need handling: reassembly is on for
// a family or fragments are still held. The datapath checks it before
// looking at packets at all.
func (f *IPF) Active() bool {
	return f.enabled[V4].Load() || f.enabled[V6].Load() || f.nfrag.Load() != 0
}

// Pending reports whether fragments are held (one atomic load).
func (f *IPF) Pending() bool { return f.nfrag.Load() != 0 }

// ExpiryDue reports whether a held list has expired by now (ms).
func (f *IPF) ExpiryDue(now int64) bool { return now > f.nextExpiry.Load() }

// Now is the reassembler's clock.
func (f *IPF) Now() int64 { return f.clock() }

// IsFragment reports whether the frame's IP packet (at l3, of ethType) is a
// fragment that is not atomic: IPv4 with MF or an offset, IPv6 with a
// fragment header whose offset or M flag is set. It only reads headers.
func IsFragment(data []byte, l3 int, ethType uint16) bool {
	if l3 < 0 || l3 > len(data) {
		return false
	}
	ip := data[l3:]
	switch ethType {
	case ethTypeIPv4:
		return len(ip) >= 20 && binary.BigEndian.Uint16(ip[6:])&0x3fff != 0
	case ethTypeIPv6:
		_, fh, _ := v6FragHeader(ip)
		return fh >= 0 && binary.BigEndian.Uint16(ip[fh+2:])&0xfff9 != 0
	}
	return false
}

// v6FragHeader walks the extension headers of ip and returns the offset of
// the byte that names the fragment header (6 for the fixed header's next
// header field), the offset of the fragment header, and whether parsing
// succeeded; fh is -1 if there is none.
func v6FragHeader(ip []byte) (nextAt, fh int, ok bool) {
	if len(ip) < 40 || ip[0]>>4 != 6 {
		return 0, -1, false
	}
	nextAt, off := 6, 40
	for {
		var hlen int
		switch ip[nextAt] {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(ip) < off+8 {
				return 0, -1, false
			}
			hlen = (int(ip[off+1]) + 1) * 8
		case 51: // authentication header
			if len(ip) < off+8 {
				return 0, -1, false
			}
			hlen = (int(ip[off+1]) + 2) * 4
		case 44:
			if len(ip) < off+8 {
				return 0, -1, false
			}
			return nextAt, off, true
		default:
			return 0, -1, true
		}
		if len(ip) < off+hlen {
			return 0, -1, false
		}
		nextAt, off = off, off+hlen
	}
}
