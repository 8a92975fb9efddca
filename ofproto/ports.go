package ofproto

import (
	"encoding/binary"
	"net"
	"slices"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Port configuration and state bits (OpenFlow 1.1+ numbering; the ones
// used here have the same value in 1.0).
const (
	PortConfigDown       = 1 << 0
	PortConfigNoRecv     = 1 << 2
	PortConfigNoFwd      = 1 << 5
	PortConfigNoPacketIn = 1 << 6

	PortStateLinkDown = 1 << 0
	PortStateBlocked  = 1 << 1
	PortStateLive     = 1 << 2
)

// Port features (OpenFlow 1.1+ ofp_port_features bits).
const (
	Feature10MBHD    = 1 << 0
	Feature10MBFD    = 1 << 1
	Feature100MBHD   = 1 << 2
	Feature100MBFD   = 1 << 3
	Feature1GBHD     = 1 << 4
	Feature1GBFD     = 1 << 5
	Feature10GBFD    = 1 << 6
	Feature40GBFD    = 1 << 7
	Feature100GBFD   = 1 << 8
	Feature1TBFD     = 1 << 9
	FeatureOther     = 1 << 10
	FeatureCopper    = 1 << 11
	FeatureFiber     = 1 << 12
	FeatureAutoneg   = 1 << 13
	FeaturePause     = 1 << 14
	FeaturePauseAsym = 1 << 15
)

// Port is one OpenFlow port of the bridge as the bridge layer describes it.
type Port struct {
	PortNo uint16 // OpenFlow port number (mf.PortLocal for the bridge port)
	Name   string
	HWAddr net.HardwareAddr
	Config uint32 // PortConfig* bits
	// LinkDown is the carrier state; a port that is up is reported LIVE
	// in OpenFlow 1.1+.
	LinkDown bool
	// Curr, Advertised, Supported and Peer are Feature* bits.
	Curr, Advertised, Supported, Peer uint32
	// CurrSpeed and MaxSpeed are in kbps.
	CurrSpeed, MaxSpeed uint32
	// Stats reads the port's counters; nil reports zeros.
	Stats func() dpif.PortStats

	added time.Time // when the bridge first saw the port (stats duration)
}

// Port status reasons.
const (
	portAdded    = 0
	portDeleted  = 1
	portModified = 2
)

// SetPort adds or updates a port and tells the connections that want
// port-status messages. The config bits other than PortConfigDown belong
// to OpenFlow (port_mod) and are kept from the previous description.
func (b *Bridge) SetPort(p Port) {
	p.HWAddr = slices.Clone(p.HWAddr)
	b.mu.Lock()
	old := b.ports[p.PortNo]
	p.added = time.Now()
	if old != nil {
		p.Config = p.Config&PortConfigDown | old.Config&^PortConfigDown
		p.added = old.added
	}
	b.ports[p.PortNo] = &p
	b.mu.Unlock()
	reason := uint(portAdded)
	if old != nil {
		if portEqual(old, &p) {
			return
		}
		reason = portModified
	}
	b.notifyPort(&p, reason)
}

// RemovePort deletes a port by number.
func (b *Bridge) RemovePort(portNo uint16) {
	b.mu.Lock()
	old := b.ports[portNo]
	delete(b.ports, portNo)
	b.mu.Unlock()
	if old != nil {
		b.notifyPort(old, portDeleted)
	}
}

// Ports returns the ports ordered by number.
func (b *Bridge) Ports() []Port {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Port, 0, len(b.ports))
	for _, p := range b.ports {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y Port) int { return int(x.PortNo) - int(y.PortNo) })
	return out
}

func portEqual(a, b *Port) bool {
	return a.PortNo == b.PortNo && a.Name == b.Name && string(a.HWAddr) == string(b.HWAddr) &&
		a.Config == b.Config && a.LinkDown == b.LinkDown && a.Curr == b.Curr &&
		a.Advertised == b.Advertised && a.Supported == b.Supported && a.Peer == b.Peer &&
		a.CurrSpeed == b.CurrSpeed && a.MaxSpeed == b.MaxSpeed
}

