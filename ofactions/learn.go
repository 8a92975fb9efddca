// The learn action: text, wire codec (NXAST_LEARN and NXAST_LEARN2),
// validation, and the construction of the flow a packet teaches (OVS's
// lib/learn.c). Installing that flow is ofproto's business.

package ofactions

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Learn flags (NX_LEARN_F_*).
const (
	// LearnSendFlowRem gives learned flows the send_flow_rem flag.
	LearnSendFlowRem = 1 << 0
	// LearnDeleteLearned deletes the flows learned into (Table, Cookie)
	// when the last flow with such a learn action leaves the tables.
	LearnDeleteLearned = 1 << 1
	// LearnWriteResult writes 1 into ResultDst when the flow was learned,
	// 0 when Limit prevented it.
	LearnWriteResult = 1 << 2
)

// LearnSpecKind says what a flow_mod_spec produces in the learned flow.
type LearnSpecKind uint8

// Kinds of learn specs, with their NX_LEARN_DST_* wire values >> 11.
const (
	LearnMatch  LearnSpecKind = 0 // a match on Dst
	LearnLoad   LearnSpecKind = 1 // a load into Dst
	LearnOutput LearnSpecKind = 2 // an output to the port in the source
)

// LearnSpec is one flow_mod_spec: NBits bits taken from the packet's
// Src subfield or from the immediate Imm, turned into a match, a load or
// an output of the learned flow.
type LearnSpec struct {
	Kind  LearnSpecKind
	NBits int
	// Src is the source subfield (Src.NBits == NBits); its Field is nil
	// when the source is the immediate Imm.
	Src Subfield
	// Imm is the immediate source value, big-endian in (NBits+7)/8
	// bytes.
	Imm []byte
	// Dst is the destination subfield of a match or load.
	Dst Subfield
}

// Learn is learn(...): it adds (or refreshes) a flow built from the
// packet being translated.
type Learn struct {
	Table                          uint8
	Priority                       uint16
	IdleTimeout, HardTimeout       uint16
	FinIdleTimeout, FinHardTimeout uint16
	Cookie                         uint64
	Flags                          uint16 // Learn* flags
	Limit                          uint32 // max flows with Cookie in Table, 0 unlimited
	ResultDst                      Subfield
	Specs                          []LearnSpec
	// Learn2 records that it came as NXAST_LEARN2, which it is encoded as
	// again (it is also whenever Limit or ResultDst is set).
	Learn2 bool
}

// Nicira subtypes and wire constants of the learn actions.
const (
	nxastLearn  = 16
	nxastLearn2 = 45

	learnHeaderLen  = 32
	learn2HeaderLen = 40

	learnSrcImm    = 1 << 13
	learnDstShift  = 11
	learnDstMask   = 3 << learnDstShift
	learnNBitsMask = 0x3ff
)

// defaultPriority is OFP_DEFAULT_PRIORITY.
const defaultPriority = 0x8000

func (a *Learn) String() string {
	var sb strings.Builder
	sb.WriteString("learn(table=" + strconv.Itoa(int(a.Table)))
	if a.IdleTimeout != 0 {
		sb.WriteString(",idle_timeout=" + strconv.Itoa(int(a.IdleTimeout)))
	}
	if a.HardTimeout != 0 {
		sb.WriteString(",hard_timeout=" + strconv.Itoa(int(a.HardTimeout)))
	}
	if a.FinIdleTimeout != 0 {
		sb.WriteString(",fin_idle_timeout=" + strconv.Itoa(int(a.FinIdleTimeout)))
	}
	if a.FinHardTimeout != 0 {
		sb.WriteString(",fin_hard_timeout=" + strconv.Itoa(int(a.FinHardTimeout)))
	}
	if a.Priority != defaultPriority {
		sb.WriteString(",priority=" + strconv.Itoa(int(a.Priority)))
	}
	if a.Flags&LearnSendFlowRem != 0 {
		sb.WriteString(",send_flow_rem")
	}
	if a.Flags&LearnDeleteLearned != 0 {
		sb.WriteString(",delete_learned")
	}
	if a.Cookie != 0 {
		sb.WriteString(fmt.Sprintf(",cookie=%#x", a.Cookie))
	}
	if a.Limit != 0 {
		sb.WriteString(",limit=" + strconv.FormatUint(uint64(a.Limit), 10))
	}
	if a.Flags&LearnWriteResult != 0 {
		sb.WriteString(",result_dst=" + a.ResultDst.String())
	}
	for i := range a.Specs {
		sb.WriteByte(',')
		sb.WriteString(a.Specs[i].String())
	}
	sb.WriteByte(')')
	return sb.String()
}

