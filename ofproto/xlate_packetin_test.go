package ofproto

import (
	"encoding/hex"
	"os/exec"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// TestPacketInDecodesWithOVS has ovs-ofctl ofp-print decode every
// packet-in format the switch sends.
func TestPacketInDecodesWithOVS(t *testing.T) {
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	pi := &packetIn{data: udpFrame(7), totalLen: 46, inPort: 3, reason: pinReasonAction, table: 2, cookie: 0x1234}
	setFieldUint(&pi.meta, mf.Reg1, 0x55)
	udp := "udp,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,tp_src=7,tp_dst=53 udp_csum:0\n"
	for _, c := range []struct {
		version uint8
		format  uint32
		want    string
	}{
		{ofp.Version10, packetInStandard, "OFPT_PACKET_IN (xid=0x0): total_len=46 in_port=3 (via action) data_len=46 (unbuffered)\n"},
		{ofp.Version11, packetInStandard, "OFPT_PACKET_IN (OF1.1) (xid=0x0): table_id=2 total_len=46 in_port=3 (via action) data_len=46 (unbuffered)\n"},
		{ofp.Version12, packetInStandard, "OFPT_PACKET_IN (OF1.2) (xid=0x0): table_id=2 total_len=46 reg1=0x55,in_port=3 (via action) data_len=46 (unbuffered)\n"},
		{ofp.Version13, packetInStandard, "OFPT_PACKET_IN (OF1.3) (xid=0x0): table_id=2 cookie=0x1234 total_len=46 reg1=0x55,in_port=3 (via action) data_len=46 (unbuffered)\n"},
		{ofp.Version10, packetInNXT, "NXT_PACKET_IN (xid=0x0): table_id=2 cookie=0x1234 total_len=46 reg1=0x55,in_port=3 (via action) data_len=46 (unbuffered)\n"},
		{ofp.Version10, packetInNXT2, "NXT_PACKET_IN2 (xid=0x0): table_id=2 cookie=0x1234 total_len=46 reg1=0x55,in_port=3 (via action) data_len=46 (unbuffered)\n"},
	} {
		msg, err := encodePacketIn(pi, c.version, c.format)
		if err != nil {
			t.Fatalf("version %d format %d: %v", c.version, c.format, err)
		}
		out, err := exec.Command("ovs-ofctl", "ofp-print", hex.EncodeToString(msg)).CombinedOutput()
		if err != nil {
			t.Fatalf("ofp-print: %v: %s", err, out)
		}
		if got := string(out); got != c.want+udp {
			t.Errorf("version %d format %d:\ngot  %swant %s", c.version, c.format, got, c.want+udp)
		}
	}
}
