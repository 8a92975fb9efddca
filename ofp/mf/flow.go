package mf

// Flow holds the value of every matchable field, big-endian, in fixed slots
// (like OVS's struct flow). Fields that OVS stores in one place share a slot:
// tcp_src, udp_src, sctp_src and icmp_type all live in tp_src; arp_spa and
// ip_src in nw_src; nd_sll and arp_sha in arp_sha. A Match pairs a value Flow
// with a mask Flow, so a Match never allocates.
type Flow struct {
	b [flowBytes]byte
}

// slot is a byte range of a Flow.
type slot struct{ off, n int }

// Slots, laid out in declaration order.
var (
	slotDpHash       = newSlot(4)
	slotRecircID     = newSlot(4)
	slotPacketType   = newSlot(4)
	slotConjID       = newSlot(4)
	slotTunID        = newSlot(8)
	slotTunSrc       = newSlot(4)
	slotTunDst       = newSlot(4)
	slotTunIPv6Src   = newSlot(16)
	slotTunIPv6Dst   = newSlot(16)
	slotTunFlags     = newSlot(2)
	slotTunTTL       = newSlot(1)
	slotTunTOS       = newSlot(1)
	slotTunGBPID     = newSlot(2)
	slotTunGBPFlags  = newSlot(1)
	slotErspanIdx    = newSlot(4)
	slotErspanVer    = newSlot(1)
	slotErspanDir    = newSlot(1)
	slotErspanHwid   = newSlot(1)
	slotGtpuFlags    = newSlot(1)
	slotGtpuMsgtype  = newSlot(1)
	slotMetadata     = newSlot(8)
	slotInPort       = newSlot(2)
	slotActsetOutput = newSlot(2)
	slotSkbPriority  = newSlot(4)
	slotPktMark      = newSlot(4)
	slotCtState      = newSlot(4)
	slotCtZone       = newSlot(2)
	slotCtMark       = newSlot(4)
	slotCtLabel      = newSlot(16)
	slotCtNwProto    = newSlot(1)
	slotCtNwSrc      = newSlot(4)
	slotCtNwDst      = newSlot(4)
	slotCtIPv6Src    = newSlot(16)
	slotCtIPv6Dst    = newSlot(16)
	slotCtTpSrc      = newSlot(2)
	slotCtTpDst      = newSlot(2)
	slotRegs         = newSlot(4 * NumRegs)
	slotDlSrc        = newSlot(6)
	slotDlDst        = newSlot(6)
	slotDlType       = newSlot(2)
	slotVlanTCI      = newSlot(2)
	slotMplsLSE      = newSlot(4)
	slotNwSrc        = newSlot(4)
	slotNwDst        = newSlot(4)
	slotIpv6Src      = newSlot(16)
	slotIpv6Dst      = newSlot(16)
	slotIpv6Label    = newSlot(4)
	slotNwProto      = newSlot(1)
	slotNwTOS        = newSlot(1)
	slotNwTTL        = newSlot(1)
	slotNwFrag       = newSlot(1)
	slotArpSha       = newSlot(6)
	slotArpTha       = newSlot(6)
	slotTpSrc        = newSlot(2)
	slotTpDst        = newSlot(2)
	slotTcpFlags     = newSlot(2)
	slotNdTarget     = newSlot(16)
	slotIgmpGroup    = newSlot(4)
)

// NumRegs is the number of 32-bit registers (reg0..reg15).
const NumRegs = 16

// flowBytes must be at least the sum of all slots; init checks it.
const flowBytes = 440

// FlowSize is the size of a Flow in bytes, a multiple of 8.
const FlowSize = flowBytes

// Bytes is the flow's storage, for masked arithmetic done a word at a time
// (classifiers, wildcard tracking): value and mask Flows share one layout.
func (f *Flow) Bytes() *[FlowSize]byte { return &f.b }

var nextSlotOff int

func newSlot(n int) slot {
	s := slot{nextSlotOff, n}
	nextSlotOff += n
	return s
}

func init() {
	if nextSlotOff > flowBytes {
		panic("mf: flowBytes too small")
	}
}

func (f *Flow) bytes(s slot) []byte { return f.b[s.off : s.off+s.n] }

func (f *Flow) u8(s slot) uint8 { return f.b[s.off] }

func (f *Flow) u16(s slot) uint16 { return uint16(f.b[s.off])<<8 | uint16(f.b[s.off+1]) }

func (f *Flow) u32(s slot) uint32 {
	b := f.b[s.off:]
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (f *Flow) setU16(s slot, v uint16) { f.b[s.off], f.b[s.off+1] = byte(v>>8), byte(v) }

// isZero reports whether the slot is all zero.
func (f *Flow) isZero(s slot) bool {
	for _, c := range f.b[s.off : s.off+s.n] {
		if c != 0 {
			return false
		}
	}
	return true
}

func (f *Flow) isOnes(s slot) bool {
	for _, c := range f.b[s.off : s.off+s.n] {
		if c != 0xff {
			return false
		}
	}
	return true
}

// Well-known values used by prerequisites and printing.
const (
	EthTypeIP        = 0x0800
	EthTypeARP       = 0x0806
	EthTypeRARP      = 0x8035
	EthTypeIPv6      = 0x86dd
	EthTypeMPLS      = 0x8847
	EthTypeMPLSMcast = 0x8848
	EthTypeVLAN      = 0x8100

	IPProtoICMP   = 1
	IPProtoTCP    = 6
	IPProtoUDP    = 17
	IPProtoICMPv6 = 58
	IPProtoSCTP   = 132

	vlanCFI = 0x1000
)

// Connection tracking state bits (ct_state).
const (
	CtNew     = 0x01
	CtEst     = 0x02
	CtRel     = 0x04
	CtRpl     = 0x08
	CtInv     = 0x10
	CtTrk     = 0x20
	CtSNAT    = 0x40
	CtDNAT    = 0x80
	ctAllBits = 0xff
)
