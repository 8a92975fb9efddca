package dpif

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractAgreesWithOVS writes every Extract test frame to a pcap file,
// has the real OVS parse it (ovs-ofctl parse-pcap runs OVS's own flow
// extraction) and compares each field OVS prints with our key.
func TestExtractAgreesWithOVS(t *testing.T) {
	ofctl, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	cases := extractCases()
	// Then mutants of every frame: a few bytes changed, or cut short, so the
	// malformed paths are compared too.
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range extractCases() {
		for j := range 40 {
			p := bytes.Clone(c.pkt)
			if j%4 == 0 {
				p = p[:1+r.IntN(len(p))]
			} else {
				for range 1 + r.IntN(3) {
					p[r.IntN(len(p))] = byte(r.Uint32())
				}
			}
			cases = append(cases, extractCase{name: fmt.Sprintf("%s, mutant %d (%x)", c.name, j, p), pkt: p})
		}
	}
	pcap := filepath.Join(t.TempDir(), "frames.pcap")
	if err := os.WriteFile(pcap, tPcap(cases), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ofctl, "parse-pcap", pcap).Output()
	if err != nil {
		t.Fatalf("ovs-ofctl parse-pcap: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("ovs-ofctl printed %d flows for %d frames:\n%s", len(lines), len(cases), out)
	}
	for i, c := range cases {
		var k FlowKey
		Extract(c.pkt, 0, &k)
		compared := 0
		for _, kv := range strings.Split(lines[i], ",") {
			name, val, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			ours, known := ovsFieldText(&k, name)
			if !known {
				continue
			}
			compared++
			if a, err := netip.ParseAddr(val); err == nil && a.Is6() {
				val = a.String() // OVS prints ::a.b.c.d for IPv4-compatible ones
			}
			if ours != val {
				t.Errorf("%s: %s=%s from OVS, ours %s\n  OVS: %s", c.name, name, val, ours, lines[i])
			}
		}
		if compared < 2 && len(c.pkt) >= 14 {
			t.Errorf("%s: only %d fields compared in %q", c.name, compared, lines[i])
		}
	}
}

// ovsFieldText prints our value of the OVS match field name as ovs-ofctl
// prints it, and reports false for fields this comparison skips.
func ovsFieldText(k *FlowKey, name string) (string, bool) {
	ip4 := func(v uint32) string {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], v)
		return netip.AddrFrom4(a).String()
	}
	mac := func(a [6]byte) string { return net.HardwareAddr(a[:]).String() }
	ip6 := func(a [16]byte) string { return netip.AddrFrom16(a).String() }
	_, tci0 := k.VLAN(0)
	_, tci1 := k.VLAN(1)
	lse := k.MPLSLSE()
	frag := map[uint8]string{0: "no", NwFragAny: "first", NwFragAny | NwFragLater: "later"}
	switch name {
	case "dl_src":
		return mac(k.EthSrc()), true
	case "dl_dst":
		return mac(k.EthDst()), true
	case "dl_type":
		return fmt.Sprintf("0x%04x", k.EthType()), true
	case "vlan_tci":
		return fmt.Sprintf("0x%04x", tci0), true
	case "vlan_tci1":
		return fmt.Sprintf("0x%04x", tci1), true
	case "dl_vlan":
		return fmt.Sprint(tci0 & 0xfff), true
	case "dl_vlan_pcp":
		return fmt.Sprint(tci0 >> 13), true
	case "dl_vlan1":
		return fmt.Sprint(tci1 & 0xfff), true
	case "dl_vlan_pcp1":
		return fmt.Sprint(tci1 >> 13), true
	case "mpls_label":
		return fmt.Sprint(lse >> 12), true
	case "mpls_tc":
		return fmt.Sprint(lse >> 9 & 7), true
	case "mpls_bos":
		return fmt.Sprint(lse >> 8 & 1), true
	case "mpls_ttl":
		return fmt.Sprint(lse & 0xff), true
	case "nw_src", "arp_spa":
		return ip4(k.NwSrc()), true
	case "nw_dst", "arp_tpa":
		return ip4(k.NwDst()), true
	case "ipv6_src":
		return ip6(k.IPv6Src()), true
	case "ipv6_dst":
		return ip6(k.IPv6Dst()), true
	case "ipv6_label":
		return fmt.Sprintf("0x%05x", k.IPv6Label()), true
	case "nw_proto", "arp_op":
		return fmt.Sprint(k.NwProto()), true
	case "nw_tos":
		return fmt.Sprint(k.NwDSCP()), true
	case "nw_ecn":
		return fmt.Sprint(k.NwECN()), true
	case "nw_ttl":
		return fmt.Sprint(k.NwTTL()), true
	case "nw_frag":
		return frag[k.NwFrag()], true
	case "tp_src", "icmp_type":
		return fmt.Sprint(k.TpSrc()), true
	case "tp_dst", "icmp_code":
		return fmt.Sprint(k.TpDst()), true
	case "arp_sha", "nd_sll":
		return mac(k.ARPSha()), true
	case "arp_tha", "nd_tll":
		return mac(k.ARPTha()), true
	case "nd_target":
		return ip6(k.NDTarget()), true
	}
	return "", false
}

// tPcap is a little-endian pcap file of the cases' frames.
func tPcap(cases []extractCase) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	for _, v := range []uint32{0xa1b2c3d4, 2 | 4<<16, 0, 0, 65535, 1} {
		b.Write(le.AppendUint32(nil, v))
	}
	for _, c := range cases {
		for _, v := range []uint32{0, 0, uint32(len(c.pkt)), uint32(len(c.pkt))} {
			b.Write(le.AppendUint32(nil, v))
		}
		b.Write(c.pkt)
	}
	return b.Bytes()
}
