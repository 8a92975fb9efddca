package dpif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif/bpf"
)

// This file is the datapath's side of the XDP conntrack offload: the BPF
// maps the afxdp ports' programs share, and the answer to "what would the
// datapath do with this connection's packets arriving on port X", computed
// from the installed megaflows (offload/xdp turns it into map entries).

// xdpOffload holds the process's offload maps once EnableXDPOffload ran.
// Every afxdp port opened afterwards loads its program with the fast path
// on and registers its device as a redirect target. One set of maps serves
// every datapath of the process: entries are keyed by ifindex, which is
// unique in the daemon's network namespace.
var xdpOffload struct {
	mu   sync.Mutex
	maps *bpf.OffloadMaps
}

// EnableXDPOffload creates the shared offload maps (once) and returns them.
// Ports opened before the call run without the fast path: call it before
// the first afxdp port opens (the bridge does, at its first configuration).
func EnableXDPOffload() (*bpf.OffloadMaps, error) {
	xdpOffload.mu.Lock()
	defer xdpOffload.mu.Unlock()
	if xdpOffload.maps == nil {
		m, err := bpf.NewOffloadMaps()
		if err != nil {
			return nil, fmt.Errorf("enable xdp conntrack offload: %w", err)
		}
		xdpOffload.maps = m
	}
	return xdpOffload.maps, nil
}

// XDPOffloadMaps returns the shared offload maps, nil before EnableXDPOffload.
func XDPOffloadMaps() *bpf.OffloadMaps {
	xdpOffload.mu.Lock()
	defer xdpOffload.mu.Unlock()
	return xdpOffload.maps
}

// loadXSKProgram loads an afxdp port's program, with the offload fast path
// when offload is enabled.
func loadXSKProgram(nQueues int) (*bpf.XSKProgram, error) {
	return bpf.LoadXSKOffload(nQueues, XDPOffloadMaps())
}

// offloadPortUp makes an open afxdp port a redirect target of the fast path.
func offloadPortUp(name string, ifindex int) {
	if m := XDPOffloadMaps(); m != nil {
		if err := m.AddTxPort(ifindex); err != nil {
			afxdpLog.Warn("%s: %v; offloaded connections will not be forwarded to it in the kernel", name, err)
		}
	}
}

// offloadPortDown stops redirects to a closing afxdp port: offloaded
// flows towards it fall back to userspace until the provider removes them.
func offloadPortDown(name string, ifindex int) {
	if m := XDPOffloadMaps(); m != nil {
		if err := m.DeleteTxPort(ifindex); err != nil {
			afxdpLog.Warn("%s: %v", name, err)
		}
	}
}

// ErrNotOffloadable says a connection's packets need something the XDP
// fast path cannot do (the error text says what); it stays in software.
var ErrNotOffloadable = errors.New("not offloadable")

func offloadRefusal(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotOffloadable, fmt.Sprintf(format, args...))
}

// PathHeaders are the headers of one direction's packets that the fast path
// keys on or rewrites.
type PathHeaders struct {
	EthSrc, EthDst [6]byte
	// VLANTPID and VLANTCI are the outer tag; VLANTCI has VLANCFI set when
	// a tag is present and is 0 otherwise.
	VLANTPID, VLANTCI uint16
	// Src and Dst are the IP addresses (IPv4 in the first 4 bytes).
	Src, Dst     [16]byte
	SrcPort      uint16
	DstPort      uint16
	Proto        uint8
	IPv6         bool
	EthSrcMatter bool // a megaflow on the path matched the source MAC
	EthDstMatter bool // ... the destination MAC
}

// ConnPath is what the datapath does with one direction's packets arriving
// on one afxdp port: they leave through another afxdp port with the
// headers Out, having arrived with In. Flows are the megaflows the packets
// hit on the way (recirculations included), to be credited with the
// traffic the fast path forwards on their behalf.
type ConnPath struct {
	InPort, OutPort       uint32 // odp port numbers
	InIfindex, OutIfindex int
	In, Out               PathHeaders
	Flows                 []*Megaflow

	seen []*megaflowActions // Flows' actions when the path was computed
}

// Snapshot records the actions the path's megaflows have now, for Stale.
// ConnPaths does it; tests building paths by hand call it.
func (p *ConnPath) Snapshot() {
	p.seen = make([]*megaflowActions, 0, len(p.Flows))
	for _, f := range p.Flows {
		p.seen = append(p.seen, f.actions.Load())
	}
}

