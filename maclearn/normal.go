package maclearn

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// EtherTypes and ARP opcodes the decision looks at.
const (
	EthTypeARP   uint16 = 0x0806
	ARPOpRequest uint16 = 1
	ARPOpReply   uint16 = 2
)

// Packet is what NORMAL needs to know about a packet.
type Packet struct {
	InPort   Port // PortNone for a packet-out with no input port
	Src, Dst MAC
	// VLANs are the received 802.1Q/802.1ad headers, outer first; a header
	// with TPID 0 (and every one after it) is absent. Only headers with the
	// CFI/DEI bit set count, as in OVS's flow extraction.
	VLANs [2]VLANTag
	// PartialVLAN marks a frame whose EtherType is a VLAN TPID but whose
	// tag is truncated or lacks the CFI bit: such frames are dropped.
	PartialVLAN bool

	EthType            uint16  // EtherType after the VLAN headers
	ARPOp              uint16  // ARP opcode, when EthType is ARP
	ARPSrcIP, ARPDstIP [4]byte // ARP sender and target protocol addresses

	// NoLearn leaves the learning table alone (ofproto/trace without side
	// effects).
	NoLearn bool
}

// IsGratuitousARP reports whether p announces its sender: a broadcast ARP
// reply, or a broadcast ARP request for the sender's own address.
func (p *Packet) IsGratuitousARP() bool {
	if p.EthType != EthTypeARP || !p.Dst.IsBroadcast() {
		return false
	}
	switch p.ARPOp {
	case ARPOpReply:
		return true
	case ARPOpRequest:
		return p.ARPSrcIP == p.ARPDstIP
	}
	return false
}

// Verdict is the outcome of the NORMAL action.
type Verdict uint8

// Verdicts.
const (
	Drop    Verdict = iota // no output at all
	Forward                // to the learned port
	Flood                  // to every port of the VLAN but the input
)

func (v Verdict) String() string {
	switch v {
	case Drop:
		return "drop"
	case Forward:
		return "forward"
	case Flood:
		return "flood"
	}
	return fmt.Sprintf("Verdict(%d)", v)
}

// VLANAction says how an output copy's VLAN headers differ from the
// received ones.
type VLANAction uint8

// VLAN actions, from cheapest to most general.
const (
	VLANKeep    VLANAction = iota // send the headers as received
	VLANStrip                     // pop the outer header
	VLANPush                      // push Output.VLANs[0] as new outer header
	VLANRewrite                   // replace all headers with Output.VLANs
)

func (a VLANAction) String() string {
	switch a {
	case VLANKeep:
		return "keep"
	case VLANStrip:
		return "strip"
	case VLANPush:
		return "push"
	case VLANRewrite:
		return "rewrite"
	}
	return fmt.Sprintf("VLANAction(%d)", a)
}

// Output is one copy of the packet to send.
type Output struct {
	Port   Port
	Action VLANAction
	// VLANs are the headers the copy leaves with, outer first; TPID 0
	// ends the list. Action is a shortcut derived from them.
	VLANs [2]VLANTag
}

// Decision is the NORMAL action's answer. Reuse one across packets: Normal
// truncates Outputs and appends, so the steady state does not allocate.
type Decision struct {
	Verdict Verdict
	Reason  string // OVS's ofproto/trace wording
	VLAN    uint16 // the VLAN the bridge switched the packet in
	Learned bool   // the source was newly learned or moved
	Outputs []Output
	// Consulted lists the packet fields, beyond in_port, the Ethernet
	// addresses and the outer VLAN, that the decision depended on: a
	// megaflow built from it must match them exactly.
	Consulted Consulted
}

// Consulted is a set of packet fields a decision looked at.
type Consulted uint8

// Fields NORMAL may consult besides the ones it always does.
const (
	ConsultedARPOp     Consulted = 1 << iota // ARP opcode
	ConsultedARPIPs                          // ARP sender and target IPs
	ConsultedInnerVLAN                       // the inner (customer) VLAN header
)

