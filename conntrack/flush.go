package conntrack

import (
	"errors"
	"net/netip"
)

// ErrTupleNotFound is returned by Flush for an exact 5-tuple that matches no
// connection (OVS: ENOENT).
var ErrTupleNotFound = errors.New("conntrack: tuple not found")

// FlushTuple is a possibly partial ct tuple: zero fields match anything,
// except ICMP id/type/code, which OVS always compares.
type FlushTuple struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	ICMPID           uint16
	ICMPType         uint8
	ICMPCode         uint8
}

// FlushMatch selects connections by original and reply tuple and by
// masked mark and label (zero masks match anything).
type FlushMatch struct {
	Family      uint8 // 0 any, 4, 6
	Proto       uint8 // 0 any
	Orig, Reply FlushTuple

	Mark, MarkMask   uint32
	Label, LabelMask Label
}

func (m *FlushMatch) isICMP() bool { return m.Proto == ProtoICMP || m.Proto == ProtoICMPv6 }

func (ft *FlushTuple) isZero(icmp bool) bool {
	z := !ft.Src.IsValid() && !ft.Dst.IsValid()
	if !icmp {
		z = z && ft.SrcPort == 0 && ft.DstPort == 0
	}
	return z
}

func (ft *FlushTuple) isFive(icmp bool) bool {
	f := ft.Src.IsValid() && ft.Dst.IsValid()
	if !icmp {
		f = f && ft.SrcPort != 0 && ft.DstPort != 0
	}
	return f
}

func (m *FlushMatch) isZero() bool {
	return m.Proto == 0 && m.Family == 0 && m.Orig.isZero(m.isICMP()) && m.Reply.isZero(m.isICMP()) &&
		m.MarkMask == 0 && m.LabelMask.IsZero()
}

// Flush removes connections: all, or of one zone, or matching m (an exact
// original 5-tuple is deleted directly and must exist).
func (t *Tracker) Flush(zone *uint16, m *FlushMatch) error {
	if m == nil || m.isZero() {
		fn := func(c *Conn) {
			if zone == nil || c.key.Zone == *zone {
				t.reclaim(c)
			}
		}
		t.table.forEach(fn)
		t.forEachUnlinked(fn)
		t.pruneLists()
		if hs := t.hookSet.Load(); zone == nil && hs.events.Has(EventFlushed) {
			hs.notify(Event{Kind: EventFlushed, Now: t.clock()})
		}
		return nil
	}
	icmp := m.isICMP()
	if m.Orig.isFive(icmp) && m.Reply.isZero(icmp) && m.MarkMask == 0 && m.LabelMask.IsZero() {
		return t.flushExact(zone, m)
	}
	fn := func(c *Conn) {
		if zone != nil && c.key.Zone != *zone || c.reclaimed() {
			return
		}
		if m.matches(c) {
			t.reclaim(c)
		}
	}
	t.table.forEach(fn)
	t.forEachUnlinked(fn)
	t.pruneLists()
	return nil
}

func (t *Tracker) flushExact(zone *uint16, m *FlushMatch) error {
	k := Key{Proto: m.Proto, IPv6: m.Family == 6}
	if zone != nil {
		k.Zone = *zone
	}
	putAddr(&k.Src.Addr, m.Orig.Src)
	putAddr(&k.Dst.Addr, m.Orig.Dst)
	if m.isICMP() {
		k.Src.Port, k.Dst.Port = m.Orig.ICMPID, m.Orig.ICMPID
		k.Src.ICMPType, k.Src.ICMPCode = m.Orig.ICMPType, m.Orig.ICMPCode
		if k.IPv6 {
			k.Dst.ICMPType = icmp6ReplyType(k.Src.ICMPType)
		} else {
			k.Dst.ICMPType = icmp4ReplyType(k.Src.ICMPType)
		}
	} else {
		k.Src.Port, k.Dst.Port = m.Orig.SrcPort, m.Orig.DstPort
	}
	c, reply := t.table.lookup(&k, k.hash(hashSeed), t.clock())
	if c == nil || reply && c.nat != 0 {
		// OVS logs "Must flush tuple using the original pre-NATed tuple".
		return ErrTupleNotFound
	}
	t.reclaim(c)
	return nil
}

func putAddr(dst *[16]byte, a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		copy(dst[:4], b[:])
	} else if a.IsValid() {
		*dst = a.As16()
	}
}

func (m *FlushMatch) matches(c *Conn) bool {
	if m.Family != 0 && (m.Family == 6) != c.key.IPv6 {
		return false
	}
	if m.Proto != 0 && m.Proto != c.key.Proto {
		return false
	}
	if !m.Orig.matches(&c.key, m.isICMP()) || !m.Reply.matches(&c.rev, m.isICMP()) {
		return false
	}
	if m.MarkMask == 0 && m.LabelMask.IsZero() {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mark&m.MarkMask == m.Mark&m.MarkMask &&
		c.label.Hi&m.LabelMask.Hi == m.Label.Hi&m.LabelMask.Hi &&
		c.label.Lo&m.LabelMask.Lo == m.Label.Lo&m.LabelMask.Lo
}

func (ft *FlushTuple) matches(k *Key, icmp bool) bool {
	if ft.Src.IsValid() && ft.Src != k.Addr(&k.Src) || ft.Dst.IsValid() && ft.Dst != k.Addr(&k.Dst) {
		return false
	}
	if icmp {
		return ft.ICMPID == k.Src.Port && ft.ICMPType == k.Src.ICMPType && ft.ICMPCode == k.Src.ICMPCode
	}
	return (ft.SrcPort == 0 || ft.SrcPort == k.Src.Port) && (ft.DstPort == 0 || ft.DstPort == k.Dst.Port)
}
