package dpif

import (
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/govswitchd/govswitchd/conntrack"
)

// offloadFirewall is the stateful firewall as datapath flows: recirc 0
// sends IP through ct() (with nat when natTo is set), recirc 1 commits new
// connections (with SNAT to natTo) and forwards established ones to the
// other of ports 1 and 2. Established packets on port 2 with dropReplies
// set are dropped.
type offloadFirewall struct {
	mu          sync.Mutex
	natTo       netip.Addr
	dropReplies bool
}

func (fw *offloadFirewall) HandleUpcall(u *Upcall) error {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	k := u.Key
	m := u.Mask.Fields()
	m.SetCtState(0xff)
	other := 3 - k.InPort()
	var nat *conntrack.NATAction
	if fw.natTo.IsValid() {
		nat = &conntrack.NATAction{}
	}
	switch {
	case k.RecircID() == 0:
		u.Actions = []Action{CT(&CTAction{Action: conntrack.Action{NAT: nat}}), Recirc(1)}
	case conntrack.State(k.CtState())&conntrack.StateNew != 0:
		a := conntrack.Action{Commit: true}
		if nat != nil {
			a.NAT = &conntrack.NATAction{Flags: conntrack.NATSrc}
			copy(a.NAT.MinAddr[:], fw.natTo.AsSlice())
			a.NAT.MaxAddr = a.NAT.MinAddr
		}
		u.Actions = []Action{CT(&CTAction{Action: a}), Output(other)}
	case fw.dropReplies && k.InPort() == 2:
		u.Actions = nil
	default:
		u.Actions = []Action{Output(other)}
	}
	return nil
}

// offloadTestDP runs a TCP handshake from port 1 (10.0.0.1:40000) to port
// 2 (10.0.0.2:8000) through the firewall and returns the connection.
func offloadTestDP(t *testing.T, fw *offloadFirewall) (*Datapath, *conntrack.Conn) {
	t.Helper()
	old := offloadPortOf
	offloadPortOf = func(p Port) (offloadPort, bool) {
		if _, ok := p.(*DummyPort); ok {
			return offloadPort{ifindex: 100 + int(p.Name()[1]-'0')}, true
		}
		return offloadPort{}, false
	}
	t.Cleanup(func() { offloadPortOf = old })
	d, _ := newTestDP(t, 2)
	d.SetUpcallHandler(fw)
	committed := watchCommitted(t, d)
	inputFrames(d, 1, ckTCP("10.0.0.1", "10.0.0.2", 40000, 8000, 0x02, 100, 0, nil))
	c := committed()
	if c == nil {
		t.Fatal("the SYN was not committed")
	}
	// The reply goes to where the connection's reply key says (after NAT).
	rk := c.ReplyKey()
	dst := netip.AddrFrom4([4]byte(rk.Dst.Addr[:4])).String()
	inputFrames(d, 2, ckTCP("10.0.0.2", dst, 8000, rk.Dst.Port, 0x12, 500, 101, nil))
	inputFrames(d, 1, ckTCP("10.0.0.1", "10.0.0.2", 40000, 8000, 0x10, 101, 501, nil))
	if o, r, _ := c.TCPStates(); o != conntrack.TCPEstablished || r != conntrack.TCPEstablished {
		t.Fatalf("TCP states %v/%v after the handshake", o, r)
	}
	return d, c
}

func ip4(s string) (a [16]byte) {
	copy(a[:], netip.MustParseAddr(s).AsSlice())
	return a
}

// pathFrom picks the path of ingress port in.
func pathFrom(t *testing.T, paths []ConnPath, in uint32) ConnPath {
	t.Helper()
	for _, p := range paths {
		if p.InPort == in {
			return p
		}
	}
	t.Fatalf("no path from port %d in %+v", in, paths)
	return ConnPath{}
}

func TestConnPathsFirewall(t *testing.T) {
	fw := &offloadFirewall{}
	d, c := offloadTestDP(t, fw)
	orig, err := d.ConnPaths(c, false)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := d.ConnPaths(c, true)
	if err != nil {
		t.Fatal(err)
	}
	o := pathFrom(t, orig, 1)
	mac := func(b []byte) (m [6]byte) { copy(m[:], b); return }
	frame := ckTCP("10.0.0.1", "10.0.0.2", 40000, 8000, 0x10, 0, 0, nil)
	wantIn := PathHeaders{EthDst: mac(frame[0:6]), EthSrc: mac(frame[6:12]), Src: ip4("10.0.0.1"), Dst: ip4("10.0.0.2"),
		SrcPort: 40000, DstPort: 8000, Proto: 6}
	if o.OutPort != 2 || o.InIfindex != 101 || o.OutIfindex != 102 || o.In != wantIn || o.Out != wantIn || len(o.Flows) != 2 {
		t.Fatalf("original path from port 1:\n%+v\nwant out port 2 (102) from 101, headers %+v unchanged, 2 flows", o, wantIn)
	}
	r := pathFrom(t, reply, 2)
	if r.OutPort != 1 || r.In.Src != ip4("10.0.0.2") || r.In.SrcPort != 8000 || r.Out != r.In {
		t.Fatalf("reply path from port 2: %+v", r)
	}
	if o.Stale() || r.Stale() {
		t.Fatal("fresh paths are stale")
	}

	// Crediting reaches the megaflows.
	before := o.Flows[1].Stats().Packets
	o.Credit(10, 1000, o.Flows[1].Stats().Used)
	if got := o.Flows[1].Stats().Packets; got != before+10 {
		t.Fatalf("credited flow has %d packets, want %d", got, before+10)
	}

	// The tables now drop replies: revalidation makes the reply path
	// stale and the port-2 paths resolve no more.
	fw.mu.Lock()
	fw.dropReplies = true
	fw.mu.Unlock()
	d.RevalidateAll()
	if !r.Stale() {
		t.Fatal("reply path not stale after its flow changed")
	}
	if o.Stale() {
		t.Fatal("original path stale though its flows did not change")
	}
	reply, err = d.ConnPaths(c, true)
	if err == nil {
		for _, p := range reply {
			if p.InPort == 2 {
				t.Fatalf("dropped replies still resolve: %+v", p)
			}
		}
	} else if !errors.Is(err, ErrNotOffloadable) {
		t.Fatalf("err = %v", err)
	}
}

