package ipf

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// FamilyStatus is one family's settings and counters.
type FamilyStatus struct {
	Enabled     bool
	MinFragSize uint32
	Accepted    uint64 // fragments held
	Completed   uint64 // fragments forwarded after reassembly
	Expired     uint64 // fragments forwarded invalid after their list expired
	TooSmall    uint64 // non-final fragments below the minimum size
	Overlap     uint64 // overlapping or duplicate fragments refused
	Purged      uint64 // fragments dropped with a list nobody carried out
}

// Status is the reassembler's state as dpctl/ipf-get-status shows it.
type Status struct {
	V4, V6   FamilyStatus
	MaxFrags uint32
	NumFrags uint32 // fragments held now
}

// Status returns the current settings and counters.
func (f *IPF) Status() Status {
	fs := func(fam Family) FamilyStatus {
		c := &f.cnt[fam]
		return FamilyStatus{
			Enabled: f.enabled[fam].Load(), MinFragSize: f.minFrag[fam].Load(),
			Accepted: c.accepted.Load(), Completed: c.completed.Load(), Expired: c.expired.Load(),
			TooSmall: c.tooSmall.Load(), Overlap: c.overlap.Load(), Purged: c.purged.Load(),
		}
	}
	return Status{V4: fs(V4), V6: fs(V6), MaxFrags: f.maxFrags.Load(), NumFrags: uint32(max(f.nfrag.Load(), 0))}
}

// Format renders the status as dpctl/ipf-get-status prints it.
func (s Status) Format() string {
	var b strings.Builder
	b01 := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	p := func(format string, a ...any) { fmt.Fprintf(&b, "        "+format+"\n", a...) }
	p("Fragmentation Module Status")
	p("---------------------------")
	p("v4 enabled: %d", b01(s.V4.Enabled))
	p("v6 enabled: %d", b01(s.V6.Enabled))
	p("max num frags (v4/v6): %d", s.MaxFrags)
	p("num frag: %d", s.NumFrags)
	for _, x := range []struct {
		name string
		fs   FamilyStatus
	}{{"v4", s.V4}, {"v6", s.V6}} {
		p("min %s frag size: %d", x.name, x.fs.MinFragSize)
		p("%s frags accepted: %d", x.name, x.fs.Accepted)
		p("%s frags completed: %d", x.name, x.fs.Completed)
		p("%s frags expired: %d", x.name, x.fs.Expired)
		p("%s frags too small: %d", x.name, x.fs.TooSmall)
		p("%s frags overlapped: %d", x.name, x.fs.Overlap)
		p("%s frags purged: %d", x.name, x.fs.Purged)
	}
	return b.String()
}

// DumpLists describes each pending list as OVS's ipf list dump does, one
// per line, ordered by key.
func (f *IPF) DumpLists() []string {
	f.mu.Lock()
	ls := slices.Clone(f.order)
	type snap struct {
		key   listKey
		n     int
		state listState
	}
	snaps := make([]snap, len(ls))
	for i, l := range ls {
		snaps[i] = snap{l.key, len(l.frags), l.state}
	}
	f.mu.Unlock()
	slices.SortFunc(snaps, func(a, b snap) int {
		return cmp.Or(cmp.Compare(a.key.ethType, b.key.ethType), cmp.Compare(a.key.zone, b.key.zone),
			slices.Compare(a.key.src[:], b.key.src[:]), slices.Compare(a.key.dst[:], b.key.dst[:]),
			cmp.Compare(a.key.id, b.key.id), cmp.Compare(a.key.recircID, b.key.recircID))
	})
	out := make([]string, len(snaps))
	for i, s := range snaps {
		k := s.key
		var src, dst netip.Addr
		if k.ethType == ethTypeIPv4 {
			src, dst = netip.AddrFrom4([4]byte(k.src[:4])), netip.AddrFrom4([4]byte(k.dst[:4]))
		} else {
			src, dst = netip.AddrFrom16(k.src), netip.AddrFrom16(k.dst)
		}
		out[i] = fmt.Sprintf("(src=%s,dst=%s,recirc_id=%d,ip_id=%d,dl_type=0x%x,zone=%d,nw_proto=%d,num_fragments=%d,state=%s)",
			src, dst, k.recircID, k.id, k.ethType, k.zone, k.proto, s.n, stateNames[s.state])
	}
	return out
}
