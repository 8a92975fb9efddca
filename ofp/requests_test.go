package ofp

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// TestStatsRequestsMatchOVS captures dump-flows / dump-aggregate requests
// from ovs-ofctl (the fake switch answers them) and checks our decoding,
// re-encoding and printing against OVS.
func TestStatsRequestsMatchOVS(t *testing.T) {
	filters := []string{"", "table=1", "tcp,tp_dst=80", "cookie=0x5/0xff,ip", "out_port=2,in_port=1", "table=3,ct_state=+trk,ip"}
	modes := []struct {
		args  []string
		proto Protocol
	}{{[]string{"-F", "nxm"}, ProtoNXM}, {[]string{"-O", "OpenFlow13"}, ProtoOF13}, {[]string{"-O", "OpenFlow15"}, ProtoOF15}}
	for _, mode := range modes {
		for _, cmd := range []string{"dump-flows", "dump-aggregate"} {
			for _, f := range filters {
				args := append([]string{"--no-names"}, mode.args...)
				args = append(args, cmd, "TARGET")
				if f != "" {
					args = append(args, f)
				}
				var req []byte
				for _, m := range captureOfctl(t, args...) {
					if _, err := DecodeFlowStatsRequest(m); err == nil {
						req = m
					}
				}
				if req == nil {
					t.Fatalf("%v: no stats request captured", args)
				}
				r, _ := DecodeFlowStatsRequest(req)
				h, _ := ParseHeader(req)
				enc, err := EncodeFlowStatsRequest(r, mode.proto, h.Xid)
				if err != nil || !bytes.Equal(enc, req) {
					t.Errorf("%v:\n ours %x\n OVS  %x (%v)", args, enc, req, err)
				}
				ours, err := FormatMessage(req, true)
				want := strings.TrimRight(ofctl(t, "ofp-print", hex.EncodeToString(req)), "\n")
				if err != nil || ours != want {
					t.Errorf("%v:\n ours %q\n OVS  %q (%v)", args, ours, want, err)
				}
				if r.Aggregate {
					rep, err := EncodeAggregateReply(req, AggregateStats{PacketCount: 5, ByteCount: 600, FlowCount: 3})
					if err != nil {
						t.Fatal(err)
					}
					ours, _ := FormatMessage(rep, true)
					want := strings.TrimRight(ofctl(t, "ofp-print", hex.EncodeToString(rep)), "\n")
					if ours != want {
						t.Errorf("aggregate reply:\n ours %q\n OVS  %q", ours, want)
					}
				}
			}
		}
	}
}

func TestSmallMessages(t *testing.T) {
	for _, tt := range []struct{ hex, want string }{
		{"0104001400000002 00002320 0000000c 00000002", "NXT_SET_FLOW_FORMAT (xid=0x2): format=nxm"},
		{"0104001800000008 00002320 0000000f 01 00000000000000", "NXT_FLOW_MOD_TABLE_ID (xid=0x8): enable"},
		{"010400140000000a 00002320 00000010 00000002", "NXT_SET_PACKET_IN_FORMAT (xid=0xa): format=nxt_packet_in2"},
		{"0104001800000002 00002320 0000001d 000000000000 0005", "NXT_CT_FLUSH_ZONE (xid=0x2): zone_id=5"},
		{"0108000c000000040000ffff", "OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=65535"},
	} {
		got, err := FormatMessage(mustHex(t, tt.hex), true)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q (%v), want %q", tt.hex, got, err, tt.want)
		}
	}
	rep, err := EncodeBarrierReply(mustHex(t, "0112000800000007"))
	if err != nil || hex.EncodeToString(rep) != "0113000800000007" {
		t.Fatalf("barrier reply %x %v", rep, err)
	}
	rep, err = EncodeBarrierReply(mustHex(t, "0614000800000007"))
	if err != nil || hex.EncodeToString(rep) != "0615000800000007" {
		t.Fatalf("barrier reply %x %v", rep, err)
	}
	rep, err = EncodeGetConfigReply(mustHex(t, "0107000800000004"), 0, 0)
	if err != nil || hex.EncodeToString(rep) != "0108000c0000000400000000" {
		t.Fatalf("get config reply %x %v", rep, err)
	}
}
