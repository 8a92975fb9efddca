package conntrack

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// NAT flags of a NATAction.
const (
	NATSrc        uint8 = 1 << iota // nat(src=...)
	NATDst                          // nat(dst=...)
	NATPersistent                   // persistent: address by source only
	NATRandom                       // random port offset
)

// NATAction is the nat(...) of a ct() action. A zero value is bare "nat":
// apply whatever translation the connection already has.
type NATAction struct {
	Flags            uint8
	MinAddr, MaxAddr [16]byte // IPv4 in the first 4 bytes; zero: keep address
	MinPort, MaxPort uint16   // zero: no port range
}

// Source-port classes searched when SNAT has no explicit port range (and for
// DNAT's implicit source-port rewrite): privileged ports stay privileged.
func sportClass(p uint16) (lo, hi uint16) {
	switch {
	case p < 512:
		return 1, 511
	case p < 1024:
		return 600, 1023
	}
	return 1024, 65535
}

const natMaxAttempts = 128

// natSetup picks the reply key of a new NATed connection so that it collides
// with no live connection, following OVS: the address from the range by hash,
// then a port search. It returns false on tuple space exhaustion. The caller
// holds natMu, so concurrent NAT commits cannot pick the same tuple.
func (t *Tracker) natSetup(c *Conn, na *NATAction, now int64) bool {
	k := &c.key
	h := natHash(k, na)
	addr := natPickAddr(k, na, h)
	rev := k.Reverse()
	if na.Flags&NATSrc != 0 {
		rev.Dst.Addr = addr
	} else {
		rev.Src.Addr = addr
	}
	free := func() bool {
		found, _ := t.table.lookup(&rev, rev.hash(hashSeed), now)
		return found == nil
	}
	var ok bool
	switch {
	case k.Proto == ProtoTCP || k.Proto == ProtoUDP:
		ok = t.natPorts(k, &rev, na, h, free)
	case k.isICMP():
		// The echo id is both "ports": vary it in both endpoints.
		lo, hi := sportClass(k.Src.Port)
		ok = natSearch(k.Src.Port, lo, hi, func(p uint16) bool {
			rev.Src.Port, rev.Dst.Port = p, p
			return free()
		})
	default:
		ok = free()
	}
	if !ok {
		return false
	}
	c.rev = rev
	c.nat = na.Flags & (natSrc | natDst)
	if na.MinPort != 0 {
		if na.Flags&NATSrc != 0 {
			c.nat |= natSrcPort
		} else {
			c.nat |= natDstPort
		}
	}
	c.revNode = &node{conn: c}
	return true
}

func (t *Tracker) natPorts(k, rev *Key, na *NATAction, h uint64, free func() bool) bool {
	snat := na.Flags&NATSrc != 0
	hasRange := na.MinPort != 0
	// Source port (the reply's destination port).
	sport, slo, shi := k.Src.Port, uint16(0), uint16(0)
	if snat && hasRange {
		slo, shi = na.MinPort, max(na.MaxPort, na.MinPort)
		sport = slo + uint16(h%uint64(shi-slo+1))
	} else {
		slo, shi = sportClass(sport)
	}
	// Destination port (the reply's source port).
	dport, dlo, dhi := k.Dst.Port, k.Dst.Port, k.Dst.Port
	if !snat && hasRange {
		dlo, dhi = na.MinPort, max(na.MaxPort, na.MinPort)
		dport = dlo + uint16(h%uint64(dhi-dlo+1))
	}
	rev.Src.Port, rev.Dst.Port = dport, sport
	if !snat && hasRange {
		if natSearch(dport, dlo, dhi, func(p uint16) bool { rev.Src.Port = p; return free() }) {
			return true
		}
	}
	return natSearch(sport, slo, shi, func(p uint16) bool { rev.Dst.Port = p; return free() })
}

// natSearch probes ports from start, wrapping in [lo, hi], up to 128 tries;
// for larger ranges it retries from random points with half the budget each
// time, down to 16.
func natSearch(start, lo, hi uint16, try func(uint16) bool) bool {
	rng := uint32(hi-lo) + 1
	attempts := min(rng, natMaxAttempts)
	cur := start
	for {
		p := cur
		for i := uint32(0); i < attempts; i++ {
			if try(p) {
				return true
			}
			if p == hi {
				p = lo
			} else {
				p++
			}
		}
		if attempts >= rng || attempts < 16 {
			return false
		}
		attempts /= 2
		cur = lo + uint16(rand.Uint32N(rng))
	}
}