// String prints the spec as learn(...) shows it.
func (s *LearnSpec) String() string {
	imm := s.Src.Field == nil
	switch {
	case s.Kind == LearnMatch && imm:
		if s.Dst.whole() {
			f := s.Dst.Field
			var v, ones mf.ValueMask
			copy(v[f.Bytes-len(s.Imm):f.Bytes], s.Imm)
			allOnes(ones[:f.Bytes], f)
			return f.Name + "=" + f.FormatValue(v[:f.Bytes], ones[:f.Bytes])
		}
		return s.Dst.String() + "=" + hexMinimal(s.Imm)
	case s.Kind == LearnMatch:
		if s.Src.Field == s.Dst.Field && s.Src.Ofs == s.Dst.Ofs {
			return s.Dst.String()
		}
		return s.Dst.String() + "=" + s.Src.String()
	case s.Kind == LearnLoad && imm:
		return "load:" + hexMinimal(s.Imm) + "->" + s.Dst.String()
	case s.Kind == LearnLoad:
		return "load:" + s.Src.String() + "->" + s.Dst.String()
	}
	return "output:" + s.Src.String()
}

// whole reports whether the subfield covers its entire field.
func (s Subfield) whole() bool { return s.Field != nil && s.Ofs == 0 && s.NBits == s.Field.Bits }

// parseLearn parses the argument of learn(...).
func parseLearn(arg string) (Action, error) {
	orig := arg
	l := &Learn{Priority: defaultPriority, Table: 1}
	items, err := splitTopLevel(arg)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if item == "" {
			continue
		}
		name, value := item, ""
		if i := strings.IndexAny(item, "=:"); i >= 0 {
			name, value = item[:i], item[i+1:]
		}
		switch name {
		case "table":
			t, err := strconv.ParseUint(value, 10, 8)
			if err != nil {
				return nil, fmt.Errorf("unknown table \"%s\"", value)
			}
			if t == 255 {
				return nil, fmt.Errorf("%s: table id 255 not valid for `learn' action", orig)
			}
			l.Table = uint8(t)
		case "priority":
			l.Priority = uint16(atoi(value))
		case "idle_timeout":
			l.IdleTimeout = uint16(atoi(value))
		case "hard_timeout":
			l.HardTimeout = uint16(atoi(value))
		case "fin_idle_timeout":
			l.FinIdleTimeout = uint16(atoi(value))
		case "fin_hard_timeout":
			l.FinHardTimeout = uint16(atoi(value))
		case "cookie":
			l.Cookie, _ = strconv.ParseUint(value, 0, 64)
		case "send_flow_rem":
			l.Flags |= LearnSendFlowRem
		case "delete_learned":
			l.Flags |= LearnDeleteLearned
		case "limit":
			l.Limit = uint32(atoi(value))
		case "result_dst":
			sf, err := ParseSubfield(value)
			if err != nil {
				return nil, err
			}
			if !sf.Field.Writable {
				return nil, fmt.Errorf("%s is read-only", value)
			}
			if sf.NBits != 1 {
				return nil, fmt.Errorf("result_dst in 'learn' action must be a single bit")
			}
			l.Flags |= LearnWriteResult
			l.ResultDst = sf
		default:
			spec, err := parseLearnSpec(orig, name, value)
			if err != nil {
				return nil, err
			}
			l.Specs = append(l.Specs, spec)
		}
	}
	return l, nil
}

// atoi parses a leading decimal number as C's atoi does: garbage gives 0.
func atoi(s string) int64 {
	s = strings.TrimSpace(s)
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	v, _ := strconv.ParseInt(s[:end], 10, 64)
	return v
}

// nxmCapable reports whether f has a 32-bit NXM/OXM header, which is all
// a learn spec can carry.
func nxmCapable(f *mf.Field) bool {
	h, ok := f.HeaderFor(0)
	return ok && h.Class() != 0xffff
}