// Trace texts, worded as ofproto/trace words them.
const (
	ReasonNoInputPort    = "no input bundle, dropping"
	ReasonPartialVLAN    = "partial VLAN tag, dropping"
	ReasonInputMirror    = "input port is mirror output port, dropping"
	ReasonBadVLAN        = "disallowed VLAN VID for this input port, dropping"
	ReasonReservedMAC    = "packet has reserved destination MAC, dropping"
	ReasonLearnedMirror  = "learned port is a mirror port, dropping"
	ReasonLearnedPort    = "forwarding to learned port"
	ReasonLearnedUnknown = "learned port is unknown, dropping"
	ReasonLearnedIsInput = "learned port is input port, dropping"
	ReasonNoLearnedFlood = "no learned MAC for destination, flooding"
)

// switchConf is an immutable snapshot of the bridge's ports; the packet
// path reads it without locking.
type switchConf struct {
	ports       []portVLAN // flood order
	byPort      map[Port]*portVLAN
	forwardBPDU bool
}

// noneBundle stands for "no input port": any VLAN, nothing learned.
var noneBundle = portVLAN{port: PortNone, name: "OFPP_NONE", mode: ModeTrunk}

// Switch makes the NORMAL decision for one bridge.
type Switch struct {
	table *Table
	conf  atomic.Pointer[switchConf]
	mu    sync.Mutex // serializes configuration writers
}

// NewSwitch returns a switch with no ports learning into t.
func NewSwitch(t *Table) *Switch {
	s := &Switch{table: t}
	s.conf.Store(&switchConf{byPort: map[Port]*portVLAN{}})
	return s
}

// Table is the switch's learning table.
func (s *Switch) Table() *Table { return s.table }