func natHash(k *Key, na *NATAction) uint64 {
	seed := hashSeed
	ports := uint64(na.MinPort) | uint64(na.MaxPort)<<16
	ep := k.Src.hash(seed) ^ k.Dst.hash(seed^1)
	if na.Flags&NATPersistent != 0 {
		seed = 0 // same client, same address across restarts
		ep = mix64(binary.LittleEndian.Uint64(k.Src.Addr[:8]), binary.LittleEndian.Uint64(k.Src.Addr[8:]))
	}
	h := mix64(ep, ports^uint64(k.Proto)<<32^uint64(k.Zone)<<40)
	h = mix64(h, binary.LittleEndian.Uint64(na.MinAddr[:8])^binary.LittleEndian.Uint64(na.MaxAddr[8:])^seed)
	if na.Flags&NATRandom != 0 {
		h = rand.Uint64()
	}
	return h
}

// natPickAddr chooses min + hash mod range size, or keeps the original
// address when the range is all-zeros.
func natPickAddr(k *Key, na *NATAction, h uint64) [16]byte {
	if na.MinAddr == ([16]byte{}) {
		if na.Flags&NATSrc != 0 {
			return k.Src.Addr
		}
		return k.Dst.Addr
	}
	if !k.IPv6 {
		lo := binary.BigEndian.Uint32(na.MinAddr[:4])
		hi := max(binary.BigEndian.Uint32(na.MaxAddr[:4]), lo)
		var a [16]byte
		binary.BigEndian.PutUint32(a[:4], lo+uint32(h%(uint64(hi-lo)+1)))
		return a
	}
	loHi, loLo := binary.BigEndian.Uint64(na.MinAddr[:8]), binary.BigEndian.Uint64(na.MinAddr[8:])
	hiHi, hiLo := binary.BigEndian.Uint64(na.MaxAddr[:8]), binary.BigEndian.Uint64(na.MaxAddr[8:])
	span := uint64(0xfffffffe) // wider ranges are clamped to 2^32-2
	if hiHi == loHi && hiLo >= loLo && hiLo-loLo < span {
		span = hiLo - loLo
	}
	if hiHi < loHi || hiHi == loHi && hiLo < loLo {
		span = 0
	}
	off := h % (span + 1)
	sum, carry := bits.Add64(loLo, off, 0)
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], loHi+carry)
	binary.BigEndian.PutUint64(a[8:], sum)
	return a
}

// natPacket rewrites the packet for connection c unless it was already
// translated in this zone. Forward packets take the reply key reversed,
// reply packets the original key reversed; ICMP errors also get the quoted
// header translated.
func (t *Tracker) natPacket(p *Packet, c *Conn, reply, related bool) {
	md := &p.MD
	if c.nat&(natSrc|natDst) == 0 {
		return
	}
	if md.State&(StateSrcNAT|StateDstNAT) != 0 {
		if md.Zone == c.key.Zone {
			return // rewritten once per zone
		}
		md.State &^= StateSrcNAT | StateDstNAT
	}
	snat := c.nat&natSrc != 0
	// target is the tuple the packet must carry after translation.
	var target Key
	if reply {
		target = c.key.Reverse()
	} else {
		target = c.rev.Reverse()
	}
	// Only the translated side's address changes on the outer header, so an
	// ICMP error's router source survives.
	rewriteSrc := snat != reply
	if rewriteSrc {
		md.State |= StateSrcNAT
	} else {
		md.State |= StateDstNAT
	}
	if p.L3Offset < 0 || p.L3Offset > len(p.Data) {
		return
	}
	var k Key
	var l3, l4 []byte
	var ok bool
	if c.key.IPv6 {
		k.IPv6 = true
		l3, l4, ok = parseIPv6(&k, p.Data[p.L3Offset:], true)
	} else {
		l3, l4, ok = parseIPv4(&k, p.Data[p.L3Offset:], false, true)
	}
	if !ok {
		return
	}
	if !related {
		setL3L4(l3, l4, k.IPv6, k.Proto, &target, rewriteSrc, !rewriteSrc, true)
		return
	}
	// ICMP error: outer address, then the quoted packet, which travels the
	// other way: it becomes the connection's key (reply) or reply key.
	inner := c.rev
	if reply {
		inner = c.key
	}
	setL3L4(l3, l4, k.IPv6, k.Proto, &target, rewriteSrc, !rewriteSrc, false)
	if len(l4) < 8 {
		return
	}
	var ik Key
	var il3, il4 []byte
	if k.IPv6 {
		ik.IPv6 = true
		il3, il4, ok = parseIPv6(&ik, l4[8:], false)
	} else {
		il3, il4, ok = parseIPv4(&ik, l4[8:], false, false)
	}
	if !ok {
		return
	}
	setL3L4(il3, il4, k.IPv6, ik.Proto, &inner, true, true, true)
	// The outer ICMP checksum covers the quoted bytes: recompute it.
	l4[2], l4[3] = 0, 0
	var acc uint64
	if k.IPv6 {
		acc = pseudoSum(l3, true, ProtoICMPv6, len(l4))
	}
	binary.BigEndian.PutUint16(l4[2:], csumFold(csumAdd(acc, l4)))
}

