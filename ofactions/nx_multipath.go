// multipath(...) and bundle(...)/bundle_load(...): Nicira actions that
// pick one of several links or ports by a hash of some of the flow's
// fields (NXAST_MULTIPATH, NXAST_BUNDLE, NXAST_BUNDLE_LOAD).

package ofactions

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// HashFields names the flow fields multipath and bundle hash
// (NX_HASH_FIELDS_*).
type HashFields uint16

// Hash field sets, numbered as on the wire.
const (
	HashEthSrc HashFields = iota
	HashSymmetricL4
	HashSymmetricL3L4
	HashSymmetricL3L4UDP
	HashNwSrc
	HashNwDst
	HashSymmetricL3
)

var hashFieldNames = []string{"eth_src", "symmetric_l4", "symmetric_l3l4", "symmetric_l3l4+udp", "nw_src", "nw_dst", "symmetric_l3"}

func (h HashFields) String() string {
	if int(h) < len(hashFieldNames) {
		return hashFieldNames[h]
	}
	return "<unknown>"
}

func (h HashFields) valid() bool { return int(h) < len(hashFieldNames) }

func parseHashFields(s string) (HashFields, bool) {
	for i, n := range hashFieldNames {
		if strings.EqualFold(n, s) {
			return HashFields(i), true
		}
	}
	return 0, false
}

// Multipath link selection algorithms (NX_MP_ALG_*).
const (
	MPModuloN = iota
	MPHashThreshold
	MPHRW
	MPIterHash
)

var mpAlgNames = []string{"modulo_n", "hash_threshold", "hrw", "iter_hash"}

// Multipath is multipath(fields,basis,algorithm,n_links,arg,dst): it
// stores in Dst a link number below MaxLink+1 chosen from a hash of the
// flow.
type Multipath struct {
	Fields    HashFields
	Basis     uint16
	Algorithm uint16
	MaxLink   uint16 // number of links minus one
	Arg       uint32
	Dst       Subfield
}

func (a *Multipath) String() string {
	alg := "<unknown>"
	if int(a.Algorithm) < len(mpAlgNames) {
		alg = mpAlgNames[a.Algorithm]
	}
	return fmt.Sprintf("multipath(%s,%d,%s,%d,%d,%s)", a.Fields, a.Basis, alg, int(a.MaxLink)+1, a.Arg, a.Dst)
}

// Bundle member selection algorithms (NX_BD_ALG_*).
const (
	BundleActiveBackup = 0
	BundleHRW          = 1
)

// maxBundleMembers is OVS's BUNDLE_MAX_MEMBERS.
const maxBundleMembers = 2048

// Bundle is bundle(fields,basis,algorithm,ofport,members:...) and, when
// Dst is set, bundle_load(...,dst,members:...): output to (or store the
// number of) one live member port.
type Bundle struct {
	Fields    HashFields
	Basis     uint16
	Algorithm uint16
	Dst       Subfield // Field nil for bundle (output)
	Members   []uint16
}

