package conntrack

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestParseFTP(t *testing.T) {
	cases := []struct {
		in   string
		v6   bool
		want string // cmd addr@off+len port, "other", or "error"
	}{
		{"PORT 10,0,0,1,156,65\r\n", false, "1 10.0.0.1@5+8 40001"},
		{"port  192,168,100,200,0,21\r\n", false, "1 192.168.100.200@6+15 21"},
		{"227 Entering Passive Mode (20,0,0,2,117,48).\r\n", false, "3 20.0.0.2@27+8 30000"},
		{"227 =20,0,0,2,0,1", false, "3 20.0.0.2@5+8 1"},
		{"EPRT |1|132.235.1.2|6275|\r\n", false, "2 132.235.1.2@8+11 6275"},
		{"EPRT !2!fd00::1!40001!\r\n", true, "2 fd00::1@8+7 40001"},
		{"229 Entering Extended Passive Mode (|||6446|)\r\n", false, "4 invalid IP@0+0 6446"},
		{"229 Entering Extended Passive Mode (|||6446|)\r\n", true, "4 invalid IP@0+0 6446"},
		{"200 Command okay.\r\n", false, "other"},
		{"PORT 10,0,0,1,156,65\r\n", true, "other"}, // IPv6 control connections use EPRT
		{"RETR PORT 1,2,3,4,5,6", false, "other"},
		{"PORT", false, "error"},
		{"PORT 10,0,0,1,256,1", false, "error"},
		{"PORT 10,0,0,1,0,0", false, "error"},
		{"PORT 10,0,0,1,1", false, "error"},
		{"PORT 10,0,0,1000,1,1", false, "error"},
		{"PORT 10.0.0.1,1,1", false, "error"},
		{"EPRT |2|fd00::1|40001|", false, "error"}, // family mismatch
		{"EPRT |1|10.0.0.1|40001|", true, "error"},
		{"EPRT |1|10.0.0.1|65536|", false, "error"},
		{"EPRT |1|10.0.0.1|", false, "error"},
		{"EPRT |2|fe80::1%eth0|1|", true, "error"},
		{"229 Entering Extended Passive Mode", false, "error"},
		{"229 (|||0|)", false, "error"},
		{"PORT 10,0,0,1,1,1\x00garbage", false, "1 10.0.0.1@5+8 257"},
		{"PORT \x0010,0,0,1,1,1", false, "error"},
		{strings.Repeat(" ", 120) + "PORT 10,0,0,1,1,1", false, "other"},
		{"227 " + strings.Repeat("x", 120) + "1,2,3,4,5,6", false, "error"}, // past the 128 bytes examined
	}
	for _, c := range cases {
		m, err := parseFTP([]byte(c.in), c.v6)
		var got string
		switch {
		case err != nil:
			got = "error"
		case m.cmd == ftpOther:
			got = "other"
		default:
			got = itoa(int(m.cmd)) + " " + m.addr.String() + "@" + itoa(m.addrOff) + "+" + itoa(m.addrLen) + " " + itoa(int(m.port))
		}
		if got != c.want {
			t.Errorf("%q (v6=%v): got %s, want %s", c.in, c.v6, got, c.want)
		}
	}
}

// FuzzParseFTP: the parser never panics, and whatever it accepts locates the
// address text it reports and carries a usable port.
func FuzzParseFTP(f *testing.F) {
	for _, s := range []string{
		"PORT 10,0,0,1,156,65\r\n", "227 Entering Passive Mode (20,0,0,2,117,48).\r\n",
		"EPRT |1|132.235.1.2|6275|\r\n", "EPRT |2|fd00::1|40001|\r\n",
		"229 Entering Extended Passive Mode (|||6446|)\r\n", "PORT 1,2,3,4,5", "EPRT ||||",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, payload []byte, v6 bool) {
		m, err := parseFTP(payload, v6)
		if err != nil || m.cmd == ftpOther {
			return
		}
		if m.port == 0 {
			t.Fatalf("port 0 accepted: %q", payload)
		}
		if !m.addr.IsValid() {
			if m.cmd != ftpEPSV {
				t.Fatalf("no address for %d: %q", m.cmd, payload)
			}
			return
		}
		if m.addrOff < 0 || m.addrOff+m.addrLen > min(len(payload), ftpMaxExamined) {
			t.Fatalf("address text out of range: %+v in %q", m, payload)
		}
		text := string(payload[m.addrOff : m.addrOff+m.addrLen])
		if m.cmd == ftpPORT || m.cmd == ftpPASV {
			// Octets may carry leading zeros, which netip rejects.
			var b [4]byte
			for i, o := range strings.Split(text, ",") {
				v, err := strconv.Atoi(o)
				if err != nil || i > 3 || v > 255 {
					t.Fatalf("address text %q: %q", text, payload)
				}
				b[i] = byte(v)
			}
			text = netip.AddrFrom4(b).String()
		}
		if a, err := netip.ParseAddr(text); err != nil || a != m.addr || a.Is4() == v6 {
			t.Fatalf("address text %q does not give %v: %q", text, m.addr, payload)
		}
	})
}
