package conntrack

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
)

// IP protocol numbers the tracker distinguishes.
const (
	ProtoICMP    = 1
	ProtoIGMP    = 2
	ProtoTCP     = 6
	ProtoUDP     = 17
	ProtoDCCP    = 33
	ProtoICMPv6  = 58
	ProtoSCTP    = 132
	ProtoUDPLite = 136
)

// Ethertypes accepted by the tracker.
const (
	EthTypeIPv4 = 0x0800
	EthTypeIPv6 = 0x86dd
)

// Endpoint is one side of a connection key. For ICMP/ICMPv6 Port holds the
// echo id and ICMPType/ICMPCode the message type and code; for other
// protocols the ICMP fields are zero.
type Endpoint struct {
	Addr     [16]byte // IPv4 uses the first 4 bytes
	Port     uint16
	ICMPType uint8
	ICMPCode uint8
}

// Key identifies one direction of a connection.
type Key struct {
	Src, Dst Endpoint
	Zone     uint16
	Proto    uint8
	IPv6     bool
}

// Reverse returns the key of the opposite direction.
func (k Key) Reverse() Key {
	k.Src, k.Dst = k.Dst, k.Src
	return k
}

// Addr returns an endpoint address as a netip.Addr of the key's family.
func (k *Key) Addr(e *Endpoint) netip.Addr {
	if k.IPv6 {
		return netip.AddrFrom16(e.Addr)
	}
	return netip.AddrFrom4([4]byte(e.Addr[:4]))
}

func (k *Key) isICMP() bool {
	return k.Proto == ProtoICMP && !k.IPv6 || k.Proto == ProtoICMPv6 && k.IPv6
}

func mix64(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

func (e *Endpoint) hash(seed uint64) uint64 {
	a := binary.LittleEndian.Uint64(e.Addr[:8])
	b := binary.LittleEndian.Uint64(e.Addr[8:])
	x := uint64(e.Port) | uint64(e.ICMPType)<<16 | uint64(e.ICMPCode)<<24
	return mix64(mix64(a^seed, b), x^seed)
}

// hash is direction-symmetric: a key and its reverse hash alike, so a
// connection without NAT needs only one table node for both directions.
func (k *Key) hash(seed uint64) uint64 {
	v6 := uint64(0)
	if k.IPv6 {
		v6 = 1
	}
	meta := uint64(k.Zone) | uint64(k.Proto)<<16 | v6<<24
	return mix64(k.Src.hash(seed)^k.Dst.hash(seed), meta^seed)
}

// hashSeed randomises table placement per process, as OVS's hash basis does.
var hashSeed = rand.Uint64()
