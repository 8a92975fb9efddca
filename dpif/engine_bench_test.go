package dpif

import (
	"encoding/binary"
	"testing"
)

// sinkPort is a PacketIO that counts what it is sent and receives nothing,
// so allocation tests and benchmarks measure the datapath alone.
type sinkPort struct {
	name, typ   string
	sent, sends int
}

func (s *sinkPort) Name() string { return s.name }
func (s *sinkPort) Type() string {
	if s.typ == "" {
		return "dummy"
	}
	return s.typ
}
func (s *sinkPort) Info() PortInfo             { return PortInfo{} }
func (s *sinkPort) Close() error               { return nil }
func (s *sinkPort) RxQueues() int              { return 1 }
func (s *sinkPort) Recv(q int, b *Batch) error { b.N = 0; return nil }
func (s *sinkPort) WaitFD(q int) int           { return -1 }
func (s *sinkPort) Send(q int, b *Batch) error { s.sent += b.N; s.sends++; return nil }
func (s *sinkPort) reset()                     { s.sent, s.sends = 0, 0 }
func newSinkDP(tb testing.TB) (*Datapath, *sinkPort, *sinkPort) {
	tb.Helper()
	d, err := NewDatapath("dummy", "h13sink")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	a, b := &sinkPort{name: "s1"}, &sinkPort{name: "s2"}
	d.AddPort(a)
	d.AddPort(b)
	return d, a, b
}

// rxBatch holds n copies of frames as a port would have received them;
// refill restores them after a pass rewrote or consumed them.
type rxBatch struct {
	b      Batch
	frames [][]byte
	bufs   [BatchSize][]byte
}

func newRxBatch(n int, frames ...[]byte) *rxBatch {
	r := &rxBatch{}
	for i := range n {
		f := frames[i%len(frames)]
		r.frames = append(r.frames, f)
		r.bufs[i] = make([]byte, Headroom+len(f)+64)
	}
	r.refill()
	return r
}

func (r *rxBatch) refill() {
	for i, f := range r.frames {
		copy(r.bufs[i][Headroom:], f)
		r.b.Pkts[i].Reset(r.bufs[i], Headroom, len(f))
	}
	r.b.N = len(r.frames)
}

func forwardHandler(out uint32) UpcallFunc {
	return func(u *Upcall) error {
		m := u.Mask.Fields()
		m.SetEthType(0xffff)
		m.SetNwProto(0xff)
		u.Actions = []Action{Output(out)}
		return nil
	}
}

// TestFastPathAllocs: an EMC hit that outputs allocates nothing, and
// neither does the firewall pipeline (ct + recirc + EMC at both passes) on
// an established connection.
func TestFastPathAllocs(t *testing.T) {
	d, _, out := newSinkDP(t)
	d.SetUpcallHandler(forwardHandler(2))
	rx := newRxBatch(32, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, []byte("payload")))
	d.Input(1, &rx.b)
	if n := testing.AllocsPerRun(200, func() { rx.refill(); d.Input(1, &rx.b) }); n != 0 {
		t.Errorf("EMC hit -> output: %v allocations per batch", n)
	}
	if out.sent == 0 || out.sent != 32*out.sends {
		t.Fatalf("sent %d in %d sends", out.sent, out.sends)
	}

	d2, ports := newTestDP(t, 2)
	d2.SetUpcallHandler(&firewall{})
	inputFrames(d2, 1, hsSYN)
	inputFrames(d2, 2, hsSYNACK)
	inputFrames(d2, 1, hsACK)
	ports[1].Sent()
	// The dummy's capture allocates a copy per frame; count into a sink.
	if err := d2.RemovePort(2); err != nil {
		t.Fatal(err)
	}
	sink := &sinkPort{name: "sink"}
	d2.AddPort(sink)
	rx = newRxBatch(1, hsData)
	d2.Input(1, &rx.b)
	if n := testing.AllocsPerRun(200, func() { rx.refill(); d2.Input(1, &rx.b) }); n != 0 {
		t.Errorf("ct + recirc on an established connection: %v allocations per packet", n)
	}
	if sink.sent != 202 { // one pass, the warm-up run, 200 runs
		t.Fatalf("sink got %d packets, want 202", sink.sent)
	}
}

func BenchmarkExtractKey(b *testing.B) {
	f := ckUDP("10.0.0.1", "10.0.0.2", 1, 2, make([]byte, 18))
	var p Packet
	buf := make([]byte, Headroom+len(f))
	copy(buf[Headroom:], f)
	p.Reset(buf, Headroom, len(f))
	var m PacketMeta
	var k FlowKey
	b.ReportAllocs()
	for b.Loop() {
		m.ExtractKey(&p, &k)
	}
}

func BenchmarkExecuteSetIPv4(b *testing.B) {
	f := ckTCP("10.0.0.1", "10.0.0.2", 1, 2, 0x10, 1, 1, make([]byte, 10))
	var p Packet
	buf := make([]byte, Headroom+len(f))
	copy(buf[Headroom:], f)
	p.Reset(buf, Headroom, len(f))
	var m PacketMeta
	var k FlowKey
	m.ExtractKey(&p, &k)
	s := setOf(SetIPv4, func(v, mk *FlowKey) {
		v.SetNwSrc(0x0a000009)
		mk.SetNwSrc(0xffffffff)
		mk.SetNwTTL(0xff)
		v.SetNwTTL(9)
	})
	r := pktRef{&p, &m}
	b.ReportAllocs()
	for b.Loop() {
		applySet(r, s)
	}
}

// benchInput measures whole batches of 32 through Input.
func benchInput(b *testing.B, d *Datapath, inPort uint32, rx *rxBatch) {
	d.Input(inPort, &rx.b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rx.refill()
		d.Input(inPort, &rx.b)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rx.b.N), "ns/pkt")
}

func BenchmarkBatchEMCHitOutput(b *testing.B) {
	d, _, _ := newSinkDP(b)
	d.SetUpcallHandler(forwardHandler(2))
	benchInput(b, d, 1, newRxBatch(32, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, make([]byte, 18))))
}

// BenchmarkBatchMegaflowHitOutput gives every packet a new source port, so
// each misses the EMC and hits the one megaflow (which ignores ports), then
// is inserted into the EMC: the cost of a new microflow.
func BenchmarkBatchMegaflowHitOutput(b *testing.B) {
	d, _, _ := newSinkDP(b)
	d.SetUpcallHandler(forwardHandler(2))
	rx := newRxBatch(32, ckUDP("10.0.0.1", "10.0.0.2", 1, 2, make([]byte, 18)))
	d.Input(1, &rx.b)
	sport := uint16(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rx.refill()
		for i := range rx.b.N {
			sport++
			binary.BigEndian.PutUint16(rx.b.Pkts[i].Data()[34:], sport)
		}
		d.Input(1, &rx.b)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*32), "ns/pkt")
	if n := d.main.ctr.mfHits.Load(); n < uint64(b.N) {
		b.Fatalf("%d megaflow hits", n)
	}
}

func BenchmarkBatchConntrackRecirc(b *testing.B) {
	d, ports := newTestDP(b, 2)
	d.SetUpcallHandler(&firewall{})
	inputFrames(d, 1, hsSYN)
	inputFrames(d, 2, hsSYNACK)
	inputFrames(d, 1, hsACK)
	ports[1].Sent()
	ports[2].Sent()
	// Swap the dummy sink for a counting one so captures do not dominate.
	d.RemovePort(2)
	d.AddPort(&sinkPort{name: "sink"})
	benchInput(b, d, 1, newRxBatch(32, hsData))
}
