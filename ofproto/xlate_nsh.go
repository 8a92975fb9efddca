package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// doNSHAction translates encap, decap and dec_nsh_ttl. encap(nsh) and
// encap(ethernet) change the flow at once and leave push_nsh/push_eth to
// the next commit, as OVS does, so that the NSH and Ethernet fields set
// after them are pushed with the header. decap() needs packets of other
// types than Ethernet in the datapath, which it does not have: it is
// reported and ignored.
func (x *xlate) doNSHAction(a ofactions.Action) bool {
	switch a := a.(type) {
	case *ofactions.DecNSHTTL:
		if x.readField(mf.EthType) != mf.EthTypeNSH && fieldUint(&x.flow, mf.PacketType) != ofactions.PacketTypeNSH {
			return true
		}
		ttl := x.readField(mf.NshTTL)
		if ttl <= 1 {
			x.tr.warn("NSH decrement TTL exception")
			x.controller(pinReasonInvalidTTL, 0xffff, 0)
			x.exit = true
			return true
		}
		x.setWhole(mf.NshTTL, []byte{byte(ttl - 1)})
	case *ofactions.Encap:
		x.encapHeader(a)
	case *ofactions.Decap:
		x.decapHeader(a)
	}
	return true
}

// decapHeader is decap(): an Ethernet NSH packet loses its Ethernet
// header (pop_eth) and becomes an NSH packet; an NSH packet carrying an
// Ethernet frame loses its NSH header (pop_nsh) and, as in OVS, is
// parsed again (recirculated) before its next table lookup. Packets the
// datapath cannot represent (bare IP) are not decapsulated.
func (x *xlate) decapHeader(a *ofactions.Decap) {
	pt := fieldUint(&x.flow, mf.PacketType)
	switch {
	case pt == ofactions.PacketTypeEthernet && a.PacketType == ofactions.PacketTypeUseNextProto:
		if x.readField(mf.EthType) != mf.EthTypeNSH {
			x.tr.warn("decap() of this Ethernet payload is not supported by this datapath, ignored")
			return
		}
		x.commit()
		x.acts = append(x.acts, dpif.Action{Type: dpif.ActPopEth})
		for _, f := range []*mf.Flow{&x.flow, &x.base} {
			setFieldUint(f, mf.PacketType, ofactions.PacketTypeNSH)
			setFieldUint(f, mf.EthSrc, 0)
			setFieldUint(f, mf.EthDst, 0)
			setFieldUint(f, mf.VLANTCI, 0)
		}
	case pt == ofactions.PacketTypeNSH && a.PacketType == ofactions.PacketTypeUseNextProto:
		if x.readField(mf.NshNp) != 3 {
			x.tr.warn("decap() of this NSH payload is not supported by this datapath, ignored")
			return
		}
		x.commit()
		x.acts = append(x.acts, dpif.Action{Type: dpif.ActPopNSH})
		setFieldUint(&x.flow, mf.PacketType, ofactions.PacketTypeEthernet)
		setFieldUint(&x.base, mf.PacketType, ofactions.PacketTypeEthernet)
		x.encap.reparse = true
	default:
		x.tr.warn("decap to this packet type is not supported by this datapath, ignored")
		log.Dbg("bridge %s: translation of %s is not supported", x.br.Name(), a.String())
	}
}

// encapState lists the headers encap() added since the last commit.
type encapState struct {
	pushes []encapPush
	// reparse says a header was popped whose payload's fields the flow
	// does not know: the next lookup needs the packet parsed again.
	reparse bool
}

// encapPush is one pending push: NSH (with its MD type 2 context
// headers) or Ethernet.
type encapPush struct {
	eth bool
	md2 []byte
}

// nshNextProto is the NSH next protocol for a packet type (0 if NSH
// cannot carry it).
func nshNextProto(pt uint64) uint8 {
	switch pt {
	case ofactions.PacketTypeEthernet:
		return 3
	case 1<<16 | mf.EthTypeIP:
		return 1
	case 1<<16 | mf.EthTypeIPv6:
		return 2
	case ofactions.PacketTypeNSH:
		return 4
	case ofactions.PacketTypeMPLS:
		return 5
	}
	return 0
}

