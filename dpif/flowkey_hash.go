package dpif

import "math/bits"

// Hashing constants (the xxHash64 primes): a word at a time, so hashing a
// key costs one multiply-rotate round per word the mask keeps.
const (
	keyHashPrime1 = 0x9e3779b185ebca87
	keyHashPrime2 = 0xc2b2ae3d27d4eb4f
	keyHashPrime3 = 0x165667b19e3779f9
	keyHashPrime4 = 0x85ebca77c2b2ae63
	keyHashSeed   = 0x27d4eb2f165667c5
)

func keyHashWord(h, w uint64) uint64 {
	w *= keyHashPrime2
	w = bits.RotateLeft64(w, 31) * keyHashPrime1
	h ^= w
	return bits.RotateLeft64(h, 27)*keyHashPrime1 + keyHashPrime4
}

func keyHashFinish(h uint64) uint64 {
	h ^= h >> 33
	h *= keyHashPrime2
	h ^= h >> 29
	h *= keyHashPrime3
	return h ^ h>>32
}

// Hash hashes every word of the key (the exact-match cache's hash). Four
// independent lanes keep the multiplier busy instead of waiting on one chain.
func (k *FlowKey) Hash() uint64 {
	h0, h1, h2, h3 := uint64(keyHashSeed), uint64(keyHashPrime1), uint64(keyHashPrime2), uint64(keyHashPrime3)
	i := 0
	for ; i+4 <= KeyWords; i += 4 {
		h0 = keyHashWord(h0, k[i])
		h1 = keyHashWord(h1, k[i+1])
		h2 = keyHashWord(h2, k[i+2])
		h3 = keyHashWord(h3, k[i+3])
	}
	for ; i < KeyWords; i++ {
		h0 = keyHashWord(h0, k[i])
	}
	h := bits.RotateLeft64(h0, 1) + bits.RotateLeft64(h1, 7) + bits.RotateLeft64(h2, 12) + bits.RotateLeft64(h3, 18)
	return keyHashFinish(h)
}

// maskedHash hashes k&m over the words listed in words (those where m is
// nonzero); a masked key and any key matching it hash alike.
func (k *FlowKey) maskedHash(m *FlowMask, words []uint8) uint64 {
	h := uint64(keyHashSeed)
	for _, i := range words {
		h = keyHashWord(h, k[i]&m[i])
	}
	return keyHashFinish(h)
}