// Stale reports whether a megaflow of the path was deleted or given new
// actions since the path was computed: revalidation found that the
// OpenFlow tables (or the ports) now treat these packets differently, or
// the flow went idle. A stale path must not be used any more.
func (p *ConnPath) Stale() bool {
	if len(p.seen) != len(p.Flows) {
		return true
	}
	for i, f := range p.Flows {
		if f.Dead() || f.actions.Load() != p.seen[i] {
			return true
		}
	}
	return false
}

// Credit accounts traffic forwarded outside the datapath to every megaflow
// of the path, as if it had hit them at used: dpctl/dump-flows, OpenFlow
// statistics (through revalidation) and idle expiry see it.
func (p *ConnPath) Credit(packets, bytes uint64, used time.Time) {
	if packets == 0 {
		return
	}
	for _, f := range p.Flows {
		f.Account(packets, bytes, 0, used)
	}
}

// maxOffloadRecirc bounds the recirculations a path may take.
const maxOffloadRecirc = 8

// offloadableMask is every key field the fast path either keys on, checks,
// or knows the value of for every packet it forwards; a megaflow that
// matches any other field (TTL, TOS, TCP flags, ...) makes its packets
// unpredictable for the fast path.
var offloadableMask = func() FlowMask {
	var m FlowMask
	f := m.Fields()
	f.SetInPort(0xffffffff)
	f.SetRecircID(0xffffffff)
	f.SetDpHash(0xffffffff)      // 0 for fresh packets, set only by hash()
	f.SetSkbPriority(0xffffffff) // 0 on receive
	f.SetPktMark(0xffffffff)     // 0 on receive
	f.SetCtState(0xff)
	f.SetCtNwProto(0xff)
	f.SetCtZone(0xffff)
	f.SetCtMark(0xffffffff)
	f.SetCtTpSrc(0xffff)
	f.SetCtTpDst(0xffff)
	f.SetCtLabel(^uint64(0), ^uint64(0))
	f.SetCtNwSrc(0xffffffff)
	f.SetCtNwDst(0xffffffff)
	all16 := [16]byte{}
	for i := range all16 {
		all16[i] = 0xff
	}
	f.SetCtIPv6Src(all16)
	f.SetCtIPv6Dst(all16)
	f.SetEthSrc([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.SetEthDst([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.SetEthType(0xffff)
	f.SetVLAN(0, 0xffff, 0xffff)
	f.SetVLAN(1, 0xffff, 0xffff) // the fast path never forwards double tags
	f.SetNwSrc(0xffffffff)
	f.SetNwDst(0xffffffff)
	f.SetIPv6Src(all16)
	f.SetIPv6Dst(all16)
	f.SetNwProto(0xff)
	f.SetNwFrag(0xff) // the fast path forwards only unfragmented packets
	f.SetTpSrc(0xffff)
	f.SetTpDst(0xffff)
	return m
}()

// ConnPaths computes, for one direction of c (reply selects the reply
// direction), what the datapath does with its packets on each afxdp port
// they have been seen on, from the installed megaflows. The connection's
// L2 headers are not in the tracker: they come from the packet that created
// a recirc_id(0) megaflow covering the direction on that port (one carrying
// the connection's own tuple if there is one). Ports whose packets would
// not simply be forwarded to one afxdp port are left out; with none left
// the error says why (ErrNotOffloadable). The port whose template carries
// the connection's own tuple is never left out: if it does not resolve,
// neither does the direction.
func (d *Datapath) ConnPaths(c *conntrack.Conn, reply bool) ([]ConnPath, error) {
	tuple := c.Key()
	if reply {
		tuple = c.ReplyKey()
	}
	if tuple.Proto != conntrack.ProtoTCP && tuple.Proto != conntrack.ProtoUDP {
		return nil, offloadRefusal("protocol %d", tuple.Proto)
	}
	ports := map[uint32]offloadPort{} // afxdp ports only
	for _, p := range d.Ports() {
		if op, ok := offloadPortOf(p.Port); ok {
			ports[p.Number] = op
		}
	}
	// One template per ingress port, preferring the connection's own.
	type tmpl struct {
		key   FlowKey
		exact bool
	}
	templates := map[uint32]tmpl{}
	var order []uint32
	for _, df := range d.FlowDump() {
		k := df.Key
		if _, ok := ports[k.InPort()]; !ok || k.RecircID() != 0 || k.VLANTCI() != 0 && !offloadVlanSingle(&k) {
			continue
		}
		cand := k
		offloadSetTuple(&cand, &tuple)
		if cand.EthType() != k.EthType() || !cand.Matches(&df.Flow.Key, &df.Flow.Mask) {
			continue
		}
		exact := cand == k
		t, seen := templates[k.InPort()]
		if !seen {
			order = append(order, k.InPort())
		}
		if !seen || exact && !t.exact {
			templates[k.InPort()] = tmpl{cand, exact}
		}
	}
	if len(templates) == 0 {
		return nil, offloadRefusal("no datapath flow covers the %s direction on an afxdp port", offloadDirName(reply))
	}
	var paths []ConnPath
	var why error
	for _, in := range order {
		t := templates[in]
		p, err := d.offloadWalkPath(c, reply, t.key, ports)
		if err != nil {
			why = fmt.Errorf("%s direction from port %d: %w", offloadDirName(reply), in, err)
			if t.exact {
				// A packet of this very direction made the template:
				// this port is where its packets arrive, so the paths
				// of other ports alone would leave them in software
				// (typically the direction's post-ct megaflow is not
				// installed yet; the provider retries).
				return nil, why
			}
			continue
		}
		p.InIfindex = ports[in].ifindex
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return nil, why
	}
	return paths, nil
}

// HasOffloadPorts reports whether any port of the datapath is served by
// the XDP fast path (an afxdp port): without one no connection can be
// offloaded.
func (d *Datapath) HasOffloadPorts() bool {
	for _, p := range d.Ports() {
		if _, ok := offloadPortOf(p.Port); ok {
			return true
		}
	}
	return false
}

// offloadPort is a port the fast path serves: its device, whether its
// program runs natively (redirects then need an egress device that takes
// XDP frames), and that capability, asked once per resolution.
type offloadPort struct {
	ifindex int
	native  bool
	target  func() bool
}

func (o offloadPort) redirectTarget() bool { return o.target == nil || o.target() }

// offloadPortOf says whether the fast path serves port p (afxdp ports,
// whose programs read the offload maps); a variable so tests can offload
// dummy ports.
var offloadPortOf = func(p Port) (offloadPort, bool) {
	ap, ok := p.(*AFXDPPort)
	if !ok {
		return offloadPort{}, false
	}
	ifindex := ap.dev.ifindex
	var once sync.Once
	var can bool
	return offloadPort{ifindex: ifindex, native: xdpModes[ap.modeInUse].attach == bpf.Native, target: func() bool {
		once.Do(func() {
			var err error
			if can, err = xdpRedirectTarget(ifindex); err != nil {
				afxdpLog.Dbg("%s: %v", ap.name, err)
			}
		})
		return can
	}}, true
}

func offloadDirName(reply bool) string {
	if reply {
		return "reply"
	}
	return "original"
}

// offloadVlanSingle reports whether the key has one VLAN tag, not two.
func offloadVlanSingle(k *FlowKey) bool {
	_, inner := k.VLAN(1)
	return inner&VLANCFI == 0
}

// offloadSetTuple writes a conntrack key's addresses and ports into a flow key.
func offloadSetTuple(k *FlowKey, t *conntrack.Key) {
	if t.IPv6 {
		k.SetEthType(ethTypeIPv6)
		k.SetIPv6Src(t.Src.Addr)
		k.SetIPv6Dst(t.Dst.Addr)
	} else {
		k.SetEthType(ethTypeIPv4)
		k.SetNwSrc(binary.BigEndian.Uint32(t.Src.Addr[:4]))
		k.SetNwDst(binary.BigEndian.Uint32(t.Dst.Addr[:4]))
	}
	k.SetNwProto(t.Proto)
	k.SetTpSrc(t.Src.Port)
	k.SetTpDst(t.Dst.Port)
}

// offloadHeadersOf reads PathHeaders from a flow key.
func offloadHeadersOf(k *FlowKey) PathHeaders {
	h := PathHeaders{EthSrc: k.EthSrc(), EthDst: k.EthDst(), SrcPort: k.TpSrc(), DstPort: k.TpDst(),
		Proto: k.NwProto(), IPv6: k.EthType() == ethTypeIPv6}
	h.VLANTPID, h.VLANTCI = k.VLAN(0)
	if h.VLANTCI&VLANCFI == 0 {
		h.VLANTPID, h.VLANTCI = 0, 0
	}
	if h.IPv6 {
		h.Src, h.Dst = k.IPv6Src(), k.IPv6Dst()
	} else {
		binary.BigEndian.PutUint32(h.Src[:4], k.NwSrc())
		binary.BigEndian.PutUint32(h.Dst[:4], k.NwDst())
	}
	return h
}

// offloadWalkPath follows key through the megaflows and their actions as the
// datapath would, with ct() answering as c does for an established packet.
func (d *Datapath) offloadWalkPath(c *conntrack.Conn, reply bool, key FlowKey, ports map[uint32]offloadPort) (ConnPath, error) {
	p := ConnPath{InPort: key.InPort(), In: offloadHeadersOf(&key)}
	var used FlowMask
	output := false
	for range maxOffloadRecirc + 1 {
		f := d.cls.Lookup(&key)
		if f == nil {
			return p, offloadRefusal("no datapath flow for recirc_id(%#x)", key.RecircID())
		}
		box := f.actions.Load()
		p.Flows = append(p.Flows, f)
		p.seen = append(p.seen, box)
		for i := range used {
			used[i] |= f.Mask[i]
			if f.Mask[i]&^offloadableMask[i] != 0 {
				return p, offloadRefusal("a datapath flow matches fields the XDP fast path does not see")
			}
		}
		var acts []Action
		if box != nil {
			acts, _ = box.a.([]Action)
		}
		recirc := false
		for i := range acts {
			a := &acts[i]
			switch a.Type {
			case ActOutput:
				if output {
					return p, offloadRefusal("more than one output")
				}
				out, ok := ports[a.Port]
				if !ok {
					return p, offloadRefusal("output to port %d, which is not an afxdp port", a.Port)
				}
				if ports[p.InPort].native && !out.redirectTarget() {
					return p, offloadRefusal("port %d cannot take native XDP redirects (a veth needs GRO or an XDP program on its peer)", a.Port)
				}
				output = true
				p.OutPort, p.OutIfindex = a.Port, out.ifindex
				p.Out = offloadHeadersOf(&key)
			case ActSet:
				if err := offloadApplySet(&key, a.Set); err != nil {
					return p, err
				}
			case ActPushVLAN:
				if _, tci := key.VLAN(0); tci&VLANCFI != 0 {
					return p, offloadRefusal("push_vlan on a tagged packet")
				}
				key.SetVLAN(0, a.TPID, a.TCI|VLANCFI)
			case ActPopVLAN:
				key.SetVLAN(0, 0, 0)
			case ActCT:
				if err := offloadApplyCT(&key, c, reply, a.CT); err != nil {
					return p, err
				}
			case ActCTClear:
				offloadClearCT(&key)
			case ActRecirc:
				if i != len(acts)-1 {
					return p, offloadRefusal("actions after recirc")
				}
				key.SetRecircID(a.Arg)
				recirc = true
			default:
				return p, offloadRefusal("datapath action %s", ActionsText(acts[i:i+1], nil))
			}
		}
		if !recirc {
			if !output {
				return p, offloadRefusal("the packets are dropped")
			}
			m := used.Fields()
			p.In.EthSrcMatter = m.EthSrc() != [6]byte{}
			p.In.EthDstMatter = m.EthDst() != [6]byte{}
			return p, nil
		}
	}
	return p, offloadRefusal("more than %d recirculations", maxOffloadRecirc)
}

// offloadSettable says which key fields each set action may rewrite for the fast
// path: MAC addresses, IPv4 addresses, L4 ports and the VLAN TCI.
var offloadSettable = func() map[SetHeader]FlowMask {
	var eth, ip4, l4, vlan FlowMask
	eth.Fields().SetEthSrc([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	eth.Fields().SetEthDst([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	ip4.Fields().SetNwSrc(0xffffffff)
	ip4.Fields().SetNwDst(0xffffffff)
	l4.Fields().SetTpSrc(0xffff)
	l4.Fields().SetTpDst(0xffff)
	vlan.Fields().SetVLAN(0, 0, 0xffff&^VLANCFI)
	return map[SetHeader]FlowMask{SetEth: eth, SetIPv4: ip4, SetTCP: l4, SetUDP: l4, SetVLAN: vlan}
}()

// offloadApplySet applies a masked set to key if the fast path can do the same.
func offloadApplySet(key *FlowKey, s *SetAction) error {
	allowed, ok := offloadSettable[s.Header]
	if !ok {
		return offloadRefusal("set of header %d", s.Header)
	}
	for i := range s.Mask {
		if s.Mask[i]&^allowed[i] != 0 {
			return offloadRefusal("set of a field the XDP fast path does not rewrite")
		}
	}
	if s.Header == SetVLAN {
		if _, tci := key.VLAN(0); tci&VLANCFI == 0 {
			return offloadRefusal("set_field of a VLAN on an untagged packet")
		}
	}
	if s.Header == SetIPv4 && key.EthType() != ethTypeIPv4 {
		return offloadRefusal("IPv4 set on a non-IPv4 packet")
	}
	for i := range key {
		key[i] = key[i]&^s.Mask[i] | s.Value[i]&s.Mask[i]
	}
	return nil
}

// offloadApplyCT gives key what ct() gives a packet of c's direction: the
// connection's state, zone, mark, label and original tuple, and its NAT if
// the action asks for it. The action must not change the connection.
func offloadApplyCT(key *FlowKey, c *conntrack.Conn, reply bool, a *CTAction) error {
	orig := c.Key()
	if a.Zone != orig.Zone {
		return offloadRefusal("ct() in zone %d, the connection is in zone %d", a.Zone, orig.Zone)
	}
	if a.SetMark || a.SetLabel || a.Force || a.Helper != "" {
		return offloadRefusal("ct() that changes the connection")
	}
	state := conntrack.StateTracked | conntrack.StateEstablished
	if reply {
		state |= conntrack.StateReply
	}
	prev := conntrack.State(key.CtState())
	if prev != 0 && key.CtZone() == a.Zone {
		state |= prev & (conntrack.StateSrcNAT | conntrack.StateDstNAT)
	}
	if a.NAT != nil && offloadNatted(c) && state&(conntrack.StateSrcNAT|conntrack.StateDstNAT) == 0 {
		if orig.IPv6 {
			return offloadRefusal("IPv6 NAT")
		}
		// The packet takes the tuple of the other direction, reversed.
		target := c.ReplyKey().Reverse()
		if reply {
			target = orig.Reverse()
		}
		snat := !offloadNatDstOnly(c)
		if rewriteSrc := snat != reply; rewriteSrc {
			state |= conntrack.StateSrcNAT
		} else {
			state |= conntrack.StateDstNAT
		}
		offloadSetTuple(key, &target)
	}
	key.SetCtState(uint8(state))
	key.SetCtZone(a.Zone)
	key.SetCtMark(c.Mark())
	l := c.Label()
	key.SetCtLabel(l.Hi, l.Lo)
	key.SetCtNwProto(orig.Proto)
	key.SetCtTpSrc(orig.Src.Port)
	key.SetCtTpDst(orig.Dst.Port)
	if orig.IPv6 {
		key.SetCtIPv6Src(orig.Src.Addr)
		key.SetCtIPv6Dst(orig.Dst.Addr)
	} else {
		key.SetCtNwSrc(binary.BigEndian.Uint32(orig.Src.Addr[:4]))
		key.SetCtNwDst(binary.BigEndian.Uint32(orig.Dst.Addr[:4]))
	}
	return nil
}

// offloadNatted reports whether c translates addresses or ports.
func offloadNatted(c *conntrack.Conn) bool {
	o, r := c.Key(), c.ReplyKey().Reverse()
	o.Zone, r.Zone = 0, 0
	return o != r
}

// offloadNatDstOnly reports whether c's translation is destination NAT: the reply
// comes from another address or port than the original destination.
func offloadNatDstOnly(c *conntrack.Conn) bool {
	o, r := c.Key(), c.ReplyKey()
	return o.Dst.Addr != r.Src.Addr || o.Dst.Port != r.Src.Port
}

// offloadClearCT is ct_clear on a key.
func offloadClearCT(key *FlowKey) {
	key.SetCtState(0)
	key.SetCtZone(0)
	key.SetCtMark(0)
	key.SetCtLabel(0, 0)
	key.SetCtNwProto(0)
	key.SetCtTpSrc(0)
	key.SetCtTpDst(0)
	key.SetCtNwSrc(0)
	key.SetCtNwDst(0)
	key.SetCtIPv6Src([16]byte{})
	key.SetCtIPv6Dst([16]byte{})
}
