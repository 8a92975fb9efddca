package dpif

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Helpers that print one field of a datapath key or set action the way
// OVS's odp-util does: a field whose mask is zero is left out unless
// verbose, a partial mask follows the value after "/". Each appends
// "name=value," and the caller trims the last comma.

// hexC prints v as C's "%#x": "0" for zero, "0x1f" otherwise.
func hexC(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

func putIPv4(b *strings.Builder, name string, v, m uint32, verbose bool) {
	if !verbose && m == 0 {
		return
	}
	b.WriteString(name + "=" + ipv4String(v))
	if m != 0xffffffff {
		b.WriteString("/" + ipv4String(m))
	}
	b.WriteByte(',')
}

func ipv4String(v uint32) string {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

func putIn6(b *strings.Builder, name string, v, m [16]byte, verbose bool) {
	if !verbose && m == [16]byte{} {
		return
	}
	b.WriteString(name + "=" + netip.AddrFrom16(v).String())
	if m != [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		b.WriteString("/" + netip.AddrFrom16(m).String())
	}
	b.WriteByte(',')
}

func putEth(b *strings.Builder, name string, v, m [6]byte, verbose bool) {
	if !verbose && m == [6]byte{} {
		return
	}
	b.WriteString(name + "=" + macString(v))
	if m != [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		b.WriteString("/" + macString(m))
	}
	b.WriteByte(',')
}

func macString(a [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5])
}

// putUint prints a decimal field of the given all-ones mask full; hex
// chooses C's %#x for the value.
func putUint(b *strings.Builder, name string, v, m, full uint64, hex, verbose bool) {
	if !verbose && m == 0 {
		return
	}
	if hex {
		b.WriteString(name + "=" + hexC(v))
	} else {
		b.WriteString(name + "=" + strconv.FormatUint(v, 10))
	}
	if m != full {
		b.WriteString("/" + hexC(m))
	}
	b.WriteByte(',')
}

func putFrag(b *strings.Builder, v, m uint8) {
	if m == 0 {
		return
	}
	switch {
	case v&NwFragLater != 0:
		b.WriteString("frag=later,")
	case v&NwFragAny != 0:
		b.WriteString("frag=first,")
	default:
		b.WriteString("frag=no,")
	}
}

func chomp(b *strings.Builder) string {
	return strings.TrimSuffix(b.String(), ",")
}

// putVLANTCI prints a VLAN TCI (with VLANCFI as the presence bit).
func putVLANTCI(b *strings.Builder, tci, mask uint16, verbose bool) {
	if vid, vm := tci&0xfff, mask&0xfff; verbose || vid != 0 || vm != 0 {
		b.WriteString("vid=" + strconv.Itoa(int(vid)))
		if vm != 0xfff {
			b.WriteString("/" + hexC(uint64(vm)))
		}
		b.WriteByte(',')
	}
	if pcp, pm := tci>>13, mask>>13; verbose || pcp != 0 || pm != 0 {
		b.WriteString("pcp=" + strconv.Itoa(int(pcp)))
		if pm != 7 {
			b.WriteString("/" + hexC(uint64(pm)))
		}
		b.WriteByte(',')
	}
	if tci&VLANCFI == 0 {
		b.WriteString("cfi=0,")
	}
}

func mplsText(lse uint32) string {
	return fmt.Sprintf("label=%d,tc=%d,ttl=%d,bos=%d", lse>>12, lse>>9&7, lse&0xff, lse>>8&1)
}

func mplsMaskedText(v, m uint32) string {
	return fmt.Sprintf("label=%d/0x%x,tc=%d/%x,ttl=%d/0x%x,bos=%d/%x",
		v>>12, m>>12, v>>9&7, m>>9&7, v&0xff, m&0xff, v>>8&1, m>>8&1)
}

// u128Text prints a 128-bit value as OVS's format_u128 in verbose form.
func u128Text(hi, lo, mhi, mlo uint64) string {
	s := hex128(hi, lo)
	if mhi != ^uint64(0) || mlo != ^uint64(0) {
		s += "/" + hex128(mhi, mlo)
	}
	return s
}

func hex128(hi, lo uint64) string {
	switch {
	case hi != 0:
		return fmt.Sprintf("0x%x%016x", hi, lo)
	case lo != 0:
		return fmt.Sprintf("0x%x", lo)
	}
	return "0"
}

// flagNames print TCP flags and ct_state bits (lowest bit first).
var (
	tcpFlagNames = []string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"}
	ctStateNames = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}
)

// flagsText is OVS's format_flags: names joined by sep, "0" if none.
func flagsText(v uint32, names []string, sep string) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	for i, n := range names {
		if v&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, sep)
}

// flagsMaskedText is OVS's format_flags_masked: +name/-name per masked bit.
func flagsMaskedText(v, m, full uint32, names []string) string {
	if m == full {
		return flagsText(v, names, "|")
	}
	if m == 0 {
		return "0/0"
	}
	var b strings.Builder
	for i, n := range names {
		if m&(1<<i) == 0 {
			continue
		}
		if v&(1<<i) != 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		b.WriteString(n)
	}
	return b.String()
}

// TCPFlagsText prints a union of TCP flags as dump-flows' "flags:" does.
func TCPFlagsText(f uint16) string {
	if f == 0 {
		return "none"
	}
	var b strings.Builder
	for _, c := range []struct {
		bit uint16
		s   string
	}{{0x002, "S"}, {0x001, "F"}, {0x008, "P"}, {0x004, "R"}, {0x020, "U"}, {0x010, "."},
		{0x040, "E"}, {0x080, "C"}, {0x100, "N"}, {0x200, "[200]"}, {0x400, "[400]"}, {0x800, "[800]"}} {
		if f&c.bit != 0 {
			b.WriteString(c.s)
		}
	}
	return b.String()
}