func TestConnPathsSNAT(t *testing.T) {
	fw := &offloadFirewall{natTo: netip.MustParseAddr("192.0.2.1")}
	d, c := offloadTestDP(t, fw)
	natPort := c.ReplyKey().Dst.Port
	orig, err := d.ConnPaths(c, false)
	if err != nil {
		t.Fatal(err)
	}
	o := pathFrom(t, orig, 1)
	if o.Out.Src != ip4("192.0.2.1") || o.Out.SrcPort != natPort || o.Out.Dst != o.In.Dst || o.Out.DstPort != 8000 {
		t.Fatalf("SNAT path: in %+v out %+v", o.In, o.Out)
	}
	reply, err := d.ConnPaths(c, true)
	if err != nil {
		t.Fatal(err)
	}
	r := pathFrom(t, reply, 2)
	if r.In.Dst != ip4("192.0.2.1") || r.In.DstPort != natPort || r.Out.Dst != ip4("10.0.0.1") || r.Out.DstPort != 40000 {
		t.Fatalf("un-NAT path: in %+v out %+v", r.In, r.Out)
	}
}

// Paths the fast path cannot do are refused with the reason.
func TestConnPathsRefused(t *testing.T) {
	fw := &offloadFirewall{}
	d, c := offloadTestDP(t, fw)
	// A megaflow that matches the TTL makes packets unpredictable.
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		u.Mask.Fields().SetNwTTL(0xff)
		u.Actions = []Action{Output(3 - u.Key.InPort())}
		return nil
	}))
	d.FlushFlows()
	inputFrames(d, 1, ckTCP("10.0.0.1", "10.0.0.2", 40000, 8000, 0x10, 101, 501, nil))
	if _, err := d.ConnPaths(c, false); !errors.Is(err, ErrNotOffloadable) {
		t.Fatalf("TTL match: err = %v", err)
	}
	// Two outputs.
	d.SetUpcallHandler(UpcallFunc(func(u *Upcall) error {
		u.Actions = []Action{Output(1), Output(2)}
		return nil
	}))
	d.FlushFlows()
	inputFrames(d, 1, ckTCP("10.0.0.1", "10.0.0.2", 40000, 8000, 0x10, 101, 501, nil))
	if _, err := d.ConnPaths(c, false); !errors.Is(err, ErrNotOffloadable) {
		t.Fatalf("two outputs: err = %v", err)
	}
	// No megaflow at all.
	d.FlushFlows()
	if _, err := d.ConnPaths(c, false); !errors.Is(err, ErrNotOffloadable) {
		t.Fatalf("no flows: err = %v", err)
	}
}

// A veth takes native XDP redirects only while its peer can receive XDP
// frames: with GRO on the peer, or an XDP program.
func TestXDPRedirectTarget(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	enterPrivateNetns(t)
	addVeth(t, "xrt0", "xrt1", "02:00:00:00:07:00", "02:00:00:00:07:01")
	for _, dev := range []string{"xrt0", "xrt1"} {
		if out, err := exec.Command("ip", "link", "set", dev, "up").CombinedOutput(); err != nil {
			t.Fatalf("ip link set %s up: %v: %s", dev, err, out)
		}
	}
	l, err := netlink.LinkByName("xrt0")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := xdpRedirectTarget(l.Attrs().Index); err != nil || ok {
		t.Fatalf("without GRO on the peer: %v, %v; want false", ok, err)
	}
	if out, err := exec.Command("ethtool", "-K", "xrt1", "gro", "on").CombinedOutput(); err != nil {
		t.Skipf("ethtool -K gro on: %v: %s", err, out)
	}
	if ok, err := xdpRedirectTarget(l.Attrs().Index); err != nil || !ok {
		t.Fatalf("with GRO on the peer: %v, %v; want true", ok, err)
	}
}

// watchCommitted registers an observer of d's tracker and returns what
// reads the last connection it saw committed (nil before any).
func watchCommitted(t *testing.T, d *Datapath) func() *conntrack.Conn {
	t.Helper()
	var mu sync.Mutex
	var conn *conntrack.Conn
	err := d.Conntrack().RegisterObserver(conntrack.Observer{Name: "test", Events: conntrack.EventsAll,
		Notify: func(ev conntrack.Event) {
			if ev.Kind == conntrack.EventCommitted {
				mu.Lock()
				conn = ev.Conn
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return func() *conntrack.Conn {
		mu.Lock()
		defer mu.Unlock()
		return conn
	}
}