// setL3L4 writes addresses (as selected) and, if ports, the L4 ports or echo
// id from tuple into the headers at l3/l4, fixing checksums incrementally.
// Quoted (inner) L4 headers may be truncated; only present fields change.
func setL3L4(l3, l4 []byte, v6 bool, proto uint8, tuple *Key, src, dst, ports bool) {
	var srcOff, dstOff, alen int
	if v6 {
		srcOff, dstOff, alen = 8, 24, 16
	} else {
		srcOff, dstOff, alen = 12, 16, 4
	}
	var l4csum []byte // checksum field covering the pseudo-header, if any
	switch {
	case proto == ProtoTCP && len(l4) >= 18:
		l4csum = l4[16:18]
	case proto == ProtoUDP && len(l4) >= 8:
		if v6 || binary.BigEndian.Uint16(l4[6:]) != 0 {
			l4csum = l4[6:8]
		}
	case proto == ProtoICMPv6 && v6 && len(l4) >= 4:
		l4csum = l4[2:4]
	}
	setAddr := func(off int, a []byte) {
		old := l3[off : off+alen]
		if string(old) == string(a) {
			return
		}
		if !v6 {
			binary.BigEndian.PutUint16(l3[10:], csumUpdateBytes(binary.BigEndian.Uint16(l3[10:]), old, a))
		}
		if l4csum != nil {
			binary.BigEndian.PutUint16(l4csum, csumUpdateBytes(binary.BigEndian.Uint16(l4csum), old, a))
		}
		copy(old, a)
	}
	if src {
		setAddr(srcOff, tuple.Src.Addr[:alen])
	}
	if dst {
		setAddr(dstOff, tuple.Dst.Addr[:alen])
	}
	if !ports {
		return
	}
	setPort := func(off int, v uint16, sum []byte) {
		if len(l4) < off+2 {
			return
		}
		old := binary.BigEndian.Uint16(l4[off:])
		if old == v {
			return
		}
		if sum != nil {
			binary.BigEndian.PutUint16(sum, csumUpdate16(binary.BigEndian.Uint16(sum), old, v))
		}
		binary.BigEndian.PutUint16(l4[off:], v)
	}
	switch {
	case proto == ProtoTCP || proto == ProtoUDP:
		setPort(0, tuple.Src.Port, l4csum)
		setPort(2, tuple.Dst.Port, l4csum)
	case proto == ProtoICMP && !v6 || proto == ProtoICMPv6 && v6:
		if len(l4) >= 4 {
			setPort(4, tuple.Src.Port, l4[2:4])
		}
	}
}

// natFromExpectation gives an ALG data connection its parent's translation
// instead of choosing a tuple: the expectation says which side of the reply
// key carries the control connection's NAT address. Ports are kept.
func (t *Tracker) natFromExpectation(c *Conn, e *expectation) {
	if e.natRplDst {
		c.rev.Dst.Addr = e.natAddr
		c.nat = natSrc
	} else {
		c.rev.Src.Addr = e.natAddr
		c.nat = natDst
	}
	if c.rev != c.key.Reverse() {
		c.revNode = &node{conn: c}
	}
}