// encapHeader is encap(nsh(...)) and encap(ethernet).
func (x *xlate) encapHeader(a *ofactions.Encap) {
	pt := fieldUint(&x.flow, mf.PacketType)
	switch a.PacketType {
	case ofactions.PacketTypeNSH:
		np := nshNextProto(pt)
		if np == 0 {
			x.tr.warn("encap(nsh) of this packet type is not supported")
			return
		}
		// Rewrites so far apply to the payload.
		x.commit()
		md := a.MDType()
		if md == 0 {
			md = 1
		}
		var md2 []byte
		for _, t := range a.TLVs() {
			md2 = append(md2, byte(t.Class>>8), byte(t.Class), t.Type, byte(len(t.Value)))
			md2 = append(md2, t.Value...)
			md2 = append(md2, make([]byte, (4-len(t.Value)%4)%4)...)
		}
		// The payload's VLAN tag goes inside.
		setFieldUint(&x.flow, mf.VLANTCI, 0)
		setFieldUint(&x.base, mf.VLANTCI, 0)
		for id, v := range map[mf.FieldID]uint64{
			mf.PacketType: ofactions.PacketTypeNSH, mf.EthType: mf.EthTypeNSH,
			mf.NshFlags: 0, mf.NshTTL: 63, mf.NshMdtype: uint64(md), mf.NshNp: uint64(np),
			mf.NshSpi: 0, mf.NshSi: 255, mf.NshC1: 0, mf.NshC2: 0, mf.NshC3: 0, mf.NshC4: 0,
		} {
			setFieldUint(&x.flow, id, v)
		}
		x.encap.pushes = append(x.encap.pushes, encapPush{md2: md2})
	case ofactions.PacketTypeEthernet:
		if pt>>16 != 1 {
			x.tr.warn("encap(ethernet) of an Ethernet packet is not supported")
			return
		}
		setFieldUint(&x.flow, mf.PacketType, 0)
		setFieldUint(&x.flow, mf.EthType, pt&0xffff)
		setFieldUint(&x.flow, mf.EthSrc, 0)
		setFieldUint(&x.flow, mf.EthDst, 0)
		x.encap.pushes = append(x.encap.pushes, encapPush{eth: true})
	default:
		x.tr.warn("encap of this header is not supported by this datapath, ignored")
	}
}

// nonEthernet says the packet is not an Ethernet frame (encap(nsh)
// without encap(ethernet)): it cannot be output to a port.
func (x *xlate) nonEthernet() bool {
	if fieldUint(&x.flow, mf.PacketType) != 0 {
		x.tr.detail("dropping a packet that is not an Ethernet frame")
		return true
	}
	return false
}

// commitEncap emits the pending pushes with the headers as the flow now
// has them, then records that the packet has them.
func (x *xlate) commitEncap() {
	if len(x.encap.pushes) == 0 {
		return
	}
	for _, p := range x.encap.pushes {
		if p.eth {
			src, dst := fieldBytes(&x.flow, mf.EthSrc), fieldBytes(&x.flow, mf.EthDst)
			var s, d [6]byte
			copy(s[:], src[:6])
			copy(d[:], dst[:6])
			x.acts = append(x.acts, dpif.PushEth(s, d, uint16(fieldUint(&x.flow, mf.EthType))))
			continue
		}
		var ctx [4]uint32
		for i := range ctx {
			ctx[i] = uint32(fieldUint(&x.flow, mf.NshC1+mf.FieldID(i)))
		}
		path := uint32(fieldUint(&x.flow, mf.NshSpi))<<8 | uint32(fieldUint(&x.flow, mf.NshSi))
		x.acts = append(x.acts, dpif.PushNSH(dpif.NSHHeader(uint8(fieldUint(&x.flow, mf.NshFlags)),
			uint8(fieldUint(&x.flow, mf.NshTTL)), uint8(fieldUint(&x.flow, mf.NshMdtype)),
			uint8(fieldUint(&x.flow, mf.NshNp)), path, ctx, p.md2)))
	}
	x.encap.pushes = x.encap.pushes[:0]
	// The packet's outer headers are now the flow's.
	ids := []mf.FieldID{mf.PacketType, mf.EthType, mf.EthSrc, mf.EthDst, mf.VLANTCI}
	for _, g := range nshFieldGroups {
		ids = append(ids, g...)
	}
	var zero [16]byte
	for _, id := range ids {
		v := fieldBytes(&x.flow, id)
		n := mf.ByID(id).Bytes
		setFieldBytes(&x.base, id, v[:n])
		if id == mf.EthSrc || id == mf.EthDst {
			// As OVS, the megaflow matches the addresses it replaced.
			markField(&x.wc, id)
		}
		setFieldBytes(&x.written, id, zero[:n])
	}
}

