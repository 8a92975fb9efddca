package mf

import (
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// Reserved 16-bit OpenFlow port numbers (OpenFlow 1.0 numbering; OF1.1+
// numbers are these plus 0xffff0000).
const (
	PortMax        = 0xff00
	PortUnset      = 0xfff7
	PortInPort     = 0xfff8
	PortTable      = 0xfff9
	PortNormal     = 0xfffa
	PortFlood      = 0xfffb
	PortAll        = 0xfffc
	PortController = 0xfffd
	PortLocal      = 0xfffe
	PortNone       = 0xffff // OFPP_NONE / OFPP_ANY
)

var portNames = []struct {
	port uint16
	name string
}{
	{PortUnset, "UNSET"}, {PortInPort, "IN_PORT"}, {PortTable, "TABLE"},
	{PortNormal, "NORMAL"}, {PortFlood, "FLOOD"}, {PortAll, "ALL"},
	{PortController, "CONTROLLER"}, {PortLocal, "LOCAL"}, {PortNone, "ANY"},
}

// PortString prints a port as ovs-ofctl does (number or reserved name).
func PortString(p uint16) string {
	for _, pn := range portNames {
		if pn.port == p {
			return pn.name
		}
	}
	return strconv.Itoa(int(p))
}

// ParsePort parses a port number or reserved name (case-insensitive; NONE
// is accepted for ANY).
func ParsePort(s string) (uint16, error) {
	for _, pn := range portNames {
		if strings.EqualFold(pn.name, s) {
			return pn.port, nil
		}
	}
	if strings.EqualFold(s, "NONE") {
		return PortNone, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("%s: port must be a number or a reserved port name", s)
	}
	if n >= 0xffffff00 {
		n -= 0xffff0000
	}
	if n > 0xffff {
		return 0, fmt.Errorf("port %s is outside the supported range 0 through %d or 0xffffff00 through 0xffffffff", s, 0xffff)
	}
	return uint16(n), nil
}

var ctStateNames = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}

var tcpFlagNames = []string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"}

// formatFlags prints flags joined by '|' ("0" when none).
func formatFlags(names []string, flags uint32) string {
	if flags == 0 {
		return "0"
	}
	var sb strings.Builder
	var bad uint32
	for flags != 0 {
		bit := flags & -flags
		i := bits.TrailingZeros32(bit)
		if i < len(names) {
			sb.WriteString(names[i])
			sb.WriteByte('|')
		} else {
			bad |= bit
		}
		flags &^= bit
	}
	if bad != 0 {
		fmt.Fprintf(&sb, "0x%x|", bad)
	}
	s := sb.String()
	return s[:len(s)-1]
}

// formatFlagsMasked prints "+a-b" style flags; a full mask prints the
// plain '|' form.
func formatFlagsMasked(names []string, flags, mask, maxMask uint32) string {
	if mask == maxMask {
		return formatFlags(names, flags)
	}
	if mask == 0 {
		return "0/0"
	}
	var sb strings.Builder
	for mask != 0 {
		bit := mask & -mask
		i := bits.TrailingZeros32(bit)
		if flags&bit != 0 {
			sb.WriteByte('+')
		} else {
			sb.WriteByte('-')
		}
		if i < len(names) {
			sb.WriteString(names[i])
		} else {
			sb.WriteString("[Unknown]")
		}
		mask &^= bit
	}
	return sb.String()
}