func (a *Bundle) String() string {
	name := "bundle"
	if a.Dst.Field != nil {
		name = "bundle_load"
	}
	alg := "<unknown>"
	switch a.Algorithm {
	case BundleHRW:
		alg = "hrw"
	case BundleActiveBackup:
		alg = "active_backup"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s(%s,%d,%s,ofport,", name, a.Fields, a.Basis, alg)
	if a.Dst.Field != nil {
		sb.WriteString(a.Dst.String() + ",")
	}
	sb.WriteString("members:")
	for i, p := range a.Members {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(mf.PortString(p))
	}
	sb.WriteByte(')')
	return sb.String()
}

// Nicira subtypes of this file.
const (
	nxastMultipath  = 10
	nxastBundle     = 12
	nxastBundleLoad = 13
)

// nxmInPortHeader is NXM_OF_IN_PORT, the only bundle member type.
const nxmInPortHeader = 0x00000002

// log2Ceil is the number of bits needed for values 0..n-1.
func log2Ceil(n uint32) int {
	b := 0
	for (uint32(1) << b) < n {
		b++
	}
	return b
}

// checkDst validates a destination subfield of a decoded action as OVS's
// mf_check_dst.
func checkDst(s Subfield) error {
	switch {
	case s.Field == nil:
		return ofperr.OFPBAC_BAD_SET_TYPE
	case s.NBits == 0 || s.Ofs >= s.Field.Bits || s.Ofs+s.NBits > s.Field.Bits:
		return ofperr.OFPBAC_BAD_SET_LEN
	case !s.Field.Writable:
		return ofperr.OFPBAC_BAD_SET_ARGUMENT
	}
	return nil
}

// checkSrc validates a source subfield as OVS's mf_check_src.
func checkSrc(s Subfield) error {
	switch {
	case s.Field == nil:
		return ofperr.OFPBAC_BAD_SET_TYPE
	case s.NBits == 0 || s.Ofs >= s.Field.Bits || s.Ofs+s.NBits > s.Field.Bits:
		return ofperr.OFPBAC_BAD_SET_LEN
	}
	return nil
}

func decodeMultipath(a []byte) (Action, error) {
	if err := need(a, 32, false); err != nil {
		return nil, err
	}
	mp := &Multipath{Fields: HashFields(u16(a, 10)), Basis: u16(a, 12), Algorithm: u16(a, 16),
		MaxLink: u16(a, 18), Arg: u32(a, 20)}
	f := mf.ByHeader(mf.Header(u32(a, 28)))
	if f == nil {
		return nil, ofperr.OFPBAC_BAD_SET_TYPE
	}
	ofsNbits := u16(a, 26)
	mp.Dst = Subfield{Field: f, Ofs: int(ofsNbits >> 6), NBits: int(ofsNbits&0x3f) + 1}
	switch {
	case !mp.Fields.valid(), mp.Algorithm > MPIterHash:
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	case mp.Dst.NBits < log2Ceil(uint32(mp.MaxLink)+1):
		return nil, ofperr.OFPBAC_BAD_ARGUMENT
	}
	return mp, checkDst(mp.Dst)
}

func appendMultipath(b []byte, a *Multipath) []byte {
	b, body := putNX(b, nxastMultipath, 32)
	binary.BigEndian.PutUint16(body, uint16(a.Fields))
	binary.BigEndian.PutUint16(body[2:], a.Basis)
	binary.BigEndian.PutUint16(body[6:], a.Algorithm)
	binary.BigEndian.PutUint16(body[8:], a.MaxLink)
	binary.BigEndian.PutUint32(body[10:], a.Arg)
	binary.BigEndian.PutUint16(body[16:], a.Dst.ofsNbits())
	binary.BigEndian.PutUint32(body[18:], nxmHeader32(a.Dst.Field))
	return b
}

// tokens splits s at any of seps, dropping empty pieces (as strtok).
func tokens(s, seps string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
}

func parseMultipath(arg string) (Action, error) {
	t := tokens(arg, ", ")
	if len(t) < 6 {
		return nil, fmt.Errorf("%s: not enough arguments to multipath action", arg)
	}
	mp := &Multipath{}
	var ok bool
	if mp.Fields, ok = parseHashFields(t[0]); !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, t[0])
	}
	mp.Basis = uint16(cAtoi(t[1]))
	alg := -1
	for i, n := range mpAlgNames {
		if strings.EqualFold(n, t[2]) {
			alg = i
		}
	}
	if alg < 0 {
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, t[2])
	}
	mp.Algorithm = uint16(alg)
	n := cAtoi(t[3])
	if n < 1 || n > 65536 {
		return nil, fmt.Errorf("%s: n_links %d is not in valid range 1 to 65536", arg, n)
	}
	mp.MaxLink = uint16(n - 1)
	mp.Arg = uint32(cAtoi(t[4]))
	dst, err := parseNXMSubfield(arg, t[5])
	if err != nil {
		return nil, err
	}
	mp.Dst = dst
	if dst.NBits < 16 && n > 1<<dst.NBits {
		return nil, fmt.Errorf("%s: %d-bit destination field has %d possible values, less than specified n_links %d",
			arg, dst.NBits, 1<<dst.NBits, n)
	}
	return mp, nil
}

