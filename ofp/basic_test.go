package ofp

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

func TestHelloEncodingReference(t *testing.T) {
	tests := []struct {
		versions VersionBitmap
		want     string
	}{
		{BitmapRange(Version10, Version15), "0600000800000001"},
		{1<<Version13 | 1<<Version10, "04000010000000010001000800000012"},
		{1 << Version13, "04000010000000010001000800000010"},
		{1 << Version10, "0100000800000001"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(EncodeHello(tt.versions, 1)); got != tt.want {
			t.Errorf("EncodeHello(%#x) = %s, want %s", tt.versions, got, tt.want)
		}
	}
}

func TestHelloMatchesOVS(t *testing.T) {
	for _, bm := range []string{"0x12", "0x7e", "0x10", "0x50", "0x02"} {
		dump := ofctl(t, "encode-hello", bm)
		want := hexDump(t, dump)
		h, err := DecodeHello(want)
		if err != nil {
			t.Fatalf("%s: %v", bm, err)
		}
		got := EncodeHello(h.Versions, 1)
		if !bytes.Equal(got, want) {
			t.Errorf("encode-hello %s: got %x want %x", bm, got, want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	peer, _ := DecodeHello(mustHex(t, "0600001000000001 0001 0008 00000040"))
	_, err := Negotiate(1<<Version10|1<<Version13, peer)
	if err == nil || err.Error() != "version negotiation failed (we support versions 0x01, 0x04, peer supports version 0x06)" {
		t.Fatalf("err = %v", err)
	}
	old, _ := DecodeHello(mustHex(t, "0100000800000001"))
	if v, err := Negotiate(BitmapRange(Version10, Version15), old); err != nil || v != Version10 {
		t.Fatalf("v=%d err=%v", v, err)
	}
	o13, _ := DecodeHello(mustHex(t, "04000010000000010001000800000012"))
	if v, err := Negotiate(BitmapRange(Version10, Version15), o13); err != nil || v != Version13 {
		t.Fatalf("v=%d err=%v", v, err)
	}
	_, err = Negotiate(1<<Version15, old)
	if err == nil || err.Error() != "version negotiation failed (we support version 0x06, peer supports version 0x01)" {
		t.Fatalf("err = %v", err)
	}
	_, err = Negotiate(BitmapRange(Version10, Version13), mustHello(t, "0600001000000001 0001 0008 00000040"))
	if err == nil || err.Error() != "version negotiation failed (we support version 0x04 and earlier, peer supports version 0x06)" {
		t.Fatalf("err = %v", err)
	}
}

func mustHello(t *testing.T, s string) Hello {
	h, err := DecodeHello(mustHex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestErrorMatchesOVS(t *testing.T) {
	req := "0104001400000002000023200000000c00000002"
	for _, name := range []string{"OFPBMC_BAD_PREREQ", "OFPBAC_BAD_TYPE", "OFPBRC_BAD_TYPE", "OFPFMFC_TABLE_FULL", "NXBRC_NXM_INVALID"} {
		code, ok := ofperr.FromName(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		for _, v := range []string{"01", "04", "06"} {
			r := v + req[2:]
			want := hexDump(t, ofctl(t, "encode-error-reply", name, r))
			got := EncodeError(code, mustHex(t, r))
			if !bytes.Equal(got, want) {
				t.Errorf("%s v%s: got %x want %x", name, v, got, want)
			}
			e, err := DecodeError(got)
			if err != nil || e.Code != code {
				t.Errorf("%s v%s: decode %v %v", name, v, e.Code, err)
			}
		}
	}
}

func TestErrorString(t *testing.T) {
	msg := EncodeErrorData(ofperr.OFPBMC_BAD_PREREQ, Version15, 2, mustHex(t, "060e0080"))
	e, err := DecodeError(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), "OFPT_ERROR (OF1.5) (xid=0x2): OFPBMC_BAD_PREREQ"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestDecodeRawReference(t *testing.T) {
	tests := []struct{ hex, name string }{
		{"0104001400000002 00002320 0000000c 00000002", "NXT_SET_FLOW_FORMAT"},
		{"0104001800000008 00002320 0000000f 01 00000000000000", "NXT_FLOW_MOD_TABLE_ID"},
		{"010400140000000a 00002320 00000010 00000002", "NXT_SET_PACKET_IN_FORMAT"},
		{"0104001800000002 00002320 0000001d 000000000000 0005", "NXT_CT_FLUSH_ZONE"},
		{"0110002000000004 ffff 0000 00002320 00000000 00000000 ffff 0000 ff 000000", "NXST_FLOW request"},
		{"0110002800000006 ffff0000 00002320 00000002 00000000 00000000 003f ffff 0000 ff 0000000000", "NXST_FLOW_MONITOR request"},
		{"0111000c00000001 0003 0000", "OFPST_TABLE reply"},
		{"0613005000000001 000c 0000 00000000" + "0040000000000000" + "0000000000000000000000000000000000000000000000000000000000000000" + "ffffffffffffffffffffffffffffffff00000000000f4240", "OFPST_TABLE_FEATURES reply"},
		{"06120038 00000001 0001 0000 00000000 ff000000 ffffffff ffffffff 00000000 0000000000000000 0000000000000000 0001 0004 00000000", "OFPST_FLOW request"},
		{"05210010 00000005 00000000 0000 0003", "OFPT_BUNDLE_CONTROL"},
		{"0612001000000001000d000000000000", "OFPST_PORT_DESC request"},
		{"0112000800000001", "OFPT_BARRIER_REQUEST"},
		{"0615000800000001", "OFPT_BARRIER_REPLY"},
	}
	for _, tt := range tests {
		mh, err := DecodeRaw(mustHex(t, tt.hex))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := mh.Raw.Name(); got != tt.name {
			t.Errorf("DecodeRaw(%s) = %s, want %s", tt.hex, got, tt.name)
		}
		// Re-encoding the header gives the same prefix.
		enc, err := AppendRawHeader(nil, mh.Raw, mh.Version, mh.Xid, mh.StatsFlags)
		if err != nil || !bytes.Equal(enc[4:], mustHex(t, tt.hex)[4:mh.BodyOffset]) || len(enc) != mh.BodyOffset {
			t.Errorf("%s: re-encoded header %x (body offset %d), err %v", tt.name, enc, mh.BodyOffset, err)
		}
	}
}

func TestDecodeRawErrors(t *testing.T) {
	tests := []struct {
		hex  string
		want ofperr.Code
	}{
		{"01", ofperr.OFPBRC_BAD_LEN},
		{"01ff000800000001", ofperr.OFPBRC_BAD_TYPE},
		{"0104001000000001 12345678 00000001", ofperr.OFPBRC_BAD_VENDOR},
		{"0104001000000001 00002320 000003e7", ofperr.OFPBRC_BAD_SUBTYPE},
		{"0110000c00000001 0077 0000", ofperr.OFPBRC_BAD_STAT},
		{"0110001000000001", ofperr.OFPBRC_BAD_LEN},
	}
	for _, tt := range tests {
		_, err := DecodeRaw(mustHex(t, tt.hex))
		if err != tt.want {
			t.Errorf("DecodeRaw(%s) = %v, want %v", tt.hex, err, tt.want)
		}
	}
}

func TestEchoAndFeatures(t *testing.T) {
	req := EncodeEchoRequest(Version13, 7, []byte("hi"))
	rep, err := EncodeEchoReply(req)
	if err != nil || hex.EncodeToString(rep) != "0403000a000000076869" {
		t.Fatalf("echo reply %x %v", rep, err)
	}
	f := &FeaturesReply{DatapathID: 0x00000e906c30e442, NTables: 254, Capabilities: 0x24f}
	b, err := EncodeFeaturesReply(Version15, 9, f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(b), "0606002000000009"+"00000e906c30e442"+"00000000fe000000"+"0000024f00000000"; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	f10 := &FeaturesReply{DatapathID: 1, NTables: 254, Capabilities: 0xc7, Actions: 0xfff,
		Ports: []PhyPort10{{PortNo: 0xfffe, Name: "br0", Config: 1, State: 1, Curr: 0xc0}}}
	b, err = EncodeFeaturesReply(Version10, 2, f10)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeFeaturesReply(b)
	if err != nil || back.Ports[0].Name != "br0" || back.Ports[0].PortNo != 0xfffe || len(b) != 32+48 {
		t.Fatalf("decode %+v %v", back, err)
	}
}