// parseLearnSpec parses one "dst[=src]", "load:src->dst" or "output:src".
func parseLearnSpec(orig, name, value string) (LearnSpec, error) {
	if dst, err := ParseSubfield(name); err == nil {
		if !nxmCapable(dst.Field) {
			return LearnSpec{}, fmt.Errorf("%s: experimenter OXM field '%s' not supported", orig, name)
		}
		spec := LearnSpec{Kind: LearnMatch, NBits: dst.NBits, Dst: dst}
		if value == "" {
			spec.Src = dst
			return spec, nil
		}
		src, srcErr := ParseSubfield(value)
		if srcErr == nil {
			if src.NBits != dst.NBits {
				return LearnSpec{}, fmt.Errorf("%s: bit widths of %s (%d) and %s (%d) differ", orig, name, src.NBits, value, dst.NBits)
			}
			spec.Src = src
			return spec, nil
		}
		imm, immErr := parseLearnImmediate(orig, dst, value)
		if immErr != nil {
			return LearnSpec{}, fmt.Errorf("%s: %s value %s cannot be parsed as a subfield (%s) or an immediate value (%s)", orig, name, value, srcErr, immErr)
		}
		spec.Imm = imm
		return spec, nil
	}
	switch name {
	case "load":
		arrow := strings.Index(value, "->")
		switch {
		case arrow == 0:
			return LearnSpec{}, fmt.Errorf("%s: missing source before `->' in `%s'", name, value)
		case arrow < 0:
			return LearnSpec{}, fmt.Errorf("%s: missing `->' in `%s'", name, value)
		}
		src := value[:arrow]
		if isNumber(src) {
			dst, err := ParseSubfield(value[arrow+2:])
			if err != nil {
				return LearnSpec{}, err
			}
			if !nxmCapable(dst.Field) {
				return LearnSpec{}, fmt.Errorf("%s: experimenter OXM field '%s' not supported", value, value[arrow+2:])
			}
			var v [128]byte
			if err := parseBigValue(src, v[:]); err != nil {
				return LearnSpec{}, err
			}
			for i := dst.NBits; i < 8*len(v); i++ {
				if bitSet(v[:], i) {
					return LearnSpec{}, fmt.Errorf("%s: value does not fit into %d bits", value, dst.NBits)
				}
			}
			n := (dst.NBits + 7) / 8
			return LearnSpec{Kind: LearnLoad, NBits: dst.NBits, Imm: append([]byte(nil), v[len(v)-n:]...), Dst: dst}, nil
		}
		mv, err := parseMove(value)
		if err != nil {
			return LearnSpec{}, err
		}
		m := mv.(*Move)
		return LearnSpec{Kind: LearnLoad, NBits: m.Src.NBits, Src: m.Src, Dst: m.Dst}, nil
	case "output":
		src, err := ParseSubfield(value)
		if err != nil {
			return LearnSpec{}, err
		}
		return LearnSpec{Kind: LearnOutput, NBits: src.NBits, Src: src}, nil
	}
	return LearnSpec{}, fmt.Errorf("%s: unknown keyword %s", orig, name)
}

// isNumber reports whether s starts like an integer (what OVS's
// parse_int_string accepts before giving up).
func isNumber(s string) bool {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return len(s) > 2 && strings.IndexFunc(s[2:], func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) }) < 0
	}
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// parseLearnImmediate parses the immediate value of a match spec: a
// field value for a whole field, an integer for part of one.
func parseLearnImmediate(orig string, dst Subfield, value string) ([]byte, error) {
	f := dst.Field
	var v, m mf.ValueMask
	if dst.whole() {
		if err := f.ParseValue(value, v[:f.Bytes], m[:f.Bytes]); err != nil {
			return nil, err
		}
		if !isAllOnes(m[:f.Bytes]) && !isFullFieldMask(f, m[:f.Bytes]) {
			return nil, fmt.Errorf("%s: wildcards not allowed here", value)
		}
	} else {
		if !isNumber(value) || parseBigValue(value, v[:f.Bytes]) != nil {
			return nil, fmt.Errorf("%s: cannot parse integer value", orig)
		}
		for i := dst.NBits; i < 8*f.Bytes; i++ {
			if bitSet(v[:f.Bytes], i) {
				return nil, fmt.Errorf("%s: value %s does not fit into %d bits", orig, f.FormatValue(v[:f.Bytes], nil), dst.NBits)
			}
		}
	}
	n := (dst.NBits + 7) / 8
	return append([]byte(nil), v[f.Bytes-n:f.Bytes]...), nil
}