// parseFlags parses "+a-b", "a|b" or a number[/mask].
func parseFlags(names []string, s string, maxMask uint32) (value, mask uint32, err error) {
	if s == "" {
		return 0, 0, fmt.Errorf("missing flags")
	}
	if s[0] >= '0' && s[0] <= '9' {
		v, mk, err := parseUintMasked(s, 4)
		if err != nil {
			return 0, 0, err
		}
		return uint32(v), uint32(mk), nil
	}
	if s[0] != '+' && s[0] != '-' {
		for _, part := range strings.Split(s, "|") {
			bit, ok := flagBit(names, part)
			if !ok {
				return 0, 0, fmt.Errorf("%s: unknown flag", part)
			}
			value |= bit
		}
		return value, maxMask, nil
	}
	for len(s) > 0 {
		sign := s[0]
		if sign != '+' && sign != '-' {
			return 0, 0, fmt.Errorf("%s: flags must be preceded by '+' or '-'", s)
		}
		s = s[1:]
		end := strings.IndexAny(s, "+-")
		if end < 0 {
			end = len(s)
		}
		bit, ok := flagBit(names, s[:end])
		if !ok {
			return 0, 0, fmt.Errorf("%s: unknown flag", s[:end])
		}
		if mask&bit != 0 {
			return 0, 0, fmt.Errorf("%s: duplicate flag", s[:end])
		}
		mask |= bit
		if sign == '+' {
			value |= bit
		}
		s = s[end:]
	}
	return value, mask, nil
}

func flagBit(names []string, name string) (uint32, bool) {
	for i, n := range names {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// parseUintMasked parses "N" or "N/M" (decimal or 0x hex) for an n-byte
// field; an absent mask is all ones.
func parseUintMasked(s string, n int) (value, mask uint64, err error) {
	vs, ms, hasMask := strings.Cut(s, "/")
	value, err = strconv.ParseUint(vs, 0, n*8)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: invalid numeric value", vs)
	}
	mask = ^uint64(0) >> (64 - n*8)
	if hasMask {
		mask, err = strconv.ParseUint(ms, 0, n*8)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: invalid mask", ms)
		}
	}
	return value, mask, nil
}

