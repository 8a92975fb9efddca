package ofproto

import (
	"encoding/binary"
	"math/bits"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ovshash"
)

// The hashes behind multipath and bundle, bit for bit those of OVS
// (lib/hash.h without SSE 4.2, lib/jhash.c, flow_hash_fields), so that a
// flow picks the same link or member here as under ovs-vswitchd. Words
// are read from the fields' wire bytes in host (little-endian) order, as
// OVS reads them from struct flow.

func jhashMix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= c
	a ^= bits.RotateLeft32(c, 4)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 6)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 8)
	b += a
	a -= c
	a ^= bits.RotateLeft32(c, 16)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 19)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 4)
	b += a
	return a, b, c
}

func jhashFinal(a, b, c uint32) uint32 {
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}

// jhashBytes is OVS's jhash_bytes (Jenkins' lookup3).
func jhashBytes(p []byte, basis uint32) uint32 {
	a := 0xdeadbeef + uint32(len(p)) + basis
	b, c := a, a
	le := binary.LittleEndian
	for len(p) >= 12 {
		a += le.Uint32(p)
		b += le.Uint32(p[4:])
		c += le.Uint32(p[8:])
		a, b, c = jhashMix(a, b, c)
		p = p[12:]
	}
	if len(p) > 0 {
		var tmp [12]byte
		copy(tmp[:], p)
		a += le.Uint32(tmp[:])
		b += le.Uint32(tmp[4:])
		c += le.Uint32(tmp[8:])
		c = jhashFinal(a, b, c)
	}
	return c
}

// hashFlow holds the fields the hashes read, in wire byte order.
type hashFlow struct {
	ethSrc, ethDst   [6]byte
	ethType, vlanTCI uint16
	nwSrc, nwDst     [16]byte // IPv4 in the first 4 bytes
	proto            uint8
	tpSrc, tpDst     uint16
	frag             bool
}

func (x *xlate) hashFlow() hashFlow {
	var h hashFlow
	f := &x.flow
	src, dst := fieldBytes(f, mf.EthSrc), fieldBytes(f, mf.EthDst)
	copy(h.ethSrc[:], src[:6])
	copy(h.ethDst[:], dst[:6])
	h.ethType = uint16(fieldUint(f, mf.EthType))
	h.vlanTCI = uint16(fieldUint(f, mf.VLANTCI))
	switch h.ethType {
	case mf.EthTypeIP:
		s, d := fieldBytes(f, mf.IPv4Src), fieldBytes(f, mf.IPv4Dst)
		copy(h.nwSrc[:4], s[:4])
		copy(h.nwDst[:4], d[:4])
	case mf.EthTypeIPv6:
		s, d := fieldBytes(f, mf.IPv6Src), fieldBytes(f, mf.IPv6Dst)
		h.nwSrc, h.nwDst = [16]byte(s[:16]), [16]byte(d[:16])
	}
	if h.ethType == mf.EthTypeIP || h.ethType == mf.EthTypeIPv6 {
		h.proto = uint8(fieldUint(f, mf.IPProto))
		h.tpSrc, h.tpDst = uint16(fieldUint(f, mf.TCPSrc)), uint16(fieldUint(f, mf.TCPDst))
		h.frag = fieldUint(f, mf.IPFrag) != 0
	}
	return h
}

func (h *hashFlow) isIP() bool { return h.ethType == mf.EthTypeIP || h.ethType == mf.EthTypeIPv6 }

// be16le is a big-endian 16-bit field as a little-endian host reads it.
func be16le(v uint16) uint32 { return uint32(bits.ReverseBytes16(v)) }

// flowHashFields is OVS's flow_hash_fields.
func flowHashFields(h *hashFlow, fields ofactions.HashFields, basis uint32) uint32 {
	switch fields {
	case ofactions.HashEthSrc:
		return jhashBytes(h.ethSrc[:], basis)
	case ofactions.HashSymmetricL4:
		return hashSymmetricL4(h, basis)
	case ofactions.HashSymmetricL3L4, ofactions.HashSymmetricL3L4UDP:
		return hashSymmetricL3L4(h, basis, fields == ofactions.HashSymmetricL3L4UDP)
	case ofactions.HashNwSrc, ofactions.HashNwDst:
		a := h.nwSrc
		if fields == ofactions.HashNwDst {
			a = h.nwDst
		}
		switch h.ethType {
		case mf.EthTypeIP:
			return jhashBytes(a[:4], basis)
		case mf.EthTypeIPv6:
			return jhashBytes(a[:], basis)
		}
		return basis
	case ofactions.HashSymmetricL3:
		// struct { union { be32; in6_addr }; be16 eth_type; }: 20 bytes.
		var b [20]byte
		for i := range 16 {
			b[i] = h.nwSrc[i] ^ h.nwDst[i]
		}
		binary.BigEndian.PutUint16(b[16:], h.ethType)
		return jhashBytes(b[:], basis)
	}
	return basis
}

func hashSymmetricL4(h *hashFlow, basis uint32) uint32 {
	// struct { union { be32; in6_addr } (16); be16 eth_type; be16
	// vlan_tci; be16 tp_port; eth_addr (6); u8 ip_proto; } padded to 32.
	var b [32]byte
	if h.isIP() {
		for i := range 16 {
			b[i] = h.nwSrc[i] ^ h.nwDst[i]
		}
		b[28] = h.proto
		if h.proto == mf.IPProtoTCP || h.proto == mf.IPProtoSCTP {
			binary.BigEndian.PutUint16(b[20:], h.tpSrc^h.tpDst)
		}
	}
	binary.BigEndian.PutUint16(b[16:], h.ethType)
	binary.BigEndian.PutUint16(b[18:], h.vlanTCI&0x0fff)
	for i := range 6 {
		b[22+i] = h.ethSrc[i] ^ h.ethDst[i]
	}
	return jhashBytes(b[:], basis)
}