// appendLearn encodes a as NXAST_LEARN, or NXAST_LEARN2 when it needs a
// limit or a result destination.
func appendLearn(b []byte, a *Learn) []byte {
	start := len(b)
	two := a.Learn2 || a.Limit != 0 || a.Flags&LearnWriteResult != 0
	var body []byte
	if two {
		b, body = putNX(b, nxastLearn2, learn2HeaderLen)
		binary.BigEndian.PutUint32(body[22:], a.Limit)
		binary.BigEndian.PutUint16(body[26:], uint16(a.ResultDst.Ofs))
	} else {
		b, body = putNX(b, nxastLearn, learnHeaderLen)
	}
	binary.BigEndian.PutUint16(body[0:], a.IdleTimeout)
	binary.BigEndian.PutUint16(body[2:], a.HardTimeout)
	binary.BigEndian.PutUint16(body[4:], a.Priority)
	binary.BigEndian.PutUint64(body[6:], a.Cookie)
	binary.BigEndian.PutUint16(body[14:], a.Flags)
	body[16] = a.Table
	binary.BigEndian.PutUint16(body[18:], a.FinIdleTimeout)
	binary.BigEndian.PutUint16(body[20:], a.FinHardTimeout)
	if a.Flags&LearnWriteResult != 0 && a.ResultDst.Field != nil {
		b = appendHeader(b, a.ResultDst.Field, 0, false)
	}
	for i := range a.Specs {
		s := &a.Specs[i]
		hdr := uint16(s.NBits&learnNBitsMask) | uint16(s.Kind)<<learnDstShift
		if s.Src.Field == nil {
			hdr |= learnSrcImm
		}
		b = binary.BigEndian.AppendUint16(b, hdr)
		if s.Src.Field != nil {
			b = binary.BigEndian.AppendUint32(b, nxmHeader32(s.Src.Field))
			b = binary.BigEndian.AppendUint16(b, uint16(s.Src.Ofs))
		} else {
			n := 2 * ((s.NBits + 15) / 16)
			imm := make([]byte, n)
			copy(imm[max(n-len(s.Imm), 0):], s.Imm)
			b = append(b, imm...)
		}
		if s.Kind != LearnOutput {
			b = binary.BigEndian.AppendUint32(b, nxmHeader32(s.Dst.Field))
			b = binary.BigEndian.AppendUint16(b, uint16(s.Dst.Ofs))
		}
	}
	return fixLen(b, start)
}

