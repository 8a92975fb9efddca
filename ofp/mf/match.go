package mf

import (
	"bytes"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Match is a flow match: field values and masks (a zero mask bit is a
// wildcard). The zero Match matches everything. It is a plain value: copy
// it freely, it holds no pointers.
type Match struct {
	Flow Flow // values, only meaningful under Mask
	Mask Flow
}

// Get returns f's value and mask.
func (m *Match) Get(id FieldID) (value, mask ValueMask) {
	f := ByID(id)
	f.get(&m.Flow, value[:f.Bytes], false)
	f.get(&m.Mask, mask[:f.Bytes], true)
	return value, mask
}

// IsWildcard reports whether the field is entirely wildcarded.
func (m *Match) IsWildcard(id FieldID) bool {
	_, mask := m.Get(id)
	return isZeroBytes(mask[:])
}

// Set matches field id against value under mask (both f.Bytes long, mask
// nil means exact). The value is ANDed with the mask, as OVS does.
func (m *Match) Set(id FieldID, value, mask []byte) error {
	f := ByID(id)
	if f == nil {
		return ofperr.OFPBMC_BAD_FIELD
	}
	if len(value) != f.Bytes || (mask != nil && len(mask) != f.Bytes) {
		return ofperr.OFPBMC_BAD_LEN
	}
	var v, mk ValueMask
	copy(v[:], value)
	if mask == nil {
		// Exact means all ones, even for fields narrower than their
		// bytes (OVS stores and encodes it that way).
		allOnes(mk[:f.Bytes], 8*f.Bytes)
	} else {
		copy(mk[:], mask)
	}
	for i := 0; i < f.Bytes; i++ {
		v[i] &= mk[i]
	}
	if err := f.set(&m.Mask, mk[:f.Bytes], true); err != nil {
		return err
	}
	return f.set(&m.Flow, v[:f.Bytes], false)
}

// SetUint is Set for fields up to 64 bits given as integers.
func (m *Match) SetUint(id FieldID, value, mask uint64) error {
	f := ByID(id)
	if f == nil || f.Bytes > 8 {
		return ofperr.OFPBMC_BAD_FIELD
	}
	var v, mk [8]byte
	putUint(v[:f.Bytes], value)
	putUint(mk[:f.Bytes], mask)
	return m.Set(id, v[:f.Bytes], mk[:f.Bytes])
}

// SetExact matches field id exactly against an integer value.
func (m *Match) SetExact(id FieldID, value uint64) error {
	f := ByID(id)
	if f == nil || f.Bytes > 8 {
		return ofperr.OFPBMC_BAD_FIELD
	}
	var v [8]byte
	putUint(v[:f.Bytes], value)
	return m.Set(id, v[:f.Bytes], nil)
}

// Clear wildcards field id.
func (m *Match) Clear(id FieldID) {
	f := ByID(id)
	var zero ValueMask
	_ = f.set(&m.Mask, zero[:f.Bytes], true)
	if f.view == viewVLANCFI {
		// Clearing the PCP or VID leaves the CFI match if the other is
		// still matched.
		rest := m.Mask.u16(slotVlanTCI) &^ vlanCFI
		if rest == 0 {
			m.Mask.setU16(slotVlanTCI, 0)
		}
	}
	_ = f.set(&m.Flow, zero[:f.Bytes], false)
}

// Uint returns the exact value of a field up to 64 bits wide.
func (m *Match) Uint(id FieldID) uint64 {
	f := ByID(id)
	v, _ := m.Get(id)
	return uintValue(v[:f.Bytes])
}

// Equal reports whether two matches are identical.
func (m *Match) Equal(o *Match) bool {
	return m.Flow == o.Flow && m.Mask == o.Mask
}

// IsCatchAll reports whether m matches every packet.
func (m *Match) IsCatchAll() bool { return m.Mask == Flow{} }

func allOnes(b []byte, bits int) {
	for i := range b {
		b[i] = 0xff
	}
	if extra := len(b)*8 - bits; extra > 0 && len(b) > 0 {
		for i := 0; extra > 0; i++ {
			if extra >= 8 {
				b[i] = 0
				extra -= 8
			} else {
				b[i] = 0xff >> extra
				extra = 0
			}
		}
	}
}

func isZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func isOnesBytes(b []byte) bool {
	return len(b) > 0 && bytes.Count(b, []byte{0xff}) == len(b)
}

// dlType returns the exactly matched Ethernet type, or 0.
func (m *Match) dlType() uint16 {
	if m.Mask.u16(slotDlType) != 0xffff {
		return 0
	}
	return m.Flow.u16(slotDlType)
}

// nwProto returns the exactly matched IP protocol and whether it is matched.
func (m *Match) nwProto() (uint8, bool) {
	return m.Flow.u8(slotNwProto), m.Mask.u8(slotNwProto) == 0xff
}

func (m *Match) isIPAny() bool {
	t := m.dlType()
	return t == EthTypeIP || t == EthTypeIPv6
}

func (m *Match) protoIs(p uint8) bool {
	v, ok := m.nwProto()
	return ok && v == p && m.isIPAny()
}

// ctValid is OVS's rule for matching conntrack tuple fields: the ct_state
// match must imply a valid connection.
func (m *Match) ctValid() bool {
	v, mk := m.Flow.u32(slotCtState), m.Mask.u32(slotCtState)
	return v&(CtNew|CtEst|CtRel|CtRpl|CtSNAT|CtDNAT) != 0 ||
		(v&CtTrk != 0 && mk&CtInv != 0 && v&CtInv == 0)
}

// PrereqsOK reports whether m satisfies the prerequisites of field f.
func (m *Match) PrereqsOK(f *Field) bool {
	switch f.Prereq {
	case PrereqNone:
		return true
	case PrereqEthernet:
		// Only an Ethernet packet type has Ethernet fields.
		return m.Flow.u32(slotPacketType) == 0
	case PrereqARP:
		t := m.dlType()
		return t == EthTypeARP || t == EthTypeRARP
	case PrereqIPv4:
		return m.dlType() == EthTypeIP
	case PrereqIPv6:
		return m.dlType() == EthTypeIPv6
	case PrereqIPAny:
		return m.isIPAny()
	case PrereqVLANVID:
		return m.Mask.u16(slotVlanTCI)&vlanCFI != 0 && m.Flow.u16(slotVlanTCI)&vlanCFI != 0
	case PrereqMPLS:
		t := m.dlType()
		return t == EthTypeMPLS || t == EthTypeMPLSMcast
	case PrereqTCP:
		return m.protoIs(IPProtoTCP)
	case PrereqUDP:
		return m.protoIs(IPProtoUDP)
	case PrereqSCTP:
		return m.protoIs(IPProtoSCTP)
	case PrereqICMPv4:
		return m.dlType() == EthTypeIP && m.protoIs(IPProtoICMP)
	case PrereqICMPv6:
		return m.dlType() == EthTypeIPv6 && m.protoIs(IPProtoICMPv6)
	case PrereqND, PrereqNDSolicit, PrereqNDAdvert:
		if !(m.dlType() == EthTypeIPv6 && m.protoIs(IPProtoICMPv6)) || m.Mask.u16(slotTpSrc)&0xff != 0xff {
			return false
		}
		t := m.Flow.u16(slotTpSrc) & 0xff
		switch f.Prereq {
		case PrereqNDSolicit:
			return t == 135
		case PrereqNDAdvert:
			return t == 136
		}
		return t == 135 || t == 136
	case PrereqNSH:
		return m.isNSH()
	case PrereqCT:
		// The address family of ct_nw_*/ct_ipv6_* is checked by
		// CtTupleConsistent (OVS reports it as a different error).
		return m.ctValid()
	}
	return false
}

// CtTupleConsistent reports whether ct_nw_src/dst are only matched with
// ip and ct_ipv6_src/dst only with ipv6 (else OVS rejects the flow with
// OFPBAC_MATCH_INCONSISTENT).
func (m *Match) CtTupleConsistent() bool {
	if (!m.Mask.isZero(slotCtNwSrc) || !m.Mask.isZero(slotCtNwDst)) && m.Flow.u16(slotDlType) != EthTypeIP {
		return false
	}
	if (!m.Mask.isZero(slotCtIPv6Src) || !m.Mask.isZero(slotCtIPv6Dst)) && m.Flow.u16(slotDlType) != EthTypeIPv6 {
		return false
	}
	return true
}

// Validate checks the prerequisites of every matched field, giving
// OFPBMC_BAD_PREREQ like OVS when one is missing.
func (m *Match) Validate() error {
	for i := range fieldTable {
		f := &fieldTable[i]
		if f.Prereq == PrereqNone {
			continue
		}
		if m.fieldMatched(f) && !m.PrereqsOK(f) && !m.sharedSlotJustified(f) {
			return ofperr.OFPBMC_BAD_PREREQ
		}
	}
	return nil
}

// fieldMatched reports whether any bit of f is matched.
func (m *Match) fieldMatched(f *Field) bool {
	var mk ValueMask
	f.get(&m.Mask, mk[:f.Bytes], true)
	return !isZeroBytes(mk[:f.Bytes])
}

// Normalize drops fields whose prerequisites are not met, as OVS does
// when it encodes a match (a text flow "ip,tcp_flags=+syn" loses its
// tcp_flags).
func (m *Match) Normalize() {
	for i := range fieldTable {
		f := &fieldTable[i]
		if f.Prereq == PrereqNone || f.Prereq == PrereqEthernet || !m.fieldMatched(f) {
			continue
		}
		if !m.PrereqsOK(f) && !m.sharedSlotJustified(f) {
			m.Clear(f.ID)
		}
	}
}

// sharedSlotJustified reports whether another field stored in the same
// place has its prerequisites met (udp_src and tcp_src share tp_src, so a
// tcp flow's tp_src is not a udp_src without prerequisites).
func (m *Match) sharedSlotJustified(f *Field) bool {
	for i := range fieldTable {
		g := &fieldTable[i]
		if g == f || g.slot != f.slot || g.slotOff != f.slotOff {
			continue
		}
		if m.PrereqsOK(g) {
			return true
		}
	}
	return false
}
