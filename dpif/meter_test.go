package dpif

import (
	"testing"
	"time"
)

func meterRefs(n, size int) []pktRef {
	refs := make([]pktRef, n)
	for i := range refs {
		buf := make([]byte, Headroom+size)
		p := &Packet{}
		p.Reset(buf, Headroom, size)
		refs[i] = pktRef{p: p, m: &PacketMeta{}}
	}
	return refs
}

func TestMeterBuckets(t *testing.T) {
	dp, err := NewDatapath("dummy", "")
	if err != nil {
		t.Fatal(err)
	}
	defer dp.Close()
	e := &executor{dp: dp}

	// 1000 kb/s with a 16 kbit burst: 1000-byte packets cost 8 kbits, so
	// two pass at once, and 2 ms later another 2 kbits are not enough.
	kb, err := dp.AddMeter(MeterConfig{Bands: []MeterBand{{Rate: 1000, Burst: 16}}})
	if err != nil {
		t.Fatal(err)
	}
	// A second meter: 10 packets/s, burst left to default (the rate).
	pk, err := dp.AddMeter(MeterConfig{PacketsPerSecond: true, Bands: []MeterBand{{Rate: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if kb != 0 || pk != 1 {
		t.Errorf("meter ids %d, %d: want the lowest free ones, 0 and 1", kb, pk)
	}
	t0 := dp.meterTable.load()[kb].used
	if n := len(e.runMeter(meterRefs(5, 1000), kb, t0)); n != 2 {
		t.Errorf("kbps meter passed %d of 5 packets, want 2", n)
	}
	if n := len(e.runMeter(meterRefs(1, 1000), kb, t0.Add(2*time.Millisecond))); n != 0 {
		t.Errorf("kbps meter passed %d packets 2 ms later, want 0", n)
	}
	if n := len(e.runMeter(meterRefs(1, 1000), kb, t0.Add(10*time.Millisecond))); n != 1 {
		t.Errorf("kbps meter passed %d packets 10 ms later, want 1", n)
	}
	s, err := dp.MeterStats(kb)
	if err != nil {
		t.Fatal(err)
	}
	if s.Packets != 7 || s.Bytes != 7000 || s.Bands[0] != (MeterBandStats{Packets: 4, Bytes: 4000}) {
		t.Errorf("kbps meter stats %+v", s)
	}

	t1 := dp.meterTable.load()[pk].used
	if n := len(e.runMeter(meterRefs(32, 64), pk, t1)); n != 10 {
		t.Errorf("pktps meter passed %d of 32 packets, want the burst of 10", n)
	}
	// A long idle time refills to the burst, not beyond.
	if n := len(e.runMeter(meterRefs(32, 64), pk, t1.Add(time.Hour))); n != 10 {
		t.Errorf("pktps meter passed %d of 32 packets after an hour, want 10", n)
	}

	// Modifying a meter resets it; deleting lets packets through unmetered.
	if err := dp.SetMeter(pk, MeterConfig{PacketsPerSecond: true, Bands: []MeterBand{{Rate: 1, Burst: 1}}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := dp.MeterStats(pk); s.Packets != 0 {
		t.Errorf("modified meter kept %d packets in its stats", s.Packets)
	}
	dp.DeleteMeter(pk)
	if n := len(e.runMeter(meterRefs(32, 64), pk, t1)); n != 32 {
		t.Errorf("deleted meter passed %d of 32 packets, want all", n)
	}
	if err := dp.SetMeter(pk, MeterConfig{Bands: []MeterBand{{Rate: 1}}}); err == nil {
		t.Error("SetMeter on a deleted meter succeeded")
	}
	if _, err := dp.AddMeter(MeterConfig{}); err == nil {
		t.Error("a meter without bands was accepted")
	}
}

// The meter adds no allocation to the packet path.
func TestMeterAllocatesNothing(t *testing.T) {
	dp, err := NewDatapath("dummy", "")
	if err != nil {
		t.Fatal(err)
	}
	defer dp.Close()
	e := &executor{dp: dp}
	id, _ := dp.AddMeter(MeterConfig{Bands: []MeterBand{{Rate: 1 << 30}}})
	refs := meterRefs(32, 64)
	now := time.Now()
	if n := testing.AllocsPerRun(100, func() { e.runMeter(refs, id, now) }); n != 0 {
		t.Errorf("runMeter allocates %.0f times per batch", n)
	}
}