// decodeLearn decodes NXAST_LEARN and NXAST_LEARN2 (sub), a being the
// whole action.
func decodeLearn(a []byte, sub uint16) (Action, error) {
	hlen := learnHeaderLen
	if sub == nxastLearn2 {
		hlen = learn2HeaderLen
	}
	if len(a) < hlen {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	if sub == nxastLearn2 && u16(a, 38) != 0 {
		return nil, ofperr.NXBAC_MUST_BE_ZERO
	}
	l := &Learn{
		IdleTimeout:    u16(a, 10),
		HardTimeout:    u16(a, 12),
		Priority:       u16(a, 14),
		Cookie:         binary.BigEndian.Uint64(a[16:]),
		Flags:          u16(a, 24),
		Table:          a[26],
		FinIdleTimeout: u16(a, 28),
		FinHardTimeout: u16(a, 30),
		Learn2:         sub == nxastLearn2,
	}
	if a[27] != 0 || l.Table == 0xff {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	allowed := uint16(LearnSendFlowRem | LearnDeleteLearned)
	if l.Learn2 {
		allowed |= LearnWriteResult
	}
	if l.Flags&^allowed != 0 {
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	p := a[hlen:]
	if l.Learn2 {
		l.Limit = u32(a, 32)
		ofs := int(u16(a, 36))
		if l.Flags&LearnWriteResult != 0 {
			if len(p) < 4 {
				return nil, ofperr.OFPBMC_BAD_LEN
			}
			h, n, ok := pullHeader(p)
			if !ok {
				return nil, ofperr.OFPBMC_BAD_LEN
			}
			if h&0x100 != 0 {
				return nil, ofperr.OFPBMC_BAD_MASK
			}
			f := mf.ByHeader(h)
			if f == nil {
				return nil, ofperr.OFPBMC_BAD_FIELD
			}
			if !f.Writable {
				return nil, ofperr.OFPBAC_BAD_SET_ARGUMENT
			}
			l.ResultDst = Subfield{Field: f, Ofs: ofs, NBits: 1}
			if !l.ResultDst.valid() {
				return nil, ofperr.OFPBAC_BAD_SET_LEN
			}
			p = p[n:]
		} else if ofs != 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
	}
	for len(p) >= 2 {
		hdr := binary.BigEndian.Uint16(p)
		if hdr == 0 {
			break
		}
		p = p[2:]
		spec := LearnSpec{NBits: int(hdr & learnNBitsMask), Kind: LearnSpecKind(hdr & learnDstMask >> learnDstShift)}
		imm := hdr&learnSrcImm != 0
		if hdr&^(learnSrcImm|learnDstMask|learnNBitsMask) != 0 || spec.Kind > LearnOutput || (spec.Kind == LearnOutput && imm) {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
		need := 6
		if imm {
			need = 2 * ((spec.NBits + 15) / 16)
		}
		if spec.Kind != LearnOutput {
			need += 6
		}
		if len(p) < need {
			return nil, ofperr.OFPBAC_BAD_LEN
		}
		if imm {
			n := 2 * ((spec.NBits + 15) / 16)
			spec.Imm = append([]byte(nil), p[n-(spec.NBits+7)/8:n]...)
			p = p[n:]
		} else {
			sf, err := learnSubfield(p, spec.NBits)
			if err != nil {
				return nil, err
			}
			spec.Src = sf
			p = p[6:]
		}
		if spec.Kind != LearnOutput {
			sf, err := learnSubfield(p, spec.NBits)
			if err != nil {
				return nil, err
			}
			spec.Dst = sf
			p = p[6:]
		}
		if err := spec.validate(); err != nil {
			return nil, err
		}
		l.Specs = append(l.Specs, spec)
	}
	for _, c := range p {
		if c != 0 {
			return nil, ofperr.OFPBAC_BAD_ARGUMENT
		}
	}
	return l, nil
}

// learnSubfield reads a 32-bit NXM header and a 16-bit offset.
func learnSubfield(p []byte, nbits int) (Subfield, error) {
	h := mf.Header(binary.BigEndian.Uint32(p))
	if h.Class() == 0xffff {
		return Subfield{}, ofperr.OFPBAC_BAD_SET_TYPE
	}
	f := mf.ByHeader(h)
	if f == nil {
		return Subfield{}, ofperr.OFPBAC_BAD_SET_TYPE
	}
	return Subfield{Field: f, Ofs: int(binary.BigEndian.Uint16(p[4:])), NBits: nbits}, nil
}

// validate checks the subfields' ranges and the writability of a load's
// destination, with the errors OVS's action check gives.
func (s *LearnSpec) validate() error {
	check := func(sf Subfield) error {
		if sf.NBits == 0 || sf.Ofs >= sf.Field.Bits || sf.Ofs+sf.NBits > sf.Field.Bits {
			return ofperr.OFPBAC_BAD_SET_LEN
		}
		return nil
	}
	if s.Src.Field != nil {
		if err := check(s.Src); err != nil {
			return err
		}
	}
	if s.Kind == LearnOutput {
		return nil
	}
	if err := check(s.Dst); err != nil {
		return err
	}
	if s.Kind == LearnLoad && !s.Dst.Field.Writable {
		return ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	return nil
}

// checkLearn validates a against the match of the flow that carries it:
// sources need their prerequisites in that match, match and load
// destinations in the learned flow's match as the specs build it.
func checkLearn(a *Learn, m *mf.Match) error {
	var dst mf.Match
	for i := range a.Specs {
		s := &a.Specs[i]
		if err := s.validate(); err != nil {
			return err
		}
		if s.Src.Field != nil && !m.PrereqsOK(s.Src.Field) {
			return ofperr.OFPBAC_MATCH_INCONSISTENT
		}
		if s.Kind == LearnOutput {
			continue
		}
		if !dst.PrereqsOK(s.Dst.Field) {
			return ofperr.OFPBAC_MATCH_INCONSISTENT
		}
		if s.Kind == LearnMatch && s.Src.Field == nil {
			var v [16]byte
			copy(v[16-len(s.Imm):], s.Imm)
			writeMatchBits(&dst, s.Dst, v[:])
		}
	}
	return nil
}

// writeMatchBits makes m match the low Dst.NBits bits of big-endian v in
// subfield dst, keeping what m already matches in the rest of the field.
// A whole field becomes an exact match.
func writeMatchBits(m *mf.Match, dst Subfield, v []byte) {
	f := dst.Field
	n := f.Bytes
	val, mask := m.Get(f.ID)
	for i := 0; i < dst.NBits; i++ {
		bit := dst.Ofs + i
		idx := n - 1 - bit/8
		mask[idx] |= 1 << (bit % 8)
		val[idx] &^= 1 << (bit % 8)
		if bitSet(v, i) {
			val[idx] |= 1 << (bit % 8)
		}
	}
	if dst.whole() || isFullFieldMask(f, mask[:n]) {
		_ = m.Set(f.ID, val[:n], nil)
		return
	}
	_ = m.Set(f.ID, val[:n], mask[:n])
}

// LearnedFlow is the flow a learn action teaches for one packet: OVS's
// flow_mod with command MODIFY_STRICT.
type LearnedFlow struct {
	Table                    uint8
	Priority                 uint16
	IdleTimeout, HardTimeout uint16
	Cookie                   uint64
	SendFlowRem              bool
	Match                    mf.Match
	Actions                  List
}

// Execute builds the flow a teaches for a packet whose flow (OpenFlow
// layout) is flow.
func (a *Learn) Execute(flow *mf.Flow) *LearnedFlow {
	lf := &LearnedFlow{
		Table: a.Table, Priority: a.Priority, Cookie: a.Cookie,
		IdleTimeout: a.IdleTimeout, HardTimeout: a.HardTimeout,
		SendFlowRem: a.Flags&LearnSendFlowRem != 0,
		Actions:     List{},
	}
	if a.FinIdleTimeout != 0 || a.FinHardTimeout != 0 {
		lf.Actions = append(lf.Actions, &FinTimeout{IdleTimeout: a.FinIdleTimeout, HardTimeout: a.FinHardTimeout})
	}
	src := mf.Match{Flow: *flow}
	for i := range a.Specs {
		s := &a.Specs[i]
		var v [16]byte // the spec's value in its low NBits bits
		if s.Src.Field != nil {
			fv, _ := src.Get(s.Src.Field.ID)
			fb := fv[:s.Src.Field.Bytes]
			for j := 0; j < s.NBits && j < 128; j++ {
				if bitSet(fb, s.Src.Ofs+j) {
					v[15-j/8] |= 1 << (j % 8)
				}
			}
		} else {
			copy(v[16-min(len(s.Imm), 16):], s.Imm)
		}
		switch s.Kind {
		case LearnMatch:
			writeMatchBits(&lf.Match, s.Dst, v[:])
		case LearnLoad:
			sf := &SetField{Field: s.Dst.Field, Load: true}
			n := s.Dst.Field.Bytes
			for j := 0; j < s.NBits; j++ {
				bit := s.Dst.Ofs + j
				idx := n - 1 - bit/8
				sf.Mask[idx] |= 1 << (bit % 8)
				if bitSet(v[:], j) {
					sf.Value[idx] |= 1 << (bit % 8)
				}
			}
			lf.Actions = append(lf.Actions, sf)
		case LearnOutput:
			if s.NBits > 16 && !isZero(v[:14]) {
				continue
			}
			port := binary.BigEndian.Uint16(v[14:])
			switch {
			case port < mf.PortMax, port == mf.PortInPort, port == mf.PortFlood,
				port == mf.PortLocal, port == mf.PortAll:
				lf.Actions = append(lf.Actions, &Output{Port: port})
			}
		}
	}
	return lf
}

// isFullFieldMask reports whether mask covers every bit of f.
func isFullFieldMask(f *mf.Field, mask []byte) bool {
	var full mf.ValueMask
	allOnes(full[:f.Bytes], f)
	return bytes.Equal(full[:f.Bytes], mask)
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Mask marks in wc (a mask in OpenFlow layout) every bit a's specs read
// from the packet, so that a megaflow learns again for a packet that
// would teach a different flow.
func (a *Learn) Mask(wc *mf.Flow) {
	m := mf.Match{Flow: *wc}
	for i := range a.Specs {
		s := &a.Specs[i]
		f := s.Src.Field
		if f == nil {
			continue
		}
		v, _ := m.Get(f.ID)
		n := f.Bytes
		for j := 0; j < s.NBits; j++ {
			bit := s.Src.Ofs + j
			if idx := n - 1 - bit/8; idx >= 0 {
				v[idx] |= 1 << (bit % 8)
			}
		}
		_ = m.Set(f.ID, v[:n], nil)
	}
	*wc = m.Flow
}