// cAtoi converts a leading decimal number as C's atoi (0 when none).
func cAtoi(s string) int {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

// parseNXMSubfield parses a destination subfield that must have a plain
// NXM header (multipath, bundle_load).
func parseNXMSubfield(arg, s string) (Subfield, error) {
	sf, err := ParseSubfield(s)
	if err != nil {
		return Subfield{}, err
	}
	if h, ok := sf.Field.HeaderFor(0); !ok || h.Class() == 0xffff {
		return Subfield{}, fmt.Errorf("%s: experimenter OXM field '%s' not supported", arg, s)
	}
	return sf, nil
}

func decodeBundle(a []byte, load bool) (Action, error) {
	if err := need(a, 32, true); err != nil {
		return nil, err
	}
	bd := &Bundle{Algorithm: u16(a, 10), Fields: HashFields(u16(a, 12)), Basis: u16(a, 14)}
	n := int(u16(a, 20))
	var err error
	switch {
	case !bd.Fields.valid(), n > maxBundleMembers,
		bd.Algorithm != BundleHRW && bd.Algorithm != BundleActiveBackup,
		u32(a, 16) != nxmInPortHeader:
		err = ofperr.OFPBAC_BAD_ARGUMENT
	}
	if a[28]|a[29]|a[30]|a[31] != 0 {
		err = ofperr.OFPBAC_BAD_ARGUMENT
	}
	ofsNbits, dst := u16(a, 22), u32(a, 24)
	if load {
		f := mf.ByHeader(mf.Header(dst))
		if f == nil {
			return nil, ofperr.OFPBAC_BAD_SET_TYPE
		}
		bd.Dst = Subfield{Field: f, Ofs: int(ofsNbits >> 6), NBits: int(ofsNbits&0x3f) + 1}
		if bd.Dst.NBits < 16 {
			err = ofperr.OFPBAC_BAD_ARGUMENT
		}
	} else if ofsNbits != 0 || dst != 0 {
		err = ofperr.OFPBAC_BAD_ARGUMENT
	}
	if len(a)-32 < 2*n {
		err = ofperr.OFPBAC_BAD_LEN
	} else {
		bd.Members = make([]uint16, n)
		for i := range bd.Members {
			bd.Members[i] = u16(a, 32+2*i)
		}
	}
	if err != nil {
		return nil, err
	}
	return bd, bd.check()
}

// check validates the destination and members as OVS's bundle_check.
func (a *Bundle) check() error {
	if a.Dst.Field != nil {
		if err := checkDst(a.Dst); err != nil {
			return err
		}
	}
	for _, p := range a.Members {
		// ANY stands for "no port"; the controller is refused as a
		// member (there would be no max_len).
		if p != mf.PortNone && !validOutputPort(p) || p == mf.PortController {
			return ofperr.OFPBAC_BAD_OUT_PORT
		}
	}
	return nil
}

// validOutputPort reports whether p may be an output port: a physical
// port number or a reserved port other than ANY.
func validOutputPort(p uint16) bool {
	switch p {
	case mf.PortInPort, mf.PortTable, mf.PortNormal, mf.PortFlood, mf.PortAll, mf.PortController, mf.PortLocal:
		return true
	}
	return p < mf.PortMax
}

func appendBundle(b []byte, a *Bundle) []byte {
	start := len(b)
	sub := uint16(nxastBundle)
	if a.Dst.Field != nil {
		sub = nxastBundleLoad
	}
	b, body := putNX(b, sub, 32)
	binary.BigEndian.PutUint16(body, a.Algorithm)
	binary.BigEndian.PutUint16(body[2:], uint16(a.Fields))
	binary.BigEndian.PutUint16(body[4:], a.Basis)
	binary.BigEndian.PutUint32(body[6:], nxmInPortHeader)
	binary.BigEndian.PutUint16(body[10:], uint16(len(a.Members)))
	if a.Dst.Field != nil {
		binary.BigEndian.PutUint16(body[12:], a.Dst.ofsNbits())
		binary.BigEndian.PutUint32(body[14:], nxmHeader32(a.Dst.Field))
	}
	for _, p := range a.Members {
		b = binary.BigEndian.AppendUint16(b, p)
	}
	return fixLen(b, start)
}

func parseBundle(arg string, load bool) (Action, error) {
	// fields, basis, algorithm, member_type[, dst], "members:" then the
	// member ports, split the way OVS's strtok calls split them.
	rest := arg
	next := func(seps string) string {
		rest = strings.TrimLeft(rest, seps)
		i := strings.IndexAny(rest, seps)
		if i < 0 {
			t := rest
			rest = ""
			return t
		}
		t := rest[:i]
		rest = rest[i+1:]
		return t
	}
	fields, basis, alg, mtype := next(", "), next(", "), next(", "), next(", ")
	dst := ""
	if load {
		dst = next(", ")
	}
	delim := next(": ")
	if delim == "" {
		return nil, fmt.Errorf("%s: not enough arguments to bundle action", arg)
	}
	if !strings.EqualFold(delim, "members") && !strings.EqualFold(delim, "slaves") {
		return nil, fmt.Errorf("%s: missing member delimiter, expected `members', got `%s'", arg, delim)
	}
	bd := &Bundle{}
	for _, m := range tokens(rest, ", []") {
		if len(bd.Members) >= maxBundleMembers {
			break
		}
		p, err := mf.ParsePort(m)
		if err != nil {
			return nil, fmt.Errorf("%s: bad port number", m)
		}
		bd.Members = append(bd.Members, p)
	}
	bd.Basis = uint16(cAtoi(basis))
	var ok bool
	if bd.Fields, ok = parseHashFields(fields); !ok {
		return nil, fmt.Errorf("%s: unknown fields `%s'", arg, fields)
	}
	switch {
	case strings.EqualFold(alg, "active_backup"):
		bd.Algorithm = BundleActiveBackup
	case strings.EqualFold(alg, "hrw"):
		bd.Algorithm = BundleHRW
	default:
		return nil, fmt.Errorf("%s: unknown algorithm `%s'", arg, alg)
	}
	if !strings.EqualFold(mtype, "ofport") {
		return nil, fmt.Errorf("%s: unknown member_type `%s'", arg, mtype)
	}
	if load {
		sf, err := parseNXMSubfield(arg, dst)
		if err != nil {
			return nil, err
		}
		bd.Dst = sf
	}
	return bd, nil
}
