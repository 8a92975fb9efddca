package conntrack

import (
	"slices"
	"testing"
)

func TestZoneTimeoutPolicies(t *testing.T) {
	tr, _ := newTestTracker(t)
	set := func(zone uint16, attrs map[string]uint32, wantChanged bool, wantID uint32) {
		t.Helper()
		changed, err := tr.SetZoneTimeoutPolicy(zone, attrs)
		if err != nil || changed != wantChanged {
			t.Fatalf("zone %d %v: changed %v err %v", zone, attrs, changed, err)
		}
		if id, ok := tr.ZoneTimeoutPolicy(zone, ProtoUDP); !ok || id != wantID {
			t.Fatalf("zone %d: policy %d %v, want %d", zone, id, ok, wantID)
		}
	}
	short := map[string]uint32{"udp_first": 10, "udp_single": 12, "icmp_first": 5}
	set(5, short, true, 1)
	set(6, map[string]uint32{"icmp_first": 5, "udp_single": 12, "udp_first": 10}, true, 1) // same content, shared
	set(7, map[string]uint32{}, true, 2)                                                   // all defaults, still a policy
	set(5, short, false, 1)
	set(5, map[string]uint32{"udp_first": 20}, true, 3)
	if _, ok := tr.ZoneTimeoutPolicy(5, 47); ok {
		t.Fatal("GRE got a policy")
	}
	if _, ok := tr.ZoneTimeoutPolicy(8, ProtoTCP); ok {
		t.Fatal("zone without a policy got one")
	}

	// Connections committed with a zone's policy id use its timers.
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Commit: true, Zone: 6, TimeoutPolicy: 1})
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=6,timeout=10", "-s", "zone=6")

	// Policy 1 goes when its last zone does; its connections fall back to
	// the defaults on their next packet.
	if !tr.DelZoneTimeoutPolicy(6) || tr.DelZoneTimeoutPolicy(6) {
		t.Fatal("DelZoneTimeoutPolicy")
	}
	set(5, short, true, 1)
	if !tr.DelZoneTimeoutPolicy(5) {
		t.Fatal("DelZoneTimeoutPolicy 5")
	}
	ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0), Action{Zone: 6})
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),zone=6,timeout=60", "-s", "zone=6")
	if got := tr.TimeoutPolicyZones(); !slices.Equal(got, []uint16{7}) {
		t.Fatalf("zones with policies: %v", got)
	}
	if _, err := tr.SetZoneTimeoutPolicy(9, map[string]uint32{"bogus": 1}); err == nil {
		t.Fatal("unknown attribute accepted")
	}
}
