package ofactions

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// AppendActions encodes the plain actions of l (OpenFlow 1.0 when version
// is 1, else OpenFlow 1.1+ actions). Instruction actions in l are encoded
// the way OVS does in OpenFlow 1.0 (goto_table as resubmit, write_metadata
// as NXAST_WRITE_METADATA) and rejected in 1.1+ (use AppendInstructions).
func AppendActions(b []byte, l List, version uint8) ([]byte, error) {
	var err error
	for _, a := range l {
		if b, err = appendAction(b, a, version); err != nil {
			return b, err
		}
	}
	return b, nil
}

// AppendInstructions encodes l as OpenFlow 1.1+ instructions: meter
// (1.3/1.4), apply_actions, clear_actions, write_actions, write_metadata,
// goto_table.
func AppendInstructions(b []byte, l List, version uint8) ([]byte, error) {
	var apply List
	var meter *Meter
	var clear *ClearActions
	var write *WriteActions
	var wm *WriteMetadata
	var gt *GotoTable
	for _, a := range l {
		switch a := a.(type) {
		case *Meter:
			if version >= version15 {
				apply = append(apply, a)
			} else {
				meter = a
			}
		case *ClearActions:
			clear = a
		case *WriteActions:
			write = a
		case *WriteMetadata:
			wm = a
		case *GotoTable:
			gt = a
		default:
			apply = append(apply, a)
		}
	}
	var err error
	if meter != nil {
		if version < version13 {
			return b, ofperr.OFPBIC_UNSUP_INST
		}
		b = binary.BigEndian.AppendUint16(b, instMeter)
		b = binary.BigEndian.AppendUint16(b, 8)
		b = binary.BigEndian.AppendUint32(b, meter.ID)
	}
	if len(apply) > 0 {
		if b, err = appendActionsInstruction(b, instApplyActions, apply, version); err != nil {
			return b, err
		}
	}
	if clear != nil {
		b = append(b, 0, instClearActions, 0, 8, 0, 0, 0, 0)
	}
	if write != nil {
		if b, err = appendActionsInstruction(b, instWriteActions, write.Actions, version); err != nil {
			return b, err
		}
	}
	if wm != nil {
		b = append(b, 0, instWriteMetadata, 0, 24, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, wm.Value)
		b = binary.BigEndian.AppendUint64(b, wm.Mask)
	}
	if gt != nil {
		b = append(b, 0, instGotoTable, 0, 8, gt.Table, 0, 0, 0)
	}
	return b, nil
}

