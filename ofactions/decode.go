package ofactions

import (
	"encoding/binary"
	"net/netip"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// OpenFlow action types.
const (
	ofpat10Output     = 0
	ofpat10SetVLANVID = 1
	ofpat10SetVLANPCP = 2
	ofpat10StripVLAN  = 3
	ofpat10SetDlSrc   = 4
	ofpat10SetDlDst   = 5
	ofpat10SetNwSrc   = 6
	ofpat10SetNwDst   = 7
	ofpat10SetNwTOS   = 8
	ofpat10SetTpSrc   = 9
	ofpat10SetTpDst   = 10

	ofpat11Output    = 0
	ofpat11SetDlSrc  = 3
	ofpat11SetDlDst  = 4
	ofpat11SetNwSrc  = 5
	ofpat11SetNwDst  = 6
	ofpat11SetNwTOS  = 7
	ofpat11SetTpSrc  = 9
	ofpat11SetTpDst  = 10
	ofpat11PushVLAN  = 17
	ofpat11PopVLAN   = 18
	ofpat11PushMPLS  = 19
	ofpat11PopMPLS   = 20
	ofpat11SetQueue  = 21
	ofpat11Group     = 22
	ofpat11DecNwTTL  = 24
	ofpat12SetField  = 25
	ofpat15CopyField = 28
	ofpat15Meter     = 29

	ofpatVendor = 0xffff
)

// Nicira action subtypes.
const (
	nxastResubmit        = 1
	nxastSetTunnel       = 2
	nxastSetQueue        = 4
	nxastRegMove         = 6
	nxastRegLoad         = 7
	nxastNote            = 8
	nxastSetTunnel64     = 9
	nxastResubmitTable   = 14
	nxastOutputReg       = 15
	nxastDecTTL          = 18
	nxastController      = 20
	nxastDecTTLCntIDs    = 21
	nxastWriteMetadata   = 22
	nxastPushMPLS        = 23
	nxastPopMPLS         = 24
	nxastCT              = 35
	nxastNAT             = 36
	nxastGroup           = 40
	nxastCTClear         = 43
	nxastResubmitTableCT = 44
)

// Instruction types (OpenFlow 1.1+).
const (
	instGotoTable     = 1
	instWriteMetadata = 2
	instWriteActions  = 3
	instApplyActions  = 4
	instClearActions  = 5
	instMeter         = 6
)

// maxNesting bounds ct(exec(...)) / write_actions recursion on hostile input.
const maxNesting = 4

// DecodeActions parses an action list (OpenFlow 1.0 actions when version is
// 1, OpenFlow 1.1+ actions otherwise). Errors are the OpenFlow errors OVS
// returns (OFPBAC_BAD_TYPE, OFPBAC_BAD_LEN, ...).
func DecodeActions(b []byte, version uint8) (List, error) {
	l, err := decodeActions(b, version, 0)
	if err != nil {
		return nil, err
	}
	if err := checkNoCTWrites(l); err != nil {
		return nil, err
	}
	// Instruction-like actions (write_metadata in OpenFlow 1.0) must come
	// after every plain action.
	for i, a := range l {
		if _, ok := a.(*WriteMetadata); ok && i != len(l)-1 {
			return nil, ofperr.OFPBAC_UNSUPPORTED_ORDER
		}
	}
	return l, nil
}

// checkNoCTWrites rejects writes to ct_mark/ct_label outside ct(exec()),
// as OVS does ("cannot set CT fields outside of ct action").
func checkNoCTWrites(l List) error {
	for _, a := range l {
		var f *mf.Field
		switch a := a.(type) {
		case *SetField:
			f = a.Field
		case *Move:
			f = a.Dst.Field
		case *WriteActions:
			if err := checkNoCTWrites(a.Actions); err != nil {
				return err
			}
		case *Clone:
			if err := checkNoCTWrites(a.Actions); err != nil {
				return err
			}
		}
		if f != nil && (f.ID == mf.CtMark || f.ID == mf.CtLabel) {
			return ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
	}
	return nil
}

func decodeActions(b []byte, version uint8, depth int) (List, error) {
	if depth > maxNesting {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	var l List
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		a, err := decodeAction(b[:n], version, depth)
		if err != nil {
			return nil, err
		}
		l = append(l, a)
		b = b[n:]
	}
	return l, nil
}

func u16(b []byte, off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func u32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

// need returns OFPBAC_BAD_LEN unless the action is exactly n bytes (or at
// least n when atLeast).
func need(a []byte, n int, atLeast bool) error {
	if len(a) == n || (atLeast && len(a) >= n) {
		return nil
	}
	return ofperr.OFPBAC_BAD_LEN
}

func decodeAction(a []byte, version uint8, depth int) (Action, error) {
	typ := u16(a, 0)
	if typ == ofpatVendor {
		return decodeVendorAction(a, version, depth)
	}
	if act, ok, err := decodeMoreStd(typ, a, version); ok {
		return act, err
	}
	if act, ok, err := decodeExtStd(typ, a, version); ok {
		return act, err
	}
	if version == version10 {
		return decodeOF10Action(typ, a)
	}
	return decodeOF11Action(typ, a, version)
}

func decodeOF10Action(typ uint16, a []byte) (Action, error) {
	switch typ {
	case ofpat10Output:
		return &Output{Port: u16(a, 4), MaxLen: u16(a, 6)}, need(a, 8, false)
	case ofpat10SetVLANVID:
		if u16(a, 4)&^0x0fff != 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &SetVLANVID{VID: u16(a, 4), Push: true}, need(a, 8, false)
	case ofpat10SetVLANPCP:
		if a[4] > 7 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &SetVLANPCP{PCP: a[4], Push: true}, need(a, 8, false)
	case ofpat10StripVLAN:
		return &StripVLAN{}, need(a, 8, false)
	case ofpat10SetDlSrc, ofpat10SetDlDst:
		s := &SetEthAddr{Dst: typ == ofpat10SetDlDst}
		if err := need(a, 16, false); err != nil {
			return nil, err
		}
		copy(s.Addr[:], a[4:10])
		return s, nil
	case ofpat10SetNwSrc, ofpat10SetNwDst:
		s := &SetIPv4{Dst: typ == ofpat10SetNwDst}
		copy(s.Addr[:], a[4:8])
		return s, need(a, 8, false)
	case ofpat10SetNwTOS:
		if a[4]&3 != 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &SetNwTOS{TOS: a[4]}, need(a, 8, false)
	case ofpat10SetTpSrc, ofpat10SetTpDst:
		return &SetL4Port{Dst: typ == ofpat10SetTpDst, Port: u16(a, 4)}, need(a, 8, false)
	}
	return nil, ofperr.OFPBAC_BAD_TYPE
}

func decodeOF11Action(typ uint16, a []byte, version uint8) (Action, error) {
	switch typ {
	case ofpat11Output:
		if err := need(a, 16, false); err != nil {
			return nil, err
		}
		p, err := mf.Port16(u32(a, 4))
		if err != nil {
			return nil, ofperr.OFPBAC_BAD_OUT_PORT
		}
		return &Output{Port: p, MaxLen: u16(a, 8)}, nil
	case ofpat11SetDlSrc, ofpat11SetDlDst:
		s := &SetEthAddr{Dst: typ == ofpat11SetDlDst}
		if err := need(a, 16, false); err != nil {
			return nil, err
		}
		copy(s.Addr[:], a[4:10])
		return s, nil
	case ofpat11SetNwSrc, ofpat11SetNwDst:
		s := &SetIPv4{Dst: typ == ofpat11SetNwDst}
		copy(s.Addr[:], a[4:8])
		return s, need(a, 8, false)
	case ofpat11SetNwTOS:
		if a[4]&3 != 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &SetNwTOS{TOS: a[4]}, need(a, 8, false)
	case ofpat11SetTpSrc, ofpat11SetTpDst:
		return &SetL4Port{Dst: typ == ofpat11SetTpDst, Port: u16(a, 4)}, need(a, 8, false)
	case ofpat11PushVLAN:
		et := u16(a, 4)
		if et != 0x8100 && et != 0x88a8 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &PushVLAN{EthType: et}, need(a, 8, false)
	case ofpat11PopVLAN:
		return &StripVLAN{Pop: true}, need(a, 8, false)
	case ofpat11PushMPLS:
		et := u16(a, 4)
		if et != mf.EthTypeMPLS && et != mf.EthTypeMPLSMcast {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &PushMPLS{EthType: et}, need(a, 8, false)
	case ofpat11PopMPLS:
		return &PopMPLS{EthType: u16(a, 4)}, need(a, 8, false)
	case ofpat11SetQueue:
		return &SetQueue{Queue: u32(a, 4)}, need(a, 8, false)
	case ofpat11Group:
		return &Group{ID: u32(a, 4)}, need(a, 8, false)
	case ofpat11DecNwTTL:
		return &DecTTL{}, need(a, 8, false)
	case ofpat12SetField:
		if version < version12 {
			break
		}
		return decodeSetField(a[4:], version)
	case ofpat15CopyField:
		if version < version15 {
			break
		}
		return decodeCopyField(a)
	case ofpat15Meter:
		if version < version15 {
			break
		}
		return &Meter{ID: u32(a, 4)}, need(a, 8, false)
	}
	return nil, ofperr.OFPBAC_BAD_TYPE
}

// pullHeader reads an NXM/OXM header (4 or 8 bytes) from b.
func pullHeader(b []byte) (mf.Header, int, bool) {
	if len(b) < 4 {
		return 0, 0, false
	}
	h := mf.Header(binary.BigEndian.Uint32(b))
	if h.Class() == 0xffff {
		if len(b) < 8 {
			return 0, 0, false
		}
		return h | mf.Header(binary.BigEndian.Uint32(b[4:]))<<32, 8, true
	}
	return h, 4, true
}

// decodeSetField parses the OXM inside OFPAT_SET_FIELD.
func decodeSetField(b []byte, version uint8) (Action, error) {
	h, hl, ok := pullHeader(b)
	if !ok {
		return nil, ofperr.OFPBAC_BAD_SET_LEN
	}
	f := mf.ByHeader(h)
	if f == nil {
		return nil, ofperr.OFPBAC_BAD_SET_TYPE
	}
	if f.IsTunMetadata() {
		return decodeTunSetField(f, h, hl, b, version)
	}
	masked := h&0x100 != 0
	width := f.Bytes
	total := hl + width
	if masked {
		if version < version15 {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
		total += width
	}
	payload := int(h&0xff) - (hl - 4)
	if payload != total-hl || total > len(b) {
		return nil, ofperr.OFPBAC_BAD_SET_LEN
	}
	for _, c := range b[total:] {
		if c != 0 {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
	}
	if !f.Writable {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	s := &SetField{Field: f}
	copy(s.Value[:width], b[hl:hl+width])
	if masked {
		copy(s.Mask[:width], b[hl+width:total])
	} else {
		allOnes(s.Mask[:width], f)
	}
	var full mf.ValueMask
	allOnes(full[:width], f)
	for i := 0; i < width; i++ {
		// Bits outside the field's width, or outside the mask, are invalid.
		if s.Value[i]&^s.Mask[i] != 0 || s.Value[i]&^full[i] != 0 {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
		s.Mask[i] &= full[i]
	}
	s.WidthMask = masked && s.Mask == full && !isAllOnes(b[hl+width:total]) && !isAllOnes(full[:width])
	return s, nil
}

func allOnes(b []byte, f *mf.Field) {
	extra := len(b)*8 - f.Bits
	for i := range b {
		switch {
		case extra >= 8:
			b[i] = 0
			extra -= 8
		case extra > 0:
			b[i] = 0xff >> extra
			extra = 0
		default:
			b[i] = 0xff
		}
	}
}

// decodeCopyField parses OFPAT15_COPY_FIELD.
func decodeCopyField(a []byte) (Action, error) {
	if len(a) < 16 {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	nbits, srcOfs, dstOfs := int(u16(a, 4)), int(u16(a, 6)), int(u16(a, 8))
	rest := a[12:]
	sh, n1, ok := pullHeader(rest)
	if !ok {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	dh, _, ok := pullHeader(rest[n1:])
	if !ok {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	return newMove(sh, dh, nbits, srcOfs, dstOfs)
}

func newMove(sh, dh mf.Header, nbits, srcOfs, dstOfs int) (Action, error) {
	sf, df := mf.ByHeader(sh), mf.ByHeader(dh)
	if sf == nil || df == nil {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	if err := checkTLVFields(sf, df); err != nil {
		return nil, err
	}
	m := &Move{Src: Subfield{sf, srcOfs, nbits}, Dst: Subfield{df, dstOfs, nbits}}
	if !m.Src.valid() {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	if !m.Dst.valid() || !df.Writable {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	return m, nil
}

func decodeVendorAction(a []byte, version uint8, depth int) (Action, error) {
	// The vendor decides first, as in OVS: an unknown one is BAD_VENDOR
	// whatever the length.
	if len(a) >= 8 && u32(a, 4) != nxVendor {
		return nil, ofperr.OFPBAC_BAD_VENDOR
	}
	if len(a) < 16 && !(len(a) >= 10 && u32(a, 4) == nxVendor) {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	if len(a) < 16 {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	switch sub := u16(a, 8); sub {
	case nxastResubmit:
		return &Resubmit{InPort: u16(a, 10), Table: 255, Short: true}, need(a, 16, false)
	case nxastResubmitTable, nxastResubmitTableCT:
		for _, c := range a[13:16] {
			if c != 0 {
				return nil, ofperr.OFPBAC_BAD_ARGUMENT
			}
		}
		return &Resubmit{InPort: u16(a, 10), Table: a[12], CT: sub == nxastResubmitTableCT}, need(a, 16, false)
	case nxastSetTunnel:
		return &SetTunnel{ID: uint64(u32(a, 12))}, need(a, 16, false)
	case nxastSetTunnel64:
		if err := need(a, 24, false); err != nil {
			return nil, err
		}
		return &SetTunnel{ID: binary.BigEndian.Uint64(a[16:]), Is64: true}, nil
	case nxastSetQueue:
		return &SetQueue{Queue: u32(a, 12)}, need(a, 16, false)
	case nxastGroup:
		return &Group{ID: u32(a, 12)}, need(a, 16, false)
	case nxastRegMove:
		if err := need(a, 24, true); err != nil {
			return nil, err
		}
		sh, n1, ok := pullHeader(a[16:])
		if !ok {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		dh, _, ok := pullHeader(a[16+n1:])
		if !ok {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		return newMove(sh, dh, int(u16(a, 10)), int(u16(a, 12)), int(u16(a, 14)))
	case nxastRegLoad:
		if err := need(a, 24, false); err != nil {
			return nil, err
		}
		return decodeRegLoad(u16(a, 10), mf.Header(u32(a, 12)), binary.BigEndian.Uint64(a[16:]))
	case nxastNote:
		// The padding is kept: OVS cannot tell it from note bytes either.
		return &Note{Data: append([]byte(nil), a[10:]...)}, nil
	case nxastOutputReg:
		if err := need(a, 24, false); err != nil {
			return nil, err
		}
		f := mf.ByHeader(mf.Header(u32(a, 12)))
		if f == nil {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
		sf, ok := subfieldFromOfsNbits(f, u16(a, 10))
		if !ok {
			return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
		}
		return &OutputReg{Src: sf, MaxLen: u16(a, 16)}, nil
	case nxastDecTTL:
		return &DecTTL{}, need(a, 16, false)
	case nxastDecTTLCntIDs:
		n := int(u16(a, 10))
		if 16+2*n > len(a) {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		d := &DecTTL{WithIDs: true, IDs: make([]uint16, n)}
		for i := range d.IDs {
			d.IDs[i] = u16(a, 16+2*i)
		}
		return d, nil
	case nxastController:
		return &Controller{MaxLen: u16(a, 10), ID: u16(a, 12), Reason: a[14]}, need(a, 16, false)
	case nxastWriteMetadata:
		if err := need(a, 32, false); err != nil {
			return nil, err
		}
		return &WriteMetadata{Value: binary.BigEndian.Uint64(a[16:]), Mask: binary.BigEndian.Uint64(a[24:])}, nil
	case nxastPushMPLS:
		et := u16(a, 10)
		if et != mf.EthTypeMPLS && et != mf.EthTypeMPLSMcast {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		return &PushMPLS{EthType: et}, need(a, 16, false)
	case nxastPopMPLS:
		return &PopMPLS{EthType: u16(a, 10)}, need(a, 16, false)
	case nxastCT:
		return decodeCT(a, version, depth)
	case nxastNAT:
		return decodeNAT(a)
	case nxastLearn, nxastLearn2:
		return decodeLearn(a, sub)
	case nxastCTClear:
		return &CTClear{}, need(a, 16, false)
	default:
		if act, ok, err := decodeMoreVendor(sub, a); ok {
			return act, err
		}
		if act, ok, err := decodeNX(sub, a, version, depth); ok {
			return act, err
		}
		if act, ok, err := decodeExtVendor(sub, a, version, depth); ok {
			return act, err
		}
	}
	return nil, ofperr.OFPBAC_BAD_VENDOR_TYPE
}

// decodeRegLoad turns NXAST_REG_LOAD into a SetField marked Load.
func decodeRegLoad(ofsNbits uint16, h mf.Header, value uint64) (Action, error) {
	f := mf.ByHeader(h)
	if f == nil {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	sf, ok := subfieldFromOfsNbits(f, ofsNbits)
	if !ok || !f.Writable {
		return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	if sf.NBits < 64 && value>>sf.NBits != 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	s := &SetField{Field: f, Load: true}
	n := f.Bytes
	for i := 0; i < sf.NBits; i++ {
		bit := sf.Ofs + i
		byteIdx := n - 1 - bit/8
		s.Mask[byteIdx] |= 1 << (bit % 8)
		if i < 64 && value&(1<<i) != 0 {
			s.Value[byteIdx] |= 1 << (bit % 8)
		}
	}
	return s, nil
}

func decodeCT(a []byte, version uint8, depth int) (Action, error) {
	if err := need(a, 24, true); err != nil {
		return nil, err
	}
	ct := &CT{Flags: u16(a, 10), Table: a[18], Alg: u16(a, 22)}
	if ct.Flags&^(CTCommit|CTForce) != 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	if src := u32(a, 12); src != 0 {
		f := mf.ByHeader(mf.Header(src))
		if f == nil {
			return nil, ofperr.OFPBAC_BAD_SET_TYPE
		}
		sf, ok := subfieldFromOfsNbits(f, u16(a, 16))
		if !ok || sf.NBits != 16 {
			return nil, ofperr.OFPBAC_BAD_SET_LEN
		}
		ct.ZoneSrc = sf
	} else {
		ct.ZoneImm = u16(a, 16)
	}
	nested, err := decodeActions(a[24:], version, depth+1)
	if err != nil {
		return nil, err
	}
	for _, n := range nested {
		switch n := n.(type) {
		case *NAT:
		case *SetField:
			if n.Field.ID != mf.CtMark && n.Field.ID != mf.CtLabel {
				return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
			}
		case *Move:
			if n.Dst.Field.ID != mf.CtMark && n.Dst.Field.ID != mf.CtLabel {
				return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
			}
		default:
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		// Anything but a bare nat (no flags, no range) needs commit.
		if nat, isNAT := n.(*NAT); (!isNAT || nat.Flags != 0 || nat.MinAddr.IsValid()) && ct.Flags&CTCommit == 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
	}
	ct.Actions = nested
	return ct, nil
}

func decodeNAT(a []byte) (Action, error) {
	flags, rng := u16(a, 12), u16(a, 14)
	if flags&(NATSrc|NATDst) == NATSrc|NATDst || flags&^0x1f != 0 || rng&^0x3f != 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	n := &NAT{Flags: flags}
	p := a[16:]
	take := func(k int) ([]byte, bool) {
		if len(p) < k {
			return nil, false
		}
		v := p[:k]
		p = p[k:]
		return v, true
	}
	for _, r := range []struct {
		bit  uint16
		size int
	}{{natRangeIPv4Min, 4}, {natRangeIPv4Max, 4}, {natRangeIPv6Min, 16}, {natRangeIPv6Max, 16}, {natRangeProtoMin, 2}, {natRangeProtoMax, 2}} {
		if rng&r.bit == 0 {
			continue
		}
		v, ok := take(r.size)
		if !ok {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		switch r.bit {
		case natRangeIPv4Min:
			n.MinAddr = netip.AddrFrom4([4]byte(v))
		case natRangeIPv4Max:
			n.MaxAddr = netip.AddrFrom4([4]byte(v))
		case natRangeIPv6Min:
			n.MinAddr = netip.AddrFrom16([16]byte(v))
		case natRangeIPv6Max:
			n.MaxAddr = netip.AddrFrom16([16]byte(v))
		case natRangeProtoMin:
			n.MinPort = binary.BigEndian.Uint16(v)
		case natRangeProtoMax:
			n.MaxPort = binary.BigEndian.Uint16(v)
		}
	}
	if rng&(natRangeIPv4Min|natRangeIPv4Max) != 0 && rng&(natRangeIPv6Min|natRangeIPv6Max) != 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	return n, nil
}

// DecodeInstructions parses an OpenFlow 1.1+ instruction list into a List
// (apply_actions contents first, then the instruction actions in OVS's
// order: meter, clear_actions, write_actions, write_metadata, goto_table).
func DecodeInstructions(b []byte, version uint8) (List, error) {
	var apply, write List
	var meter *Meter
	var clear *ClearActions
	var wm *WriteMetadata
	var gt *GotoTable
	var seen [8]bool
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, ofperr.OFPBIC_BAD_LEN
		}
		typ, n := u16(b, 0), int(u16(b, 2))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, ofperr.OFPBIC_BAD_LEN
		}
		in := b[:n]
		b = b[n:]
		if typ == 0 || typ > instMeter || (typ == instMeter && (version < version13 || version > version14)) {
			if typ == 0xffff {
				return nil, ofperr.OFPBIC_BAD_EXPERIMENTER
			}
			return nil, ofperr.OFPBIC_UNKNOWN_INST
		}
		if seen[typ] {
			return nil, ofperr.OFPBIC_DUP_INST
		}
		seen[typ] = true
		var err error
		switch typ {
		case instGotoTable:
			gt = &GotoTable{Table: in[4]}
			err = needInst(in, 8)
		case instWriteMetadata:
			if err = needInst(in, 24); err == nil {
				wm = &WriteMetadata{Value: binary.BigEndian.Uint64(in[8:]), Mask: binary.BigEndian.Uint64(in[16:])}
			}
		case instWriteActions:
			write, err = decodeActions(in[8:], version, 1)
			if write == nil {
				write = List{}
			}
		case instApplyActions:
			apply, err = decodeActions(in[8:], version, 0)
		case instClearActions:
			clear = &ClearActions{}
			err = needInst(in, 8)
		case instMeter:
			meter = &Meter{ID: u32(in, 4)}
			err = needInst(in, 8)
		}
		if err != nil {
			return nil, err
		}
	}
	var l List
	if meter != nil {
		l = append(l, meter)
	}
	if err := checkNoCTWrites(apply); err != nil {
		return nil, err
	}
	if err := checkNoCTWrites(write); err != nil {
		return nil, err
	}
	l = append(l, apply...)
	if clear != nil {
		l = append(l, clear)
	}
	if seen[instWriteActions] {
		l = append(l, &WriteActions{Actions: write})
	}
	if wm != nil {
		l = append(l, wm)
	}
	if gt != nil {
		l = append(l, gt)
	}
	return l, nil
}

func needInst(in []byte, n int) error {
	if len(in) != n {
		return ofperr.OFPBIC_BAD_LEN
	}
	return nil
}
