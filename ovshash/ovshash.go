// Package ovshash is Open vSwitch's portable 32-bit hash (lib/hash.h
// without SSE 4.2, a murmur3 variant), bit for bit: values that OVS
// prints or that pick a link or bucket must come out the same here.
package ovshash

import (
	"encoding/binary"
	"math/bits"
)

// Add mixes one 32-bit word into h (OVS's hash_add).
func Add(h, data uint32) uint32 {
	if data != 0 {
		data *= 0xcc9e2d51
		data = bits.RotateLeft32(data, 15)
		data *= 0x1b873593
		h ^= data
	}
	h = bits.RotateLeft32(h, 13)
	return h*5 + 0xe6546b64
}

// Add64 mixes a 64-bit word into h, low half first (hash_add64).
func Add64(h uint32, data uint64) uint32 {
	return Add(Add(h, uint32(data)), uint32(data>>32))
}

// Finish ends a hash, final usually being the hashed length in bytes
// (hash_finish).
func Finish(h, final uint32) uint32 {
	h ^= final
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// Words2 hashes two words (hash_2words; hash_int(x, basis) is
// Words2(x, basis)).
func Words2(x, y uint32) uint32 { return Finish(Add(Add(x, 0), y), 8) }

// Bytes hashes b as little-endian 32-bit words, the tail zero-padded
// (hash_bytes).
func Bytes(b []byte, basis uint32) uint32 {
	h := basis
	n := len(b)
	for len(b) >= 4 {
		h = Add(h, binary.LittleEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) > 0 {
		var tail [4]byte
		copy(tail[:], b)
		h = Add(h, binary.LittleEndian.Uint32(tail[:]))
	}
	return Finish(h, uint32(n))
}
