package conntrack

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
)

var benchSNAT = &NATAction{Flags: NATSrc, MinAddr: addr16("10.9.0.0"), MaxAddr: addr16("10.9.0.255")}

// BenchmarkNewConnNAT is BenchmarkNewConn with SNAT to a /24: NAT tuple
// selection (under natMu) and the second table node.
func BenchmarkNewConnNAT(b *testing.B) {
	tr, clk := newTestTracker(b)
	tr.SetMaxConns(1 << 30)
	var next atomic.Uint32
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := next.Add(1)
		p := udpPkt("10.0.0.1", "10.1.0.1", 1, 53, 16)
		p.Csum = IPCsumGood | L4CsumGood // the tuple changes below without fixing checksums
		p.Data[ethLen+13] = byte(g)
		orig := append([]byte(nil), p.Data...)
		a := Action{Commit: true, NAT: benchSNAT}
		port := uint16(1024)
		for pb.Next() {
			copy(p.Data, orig) // NAT rewrote the last one
			binary.BigEndian.PutUint16(p.Data[ethLen+20:], port)
			p.MD = Metadata{}
			tr.Execute(p, &a)
			port++
			if port == 0 {
				port = 1024
				clk.advance(61)
				tr.Sweep()
			}
		}
	})
}

// lifecycle is one goroutine's TCP connections as the bench harness's
// connrate tool makes them: SYN, SYN-ACK, ACK, RST from ephemeral ports
// that recycle while the closed connections are still in the table.
type lifecycle struct {
	syn, synack, ack, rst  []byte // templates; the client port is patched in
	p                      Packet
	ct0, commit            Action // ct(nat) of table 0, ct(commit,nat(src)) of table 1
	port                   uint16
	natAddr                [4]byte
	synCount, synackNotEst int
}

func newLifecycle(client byte, nat *NATAction) *lifecycle {
	cli := "10.0.0." + itoa(int(client))
	tmpl := func(src, dst string, sport, dport uint16, flags uint8, seq, ack uint32) []byte {
		p := tcpPkt(src, dst, sport, dport, flags, tcpOpt{seq: seq, ack: ack, wscale: -1})
		return p.Data
	}
	l := &lifecycle{
		syn:    tmpl(cli, "10.1.0.1", 1, 80, tcpSYN, 100, 0),
		synack: tmpl("10.1.0.1", cli, 80, 1, tcpSYN|tcpACK, 500, 101),
		ack:    tmpl(cli, "10.1.0.1", 1, 80, tcpACK, 101, 501),
		rst:    tmpl(cli, "10.1.0.1", 1, 80, tcpRST|tcpACK, 101, 501),
		commit: Action{Commit: true, NAT: nat},
		port:   32768,
	}
	if nat != nil {
		l.ct0.NAT = &NATAction{}
	}
	l.p = Packet{Data: make([]byte, len(l.syn)), L3Offset: ethLen, EthType: EthTypeIPv4, Csum: IPCsumGood | L4CsumGood}
	return l
}

// packet loads template t for the current port; reply templates get the
// (translated) destination the SYN left with.
func (l *lifecycle) packet(t []byte, reply bool) *Packet {
	d := l.p.Data
	copy(d, t)
	if reply {
		binary.BigEndian.PutUint16(d[ethLen+22:], l.port)
		copy(d[ethLen+16:ethLen+20], l.natAddr[:])
	} else {
		binary.BigEndian.PutUint16(d[ethLen+20:], l.port)
	}
	l.p.MD = Metadata{}
	return &l.p
}

// conn runs one whole connection through the tracker.
func (l *lifecycle) conn(tr *Tracker) {
	p := l.packet(l.syn, false)
	clientPort := l.port
	tr.Execute(p, &l.ct0)
	tr.Execute(p, &l.commit) // after recirculation: +new, commit
	// The server answers whatever the SYN left as (SNAT may move the port).
	copy(l.natAddr[:], p.Data[ethLen+12:ethLen+16])
	l.port = binary.BigEndian.Uint16(p.Data[ethLen+20:])
	r := l.packet(l.synack, true)
	tr.Execute(r, &l.ct0)
	if r.MD.State&StateEstablished == 0 {
		l.synackNotEst++
	}
	l.port = clientPort
	tr.Execute(l.packet(l.ack, false), &l.ct0)
	tr.Execute(l.packet(l.rst, false), &l.ct0)
	l.synCount++
	if l.port++; l.port > 60999 {
		l.port = 32768
	}
}

// BenchmarkConnLifecycle is the tracker's share of the connection-rate
// benchmark: ns/op is one whole connection (five ct() calls), with and
// without SNAT. Run with -cpu 1,2.
func BenchmarkConnLifecycle(b *testing.B) {
	for _, c := range []struct {
		name string
		nat  *NATAction
	}{{"plain", nil}, {"snat", benchSNAT}} {
		b.Run(c.name, func(b *testing.B) {
			tr, _ := newTestTracker(b)
			var next atomic.Uint32
			var bad atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				l := newLifecycle(byte(next.Add(1)), c.nat)
				for pb.Next() {
					l.conn(tr)
				}
				bad.Add(int64(l.synackNotEst))
			})
			if n := bad.Load(); n != 0 {
				b.Fatalf("%d SYN-ACKs not established", n)
			}
		})
	}
}