// SetPorts replaces the port configuration; floods go out in this order.
// MACs learned on ports that disappear or change VLAN settings are
// flushed. On error nothing changes.
func (s *Switch) SetPorts(settings []PortSettings) error {
	next := &switchConf{
		ports:  make([]portVLAN, 0, len(settings)),
		byPort: make(map[Port]*portVLAN, len(settings)),
	}
	for i := range settings {
		pv, err := settings[i].resolve()
		if err != nil {
			return fmt.Errorf("set ports: %w", err)
		}
		for j := range next.ports {
			if next.ports[j].port == pv.port {
				return fmt.Errorf("set ports: port %q: number %d already used by %q",
					pv.name, pv.port, next.ports[j].name)
			}
		}
		next.ports = append(next.ports, pv)
	}
	for i := range next.ports {
		next.byPort[next.ports[i].port] = &next.ports[i]
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.conf.Load()
	next.forwardBPDU = prev.forwardBPDU
	s.conf.Store(next)
	for i := range prev.ports {
		old := &prev.ports[i]
		if cur, ok := next.byPort[old.port]; !ok || !cur.equalVLAN(old) {
			s.table.FlushPort(old.port)
		}
	}
	return nil
}

// SetForwardBPDU sets Bridge other_config:forward-bpdu: when true, frames
// to reserved multicast addresses are switched like any other.
func (s *Switch) SetForwardBPDU(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := *s.conf.Load()
	next.forwardBPDU = on
	s.conf.Store(&next)
}

// Normal decides what NORMAL does with p, learning its source unless
// p.NoLearn. The result goes into d, reusing d.Outputs' storage.
func (s *Switch) Normal(p *Packet, d *Decision) {
	*d = Decision{Outputs: d.Outputs[:0]}
	conf := s.conf.Load()

	in := &noneBundle
	if p.InPort != PortNone {
		in = conf.byPort[p.InPort]
		if in == nil {
			d.Reason = ReasonNoInputPort
			return
		}
	}
	if p.PartialVLAN {
		d.Reason = ReasonPartialVLAN
		return
	}
	if in.mirrorOut {
		d.Reason = ReasonInputMirror
		return
	}

	inVLANs := receivedVLANs(p)
	if in != &noneBundle && !in.inputVIDValid(inVLANs[0].VID) {
		d.Reason = ReasonBadVLAN
		return
	}
	vlans := in.inputTranslate(&inVLANs)
	d.VLAN = vlans[0].VID

	if in != &noneBundle && !conf.forwardBPDU && p.Dst.IsReserved() {
		d.Reason = ReasonReservedMAC
		return
	}

	// The gratuitous ARP test reads the ARP fields whether or not anything
	// is learned, so a megaflow has to match them.
	grat := p.IsGratuitousARP()
	if p.EthType == EthTypeARP && p.Dst.IsBroadcast() {
		d.Consulted |= ConsultedARPOp
		if p.ARPOp == ARPOpRequest {
			d.Consulted |= ConsultedARPIPs
		}
	}
	if in != &noneBundle && !p.NoLearn {
		var flags LearnFlags
		if grat {
			flags |= LearnGratuitousARP
		}
		d.Learned = s.table.Learn(p.Src, d.VLAN, in.port, flags)
	}

	port, ok := s.table.Lookup(p.Dst, d.VLAN)
	if !ok {
		d.Verdict, d.Reason = Flood, ReasonNoLearnedFlood
		for i := range conf.ports {
			out := &conf.ports[i]
			if out.mode == ModeDot1QTunnel && out.cvlans != nil && vlans[0].VID == out.vlan {
				// The inner VLAN decides membership; OVS leaves it
				// wildcarded here, which can make a megaflow too wide.
				d.Consulted |= ConsultedInnerVLAN
			}
			if out != in && out.port != in.port && out.floodable && !out.mirrorOut &&
				out.includesVLAN(&vlans) {
				d.output(in, out, &inVLANs, &vlans)
			}
		}
		return
	}
	out := conf.byPort[port]
	switch {
	case out != nil && out.mirrorOut:
		d.Reason = ReasonLearnedMirror
	case out == nil:
		d.Reason = ReasonLearnedUnknown
	case out.port == in.port:
		d.Reason = ReasonLearnedIsInput
	default:
		d.Verdict, d.Reason = Forward, ReasonLearnedPort
		d.output(in, out, &inVLANs, &vlans)
	}
}

// receivedVLANs is the packet's header stack with absent headers zeroed.
func receivedVLANs(p *Packet) vlanStack {
	var v vlanStack
	for i := range p.VLANs {
		if p.VLANs[i].TPID == 0 {
			break
		}
		v[i] = p.VLANs[i]
	}
	return v
}

// output appends a copy for port out, unless both ends are protected.
func (d *Decision) output(in, out *portVLAN, received, vlans *vlanStack) {
	if out.mode == ModeDot1QTunnel && out.cvlans != nil {
		d.Consulted |= ConsultedInnerVLAN
	}
	if in.protected && out.protected {
		return
	}
	o := Output{Port: out.port}
	tr := out.outputTranslate(vlans)
	if out.prioTags != prioNever {
		tr[0].PCP = received[0].PCP
	}
	n := 0
	for i := range tr {
		// A header with neither VID nor priority is not sent, unless the
		// port always sends priority tags.
		if tr[i].VID == 0 && tr[i].PCP == 0 && (out.prioTags != prioAlways || tr[i].TPID == 0) {
			break
		}
		o.VLANs[n] = VLANTag{TPID: orTPID(tr[i].TPID), VID: tr[i].VID, PCP: tr[i].PCP}
		n++
	}
	o.Action = vlanAction(received, &o.VLANs)
	d.Outputs = append(d.Outputs, o)
}

func vlanAction(in *vlanStack, out *[2]VLANTag) VLANAction {
	switch {
	case *in == vlanStack(*out):
		return VLANKeep
	case in[0].TPID != 0 && out[0] == in[1] && out[1] == VLANTag{}:
		return VLANStrip
	case out[0].TPID != 0 && out[1] == in[0] && in[1] == VLANTag{}:
		return VLANPush
	}
	return VLANRewrite
}
