package dpif

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Connection setup through the conntrack firewall, modelled on the bench
// harness's conn_cps metric (tools/connrate.c): a client in front of port 1
// opens TCP connections to a server behind port 2 (SYN, SYN-ACK, ACK) and
// closes each with RST, so its ephemeral ports recycle while their closed
// connections are still in the table. The handler translates as ofproto
// does for the harness's `ct` and `ctsnat` flow tables.

const (
	connClient  = "198.18.0.1"
	connServer  = "198.18.0.2"
	connNATAddr = "198.18.0.100"
	connPortLo  = 32768 // Linux's default ip_local_port_range
	connPortHi  = 60999
)

var connSNAT = func() *conntrack.NATAction {
	a := netip.MustParseAddr(connNATAddr).As4()
	na := &conntrack.NATAction{Flags: conntrack.NATSrc}
	copy(na.MinAddr[:], a[:])
	copy(na.MaxAddr[:], a[:])
	return na
}()

// ctFirewall is the harness's ct (snat=false) or ctsnat (snat=true) table:
// table 0 sends untracked IP through ct(table=1[,nat]); table 1 commits new
// connections from port 1 (with SNAT to connNATAddr) and forwards
// established traffic both ways.
type ctFirewall struct {
	snat           bool
	ct0, ctCommit1 *CTAction
}

func newCTFirewall(snat bool) *ctFirewall {
	fw := &ctFirewall{snat: snat, ct0: &CTAction{}, ctCommit1: &CTAction{Action: conntrack.Action{Commit: true}}}
	if snat {
		fw.ct0.NAT = &conntrack.NATAction{}
		fw.ctCommit1.NAT = connSNAT
	}
	return fw
}

func (fw *ctFirewall) HandleUpcall(u *Upcall) error {
	k := u.Key
	m := u.Mask.Fields()
	m.SetInPort(0xffffffff)
	m.SetEthType(0xffff)
	if k.EthType() != 0x0800 {
		u.Actions = []Action{Output(3 - k.InPort())}
		return nil
	}
	if k.RecircID() == 0 {
		m.SetCtState(uint8(conntrack.StateTracked))
		u.Actions = []Action{CT(fw.ct0), Recirc(1)}
		return nil
	}
	m.SetCtState(0xff)
	st := conntrack.State(k.CtState())
	switch {
	case st&conntrack.StateNew != 0 && !fw.snat:
		u.Actions = []Action{CT(fw.ctCommit1), Output(3 - k.InPort())}
	case st&conntrack.StateNew != 0 && k.InPort() == 1:
		u.Actions = []Action{CT(fw.ctCommit1), Output(2)}
	case st&conntrack.StateEstablished != 0:
		u.Actions = []Action{Output(3 - k.InPort())}
	}
	return nil
}

// connFrames are one client port's four segments, ready to input.
type connFrames struct{ syn, synack, ack, rst []byte }

func makeConnFrames(snat bool) []connFrames {
	replyTo := connClient
	if snat {
		replyTo = connNATAddr // SNAT keeps the client's port when it is free
	}
	fs := make([]connFrames, 0, connPortHi-connPortLo+1)
	for port := connPortLo; port <= connPortHi; port++ {
		p := uint16(port)
		fs = append(fs, connFrames{
			syn:    ckTCP(connClient, connServer, p, 80, 0x002, 100, 0, nil),
			synack: ckTCP(connServer, replyTo, 80, p, 0x012, 500, 101, nil),
			ack:    ckTCP(connClient, connServer, p, 80, 0x010, 101, 501, nil),
			rst:    ckTCP(connClient, connServer, p, 80, 0x014, 101, 501, nil),
		})
	}
	return fs
}

// connBatch re-fills a batch with up to BatchSize frames without allocating.
type connBatch struct {
	b    Batch
	bufs [BatchSize][]byte
}

func newConnBatch() *connBatch {
	c := &connBatch{}
	for i := range c.bufs {
		c.bufs[i] = make([]byte, Headroom+128)
	}
	return c
}

func (c *connBatch) set(frames [][]byte) *Batch {
	for i, f := range frames {
		copy(c.bufs[i][Headroom:], f)
		c.b.Pkts[i].Reset(c.bufs[i], Headroom, len(f))
	}
	c.b.N = len(frames)
	return &c.b
}

// BenchmarkConnSetup measures one whole TCP connection (four segments, each
// through ct, recirculation and a second lookup) through the firewall, with
// and without SNAT, `batch` connections at a time. ns/op is per connection.
func BenchmarkConnSetup(b *testing.B) {
	for _, snat := range []bool{false, true} {
		frames := makeConnFrames(snat)
		for _, batch := range []int{1, 16} {
			name := fmt.Sprintf("nat=%v/batch=%d", snat, batch)
			b.Run(name, func(b *testing.B) { benchConnSetup(b, snat, batch, frames) })
		}
	}
}

func benchConnSetup(b *testing.B, snat bool, batch int, frames []connFrames) {
	d, _, _ := newSinkDP(b)
	d.SetUpcallHandler(newCTFirewall(snat))
	out1, out2 := sinkOf(d, 1), sinkOf(d, 2)
	cb := newConnBatch()
	seg := make([][]byte, batch)
	next := 0
	run := func(n int, pick func(f *connFrames) []byte, port uint32) {
		for i := range n {
			seg[i] = pick(&frames[(next+i)%len(frames)])
		}
		d.Input(port, cb.set(seg[:n]))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		run(n, func(f *connFrames) []byte { return f.syn }, 1)
		run(n, func(f *connFrames) []byte { return f.synack }, 2)
		run(n, func(f *connFrames) []byte { return f.ack }, 1)
		run(n, func(f *connFrames) []byte { return f.rst }, 1)
		next = (next + n) % len(frames)
		done += n
	}
	b.StopTimer()
	// Every segment must have gone through: SYN, ACK and RST to port 2,
	// the SYN-ACK (established reply, un-NATed) to port 1.
	if out2.sent != 3*b.N || out1.sent != b.N {
		b.Fatalf("forwarded %d to port 2 and %d to port 1, want %d and %d", out2.sent, out1.sent, 3*b.N, b.N)
	}
	b.ReportMetric(float64(d.Conntrack().NConns()), "conns")
}

func sinkOf(d *Datapath, n uint32) *sinkPort {
	p, _ := d.Port(n)
	return p.(*sinkPort)
}
