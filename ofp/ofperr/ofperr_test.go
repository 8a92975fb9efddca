package ofperr

import "testing"

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		code    Code
		version uint8
		want    Encoding
	}{
		{OFPBMC_BAD_PREREQ, 6, Encoding{Type: 4, Code: 9}},
		{OFPBMC_BAD_PREREQ, 1, Encoding{Type: 1, Code: 260, Vendor: nxVendor, Experimenter: true}},
		{OFPBAC_BAD_TYPE, 1, Encoding{Type: 2, Code: 0}},
		{OFPHFC_INCOMPATIBLE, 4, Encoding{Type: 0, Code: 0}},
		{NXBRC_NXM_INVALID, 4, Encoding{Type: TypeExperimenter, Code: 2, Vendor: nxVendor, Experimenter: true}},
		{OFPBRC_MULTIPART_REQUEST_TIMEOUT, 4, Encoding{Type: TypeExperimenter, Code: 2640, Vendor: onfVendor, Experimenter: true}},
	}
	for _, tt := range tests {
		got, ok := tt.code.Encode(tt.version)
		if !ok || got != tt.want {
			t.Errorf("%v.Encode(%d) = %+v, %v; want %+v", tt.code, tt.version, got, ok, tt.want)
		}
		back, ok := Decode(tt.version, got.Type, got.Code, got.Vendor)
		if !ok || back != tt.code {
			t.Errorf("Decode(%d, %+v) = %v, %v; want %v", tt.version, got, back, ok, tt.code)
		}
	}
}

func TestNames(t *testing.T) {
	if got := OFPBMC_BAD_PREREQ.Error(); got != "OFPBMC_BAD_PREREQ" {
		t.Fatalf("Error() = %q", got)
	}
	if c, ok := FromName("OFPBAC_MATCH_INCONSISTENT"); !ok || c != OFPBAC_MATCH_INCONSISTENT {
		t.Fatalf("FromName = %v %v", c, ok)
	}
	if got := Code(0).String(); got != "OFPERR_0" {
		t.Fatalf("zero code = %q", got)
	}
}

func TestEveryCodeEncodesSomewhere(t *testing.T) {
	for c := Code(1); c < numCodes; c++ {
		found := false
		for v := uint8(1); v <= 6; v++ {
			if _, ok := c.Encode(v); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("%v has no encoding in OF1.0..1.5", c)
		}
	}
}