func (b *Bridge) notifyPort(p *Port, reason uint) {
	b.eachConn(func(c *conn) { c.sendPortStatus(p, reason) })
}

// sendPortStatus tells c about a port change if it wants to know.
func (c *conn) sendPortStatus(p *Port, reason uint) {
	if !c.wantsAsync(asyncPortStatus, reason) {
		return
	}
	v := c.negotiatedVersion()
	raw, ok := ofp.RawFor(v, ofp.RawOFPT10PortStatus, ofp.RawOFPT11PortStatus, ofp.RawOFPT14PortStatus)
	if !ok {
		return
	}
	msg, err := ofp.AppendRawHeader(nil, raw, v, 0, 0)
	if err != nil {
		return
	}
	msg = append(msg, uint8(reason), 0, 0, 0, 0, 0, 0, 0)
	msg = p.appendWire(msg, v)
	c.trySend(ofp.FinishMessage(msg, 0))
}

func (p *Port) state(v uint8) uint32 {
	if p.LinkDown {
		return PortStateLinkDown
	}
	if v >= ofp.Version11 {
		return PortStateLive
	}
	return 0
}

// features10 converts OpenFlow 1.1 feature bits to 1.0's.
func features10(f uint32) uint32 {
	return f&0x7f | (f>>11&0x1f)<<7
}

func (p *Port) phyPort10() ofp.PhyPort10 {
	pp := ofp.PhyPort10{
		PortNo: p.PortNo, Name: p.Name, Config: p.Config, State: p.state(ofp.Version10),
		Curr: features10(p.Curr), Advertised: features10(p.Advertised),
		Supported: features10(p.Supported), Peer: features10(p.Peer),
	}
	copy(pp.HWAddr[:], p.HWAddr)
	return pp
}

// appendWire appends the port description in version v's layout.
func (p *Port) appendWire(b []byte, v uint8) []byte {
	be16 := binary.BigEndian.AppendUint16
	be32 := binary.BigEndian.AppendUint32
	var mac [6]byte
	copy(mac[:], p.HWAddr)
	var name [16]byte
	copy(name[:15], p.Name)
	switch {
	case v == ofp.Version10:
		pp := p.phyPort10()
		b = be16(b, pp.PortNo)
		b = append(b, pp.HWAddr[:]...)
		b = append(b, name[:]...)
		for _, x := range []uint32{pp.Config, pp.State, pp.Curr, pp.Advertised, pp.Supported, pp.Peer} {
			b = be32(b, x)
		}
	case v < ofp.Version14:
		b = be32(b, mf.Port32(p.PortNo))
		b = append(b, 0, 0, 0, 0)
		b = append(b, mac[:]...)
		b = append(b, 0, 0)
		b = append(b, name[:]...)
		for _, x := range []uint32{p.Config &^ PortConfigNoFlood, p.state(v), p.Curr, p.Advertised, p.Supported, p.Peer, p.CurrSpeed, p.MaxSpeed} {
			b = be32(b, x)
		}
	default:
		b = be32(b, mf.Port32(p.PortNo))
		b = be16(b, 72)
		b = append(b, 0, 0)
		b = append(b, mac[:]...)
		b = append(b, 0, 0)
		b = append(b, name[:]...)
		b = be32(b, p.Config&^PortConfigNoFlood)
		b = be32(b, p.state(v))
		// Ethernet property.
		b = be16(b, 0)
		b = be16(b, 32)
		b = append(b, 0, 0, 0, 0)
		for _, x := range []uint32{p.Curr, p.Advertised, p.Supported, p.Peer, p.CurrSpeed, p.MaxSpeed} {
			b = be32(b, x)
		}
	}
	return b
}