// parseHexBytes parses a 0x-prefixed or decimal number into a big-endian
// n-byte buffer (for 128-bit fields).
func parseHexBytes(s string, dst []byte) error {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		h := s[2:]
		if h == "" || len(h) > 2*len(dst) {
			return fmt.Errorf("%s: value too large", s)
		}
		for i := range dst {
			dst[i] = 0
		}
		for i := 0; i < len(h); i++ {
			d, ok := hexDigit(h[len(h)-1-i])
			if !ok {
				return fmt.Errorf("%s: invalid hexadecimal value", s)
			}
			dst[len(dst)-1-i/2] |= d << (4 * (i % 2))
		}
		return nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: invalid numeric value", s)
	}
	for i := range dst {
		dst[i] = 0
	}
	putUint(dst[len(dst)-8:], v)
	return nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexBytes prints a big-endian byte string as minimal 0x hex ("0x0" for
// zero), like OVS's ds_put_hex.
func hexBytes(b []byte) string {
	if isZeroBytes(b) {
		return "0"
	}
	i := 0
	for i < len(b)-1 && b[i] == 0 {
		i++
	}
	s := fmt.Sprintf("%x", b[i:])
	if len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return "0x" + s
}

// EthernetString prints a MAC address.
func EthernetString(b []byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

func parseEthernet(s string, dst []byte) error {
	if len(s) != 17 {
		return fmt.Errorf("%s: invalid Ethernet address", s)
	}
	for i := 0; i < 6; i++ {
		hi, ok1 := hexDigit(s[3*i])
		lo, ok2 := hexDigit(s[3*i+1])
		if !ok1 || !ok2 || (i < 5 && s[3*i+2] != ':') {
			return fmt.Errorf("%s: invalid Ethernet address", s)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

// cidrLen returns the prefix length if mask is a CIDR mask, else -1.
func cidrLen(mask []byte) int {
	n := 0
	for i, c := range mask {
		if c == 0xff {
			n += 8
			continue
		}
		ones := bits.LeadingZeros8(^c)
		if c != byte(0xff<<(8-ones)) {
			return -1
		}
		n += ones
		for _, r := range mask[i+1:] {
			if r != 0 {
				return -1
			}
		}
		return n
	}
	return n
}

func formatIP(v, mask []byte) string {
	var s string
	if len(v) == 4 {
		s = netip.AddrFrom4([4]byte(v)).String()
	} else {
		s = netip.AddrFrom16([16]byte(v)).String()
	}
	if isOnesBytes(mask) {
		return s
	}
	if n := cidrLen(mask); n >= 0 {
		return s + "/" + strconv.Itoa(n)
	}
	if len(mask) == 4 {
		return s + "/" + netip.AddrFrom4([4]byte(mask)).String()
	}
	return s + "/" + netip.AddrFrom16([16]byte(mask)).String()
}

func parseIP(s string, v, mask []byte) error {
	as, ms, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(as)
	if err != nil || (len(v) == 4) != a.Is4() || a.Zone() != "" {
		if len(v) == 4 {
			return fmt.Errorf("%s: invalid IP address", s)
		}
		return fmt.Errorf("%s: invalid IPv6 address", s)
	}
	copy(v, a.AsSlice())
	for i := range mask {
		mask[i] = 0xff
	}
	if !hasMask {
		return nil
	}
	if n, err := strconv.Atoi(ms); err == nil {
		if n < 0 || n > 8*len(v) {
			return fmt.Errorf("%s: network prefix bits not between 0 and %d", s, 8*len(v))
		}
		for i := range mask {
			switch {
			case n >= 8:
				mask[i] = 0xff
				n -= 8
			default:
				mask[i] = byte(0xff << (8 - n))
				n = 0
			}
		}
		return nil
	}
	m, err := netip.ParseAddr(ms)
	if err != nil || (len(v) == 4) != m.Is4() || m.Zone() != "" {
		return fmt.Errorf("%s: invalid netmask", s)
	}
	copy(mask, m.AsSlice())
	return nil
}

// FormatValue prints a field value (and mask, if not exact) the way
// ovs-ofctl prints set_field arguments and generic values.
func (f *Field) FormatValue(value, mask []byte) string {
	if f.IsTunMetadata() {
		value, mask = f.tunMetaTrim(value, mask)
	}
	exact := mask == nil || isOnesBytes(mask) || f.isFullMask(mask)
	switch f.Format {
	case FormatIPv4, FormatIPv6:
		if mask == nil {
			mask = onesLike(value)
		}
		return formatIP(value, mask)
	case FormatEthernet:
		s := EthernetString(value)
		if !exact {
			s += "/" + EthernetString(mask)
		}
		return s
	case FormatPort:
		return PortString(uint16(uintValue(value)))
	case FormatPort32:
		p, err := Port16(uint32(uintValue(value)))
		if err != nil {
			return strconv.FormatUint(uintValue(value), 10)
		}
		return PortString(p)
	case FormatCtState, FormatTCPFlags, FormatTunFlags:
		names, max := f.flagNames()
		mk := max
		if !exact {
			mk = uint32(uintValue(mask))
		}
		return formatFlagsMasked(names, uint32(uintValue(value)), mk, max)
	case FormatFrag:
		mk := uint8(3)
		if !exact {
			mk = uint8(uintValue(mask))
		}
		return formatFrag(uint8(uintValue(value)), mk)
	case FormatDecimal:
		s := strconv.FormatUint(uintValue(value), 10)
		if f.Bytes > 8 {
			s = hexBytes(value)
		}
		if !exact {
			s += "/" + hexBytes(mask)
		}
		return s
	}
	s := hexBytes(value)
	if !exact {
		s += "/" + hexBytes(mask)
	}
	return s
}

func (f *Field) isFullMask(mask []byte) bool {
	var full ValueMask
	allOnes(full[:f.Bytes], f.Bits)
	for i := range mask {
		if mask[i] != full[i] {
			return false
		}
	}
	return true
}

func onesLike(b []byte) []byte {
	m := make([]byte, len(b))
	for i := range m {
		m[i] = 0xff
	}
	return m
}

var tunFlagNames = []string{"oam"}

// flagNames returns the bit names and the full mask of a flags field.
func (f *Field) flagNames() ([]string, uint32) {
	switch f.Format {
	case FormatTCPFlags:
		return tcpFlagNames, 0x0fff
	case FormatTunFlags:
		return tunFlagNames, 1
	}
	return ctStateNames, 0xff
}

var fragNames = []struct {
	name        string
	value, mask uint8
}{
	{"no", 0, 3}, {"first", 1, 3}, {"later", 3, 3}, {"yes", 1, 1}, {"not_later", 0, 2},
}

func formatFrag(v, mask uint8) string {
	switch mask & 3 {
	case 3:
		switch v & 3 {
		case 3:
			return "later"
		case 1:
			return "first"
		case 0:
			return "no"
		}
		return "<error>"
	case 1:
		if v&1 != 0 {
			return "yes"
		}
		return "no"
	case 2:
		if v&2 != 0 {
			return "later"
		}
		return "not_later"
	}
	return "0/0"
}

// ParseValue parses text for field f into value and mask (each f.Bytes
// long); mask is all ones unless the text has one.
func (f *Field) ParseValue(s string, value, mask []byte) error {
	if f.Format == FormatPacketType {
		return parsePacketType(s, value, mask)
	}
	for i := range mask[:f.Bytes] {
		mask[i] = 0xff
	}
	switch f.Format {
	case FormatIPv4, FormatIPv6:
		if f.Bytes != 4 && f.Bytes != 16 {
			break
		}
		if err := parseIP(s, value, mask); err != nil {
			return err
		}
		if !f.Maskable && !isOnesBytes(mask) {
			return fmt.Errorf("%s: field %s does not support masking", s, f.Name)
		}
		return nil
	case FormatEthernet:
		vs, ms, hasMask := strings.Cut(s, "/")
		if err := parseEthernet(vs, value); err != nil {
			return err
		}
		if hasMask {
			if err := parseEthernet(ms, mask); err != nil {
				return err
			}
		}
		return nil
	case FormatPort, FormatPort32:
		p, err := ParsePort(s)
		if err != nil {
			return err
		}
		if f.Format == FormatPort32 {
			putUint(value, uint64(Port32(p)))
		} else {
			putUint(value, uint64(p))
		}
		return nil
	case FormatCtState, FormatTCPFlags, FormatTunFlags:
		names, max := f.flagNames()
		v, mk, err := parseFlags(names, s, max)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if mk == ^uint32(0)>>(32-8*f.Bytes) {
			mk = max
		}
		if v&^max != 0 || mk&^max != 0 {
			return fmt.Errorf("%s: value out of range for %s", s, f.Name)
		}
		putUint(value, uint64(v))
		putUint(mask, uint64(mk))
		return nil
	case FormatFrag:
		for _, fn := range fragNames {
			if fn.name == s {
				value[0], mask[0] = fn.value, fn.mask
				return nil
			}
		}
		return fmt.Errorf("%s: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\"", s)
	}
	if f.Bytes > 8 {
		vs, ms, hasMask := strings.Cut(s, "/")
		if err := parseHexBytes(vs, value); err != nil {
			return err
		}
		if hasMask {
			if err := parseHexBytes(ms, mask); err != nil {
				return err
			}
		}
	} else {
		v, mk, err := parseUintMasked(s, f.Bytes)
		if err != nil {
			return err
		}
		putUint(value, v)
		if strings.Contains(s, "/") {
			putUint(mask, mk)
		}
	}
	if !f.validValue(value) {
		return fmt.Errorf("%s: value %s is out of range for %s", s, s, f.Name)
	}
	if !f.Maskable && !f.isFullMask(mask) && !isOnesBytes(mask) {
		return fmt.Errorf("%s: field %s does not support masking", s, f.Name)
	}
	return nil
}
