package conntrack

import (
	"sort"
	"strings"
	"testing"
)

// tcpConv drives a TCP conversation through the tracker, keeping both
// sides' sequence numbers.
type tcpConv struct {
	t              *testing.T
	tr             *Tracker
	act            Action
	cli, srv       string
	cport, sport   uint16
	cseq, sseq     uint32
	cwscale, swsc  int
	lastCli, lastS *Packet
}

func newConv(t *testing.T, tr *Tracker, cli, srv string, cport, sport uint16, wscale int) *tcpConv {
	return &tcpConv{t: t, tr: tr, act: Action{Commit: true}, cli: cli, srv: srv, cport: cport, sport: sport,
		cseq: 1000, sseq: 5000000, cwscale: wscale, swsc: wscale}
}

// send emits one segment from the client (or server) acking everything the
// other side sent, and returns its ct_state.
func (c *tcpConv) send(fromClient bool, flags uint8, payload int) State {
	var p *Packet
	if fromClient {
		o := tcpOpt{seq: c.cseq, win: 502, payload: payload, wscale: c.cwscale}
		if flags&tcpACK != 0 {
			o.ack = c.sseq
		}
		p = tcpPkt(c.cli, c.srv, c.cport, c.sport, flags, o)
		c.cseq += uint32(payload) + uint32(flags&tcpSYN>>1) + uint32(flags&tcpFIN)
		c.lastCli = p
	} else {
		o := tcpOpt{seq: c.sseq, win: 509, payload: payload, wscale: c.swsc}
		if flags&tcpACK != 0 {
			o.ack = c.cseq
		}
		p = tcpPkt(c.srv, c.cli, c.sport, c.cport, flags, o)
		c.sseq += uint32(payload) + uint32(flags&tcpSYN>>1) + uint32(flags&tcpFIN)
		c.lastS = p
	}
	return ct(c.tr, p, c.act)
}

func (c *tcpConv) handshake() {
	c.t.Helper()
	mustState(c.t, "SYN", c.send(true, tcpSYN, 0), trkNew)
	mustState(c.t, "SYN-ACK", c.send(false, tcpSYN|tcpACK, 0), trkEstRpl)
	mustState(c.t, "ACK", c.send(true, tcpACK, 0), trkEst)
}

func dumpLines(t *testing.T, tr *Tracker, args ...string) string {
	t.Helper()
	out, err := tr.DumpConntrack(args)
	if err != nil {
		t.Fatalf("dump-conntrack %v: %v", args, err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func mustDump(t *testing.T, tr *Tracker, want string, args ...string) {
	t.Helper()
	if got := dumpLines(t, tr, args...); got != want {
		t.Fatalf("dump-conntrack %v:\n got: %s\nwant: %s", args, got, want)
	}
}

func TestTCPHandshakeAndClose(t *testing.T) {
	tr, clk := newTestTracker(t)
	c := newConv(t, tr, "10.1.1.1", "10.1.1.2", 40000, 80, 7)
	mustState(t, "SYN", c.send(true, tcpSYN, 0), trkNew)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),id=0,status=0,timeout=30,protoinfo=(state_orig=SYN_SENT,state_reply=CLOSED,wscale_orig=7,wscale_reply=0,flags_orig=WINDOW_SCALE,flags_reply=0)", "-m", "-s")
	// A retransmitted SYN before any answer stays new.
	c.cseq--
	mustState(t, "SYN again", c.send(true, tcpSYN, 0), trkNew)
	mustState(t, "SYN-ACK", c.send(false, tcpSYN|tcpACK, 0), trkEstRpl)
	mustState(t, "ACK", c.send(true, tcpACK, 0), trkEst)
	mustState(t, "data", c.send(true, tcpACK|tcpPSH, 100), trkEst)
	mustState(t, "data reply", c.send(false, tcpACK|tcpPSH, 2000), trkEstRpl)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),timeout=86400,protoinfo=(state=ESTABLISHED)", "-s")
	clk.advance(1)
	mustState(t, "FIN", c.send(true, tcpFIN|tcpACK, 0), trkEst)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),id=0,status=0,timeout=900,protoinfo=(state_orig=CLOSING,state_reply=ESTABLISHED,wscale_orig=7,wscale_reply=7,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)", "-m", "-s")
	mustState(t, "FIN-ACK", c.send(false, tcpFIN|tcpACK, 0), trkEstRpl)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),id=0,status=0,timeout=45,protoinfo=(state_orig=FIN_WAIT_2,state_reply=CLOSING,wscale_orig=7,wscale_reply=7,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)", "-m", "-s")
	mustState(t, "last ACK", c.send(true, tcpACK, 0), trkEst)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),timeout=30,protoinfo=(state=TIME_WAIT)", "-s")

	// Port reuse: a new SYN after close replaces the old connection.
	c.cseq += 100000
	mustState(t, "SYN after close", c.send(true, tcpSYN, 0), trkNew)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=40000,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=40000),protoinfo=(state=SYN_SENT)")
	if n := tr.NConns(); n != 2 {
		t.Fatalf("nconns=%d, want 2 (old one awaits the sweeper)", n)
	}
	if removed, _ := tr.Sweep(); removed != 1 || tr.NConns() != 1 {
		t.Fatalf("sweep removed %d, nconns %d; want 1, 1", removed, tr.NConns())
	}
}

