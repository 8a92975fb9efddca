package ofp

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

const testPacket = "ffffffffffff000000000001080045000001d0000000040110000c0a80001c0a8000204d20050000900000"

func TestPacketOutMatchesOVS(t *testing.T) {
	for _, mode := range [][]string{{}, {"-O", "OpenFlow13"}, {"-O", "OpenFlow15"}} {
		for _, spec := range []string{
			"in_port=LOCAL packet=" + testPacket + " actions=output:1",
			"in_port=2 packet=" + testPacket + " actions=mod_dl_src:00:00:00:00:00:07,output:3,NORMAL",
			"in_port=CONTROLLER packet=" + testPacket + " actions=ct(commit,table=3),resubmit(,2)",
		} {
			args := append(append([]string{"--no-names"}, mode...), "packet-out", "TARGET", spec)
			var msg []byte
			for _, m := range captureOfctl(t, args...) {
				if _, err := DecodePacketOut(m); err == nil {
					msg = m
				}
			}
			if msg == nil {
				t.Fatalf("%v: no packet-out captured", args)
			}
			po, _ := DecodePacketOut(msg)
			h, _ := ParseHeader(msg)
			enc, err := EncodePacketOut(po, h.Version, h.Xid)
			if err != nil || !bytes.Equal(enc, msg) {
				t.Errorf("%v:\n ours %x\n OVS  %x (%v)", args, enc, msg, err)
			}
			got, _ := FormatMessage(msg, true)
			want := strings.SplitN(ofctl(t, "ofp-print", hex.EncodeToString(msg)), "\n", 2)[0]
			if got != want {
				t.Errorf("%v:\n ours %s\n OVS  %s", args, got, want)
			}
		}
	}
}