func hashSymmetricL3L4(h *hashFlow, basis uint32, udp bool) uint32 {
	hash := basis
	le := binary.LittleEndian
	switch h.ethType {
	case mf.EthTypeIP:
		var x [4]byte
		for i := range x {
			x[i] = h.nwSrc[i] ^ h.nwDst[i]
		}
		hash = ovshash.Add(hash, le.Uint32(x[:]))
	case mf.EthTypeIPv6:
		var x [16]byte
		for i := range x {
			x[i] = h.nwSrc[i] ^ h.nwDst[i]
		}
		hash = ovshash.Add64(hash, le.Uint64(x[:8]))
		hash = ovshash.Add64(hash, le.Uint64(x[8:]))
	default:
		return hashSymmetricL2(h, basis)
	}
	hash = ovshash.Add(hash, uint32(h.proto))
	if !h.frag && (h.proto == mf.IPProtoTCP || h.proto == mf.IPProtoSCTP || udp && h.proto == mf.IPProtoUDP) {
		hash = ovshash.Add(hash, be16le(h.tpSrc^h.tpDst))
	}
	return ovshash.Finish(hash, basis)
}

func hashSymmetricL2(h *hashFlow, basis uint32) uint32 {
	// words: eth_type, vlan_tci | eth_addr (6), pad (2).
	var b [12]byte
	binary.BigEndian.PutUint16(b[0:], h.ethType)
	binary.BigEndian.PutUint16(b[2:], h.vlanTCI&0x0fff)
	for i := range 6 {
		b[4+i] = h.ethSrc[i] ^ h.ethDst[i]
	}
	le := binary.LittleEndian
	hash := basis
	hash = ovshash.Add(hash, le.Uint32(b[0:]))
	hash = ovshash.Add(hash, le.Uint32(b[4:]))
	hash = ovshash.Add(hash, le.Uint32(b[8:]))
	return ovshash.Finish(hash, basis)
}

// maskHashFields records in wc the fields flowHashFields read, as OVS's
// flow_mask_hash_fields.
func (x *xlate) maskHashFields(h *hashFlow, fields ofactions.HashFields) {
	mark := func(ids ...mf.FieldID) {
		for _, id := range ids {
			markField(&x.wc, id)
		}
	}
	addrs := func() {
		switch h.ethType {
		case mf.EthTypeIP:
			mark(mf.IPv4Src, mf.IPv4Dst)
		case mf.EthTypeIPv6:
			mark(mf.IPv6Src, mf.IPv6Dst)
		}
	}
	switch fields {
	case ofactions.HashEthSrc:
		mark(mf.EthSrc)
	case ofactions.HashSymmetricL4:
		mark(mf.EthSrc, mf.EthDst)
		addrs()
		if h.isIP() {
			mark(mf.IPProto)
			if h.proto != mf.IPProtoUDP {
				mark(mf.TCPSrc, mf.TCPDst)
			}
		}
		tci := fieldBytes(&x.wc, mf.VLANTCI)
		tci[0] |= 0x1f
		tci[1] = 0xff
		setFieldBytes(&x.wc, mf.VLANTCI, tci[:2])
	case ofactions.HashSymmetricL3L4UDP, ofactions.HashSymmetricL3L4:
		if !h.isIP() {
			break
		}
		if fields == ofactions.HashSymmetricL3L4UDP && h.proto == mf.IPProtoUDP && !h.frag {
			mark(mf.TCPSrc, mf.TCPDst)
		}
		addrs()
		mark(mf.IPProto)
		if (h.proto == mf.IPProtoTCP || h.proto == mf.IPProtoSCTP) && !h.frag {
			mark(mf.TCPSrc, mf.TCPDst)
		}
	case ofactions.HashNwSrc:
		switch h.ethType {
		case mf.EthTypeIP:
			mark(mf.IPv4Src)
		case mf.EthTypeIPv6:
			mark(mf.IPv6Src)
		}
	case ofactions.HashNwDst:
		switch h.ethType {
		case mf.EthTypeIP:
			mark(mf.IPv4Dst)
		case mf.EthTypeIPv6:
			mark(mf.IPv6Dst)
		}
	case ofactions.HashSymmetricL3:
		addrs()
	}
}

// multipathLink is OVS's multipath_algorithm: the link for hash among
// nLinks.
func multipathLink(hash uint32, alg uint16, nLinks, arg uint32) uint32 {
	switch alg {
	case ofactions.MPModuloN:
		return hash % nLinks
	case ofactions.MPHashThreshold:
		if nLinks == 1 {
			return 0
		}
		return hash / (0xffffffff/nLinks + 1)
	case ofactions.MPHRW:
		if nLinks > 64 {
			return iterHash(hash, nLinks, 0)
		}
		best, bestW := uint32(0), ovshash.Words2(hash, 0)
		for l := uint32(1); l < nLinks; l++ {
			if w := ovshash.Words2(hash, l); w > bestW {
				best, bestW = l, w
			}
		}
		return best
	case ofactions.MPIterHash:
		return iterHash(hash, nLinks, arg)
	}
	return 0
}

func iterHash(hash, nLinks, modulo uint32) uint32 {
	if modulo < nLinks || modulo/2 > nLinks {
		// The next power of two at or above nLinks.
		modulo = 1
		for modulo < nLinks {
			modulo <<= 1
		}
	}
	for i := uint32(0); ; i++ {
		if l := ovshash.Words2(hash, i) % modulo; l < nLinks {
			return l
		}
	}
}
