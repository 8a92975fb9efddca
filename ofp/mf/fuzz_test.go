package mf

import (
	"bytes"
	"testing"
)

// Seeds are in testdata/fuzz/<FuzzName>/ (matches of the ovs-ofctl
// flow corpus, see ofp/testdata/flows.txt).

func FuzzDecodeNXM(f *testing.F) {
	f.Add([]byte{0, 0, 6, 2, 8, 0}, true)
	f.Fuzz(func(t *testing.T, b []byte, strict bool) {
		var m Match
		if _, _, err := DecodeNXM(b, DecodeOptions{Strict: strict, AllowCookie: true}, &m); err != nil {
			return
		}
		_ = m.String()
		if !strict {
			return // loose decoding keeps fields without prerequisites
		}
		// A decoded match re-encodes to entries that decode again; after
		// one normalizing round (OXM cannot express every VLAN TCI) the
		// encoding is a fixed point.
		for _, v := range []uint8{1, 4, 6} {
			cur := m
			var encs [][]byte
			for i := 0; i < 3; i++ {
				enc := AppendNXM(nil, &cur, v, 0, 0)
				encs = append(encs, enc)
				if _, _, err := DecodeNXM(enc, DecodeOptions{}, &cur); err != nil {
					t.Fatalf("v%d: re-encoded match %x does not decode: %v", v, enc, err)
				}
			}
			if !bytes.Equal(encs[1], encs[2]) || (v == 1 && !bytes.Equal(encs[0], encs[1])) {
				t.Fatalf("v%d: encoding not stable:\n%x\n%x\n%x", v, encs[0], encs[1], encs[2])
			}
		}
	})
}

func FuzzDecodeOF10Match(f *testing.F) {
	f.Add(make([]byte, OF10MatchLen))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Match
		if err := DecodeOF10Match(b, &m); err != nil {
			return
		}
		enc := AppendOF10Match(nil, &m)
		var back Match
		if err := DecodeOF10Match(enc, &back); err != nil || !back.Equal(&m) {
			t.Fatalf("OF1.0 match not stable: %s vs %s (%v)", m.String(), back.String(), err)
		}
	})
}

func FuzzParseMatch(f *testing.F) {
	f.Add("tcp,nw_src=10.0.0.0/8,tp_dst=80")
	f.Add("ct_state=+trk-new,ct_label=0x1/0xff,ipv6,ipv6_src=fd00::/64")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		text := m.String()
		m2, err := Parse(text)
		if err != nil {
			t.Fatalf("printed match %q does not parse: %v", text, err)
		}
		if m2.String() != text {
			t.Fatalf("print/parse not stable: %q -> %q", text, m2.String())
		}
	})
}
