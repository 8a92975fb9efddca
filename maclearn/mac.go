package maclearn

import "fmt"

// MAC is an Ethernet address. A fixed array keeps table keys comparable and
// lookups allocation-free.
type MAC [6]byte

// BroadcastMAC is ff:ff:ff:ff:ff:ff.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// String formats m as OVS does: lower-case hex, colon separated.
func (m MAC) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// IsMulticast reports whether the group bit is set (broadcast included).
func (m MAC) IsMulticast() bool { return m[0]&1 != 0 }

// IsBroadcast reports whether m is ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == BroadcastMAC }

func (m MAC) uint64() uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 |
		uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

// reservedMACs are the destinations a bridge never forwards unless
// other_config:forward-bpdu is true: IEEE 802.1D/802.1Q link-local groups
// (STP, pause, LACP, LLDP, 802.1X...) and the Extreme and Cisco control
// protocol groups, as vswitch.xml lists them.
var reservedMACs = map[uint64]struct{}{
	0x00e02b000000: {}, 0x00e02b000004: {}, 0x00e02b000006: {}, // Extreme EDP, EAPS
	0x01000c000000: {}, 0x01000ccccccc: {}, 0x01000ccccccd: {}, 0x01000ccdcdcd: {}, // Cisco ISL, CDP..., PVST+, UplinkFast
	0x01000cccccc0: {}, 0x01000cccccc1: {}, 0x01000cccccc2: {}, 0x01000cccccc3: {}, // Cisco CFM
	0x01000cccccc4: {}, 0x01000cccccc5: {}, 0x01000cccccc6: {}, 0x01000cccccc7: {},
}

// IsReserved reports whether m is a reserved control-protocol destination
// (01:80:c2:00:00:00 through 0f and the vendor groups in reservedMACs).
func (m MAC) IsReserved() bool {
	v := m.uint64()
	if v&^0xf == 0x0180c2000000 {
		return true
	}
	_, ok := reservedMACs[v]
	return ok
}

// ParseMAC accepts six colon-separated groups of one or two hex digits, the
// form ovs-appctl fdb/add and fdb/del take.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	i := 0
	for b := 0; b < 6; b++ {
		if b > 0 {
			if i >= len(s) || s[i] != ':' {
				return MAC{}, fmt.Errorf("parse MAC %q: expected ':'", s)
			}
			i++
		}
		n, v := 0, 0
		for i < len(s) && n < 2 {
			d, ok := hexDigit(s[i])
			if !ok {
				break
			}
			v = v<<4 | d
			i, n = i+1, n+1
		}
		if n == 0 {
			return MAC{}, fmt.Errorf("parse MAC %q: expected hex digit", s)
		}
		m[b] = byte(v)
	}
	if i != len(s) {
		return MAC{}, fmt.Errorf("parse MAC %q: trailing characters", s)
	}
	return m, nil
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
