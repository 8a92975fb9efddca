package conntrack

import "encoding/binary"

// sum adds b to a ones-complement accumulator (not yet folded).
func csumAdd(acc uint64, b []byte) uint64 {
	for len(b) >= 8 {
		v := binary.BigEndian.Uint64(b)
		acc += v >> 32
		acc += v & 0xffffffff
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

func csumFold(acc uint64) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return ^uint16(acc)
}

// pseudoSum is the TCP/UDP/ICMPv6 pseudo-header sum for an L4 segment.
func pseudoSum(l3 []byte, v6 bool, proto uint8, l4len int) uint64 {
	var acc uint64
	if v6 {
		acc = csumAdd(0, l3[8:40])
	} else {
		acc = csumAdd(0, l3[12:20])
	}
	return acc + uint64(proto) + uint64(l4len)
}

// l4CsumValid verifies an L4 checksum (including the pseudo-header).
func l4CsumValid(l3 []byte, v6 bool, proto uint8, l4 []byte) bool {
	return csumFold(csumAdd(pseudoSum(l3, v6, proto, len(l4)), l4)) == 0
}

// csumUpdate16 incrementally replaces old with new in a checksum (RFC 1624).
func csumUpdate16(sum, old, new uint16) uint16 {
	acc := uint32(^sum) + uint32(^old) + uint32(new)
	acc = acc&0xffff + acc>>16
	acc = acc&0xffff + acc>>16
	return ^uint16(acc)
}

// csumUpdateBytes replaces old with new (equal, even lengths) in a checksum.
func csumUpdateBytes(sum uint16, old, new []byte) uint16 {
	for i := 0; i+1 < len(old); i += 2 {
		sum = csumUpdate16(sum, binary.BigEndian.Uint16(old[i:]), binary.BigEndian.Uint16(new[i:]))
	}
	return sum
}