func appendActionsInstruction(b []byte, typ uint16, l List, version uint8) ([]byte, error) {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = append(b, 0, 0, 0, 0, 0, 0)
	b, err := AppendActions(b, l, version)
	if err != nil {
		return b, err
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b, nil
}

// putStd appends a standard action of n bytes with the given type and
// returns the slice of the body (after type and len) to fill.
func putStd(b []byte, typ uint16, n int) ([]byte, []byte) {
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = append(b, make([]byte, n-4)...)
	return b, b[start+4:]
}

// putNX appends a Nicira action of n bytes and returns its body after the
// subtype (offset 10).
func putNX(b []byte, subtype uint16, n int) ([]byte, []byte) {
	b, body := putStd(b, ofpatVendor, n)
	binary.BigEndian.PutUint32(body, nxVendor)
	binary.BigEndian.PutUint16(body[4:], subtype)
	return b, body[6:]
}

// fixLen pads the action starting at start to 8 bytes and stores its length.
func fixLen(b []byte, start int) []byte {
	for (len(b)-start)%8 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

func appendHeader(b []byte, f *mf.Field, version uint8, masked bool) []byte {
	h, _ := f.HeaderFor(version)
	if masked {
		n := h & 0xff
		if h.Class() == 0xffff {
			n = 4 + 2*(n-4)
		} else {
			n *= 2
		}
		h = h&^0xff | 0x100 | n
	}
	b = binary.BigEndian.AppendUint32(b, uint32(h))
	if h.Class() == 0xffff {
		b = binary.BigEndian.AppendUint32(b, h.Experimenter())
	}
	return b
}

func nxmHeader32(f *mf.Field) uint32 {
	h, _ := f.HeaderFor(0)
	return uint32(h)
}

func appendAction(b []byte, a Action, version uint8) ([]byte, error) {
	v10 := version == version10
	var body []byte
	switch a := a.(type) {
	case *Output:
		if v10 {
			b, body = putStd(b, ofpat10Output, 8)
			binary.BigEndian.PutUint16(body, a.Port)
			binary.BigEndian.PutUint16(body[2:], a.MaxLen)
		} else {
			b, body = putStd(b, ofpat11Output, 16)
			binary.BigEndian.PutUint32(body, mf.Port32(a.Port))
			binary.BigEndian.PutUint16(body[4:], a.MaxLen)
		}
	case *Controller:
		if a.needs2() {
			return appendController2(b, a), nil
		}
		b, body = putNX(b, nxastController, 16)
		binary.BigEndian.PutUint16(body, a.MaxLen)
		binary.BigEndian.PutUint16(body[2:], a.ID)
		body[4] = a.Reason
	case *OutputReg:
		b, body = putNX(b, nxastOutputReg, 24)
		binary.BigEndian.PutUint16(body, a.Src.ofsNbits())
		binary.BigEndian.PutUint32(body[2:], nxmHeader32(a.Src.Field))
		binary.BigEndian.PutUint16(body[6:], a.MaxLen)
	case *Resubmit:
		if a.Table == 255 && a.Short && !a.CT {
			b, body = putNX(b, nxastResubmit, 16)
			binary.BigEndian.PutUint16(body, a.InPort)
		} else {
			sub := uint16(nxastResubmitTable)
			if a.CT {
				sub = nxastResubmitTableCT
			}
			b, body = putNX(b, sub, 16)
			binary.BigEndian.PutUint16(body, a.InPort)
			body[2] = a.Table
		}
	case *SetField:
		return appendSetField(b, a, version)
	case *Move:
		if version >= version15 {
			start := len(b)
			b, body = putStd(b, ofpat15CopyField, 12)
			binary.BigEndian.PutUint16(body, uint16(a.Src.NBits))
			binary.BigEndian.PutUint16(body[2:], uint16(a.Src.Ofs))
			binary.BigEndian.PutUint16(body[4:], uint16(a.Dst.Ofs))
			b = appendHeader(b, a.Src.Field, version, false)
			b = appendHeader(b, a.Dst.Field, version, false)
			return fixLen(b, start), nil
		}
		start := len(b)
		b, body = putNX(b, nxastRegMove, 16)
		binary.BigEndian.PutUint16(body, uint16(a.Src.NBits))
		binary.BigEndian.PutUint16(body[2:], uint16(a.Src.Ofs))
		binary.BigEndian.PutUint16(body[4:], uint16(a.Dst.Ofs))
		// NXAST_REG_MOVE always carries NXM-style headers.
		b = appendHeader(b, a.Src.Field, 0, false)
		b = appendHeader(b, a.Dst.Field, 0, false)
		return fixLen(b, start), nil
	case *SetEthAddr:
		if version >= version12 {
			id := mf.EthSrc
			if a.Dst {
				id = mf.EthDst
			}
			return appendSetField(b, exactSetField(id, a.Addr[:]), version)
		}
		typ := map[bool]uint16{false: ofpat10SetDlSrc, true: ofpat10SetDlDst}[a.Dst]
		if !v10 {
			typ--
		}
		b, body = putStd(b, typ, 16)
		copy(body, a.Addr[:])
	case *SetIPv4:
		if version >= version12 {
			id := mf.IPv4Src
			if a.Dst {
				id = mf.IPv4Dst
			}
			return appendSetField(b, exactSetField(id, a.Addr[:]), version)
		}
		typ := map[bool]uint16{false: ofpat10SetNwSrc, true: ofpat10SetNwDst}[a.Dst]
		if !v10 {
			typ--
		}
		b, body = putStd(b, typ, 8)
		copy(body, a.Addr[:])
	case *SetL4Port:
		if version >= version12 {
			return appendSetField(b, exactSetField(l4Field(a), []byte{byte(a.Port >> 8), byte(a.Port)}), version)
		}
		typ := map[bool]uint16{false: ofpat10SetTpSrc, true: ofpat10SetTpDst}[a.Dst]
		b, body = putStd(b, typ, 8)
		binary.BigEndian.PutUint16(body, a.Port)
	case *SetNwTOS:
		if version >= version12 {
			return appendSetField(b, exactSetField(mf.IPDSCPShifted, []byte{a.TOS >> 2}), version)
		}
		typ := uint16(ofpat10SetNwTOS)
		if !v10 {
			typ = ofpat11SetNwTOS
		}
		b, body = putStd(b, typ, 8)
		body[0] = a.TOS
	case *SetVLANVID:
		if !v10 && a.Push && !a.FlowHasVLAN {
			b, body = putStd(b, ofpat11PushVLAN, 8)
			binary.BigEndian.PutUint16(body, 0x8100)
		}
		if version >= version12 {
			v := a.VID | 0x1000
			return appendSetField(b, exactSetField(mf.VLANVID, []byte{byte(v >> 8), byte(v)}), version)
		}
		b, body = putStd(b, ofpat10SetVLANVID, 8)
		binary.BigEndian.PutUint16(body, a.VID)
	case *SetVLANPCP:
		if !v10 && a.Push && !a.FlowHasVLAN {
			b, body = putStd(b, ofpat11PushVLAN, 8)
			binary.BigEndian.PutUint16(body, 0x8100)
		}
		if version >= version12 {
			return appendSetField(b, exactSetField(mf.VLANPCP, []byte{a.PCP}), version)
		}
		b, body = putStd(b, ofpat10SetVLANPCP, 8)
		body[0] = a.PCP
	case *StripVLAN:
		if v10 {
			b, _ = putStd(b, ofpat10StripVLAN, 8)
		} else {
			b, _ = putStd(b, ofpat11PopVLAN, 8)
		}
	case *PushVLAN:
		if v10 {
			// OpenFlow 1.0 pushes an 802.1Q header implicitly with
			// mod_vlan_vid; other TPIDs cannot be expressed.
			if a.EthType != 0x8100 {
				return b, ofperr.OFPBAC_BAD_ARGUMENT
			}
			return b, nil
		}
		b, body = putStd(b, ofpat11PushVLAN, 8)
		binary.BigEndian.PutUint16(body, a.EthType)
	case *PushMPLS:
		if v10 {
			b, body = putNX(b, nxastPushMPLS, 16)
		} else {
			b, body = putStd(b, ofpat11PushMPLS, 8)
		}
		binary.BigEndian.PutUint16(body, a.EthType)
	case *PopMPLS:
		if v10 {
			b, body = putNX(b, nxastPopMPLS, 16)
		} else {
			b, body = putStd(b, ofpat11PopMPLS, 8)
		}
		binary.BigEndian.PutUint16(body, a.EthType)
	case *DecTTL:
		switch {
		case a.WithIDs:
			start := len(b)
			b, body = putNX(b, nxastDecTTLCntIDs, 16)
			binary.BigEndian.PutUint16(body, uint16(len(a.IDs)))
			for _, id := range a.IDs {
				b = binary.BigEndian.AppendUint16(b, id)
			}
			return fixLen(b, start), nil
		case v10:
			b, _ = putNX(b, nxastDecTTL, 16)
		default:
			b, _ = putStd(b, ofpat11DecNwTTL, 8)
		}
	case *SetQueue:
		if v10 {
			b, body = putNX(b, nxastSetQueue, 16)
			binary.BigEndian.PutUint32(body[2:], a.Queue)
		} else {
			b, body = putStd(b, ofpat11SetQueue, 8)
			binary.BigEndian.PutUint32(body, a.Queue)
		}
	case *Group:
		if v10 {
			b, body = putNX(b, nxastGroup, 16)
			binary.BigEndian.PutUint32(body[2:], a.ID)
		} else {
			b, body = putStd(b, ofpat11Group, 8)
			binary.BigEndian.PutUint32(body, a.ID)
		}
	case *Meter:
		if version < version15 {
			return b, ofperr.OFPBIC_UNSUP_INST
		}
		b, body = putStd(b, ofpat15Meter, 8)
		binary.BigEndian.PutUint32(body, a.ID)
	case *Note:
		start := len(b)
		b, _ = putNX(b, nxastNote, 10)
		b = append(b, a.Data...)
		for len(b)-start < 16 {
			b = append(b, 0)
		}
		return fixLen(b, start), nil
	case *SetTunnel:
		if version >= version12 {
			var v [8]byte
			binary.BigEndian.PutUint64(v[:], a.ID)
			return appendSetField(b, exactSetField(mf.TunID, v[:]), version)
		}
		if a.Is64 || a.ID > 0xffffffff {
			b, body = putNX(b, nxastSetTunnel64, 24)
			binary.BigEndian.PutUint64(body[6:], a.ID)
		} else {
			b, body = putNX(b, nxastSetTunnel, 16)
			binary.BigEndian.PutUint32(body[2:], uint32(a.ID))
		}
	case *CT:
		return appendCT(b, a, version)
	case *NAT:
		return appendNAT(b, a), nil
	case *Learn:
		return appendLearn(b, a), nil
	case *CTClear:
		b, _ = putNX(b, nxastCTClear, 16)
	case *GotoTable:
		if !v10 {
			return b, ofperr.OFPBIC_UNSUP_INST
		}
		b, body = putNX(b, nxastResubmitTable, 16)
		binary.BigEndian.PutUint16(body, mf.PortInPort)
		body[2] = a.Table
	case *WriteMetadata:
		if !v10 {
			return b, ofperr.OFPBIC_UNSUP_INST
		}
		b, body = putNX(b, nxastWriteMetadata, 32)
		binary.BigEndian.PutUint64(body[6:], a.Value)
		binary.BigEndian.PutUint64(body[14:], a.Mask)
	case *ClearActions, *WriteActions:
		return b, ofperr.OFPBIC_UNSUP_INST
	default:
		if b, ok, err := appendNX(b, a, version); ok {
			return b, err
		}
		b, ok, err := appendMore(b, a, version)
		if !ok {
			b, ok, err = appendExt(b, a, version)
		}
		if !ok {
			return b, ofperr.OFPBAC_BAD_TYPE
		}
		return b, err
	}
	return b, nil
}

func l4Field(a *SetL4Port) mf.FieldID {
	ids := map[uint8][2]mf.FieldID{
		mf.IPProtoTCP:  {mf.TCPSrc, mf.TCPDst},
		mf.IPProtoUDP:  {mf.UDPSrc, mf.UDPDst},
		mf.IPProtoSCTP: {mf.SCTPSrc, mf.SCTPDst},
	}
	pair, ok := ids[a.Proto]
	if !ok {
		pair = ids[mf.IPProtoTCP]
	}
	if a.Dst {
		return pair[1]
	}
	return pair[0]
}

func exactSetField(id mf.FieldID, v []byte) *SetField {
	f := mf.ByID(id)
	s := &SetField{Field: f}
	copy(s.Value[:f.Bytes], v)
	allOnes(s.Mask[:f.Bytes], f)
	return s
}

func fullMask(s *SetField) bool {
	var full mf.ValueMask
	allOnes(full[:s.Field.Bytes], s.Field)
	return full == s.Mask || isAllOnes(s.Mask[:s.Field.Bytes])
}

func isAllOnes(b []byte) bool {
	for _, c := range b {
		if c != 0xff {
			return false
		}
	}
	return true
}

func appendSetField(b []byte, s *SetField, version uint8) ([]byte, error) {
	if s.Field.IsTunMetadata() || needsRegLoad2(s.Field) {
		return appendTunSetField(b, s, version)
	}
	switch {
	case version >= version15, version >= version12 && !s.Load && fullMask(s):
		start := len(b)
		b = append(b, 0, ofpat12SetField, 0, 0)
		// A load keeps its bit mask, so a whole narrow field (mpls_label[])
		// is sent masked, as OVS sends it.
		masked := !fullMask(s) || s.WidthMask || (s.Load && !isAllOnes(s.Mask[:s.Field.Bytes]))
		b = appendHeader(b, s.Field, version, masked)
		b = append(b, s.Value[:s.Field.Bytes]...)
		if masked {
			b = append(b, s.Mask[:s.Field.Bytes]...)
		}
		return fixLen(b, start), nil
	case version < version12 && !s.Load && fullMask(s):
		if legacy, ok := legacySetField(s); ok {
			return appendAction(b, legacy, version)
		}
	}
	return appendRegLoads(b, s), nil
}

// legacySetField maps set_field to OpenFlow 1.0/1.1 native set actions.
func legacySetField(s *SetField) (Action, bool) {
	v := s.Value[:s.Field.Bytes]
	switch s.Field.ID {
	case mf.EthSrc, mf.EthDst:
		a := &SetEthAddr{Dst: s.Field.ID == mf.EthDst}
		copy(a.Addr[:], v)
		return a, true
	case mf.IPv4Src, mf.IPv4Dst:
		a := &SetIPv4{Dst: s.Field.ID == mf.IPv4Dst}
		copy(a.Addr[:], v)
		return a, true
	case mf.IPDSCP:
		return &SetNwTOS{TOS: v[0]}, true
	case mf.IPDSCPShifted:
		return &SetNwTOS{TOS: v[0] << 2}, true
	case mf.TCPSrc, mf.UDPSrc, mf.TCPDst, mf.UDPDst:
		return &SetL4Port{Dst: s.Field.ID == mf.TCPDst || s.Field.ID == mf.UDPDst, Port: binary.BigEndian.Uint16(v)}, true
	case mf.VLANVID:
		return &SetVLANVID{VID: binary.BigEndian.Uint16(v) & 0x0fff}, true
	case mf.VLANPCP:
		return &SetVLANPCP{PCP: v[0]}, true
	}
	return nil, false
}

// appendRegLoads encodes a set_field as NXAST_REG_LOAD actions, one per
// contiguous run of mask bits (at most 64 bits each).
func appendRegLoads(b []byte, s *SetField) []byte {
	n := s.Field.Bytes
	bits := s.Field.Bits
	for ofs := 0; ofs < bits; {
		if !bitSet(s.Mask[:n], ofs) {
			ofs++
			continue
		}
		end := ofs
		for end < bits && bitSet(s.Mask[:n], end) && end-ofs < 64 {
			end++
		}
		var value uint64
		for i := 0; i < end-ofs; i++ {
			if bitSet(s.Value[:n], ofs+i) {
				value |= 1 << i
			}
		}
		var body []byte
		b, body = putNX(b, nxastRegLoad, 24)
		sf := Subfield{Field: s.Field, Ofs: ofs, NBits: end - ofs}
		binary.BigEndian.PutUint16(body, sf.ofsNbits())
		binary.BigEndian.PutUint32(body[2:], nxmHeader32(s.Field))
		binary.BigEndian.PutUint64(body[6:], value)
		ofs = end
	}
	return b
}

func appendCT(b []byte, a *CT, version uint8) ([]byte, error) {
	start := len(b)
	b, body := putNX(b, nxastCT, 24)
	binary.BigEndian.PutUint16(body, a.Flags)
	if a.ZoneSrc.Field != nil {
		binary.BigEndian.PutUint32(body[2:], nxmHeader32(a.ZoneSrc.Field))
		binary.BigEndian.PutUint16(body[6:], a.ZoneSrc.ofsNbits())
	} else {
		binary.BigEndian.PutUint16(body[6:], a.ZoneImm)
	}
	body[8] = a.Table
	binary.BigEndian.PutUint16(body[12:], a.Alg)
	b, err := AppendActions(b, a.Actions, version)
	if err != nil {
		return b, err
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b, nil
}

func appendNAT(b []byte, a *NAT) []byte {
	start := len(b)
	b, body := putNX(b, nxastNAT, 16)
	binary.BigEndian.PutUint16(body[2:], a.Flags)
	var rng uint16
	if a.MinAddr.IsValid() {
		if a.MinAddr.Is4() {
			rng |= natRangeIPv4Min
			b = append(b, a.MinAddr.AsSlice()...)
			if a.MaxAddr.IsValid() && a.MaxAddr != a.MinAddr {
				rng |= natRangeIPv4Max
				b = append(b, a.MaxAddr.AsSlice()...)
			}
		} else {
			rng |= natRangeIPv6Min
			b = append(b, a.MinAddr.AsSlice()...)
			if a.MaxAddr.IsValid() && a.MaxAddr != a.MinAddr {
				rng |= natRangeIPv6Max
				b = append(b, a.MaxAddr.AsSlice()...)
			}
		}
	}
	if a.MinPort != 0 {
		rng |= natRangeProtoMin
		b = binary.BigEndian.AppendUint16(b, a.MinPort)
		if a.MaxPort != 0 && a.MaxPort != a.MinPort {
			rng |= natRangeProtoMax
			b = binary.BigEndian.AppendUint16(b, a.MaxPort)
		}
	}
	binary.BigEndian.PutUint16(b[start+14:], rng)
	return fixLen(b, start)
}
