package maclearn

import "testing"

// The packet path must not allocate: learning a known source, looking up a
// destination, and a full NORMAL decision with a reused Decision.

func BenchmarkLearnLookup(b *testing.B) {
	tb := NewTable(Config{})
	for i := 0; i < 1000; i++ {
		tb.Learn(MAC{2, 0, 0, 0, byte(i >> 8), byte(i)}, 10, Port(1+i%8), 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := MAC{2, 0, 0, 0, byte(i >> 8 & 3), byte(i)}
		tb.Learn(m, 10, Port(1+i%8), 0)
		tb.Lookup(m, 10)
	}
}

func BenchmarkLearnLookupParallel(b *testing.B) {
	tb := NewTable(Config{})
	for i := 0; i < 1000; i++ {
		tb.Learn(MAC{2, 0, 0, 0, byte(i >> 8), byte(i)}, 10, Port(1+i%8), 0)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m := MAC{2, 0, 0, 0, byte(i >> 8 & 3), byte(i)}
			tb.Learn(m, 10, Port(1+i%8), 0)
			tb.Lookup(m, 10)
			i++
		}
	})
}

func BenchmarkNormalForward(b *testing.B) {
	s := newTestSwitch(b, traceBridge)
	var d Decision
	warm := Packet{InPort: 1, Src: macA, Dst: macB}
	s.Normal(&warm, &d)
	p := Packet{InPort: 2, Src: macB, Dst: macA, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Normal(&p, &d)
	}
}

func BenchmarkNormalFlood(b *testing.B) {
	s := newTestSwitch(b, traceBridge)
	var d Decision
	p := Packet{InPort: 1, Src: macA, Dst: BroadcastMAC}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Normal(&p, &d)
	}
}

func TestPacketPathDoesNotAllocate(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	tb := s.Table()
	var d Decision
	fwd := Packet{InPort: 2, Src: macB, Dst: macA, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}
	flood := Packet{InPort: 1, Src: macA, Dst: BroadcastMAC}
	s.Normal(&flood, &d)
	s.Normal(&fwd, &d)
	for name, f := range map[string]func(){
		"learn+lookup": func() { tb.Learn(macA, 10, 1, 0); tb.Lookup(macB, 10) },
		"forward":      func() { s.Normal(&fwd, &d) },
		"flood":        func() { s.Normal(&flood, &d) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs per run", name, n)
		}
	}
}
