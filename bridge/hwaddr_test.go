package bridge

import (
	"net"
	"testing"
)

func TestDefaultMACFromBridgeUUID(t *testing.T) {
	// Observed with ovs-vswitchd 3.1: bridge 18b2480f-4bfd-4505-... got
	// datapath ID 00000e48b2180545 and LOCAL MAC 0e:48:b2:18:05:45.
	mac := defaultMAC("18b2480f-4bfd-4505-a8ce-5ac0249c7c38")
	checkText(t, "default MAC", mac.String(), "0e:48:b2:18:05:45")
	checkText(t, "datapath ID", datapathID("", mac), "00000e48b2180545")
	checkText(t, "bad uuid", defaultMAC("not-a-uuid").String(), "02:00:00:00:00:01")
}

func TestDatapathIDOverride(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	cases := []struct{ cfg, want string }{
		{"", "0000020000000001"},
		{"0000000000000abc", "0000000000000abc"},
		{"0x1F", "000000000000001f"},
		{"0000000000000000", "0000020000000001"}, // zero is not a datapath ID
		{"abc", "0000020000000001"},
		{"000000000000000g", "0000020000000001"},
		{"0x", "0000020000000001"},
	}
	for _, c := range cases {
		checkText(t, "datapath-id="+c.cfg, datapathID(c.cfg, mac), c.want)
	}
}

func TestPickBridgeMAC(t *testing.T) {
	br := &bridgeState{name: "br0", ifaces: map[string]*ifaceState{}}
	bc := &bridgeConfig{uuid: "18b2480f-4bfd-4505-a8ce-5ac0249c7c38", otherConfig: map[string]string{}}
	bc.ifaces = []ifaceConfig{
		{name: "br0", portName: "br0", local: true},
		{name: "p1", portName: "p1", portMAC: "00:11:22:33:44:66"},
		{name: "p2", portName: "p2", portMAC: "00:11:22:33:44:55"},
		{name: "p3", portName: "p3", portMAC: "02:00:00:00:00:01"}, // local: skipped
	}
	checkText(t, "lowest universal port MAC", pickBridgeMAC(br, bc).String(), "00:11:22:33:44:55")
	bc.otherConfig["hwaddr"] = "01:00:00:00:00:01"
	checkText(t, "multicast hwaddr ignored", pickBridgeMAC(br, bc).String(), "00:11:22:33:44:55")
	bc.otherConfig["hwaddr"] = "aa:bb:cc:dd:ee:ff"
	checkText(t, "hwaddr", pickBridgeMAC(br, bc).String(), "aa:bb:cc:dd:ee:ff")
	bc.otherConfig["hwaddr"] = ""
	bc.ifaces = bc.ifaces[:1]
	checkText(t, "only LOCAL", pickBridgeMAC(br, bc).String(), "0e:48:b2:18:05:45")
}
