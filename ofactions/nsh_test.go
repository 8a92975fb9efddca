package ofactions

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// withTLVMap maps tun_metadata0..2 to 4, 8 and 4 byte options, as the
// OpenFlow corpus does.
func withTLVMap(t *testing.T) {
	t.Helper()
	if err := mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{4, 8, 4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mf.SetTunMetadataMap([mf.NumTunMetadata]uint8{}) })
}

// newCases are NSH and tunnel metadata action texts with the match they
// are checked against and what OVS prints after decoding each version
// ("" = the text itself, "-" = not encodable in that version).
var newCases = []actionCase{
	{text: "set_field:0x5->tun_metadata0,set_field:0x6/0xff->tun_metadata1,move:NXM_NX_TUN_METADATA0[0..31]->NXM_NX_REG0[],output:1"},
	{text: "load:0x6->NXM_NX_TUN_METADATA1[0..7]", want10: "set_field:0x6/0xff->tun_metadata1", want13: "set_field:0x6/0xff->tun_metadata1", want15: "set_field:0x6/0xff->tun_metadata1"},
	{text: "delete_field:tun_metadata0,output:1"},
	{text: "encap(nsh(md_type=1)),set_field:0x10->nsh_spi,set_field:255->nsh_si,encap(ethernet),set_field:00:00:00:00:62:01->eth_dst,output:1", match: "ip", want10: "-"},
	{text: "encap(nsh(md_type=2,tlv(0x1000,10,0x12345678))),set_field:0x11->nsh_spi,encap(ethernet),output:2", match: "ip", want10: "-"},
	{text: "encap(nsh),output:1", match: "ip", want10: "-"},
	{text: "decap(),resubmit(,62)", match: "dl_type=0x894f", want10: "-"},
	{text: "decap(),resubmit(,63)", match: "packet_type=(1,0x894f),nsh_spi=0x5", want10: "-"},
	{text: "encap(ethernet),output:2", match: "packet_type=(1,0x800)", want10: "-"},
	{text: "decap(packet_type(ns=0,type=0)),output:2", match: "packet_type=(1,0x86dd)", want10: "-"},
	{text: "dec_nsh_ttl,output:1", match: "packet_type=(1,0x894f)", want10: "-"},
	{text: "set_field:0x7->nsh_spi,set_field:254->nsh_si,set_field:0x12345678->nsh_c1,output:2", match: "packet_type=(1,0x894f)"},
	{text: "move:NXOXM_NSH_C1[]->NXM_NX_REG0[],move:NXOXM_NSH_SPI[]->NXM_NX_REG1[0..23],output:2", match: "packet_type=(1,0x894f)"},
}

func TestNewActionsRoundTrip(t *testing.T) {
	withTLVMap(t)
	checkTextRoundTrips(t, newCases)
}

// TestNewActionsMatchOVSDecoder: ovs-ofctl parse-actions must print what
// our decoder prints for our encodings (the tunnel metadata ones need a
// TLV map ovs-ofctl does not have, so only NSH is compared).
func TestNewActionsMatchOVSDecoder(t *testing.T) {
	withTLVMap(t)
	var nsh []actionCase
	for _, c := range newCases {
		if !strings.Contains(strings.ToLower(c.text), "tun_metadata") {
			nsh = append(nsh, c)
		}
	}
	for _, v := range []uint8{version13, version15} {
		checkCasesWithOVS(t, nsh, v, version10)
	}
}

func TestNewActionsErrors(t *testing.T) {
	// Unmapped tunnel metadata.
	for _, s := range []string{"set_field:0x5->tun_metadata0", "delete_field:tun_metadata0"} {
		l, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AppendActions(nil, l, version13); !errors.Is(err, ofperr.NXFMFC_INVALID_TLV_FIELD) {
			t.Errorf("%s without a TLV map: %v, want NXFMFC_INVALID_TLV_FIELD", s, err)
		}
	}
	withTLVMap(t)
	// A REG_LOAD2 of unmapped tun_metadata5, decoded.
	b, _ := hex.DecodeString("ffff00180000232000210001" + "5a04" + "00000001" + "000000")
	b = append(b, make([]byte, 24-len(b))...)
	if _, err := DecodeActions(b, version13); !errors.Is(err, ofperr.NXFMFC_INVALID_TLV_FIELD) {
		t.Errorf("REG_LOAD2 of unmapped field: %v, want NXFMFC_INVALID_TLV_FIELD", err)
	}
	// NSH actions do not exist in OpenFlow 1.0.
	l, _ := Parse("dec_nsh_ttl")
	b, _ = AppendActions(nil, l, version13)
	if _, err := DecodeActions(b, version10); !errors.Is(err, ofperr.OFPBAC_BAD_VENDOR_TYPE) {
		t.Errorf("dec_nsh_ttl in OpenFlow 1.0: %v, want OFPBAC_BAD_VENDOR_TYPE", err)
	}
	// delete_field works on tunnel metadata only; dec_nsh_ttl needs NSH.
	for _, c := range []struct{ actions, match string }{
		{"delete_field:reg0", ""},
		{"dec_nsh_ttl", "ip"},
	} {
		l, err := Parse(c.actions)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := mf.Parse(c.match)
		if err := Check(l, &m, version13); err == nil {
			t.Errorf("Check(%s | %s) accepted it", c.match, c.actions)
		}
	}
	for in, want := range map[string]string{
		"encap(foo)":                      "Encap hdr not supported: ",
		"encap(nsh(md_type=3))":           "invalid md_type",
		"encap(nsh(foo=1))":               "Invalid property: foo",
		"decap(packet_type(ns=2,type=0))": "Unsupported ns value: 2",
	} {
		if _, err := Parse(in); err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}

// A decoded set_field of the 24-bit nsh_spi re-encodes unmasked.
func TestNSHSpiReencodes(t *testing.T) {
	l, _ := Parse("set_field:0x7->nsh_spi")
	for _, v := range []uint8{version10, version13, version15} {
		b, _ := AppendActions(nil, l, v)
		back, err := DecodeActions(b, v)
		if err != nil {
			t.Fatal(err)
		}
		b2, _ := AppendActions(nil, back, v)
		if hex.EncodeToString(b2) != hex.EncodeToString(b) {
			t.Errorf("%s: re-encoded %x, first %x", versionNames[v], b2, b)
		}
	}
}

// TestWriteExtFuzzSeeds adds the encodings of extCases and newCases to
// testdata/fuzz when GOVSWITCHD_WRITE_SEEDS=1.
func TestWriteExtFuzzSeeds(t *testing.T) {
	if os.Getenv("GOVSWITCHD_WRITE_SEEDS") == "" {
		t.Skip("set GOVSWITCHD_WRITE_SEEDS=1 to regenerate fuzz seeds")
	}
	withTLVMap(t)
	texts := []string{}
	for _, c := range extCases {
		texts = append(texts, c.text)
	}
	for _, c := range newCases {
		texts = append(texts, c.text)
	}
	n := 0
	for _, s := range texts {
		l, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		for vi, v := range []uint8{version10, version13, version15} {
			if b, err := AppendActions(nil, l, v); err == nil {
				name := filepath.Join("testdata", "fuzz", "FuzzDecodeActions", fmt.Sprintf("ext%03d", n))
				body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbyte(%d)\n", b, vi)
				if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
}