func TestTCPRstInEachState(t *testing.T) {
	type step struct {
		client bool
		flags  uint8
		want   State
	}
	cases := map[string][]step{
		"rst after syn": {
			{true, tcpSYN, trkNew},
			{false, tcpRST | tcpACK, trkEstRpl},
		},
		"rst from client when established": {
			{true, tcpSYN, trkNew}, {false, tcpSYN | tcpACK, trkEstRpl}, {true, tcpACK, trkEst},
			{true, tcpRST | tcpACK, trkEst},
		},
		"rst from server when established": {
			{true, tcpSYN, trkNew}, {false, tcpSYN | tcpACK, trkEstRpl}, {true, tcpACK, trkEst},
			{false, tcpRST, trkEstRpl},
		},
		"rst during close": {
			{true, tcpSYN, trkNew}, {false, tcpSYN | tcpACK, trkEstRpl}, {true, tcpACK, trkEst},
			{true, tcpFIN | tcpACK, trkEst}, {false, tcpRST | tcpACK, trkEstRpl},
		},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			tr, _ := newTestTracker(t)
			c := newConv(t, tr, "10.0.0.1", "10.0.0.2", 1234, 22, -1)
			for i, s := range steps {
				mustState(t, name+" step "+string(rune('0'+i)), c.send(s.client, s.flags, 0), s.want)
			}
			mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1234,dport=22),reply=(src=10.0.0.2,dst=10.0.0.1,sport=22,dport=1234),timeout=30,protoinfo=(state=TIME_WAIT)", "-s")
		})
	}
}

func TestTCPInvalid(t *testing.T) {
	tr, _ := newTestTracker(t)
	commit := Action{Commit: true}
	// SYN+ACK cannot start a connection; neither can bad flag sets.
	mustState(t, "syn-ack", ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpSYN|tcpACK, tcpOpt{wscale: -1}), commit), trkInv)
	mustState(t, "syn-fin", ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpSYN|tcpFIN, tcpOpt{wscale: -1}), commit), trkInv)
	mustState(t, "no flags", ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0, tcpOpt{wscale: -1}), commit), trkInv)
	mustState(t, "fin without ack", ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpFIN, tcpOpt{wscale: -1}), commit), trkInv)
	if tr.NConns() != 0 {
		t.Fatalf("nconns=%d after invalid packets", tr.NConns())
	}
	// Mid-stream pickup: a plain ACK may start a (liberal) connection.
	mustState(t, "pickup", ct(tr, tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpACK, tcpOpt{seq: 77, ack: 99, wscale: -1}), commit), trkNew)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2),reply=(src=10.0.0.2,dst=10.0.0.1,sport=2,dport=1),id=0,status=0,protoinfo=(state_orig=SYN_SENT,state_reply=CLOSED,flags_orig=BE_LIBERAL,flags_reply=BE_LIBERAL)", "-m")
	mustState(t, "pickup reply", ct(tr, tcpPkt("10.0.0.2", "10.0.0.1", 2, 1, tcpACK, tcpOpt{seq: 99, ack: 77, wscale: -1}), commit), trkEstRpl)
}

func TestTCPWindowCheck(t *testing.T) {
	for _, seqChk := range []bool{true, false} {
		tr, _ := newTestTracker(t)
		tr.SetTCPSeqCheck(seqChk)
		c := newConv(t, tr, "10.0.0.1", "10.0.0.2", 5555, 443, 2)
		c.handshake()
		// Far beyond what the server allowed (window 502 << 2).
		c.cseq += 10000000
		want := trkInv
		if !seqChk {
			want = trkEst
		}
		mustState(t, "out of window", c.send(true, tcpACK, 10), want)
		// Acking data never sent.
		c.cseq -= 10000010
		c.sseq += 1 << 30
		mustState(t, "bad ack", c.send(true, tcpACK, 0), want)
		c.sseq -= 1 << 30
		mustState(t, "back in window", c.send(true, tcpACK, 10), trkEst)
		// RST must sit exactly at the expected sequence number.
		c.cseq += 5
		mustState(t, "rst off by 5", c.send(true, tcpRST|tcpACK, 0), want)
	}
}

func TestTCPRetransmittedSYNAfterClose(t *testing.T) {
	tr, _ := newTestTracker(t)
	c := newConv(t, tr, "10.0.0.1", "10.0.0.2", 6000, 25, -1)
	c.handshake()
	c.send(true, tcpFIN|tcpACK, 0)
	c.send(false, tcpFIN|tcpACK, 0)
	c.send(true, tcpACK, 0)
	// A stale duplicate of the original SYN now starts a new connection.
	c.cseq = 1000
	mustState(t, "old SYN", c.send(true, tcpSYN, 0), trkNew)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=6000,dport=25),reply=(src=10.0.0.2,dst=10.0.0.1,sport=25,dport=6000),protoinfo=(state=SYN_SENT)")
	mustState(t, "new SYN-ACK", c.send(false, tcpSYN|tcpACK, 0), trkEstRpl)
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=6000,dport=25),reply=(src=10.0.0.2,dst=10.0.0.1,sport=25,dport=6000),protoinfo=(state=ESTABLISHED)")
}
