package ofp

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestCTFlushReference(t *testing.T) {
	msg := mustHex(t, "01040068000000020000232000000020 0600000000000000"+
		"0000004800000000 0000001400000000000000000000ffff0a01010100000000 0001001400000000000000000000ffff0a01010200000000"+
		"0002000803e80000 0003000800500000 0002000800050000")
	f, err := DecodeCTFlush(msg)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := FormatMessage(msg, true)
	want := "NXT_CT_FLUSH (xid=0x2): zone=5 'ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_tp_src=1000,ct_tp_dst=80,ct_nw_proto=6' 'ct_nw_src=::,ct_nw_dst=::,ct_tp_src=0,ct_tp_dst=0'"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	enc, err := EncodeCTFlush(f, Version10, 2)
	if err != nil || !bytes.Equal(enc, msg) {
		t.Fatalf("re-encoded %x\nwant %x", enc, msg)
	}
}

func TestCTFlushMatchesOVS(t *testing.T) {
	for _, args := range [][]string{
		{"ct-flush", "TARGET"},
		{"ct-flush", "TARGET", "zone=7"},
		{"ct-flush", "TARGET", "zone=5", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=6,ct_tp_src=1000,ct_tp_dst=80"},
		{"ct-flush", "TARGET", "ct_ipv6_src=fd00::1,ct_nw_proto=17", "ct_ipv6_dst=fd00::1,ct_tp_dst=53"},
		{"ct-flush", "TARGET", "ct_nw_src=10.0.0.1,ct_nw_proto=1,icmp_id=5,icmp_type=8,icmp_code=0"},
	} {
		var msg []byte
		for _, m := range captureOfctl(t, append([]string{"-O", "OpenFlow15"}, args...)...) {
			if mh, err := DecodeRaw(m); err == nil && mh.Raw == RawNXTCtFlush {
				msg = m
			}
		}
		if msg == nil {
			t.Fatalf("%v: no NXT_CT_FLUSH", args)
		}
		f, err := DecodeCTFlush(msg)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		h, _ := ParseHeader(msg)
		if enc, err := EncodeCTFlush(f, h.Version, h.Xid); err != nil || !bytes.Equal(enc, msg) {
			t.Errorf("%v:\n ours %x\n OVS  %x", args, enc, msg)
		}
		got, _ := FormatMessage(msg, true)
		if want := strings.TrimRight(ofctl(t, "ofp-print", hex.EncodeToString(msg)), "\n"); got != want {
			t.Errorf("%v:\n ours %s\n OVS  %s", args, got, want)
		}
	}
}
