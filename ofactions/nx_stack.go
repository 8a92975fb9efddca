// push:field[...] and pop:field[...]: NXAST_STACK_PUSH/POP, a stack of
// subfield values private to one translation.

package ofactions

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// StackPush pushes a subfield's value on the translation's stack.
type StackPush struct{ Src Subfield }

func (a *StackPush) String() string { return "push:" + a.Src.String() }

// StackPop pops the top of the stack into a subfield.
type StackPop struct{ Dst Subfield }

func (a *StackPop) String() string { return "pop:" + a.Dst.String() }

const (
	nxastStackPush = 27
	nxastStackPop  = 28
)

// decodeStack parses nx_action_stack: offset, an NXM/OXM header, n_bits,
// zero padding to 24 bytes.
func decodeStack(a []byte, push bool) (Action, error) {
	if err := need(a, 24, false); err != nil {
		return nil, err
	}
	ofs := int(u16(a, 10))
	h, hl, ok := pullHeader(a[12:])
	if !ok {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	rest := a[12+hl:]
	if len(rest) < 2 {
		return nil, ofperr.OFPBAC_BAD_LEN
	}
	sf := Subfield{Ofs: ofs, NBits: int(binary.BigEndian.Uint16(rest))}
	for _, c := range rest[2:] {
		if c != 0 {
			return nil, ofperr.NXBRC_MUST_BE_ZERO
		}
	}
	// mf's lookup gives nil for an unknown header: BAD_SET_TYPE below.
	sf.Field = fieldByHeader(h)
	if push {
		return &StackPush{Src: sf}, checkSrc(sf)
	}
	return &StackPop{Dst: sf}, checkDst(sf)
}

func appendStack(b []byte, sub uint16, sf Subfield) []byte {
	start := len(b)
	b, body := putNX(b, sub, 12)
	binary.BigEndian.PutUint16(body, uint16(sf.Ofs))
	b = appendHeader(b, sf.Field, 0, false)
	b = binary.BigEndian.AppendUint16(b, uint16(sf.NBits))
	for len(b)-start < 24 {
		b = append(b, 0)
	}
	return fixLen(b, start)
}

func parseStack(arg string, push bool) (Action, error) {
	sf, err := ParseSubfield(arg)
	if err != nil {
		return nil, err
	}
	if push {
		return &StackPush{Src: sf}, nil
	}
	return &StackPop{Dst: sf}, nil
}