// nshFields are the NSH fields in the key, grouped as OVS compares them
// when it commits a set(nsh(...)): base header fields one by one, the
// service path header (SPI and SI) whole, the context words whole.
var nshFieldGroups = [][]mf.FieldID{
	{mf.NshFlags}, {mf.NshTTL}, {mf.NshMdtype}, {mf.NshNp},
	{mf.NshSpi, mf.NshSi},
	{mf.NshC1, mf.NshC2, mf.NshC3, mf.NshC4},
}

// nshToKey stores the NSH fields of flow (values or, for a wildcard
// Flow, masks) into the key words an NSH packet uses.
func nshToKey(flow *mf.Flow, k *dpif.FlowKey, ids ...mf.FieldID) {
	has := func(id mf.FieldID) bool {
		if len(ids) == 0 {
			return true
		}
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	base := k.NSHBase()
	for i, id := range []mf.FieldID{mf.NshFlags, mf.NshTTL, mf.NshMdtype, mf.NshNp} {
		if has(id) {
			sh := uint(24 - 8*i)
			base = base&^(0xff<<sh) | uint32(fieldUint(flow, id))<<sh
		}
	}
	k.SetNSHBase(base)
	path := k.NSHPath()
	if has(mf.NshSpi) {
		path = path&0xff | uint32(fieldUint(flow, mf.NshSpi))<<8
	}
	if has(mf.NshSi) {
		path = path&^0xff | uint32(fieldUint(flow, mf.NshSi))
	}
	k.SetNSHPath(path)
	for i := range 4 {
		if id := mf.NshC1 + mf.FieldID(i); has(id) {
			k.SetNSHContext(i, uint32(fieldUint(flow, id)))
		}
	}
}

// nshFromKey sets the NSH fields of an NSH packet's key in m, in place of
// the IP fields that share their words.
func nshFromKey(k *dpif.FlowKey, m *mf.Match) {
	if k.EthType() != mf.EthTypeNSH {
		return
	}
	for _, id := range []mf.FieldID{mf.IPv4Src, mf.IPv4Dst, mf.IPv6Src} {
		m.Clear(id)
	}
	base, path := k.NSHBase(), k.NSHPath()
	_ = m.SetExact(mf.NshFlags, uint64(base>>24))
	_ = m.SetExact(mf.NshTTL, uint64(base>>16&0xff))
	_ = m.SetExact(mf.NshMdtype, uint64(base>>8&0xff))
	_ = m.SetExact(mf.NshNp, uint64(base&0xff))
	_ = m.SetExact(mf.NshSpi, uint64(path>>8))
	_ = m.SetExact(mf.NshSi, uint64(path&0xff))
	for i := range 4 {
		_ = m.SetExact(mf.NshC1+mf.FieldID(i), uint64(k.NSHContext(i)))
	}
}

// nshFlowToKey writes an NSH flow's fields over the IP words of its key.
func nshFlowToKey(flow *mf.Flow, k *dpif.FlowKey) {
	if fieldUint(flow, mf.EthType) == mf.EthTypeNSH {
		nshToKey(flow, k)
	}
}

// nshMaskToKey adds the consulted NSH bits to a megaflow mask (they are
// only ever consulted for NSH packets, whose IP words they use).
func nshMaskToKey(wc *mf.Flow, km *dpif.FlowKey) {
	var nk dpif.FlowKey
	nshToKey(wc, &nk)
	km[15] |= nk[15]
	km[16] |= nk[16]
	km[17] |= nk[17]
}

// commitNSH emits set(nsh(...)) for the NSH field groups the flow
// changed, each under what the megaflow consulted of it, as OVS does.
func (x *xlate) commitNSH() {
	if fieldUint(&x.flow, mf.EthType) != mf.EthTypeNSH {
		return
	}
	s := &dpif.SetAction{Header: dpif.SetNSH}
	mk := s.Mask.Fields()
	any := false
	for _, g := range nshFieldGroups {
		differ := false
		for _, id := range g {
			differ = differ || fieldBytes(&x.flow, id) != fieldBytes(&x.base, id)
		}
		if !differ {
			continue
		}
		any = true
		nshToKey(&x.flow, &s.Value, g...)
		nshToKey(&x.wc, mk, g...)
	}
	if !any {
		return
	}
	x.acts = append(x.acts, dpif.Set(s))
}
