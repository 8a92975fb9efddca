package conntrack

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Zone timeout policies, as OVSDB configures them (Open_vSwitch.datapaths ->
// Datapath.ct_zones -> CT_Zone.timeout_policy -> CT_Timeout_Policy.timeouts)
// and ofproto-dpif keeps them for the userspace datapath: zones with the
// same timeouts share one policy; a policy's id is the lowest free one from
// 1 (0 is the built-in default); translation of ct(commit) in a zone that
// has a policy records the id in the connection (the datapath action shows
// it as timeout=ID). A policy no zone uses any more is deleted, and its
// connections fall back to the defaults on their next packet.

// zoneTPs is the per-zone configuration. byZone is replaced, never
// modified, so translation reads it without a lock; mu serialises writers.
type zoneTPs struct {
	mu     sync.Mutex
	byZone atomic.Pointer[map[uint16]uint32]
	pols   map[uint32]*sharedTP
}

// sharedTP is one policy and how many zones use it.
type sharedTP struct {
	attrs map[string]uint32
	refs  int
}

// SetZoneTimeoutPolicy makes zone use the policy with timeouts attrs (OVSDB
// CT_Timeout_Policy attribute -> seconds; an empty map is a policy of all
// defaults, as OVS creates one for a CT_Zone without a timeout_policy). It
// reports whether the zone's policy id changed, so that the caller can
// retranslate flows.
func (t *Tracker) SetZoneTimeoutPolicy(zone uint16, attrs map[string]uint32) (changed bool, err error) {
	z := &t.zoneTPs
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.pols == nil {
		z.pols = map[uint32]*sharedTP{}
	}
	var id uint32
	for pid, p := range z.pols {
		if maps.Equal(p.attrs, attrs) {
			id = pid
			break
		}
	}
	if id == 0 {
		for id = 1; z.pols[id] != nil; id++ {
		}
		if err := t.SetTimeoutPolicy(id, attrs); err != nil {
			return false, err
		}
		z.pols[id] = &sharedTP{attrs: maps.Clone(attrs)}
	}
	cur := z.current()
	if old, ok := cur[zone]; ok && old == id {
		return false, nil
	}
	next := maps.Clone(cur)
	if next == nil {
		next = map[uint16]uint32{}
	}
	if old, ok := cur[zone]; ok {
		t.unrefZoneTP(old)
	}
	next[zone] = id
	z.pols[id].refs++
	z.byZone.Store(&next)
	return true, nil
}

// DelZoneTimeoutPolicy returns zone to the default policy; it reports
// whether the zone had one.
func (t *Tracker) DelZoneTimeoutPolicy(zone uint16) bool {
	z := &t.zoneTPs
	z.mu.Lock()
	defer z.mu.Unlock()
	cur := z.current()
	old, ok := cur[zone]
	if !ok {
		return false
	}
	next := maps.Clone(cur)
	delete(next, zone)
	z.byZone.Store(&next)
	t.unrefZoneTP(old)
	return true
}

// unrefZoneTP drops one zone's use of policy id, deleting it after the
// last. Called with zoneTPs.mu held.
func (t *Tracker) unrefZoneTP(id uint32) {
	z := &t.zoneTPs
	p := z.pols[id]
	if p == nil {
		return
	}
	if p.refs--; p.refs <= 0 {
		delete(z.pols, id)
		t.DeleteTimeoutPolicy(id)
	}
}

// TimeoutPolicyZones lists the zones that have a policy.
func (t *Tracker) TimeoutPolicyZones() []uint16 {
	cur := t.zoneTPs.current()
	zones := make([]uint16, 0, len(cur))
	for z := range cur {
		zones = append(zones, z)
	}
	return zones
}

// ZoneTimeoutPolicy is the policy id a ct(commit) in zone records for a
// packet of IP protocol proto: ok is false when the zone has no policy or
// the protocol has no timeouts of its own (only TCP, UDP, ICMP and ICMPv6
// do, as in OVS).
func (t *Tracker) ZoneTimeoutPolicy(zone uint16, proto uint8) (id uint32, ok bool) {
	switch proto {
	case ProtoTCP, ProtoUDP, ProtoICMP, ProtoICMPv6:
	default:
		return 0, false
	}
	id, ok = t.zoneTPs.current()[zone]
	return id, ok
}

func (z *zoneTPs) current() map[uint16]uint32 {
	if m := z.byZone.Load(); m != nil {
		return *m
	}
	return nil
}
