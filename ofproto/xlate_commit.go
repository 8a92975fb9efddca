package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// setHeader is one header a datapath set action rewrites and the key
// words (with the bits inside them) that belong to it.
type setHeader struct {
	header dpif.SetHeader
	bits   []keyBits
}

type keyBits struct {
	word int
	mask uint64
}

var (
	setEthBits  = []keyBits{{11, ^uint64(0xffff)}, {12, ^uint64(0xffff)}}
	setIPv4Bits = []keyBits{{15, ^uint64(0)}, {20, 0xffff << 40}}
	setIPv6Bits = []keyBits{{14, 0xffffffff}, {16, ^uint64(0)}, {17, ^uint64(0)}, {18, ^uint64(0)}, {19, ^uint64(0)}, {20, 0xffff << 40}}
	setL4Bits   = []keyBits{{20, 0xffffffff}}
	setMarkBits = []keyBits{{2, 0xffffffff << 32}}
)

// commit makes the datapath packet what the flow says: one masked set per
// header with written bits, VLAN pops and pushes for a changed tag, then
// the packet mark, in OVS's order.
func (x *xlate) commit() {
	x.commitEncap()
	if x.written == (mf.Flow{}) {
		x.commitMPLS()
		x.commitVLAN()
		return
	}
	// As OVS does, match the old values of what gets rewritten, so the
	// megaflow reads like OVS's (the masked sets would not need it).
	orFlow(&x.wc, &x.written)
	mask := maskToKeyMask(&x.written)
	mask.Fields().SetInPort(0)
	val := flowToKey(&x.flow, 0)
	var headers []setHeader
	headers = append(headers, setHeader{dpif.SetEth, setEthBits})
	// As OVS, a packet whose IP protocol is 0 is taken to have no real L3
	// header: its IP fields are never committed.
	switch ethType := fieldUint(&x.flow, mf.EthType); {
	case fieldUint(&x.flow, mf.IPProto) == 0:
	case ethType == mf.EthTypeIP:
		headers = append(headers, setHeader{dpif.SetIPv4, setIPv4Bits})
	case ethType == mf.EthTypeIPv6:
		headers = append(headers, setHeader{dpif.SetIPv6, setIPv6Bits})
	}
	if mask[20]&0xffffffff != 0 {
		switch x.readField(mf.IPProto) {
		case mf.IPProtoTCP:
			headers = append(headers, setHeader{dpif.SetTCP, setL4Bits})
		case mf.IPProtoUDP:
			headers = append(headers, setHeader{dpif.SetUDP, setL4Bits})
		case mf.IPProtoSCTP:
			headers = append(headers, setHeader{dpif.SetSCTP, setL4Bits})
		}
	}
	for _, h := range append(headers, setHeader{dpif.SetSkbMark, setMarkBits}) {
		if h.header == dpif.SetSkbMark {
			// OVS's order: L2-L4 rewrites, MPLS, VLAN, then metadata.
			x.commitNSH()
			x.commitMPLS()
			x.commitVLAN()
		}
		s := &dpif.SetAction{Header: h.header}
		any := false
		for _, kb := range h.bits {
			m := mask[kb.word] & kb.mask
			s.Mask[kb.word] = m
			s.Value[kb.word] = val[kb.word] & m
			any = any || m != 0
		}
		if !any {
			continue
		}
		x.acts = append(x.acts, dpif.Set(s))
		if h.header == dpif.SetIPv4 || h.header == dpif.SetIPv6 {
			// An L3 rewrite depends on the packet having an L3 protocol.
			markField(&x.wc, mf.IPProto)
		}
	}
	// Whatever has no datapath set (ARP fields, say) stays as it was in
	// the packet; the flow keeps the value for later matches.
	x.base = x.flow
	x.written = mf.Flow{}
}

// commitVLAN pops and pushes the outer tag when the flow's differs from
// the packet's.
func (x *xlate) commitVLAN() {
	bt, ft := uint16(fieldUint(&x.base, mf.VLANTCI)), uint16(fieldUint(&x.flow, mf.VLANTCI))
	if bt != ft {
		if bt&vlanCFI != 0 {
			x.acts = append(x.acts, dpif.Action{Type: dpif.ActPopVLAN})
			// The popped tag is matched whole, as OVS's commit does.
			markField(&x.wc, mf.VLANTCI)
		}
		if ft&vlanCFI != 0 {
			x.acts = append(x.acts, dpif.PushVLAN(x.vlanTPID, ft&^vlanCFI))
		}
		setFieldUint(&x.base, mf.VLANTCI, uint64(ft))
	}
}
