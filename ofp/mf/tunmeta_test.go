package mf

import (
	"errors"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// withTLVMap installs the corpus's TLV map (tun_metadata0..2 of 4, 8 and
// 4 bytes) for one test.
func withTLVMap(t *testing.T) {
	t.Helper()
	if err := SetTunMetadataMap([NumTunMetadata]uint8{4, 8, 4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetTunMetadataMap([NumTunMetadata]uint8{}) })
}

// TestTunMetadataAndNSHMatches: text as ovs-ofctl dump-flows prints it
// (OVS's own rendering of the corpus flows), and NXM/OXM round trips.
func TestTunMetadataAndNSHMatches(t *testing.T) {
	withTLVMap(t)
	for in, want := range map[string]string{
		"packet_type=(1,0x894f),nsh_mdtype=1,nsh_c1=0x11223344":                          "",
		"packet_type=(1,0x894f),nsh_mdtype=1,nsh_c2=0x1/0xf,nsh_c3=0x3,nsh_c4=0x4":       "",
		"packet_type=(1,0x894f),nsh_flags=0x1,nsh_ttl=10,nsh_mdtype=2,nsh_np=1,nsh_si=5": "packet_type=(1,0x894f),nsh_flags=1,nsh_ttl=10,nsh_mdtype=2,nsh_np=1,nsh_si=5",
		"packet_type=(1,0x894f),nsh_spi=0x8":                                             "",
		"dl_type=0x894f,nsp=0x6,nsi=3":                                                   "dl_type=0x894f,nsh_spi=0x6,nsh_si=3",
		"tun_metadata0=0x1":                                                              "",
		"tun_metadata1=0x10/0xf0":                                                        "",
		"tun_metadata2=0x1234,tun_id=0x3":                                                "tun_id=0x3,tun_metadata2=0x1234",
		"tun_id=0x40,tun_src=192.0.2.40,tun_metadata0=0x40,in_port=1,ipv6,ipv6_src=2001:db8:40::1,ipv6_label=0x40,udp6,tp_dst=4789": "udp6,tun_id=0x40,tun_src=192.0.2.40,tun_metadata0=0x40,in_port=1,ipv6_src=2001:db8:40::1,ipv6_label=0x00040,tp_dst=4789",
		"packet_type=(1,0x800)": "",
	} {
		if want == "" {
			want = in
		}
		m, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", in, err)
		}
		if got := m.String(); got != want {
			t.Errorf("Parse(%q) prints %q, want %q", in, got, want)
		}
		for _, v := range []uint8{0, 4, 6} {
			b := AppendNXM(nil, &m, v, 0, 0)
			var back Match
			if _, _, err := DecodeNXM(b, DecodeOptions{Strict: true}, &back); err != nil {
				t.Errorf("%s v%d: decode %x: %v", in, v, b, err)
			} else if back != m {
				t.Errorf("%s v%d: decodes back as %s", in, v, back.String())
			}
		}
	}
}

func TestTunMetadataWire(t *testing.T) {
	withTLVMap(t)
	m, _ := Parse("tun_metadata1=0x10/0xf0")
	// NXM_NX_TUN_METADATA1 with mask: 8 bytes of value, 8 of mask.
	want := "00015310" + "0000000000000010" + "00000000000000f0"
	if got := hexOf(AppendNXM(nil, &m, 0, 0, 0)); got != want {
		t.Errorf("NXM %s, want %s", got, want)
	}
	// ovs-ofctl sends only the significant bytes; longer values keep
	// their last mapped-length bytes, as OVS does.
	var back Match
	for in, want := range map[string]string{
		"0001500101":              "tun_metadata0=0x1",
		"00015005" + "0123456789": "tun_metadata0=0x23456789",
	} {
		if _, _, err := DecodeNXM(fromHex(in), DecodeOptions{Strict: true}, &back); err != nil {
			t.Errorf("%s: %v", in, err)
		} else if got := back.String(); got != want {
			t.Errorf("%s decodes as %s, want %s", in, got, want)
		}
	}
	// An unmapped field cannot be matched.
	if _, _, err := DecodeNXM(fromHex("0001560400000001"), DecodeOptions{Strict: true}, &back); !errors.Is(err, ofperr.NXFMFC_INVALID_TLV_FIELD) {
		t.Errorf("unmapped tun_metadata3: %v, want NXFMFC_INVALID_TLV_FIELD", err)
	}
	if _, err := Parse("tun_metadata3=0x1"); err == nil {
		t.Error("Parse accepted unmapped tun_metadata3")
	}
}

func TestTunMetadataMapKeepsPlaces(t *testing.T) {
	withTLVMap(t)
	m, _ := Parse("tun_metadata1=0x1122334455667788")
	// Unmapping field 0 and mapping field 5 leaves field 1 where it was.
	if err := SetTunMetadataMap([NumTunMetadata]uint8{1: 8, 2: 4, 5: 4}); err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != "tun_metadata1=0x1122334455667788" {
		t.Errorf("after remap: %s", got)
	}
	var full [NumTunMetadata]uint8
	for i := range full {
		full[i] = 16
	}
	if err := SetTunMetadataMap(full); !errors.Is(err, ofperr.NXTTMFC_TABLE_FULL) {
		t.Errorf("over-full map: %v, want NXTTMFC_TABLE_FULL", err)
	}
	if err := SetTunMetadataMap([NumTunMetadata]uint8{0: 20}); !errors.Is(err, ofperr.NXTTMFC_BAD_OPT_LEN) {
		t.Errorf("20-byte option: %v, want NXTTMFC_BAD_OPT_LEN", err)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func fromHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		hi, _ := hexDigit(s[2*i])
		lo, _ := hexDigit(s[2*i+1])
		b[i] = hi<<4 | lo
	}
	return b
}

// FuzzDecodeNXMTunMetadata is FuzzDecodeNXM with the corpus's TLV map in
// place, so tun_metadata entries decode.
func FuzzDecodeNXMTunMetadata(f *testing.F) {
	f.Add(fromHex("00015005"+"0123456789"), true)
	f.Add(fromHex("00015310"+"0000000000000010"+"00000000000000f0"), true)
	f.Fuzz(func(t *testing.T, b []byte, strict bool) {
		if err := SetTunMetadataMap([NumTunMetadata]uint8{4, 8, 4}); err != nil {
			t.Fatal(err)
		}
		var m Match
		if _, _, err := DecodeNXM(b, DecodeOptions{Strict: strict}, &m); err != nil {
			return
		}
		_ = m.String()
		for _, v := range []uint8{1, 4, 6} {
			enc := AppendNXM(nil, &m, v, 0, 0)
			var back Match
			if _, _, err := DecodeNXM(enc, DecodeOptions{}, &back); err != nil {
				t.Fatalf("v%d: re-encoded match %x does not decode: %v", v, enc, err)
			}
		}
	})
}
