package dpif

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Header pushes for encap(): push_nsh puts an NSH header in front of the
// packet (which is then no Ethernet frame until push_eth gives it one),
// push_eth puts an Ethernet header in front. Translation only lets a
// packet reach an output once it is Ethernet again.

// Action types of this file (numbered apart from the OVS_ACTION_ATTR_*
// order of odpactions.go).
const (
	ActPushNSH ActionType = 200 + iota // push_nsh(...): Encap.Header is the NSH header
	ActPushEth                         // push_eth(src,dst): Encap.Src, Dst; EthType is the payload's
)

// EncapAction is what push_nsh or push_eth adds.
type EncapAction struct {
	// Header is push_nsh's complete NSH header (base, service path and
	// context headers).
	Header []byte
	// Src and Dst are push_eth's addresses.
	Src, Dst [6]byte
}

// PushNSH builds push_nsh of an NSH header.
func PushNSH(hdr []byte) Action { return Action{Type: ActPushNSH, Encap: &EncapAction{Header: hdr}} }

// PushEth builds push_eth: an Ethernet header with the given addresses
// and the Ethernet type of what it carries.
func PushEth(src, dst [6]byte, ethType uint16) Action {
	return Action{Type: ActPushEth, EthType: ethType, Encap: &EncapAction{Src: src, Dst: dst}}
}

// NSHHeader builds an NSH header: MD type 1 carries the four context
// words, MD type 2 the given context headers (padded to 4 bytes).
func NSHHeader(flags, ttl, mdtype, np uint8, path uint32, ctx [4]uint32, md2 []byte) []byte {
	n := nshBaseLen
	switch mdtype {
	case nshMDType1:
		n = nshMD1Len
	case nshMDType2:
		n += (len(md2) + 3) &^ 3
	}
	h := make([]byte, n)
	binary.BigEndian.PutUint16(h, uint16(flags&3)<<12|uint16(ttl&0x3f)<<nshTTLShift|uint16(n/4))
	h[2], h[3] = mdtype, np
	binary.BigEndian.PutUint32(h[4:], path)
	switch mdtype {
	case nshMDType1:
		for i, c := range ctx {
			binary.BigEndian.PutUint32(h[8+4*i:], c)
		}
	case nshMDType2:
		copy(h[8:], md2)
	}
	return h
}

// pushNSH puts the header in front of the packet.
func pushNSH(p *Packet, pm *PacketMeta, hdr []byte) bool {
	d, ok := p.Push(len(hdr))
	if !ok {
		return false
	}
	copy(d, hdr)
	pm.shift(len(hdr))
	pm.off.MPLS, pm.off.L3, pm.off.L4 = -1, 0, -1
	pm.ethType = EthTypeNSH
	return true
}

// pushEth puts an Ethernet header in front of the packet.
func pushEth(p *Packet, pm *PacketMeta, e *EncapAction, ethType uint16) bool {
	d, ok := p.Push(14)
	if !ok {
		return false
	}
	copy(d[0:6], e.Dst[:])
	copy(d[6:12], e.Src[:])
	binary.BigEndian.PutUint16(d[12:], ethType)
	pm.shift(14)
	pm.ethType = ethType
	return true
}

// writeEncapAction prints push_nsh and push_eth as OVS does; ok false
// means a is neither.
func writeEncapAction(b *strings.Builder, a *Action) bool {
	switch a.Type {
	case ActPushNSH:
		h := a.Encap.Header
		if len(h) < nshBaseLen {
			b.WriteString("push_nsh()")
			return true
		}
		w := binary.BigEndian.Uint16(h)
		path := binary.BigEndian.Uint32(h[4:])
		fmt.Fprintf(b, "push_nsh(flags=%d,ttl=%d,mdtype=%d,np=%d,spi=0x%x,si=%d", w>>12&3, w>>nshTTLShift&0x3f, h[2], h[3], path>>8, path&0xff)
		switch {
		case h[2] == nshMDType1 && len(h) >= nshMD1Len:
			for i := range 4 {
				fmt.Fprintf(b, ",c%d=0x%x", i+1, binary.BigEndian.Uint32(h[8+4*i:]))
			}
		case h[2] == nshMDType2 && len(h) > nshBaseLen:
			fmt.Fprintf(b, ",md2=0x%x", h[nshBaseLen:])
		}
		b.WriteByte(')')
	case ActPushEth:
		fmt.Fprintf(b, "push_eth(src=%s,dst=%s)", macString(a.Encap.Src), macString(a.Encap.Dst))
	case ActPopEth:
		b.WriteString("pop_eth")
	case ActPopNSH:
		b.WriteString("pop_nsh()")
	default:
		return false
	}
	return true
}

// Header pops for decap(): pop_eth leaves the Ethernet payload (an NSH
// packet here), pop_nsh the NSH payload (an Ethernet frame here:
// translation recirculates it to be parsed again).
const (
	ActPopEth ActionType = 202 + iota // pop_eth
	ActPopNSH                         // pop_nsh()
)

// popEth removes the Ethernet header.
func popEth(p *Packet, pm *PacketMeta) bool {
	if p.Len() < 14 || !p.Pull(14) {
		return false
	}
	pm.shift(-14)
	pm.off.MPLS, pm.off.L3, pm.off.L4 = -1, 0, -1
	return true
}

// popNSH removes the NSH header at the start of the packet.
func popNSH(p *Packet, pm *PacketMeta) bool {
	d := p.Data()
	if len(d) < nshBaseLen {
		return false
	}
	n := int(binary.BigEndian.Uint16(d)&0x3f) * 4
	if n < nshBaseLen || n > len(d) || !p.Pull(n) {
		return false
	}
	pm.off.MPLS, pm.off.L3, pm.off.L4 = -1, -1, -1
	return true
}
