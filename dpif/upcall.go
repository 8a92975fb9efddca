package dpif

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/conntrack"
)

// PacketMeta is the metadata that travels beside each packet of a batch
// (OVS's pkt_metadata): where it came in, which recirculation it is on,
// the conntrack state the last ct() left, and the header offsets of the
// last key extraction, kept current by the actions that move headers.
type PacketMeta struct {
	InPort      uint32
	RecircID    uint32
	DpHash      uint32
	PktMark     uint32
	SkbPriority uint32

	// ct is handed to the tracker as is: its MD is the packet's ct_*
	// state, Data and offsets are pointed at the frame for each ct().
	ct      conntrack.Packet
	off     HeaderOffsets
	ethType uint16
	cutlen  uint32 // pending trunc() for the next output, 0 none
	tcpFlgs uint16
}

// Reset starts the metadata of a packet just received on inPort.
func (m *PacketMeta) Reset(inPort uint32) {
	*m = PacketMeta{InPort: inPort}
}

// CT is the packet's conntrack metadata (ct_state, zone, mark, label and
// original tuple).
func (m *PacketMeta) CT() *conntrack.Metadata { return &m.ct.MD }

// Offsets are the header offsets of the last key extraction.
func (m *PacketMeta) Offsets() HeaderOffsets { return m.off }

// ExtractKey fills key from the packet and its metadata (recirc_id, ct_*,
// pkt_mark, dp_hash, skb_priority), as a lookup after recirculation needs,
// and records the header offsets. It does not allocate.
func (m *PacketMeta) ExtractKey(p *Packet, key *FlowKey) {
	m.off = Extract(p.Data(), m.InPort, key)
	m.ethType = key.EthType()
	m.tcpFlgs = key.TCPFlags()
	key.SetRecircID(m.RecircID)
	key.SetDpHash(m.DpHash)
	key.SetPktMark(m.PktMark)
	key.SetSkbPriority(m.SkbPriority)
	md := &m.ct.MD
	if md.State == 0 {
		return
	}
	key.SetCtState(uint8(md.State))
	key.SetCtZone(md.Zone)
	key.SetCtMark(md.Mark)
	key.SetCtLabel(md.Label.Hi, md.Label.Lo)
	o := &md.Orig
	if o.Proto == 0 {
		return
	}
	key.SetCtNwProto(o.Proto)
	key.SetCtTpSrc(o.SrcPort)
	key.SetCtTpDst(o.DstPort)
	if o.IPv6 {
		key.SetCtIPv6Src(o.Src)
		key.SetCtIPv6Dst(o.Dst)
	} else {
		key.SetCtNwSrc(binary.BigEndian.Uint32(o.Src[:4]))
		key.SetCtNwDst(binary.BigEndian.Uint32(o.Dst[:4]))
	}
}

// UpcallType says why the datapath calls up.
type UpcallType uint8

// Upcall types.
const (
	// UpcallMiss: no megaflow matched; the handler translates the key.
	UpcallMiss UpcallType = iota
	// UpcallAction: a userspace() action sent the packet up (packet-in,
	// slow path); the handler's outputs are ignored.
	UpcallAction
	// UpcallRevalidate: the OpenFlow tables changed; the handler
	// re-translates an installed megaflow's key (Packet is nil) and may
	// credit Stats (the flow's traffic since the last revalidation) to the
	// rules it matched.
	UpcallRevalidate
)

// Upcall is one call from the datapath to the OpenFlow layer. On a miss
// the handler sets Actions and Mask (the fields translation consulted;
// in_port, recirc_id, eth_type and IP nw_frag are always matched) or NoInstall for flows that
// must stay in the slow path; the datapath installs the megaflow and runs
// the actions on the packet.
type Upcall struct {
	Type   UpcallType
	Key    *FlowKey
	Packet *Packet // nil for UpcallRevalidate
	Meta   *PacketMeta

	Userspace *UserspaceAction // UpcallAction: the action's cookie
	Stats     MegaflowStats    // UpcallRevalidate: traffic since last time

	// Outputs.
	Actions   []Action
	Mask      FlowMask
	NoInstall bool
}

// UpcallHandler translates upcalls; ofproto implements it. It is called
// from poll goroutines concurrently and must not block for long.
type UpcallHandler interface {
	HandleUpcall(u *Upcall) error
}

// DropHandler is the handler of a datapath nobody configured: every miss
// installs a drop flow matching only what every megaflow matches.
type DropHandler struct{}

// HandleUpcall drops.
func (DropHandler) HandleUpcall(u *Upcall) error {
	u.Actions = nil
	u.Mask = FlowMask{}
	return nil
}

// UpcallFunc adapts a function to UpcallHandler.
type UpcallFunc func(u *Upcall) error

// HandleUpcall calls f.
func (f UpcallFunc) HandleUpcall(u *Upcall) error { return f(u) }

// forceMask adds to a handler's mask what every megaflow matches, as OVS's
// translation always does: in_port, recirc_id, eth_type, and for IP the
// fragment type.
func forceMask(m *FlowMask, k *FlowKey) {
	f := m.Fields()
	f.SetInPort(0xffffffff)
	f.SetRecircID(0xffffffff)
	f.SetEthType(0xffff)
	if t := k.EthType(); t == ethTypeIPv4 || t == ethTypeIPv6 {
		f.SetNwFrag(0xff)
	}
}
