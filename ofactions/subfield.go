package ofactions

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// Subfield is a bit range of a field, as in NXM_NX_REG0[0..15].
type Subfield struct {
	Field *mf.Field
	Ofs   int
	NBits int
}

// String prints NXM_NX_REG0[0..15], NXM_NX_REG0[] for the whole field and
// NXM_NX_REG0[3] for one bit, using the field's NXM name as OVS does.
func (s Subfield) String() string {
	if s.Field == nil {
		return "<unknown>"
	}
	name := s.Field.NXMName(0)
	switch {
	case s.Ofs == 0 && s.NBits == s.Field.Bits:
		return name + "[]"
	case s.NBits == 1:
		return fmt.Sprintf("%s[%d]", name, s.Ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", name, s.Ofs, s.Ofs+s.NBits-1)
}

// ParseSubfield parses "NXM_NX_REG0[0..15]", "reg0[0..15]", "reg0[]",
// "reg0[5]" and a bare field name (whole field).
func ParseSubfield(s string) (Subfield, error) {
	name, rest, hasRange := strings.Cut(s, "[")
	f := mf.ByName(name)
	if f == nil {
		return Subfield{}, fmt.Errorf("%s: unknown field `%s'", s, name)
	}
	sf := Subfield{Field: f, NBits: f.Bits}
	if !hasRange {
		return sf, nil
	}
	if !strings.HasSuffix(rest, "]") {
		return Subfield{}, fmt.Errorf("%s: missing `]' after subfield", s)
	}
	rest = rest[:len(rest)-1]
	if rest == "" {
		return sf, nil
	}
	lo, hi, isRange := strings.Cut(rest, "..")
	start, err := strconv.Atoi(lo)
	if err != nil {
		return Subfield{}, fmt.Errorf("%s: syntax error expecting bit number", s)
	}
	end := start
	if isRange {
		if end, err = strconv.Atoi(hi); err != nil {
			return Subfield{}, fmt.Errorf("%s: syntax error expecting bit number", s)
		}
	}
	if start < 0 || end < start || end >= f.Bits {
		return Subfield{}, fmt.Errorf("%s: bit range %d..%d is invalid for %d-bit field %s", s, start, end, f.Bits, f.Name)
	}
	sf.Ofs, sf.NBits = start, end-start+1
	return sf, nil
}

// ofsNbits is the NXM "ofs_nbits" encoding: ofs << 6 | (n_bits - 1).
func (s Subfield) ofsNbits() uint16 { return uint16(s.Ofs<<6 | (s.NBits - 1)) }

// subfieldFromOfsNbits builds a subfield from a header and ofs_nbits,
// validating the range.
func subfieldFromOfsNbits(f *mf.Field, ofsNbits uint16) (Subfield, bool) {
	sf := Subfield{Field: f, Ofs: int(ofsNbits >> 6), NBits: int(ofsNbits&0x3f) + 1}
	return sf, sf.valid()
}

func (s Subfield) valid() bool {
	return s.Field != nil && s.NBits > 0 && s.Ofs >= 0 && s.Ofs+s.NBits <= s.Field.Bits
}
