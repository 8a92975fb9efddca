package ofactions

import (
	"testing"
)

// Seeds are in testdata/fuzz/<FuzzName>/ (encodings of the test action
// table, checked against ovs-ofctl by TestActionsMatchOVSDecoder).

func fuzzRoundTrip(t *testing.T, l List, version uint8, instructions bool) {
	// Decoded lists must encode, decode again and stay stable after one
	// normalizing round (deprecated forms become set_field).
	var texts []string
	for i := 0; i < 3; i++ {
		var b []byte
		var err error
		if instructions {
			b, err = AppendInstructions(nil, l, version)
		} else {
			b, err = AppendActions(nil, l, version)
		}
		if err != nil {
			return
		}
		if instructions {
			l, err = DecodeInstructions(b, version)
		} else {
			l, err = DecodeActions(b, version)
		}
		if err != nil {
			t.Fatalf("re-encoded actions %x do not decode: %v", b, err)
		}
		texts = append(texts, l.String())
	}
	if texts[1] != texts[2] {
		t.Fatalf("round trip changed actions:\n%s\n%s", texts[1], texts[2])
	}
}

func FuzzDecodeActions(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 0, 1, 0, 0}, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, version uint8) {
		version = []uint8{version10, version13, version15}[int(version)%3]
		l, err := DecodeActions(b, version)
		if err != nil {
			return
		}
		_ = l.String()
		fuzzRoundTrip(t, l, version, false)
	})
}

func FuzzDecodeInstructions(f *testing.F) {
	f.Add([]byte{0, 1, 0, 8, 5, 0, 0, 0}, uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, version uint8) {
		version = []uint8{version13, version15}[int(version)%2]
		l, err := DecodeInstructions(b, version)
		if err != nil {
			return
		}
		_ = l.String()
		fuzzRoundTrip(t, l, version, true)
	})
}

func FuzzParse(f *testing.F) {
	for _, c := range actionCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		text := l.String()
		if l2, err := Parse(text); err != nil {
			t.Fatalf("printed actions %q do not parse: %v", text, err)
		} else if l2.String() != text {
			t.Fatalf("print/parse not stable: %q -> %q", text, l2.String())
		}
	})
}
