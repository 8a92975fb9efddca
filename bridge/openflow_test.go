package bridge

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofproto"
)

// ofctl runs ovs-ofctl and returns its combined output and exit status.
func ofctl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	path, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestOpenFlowWiring(t *testing.T) {
	o := startOVSDB(t)
	startSwitch(t, o)
	mgmt := "unix:" + ofproto.MgmtPath(o.dir, "ofbr")
	o.vsctl(t, "add-br", "ofbr", "--", "set", "bridge", "ofbr",
		"other-config:datapath-id=00000000000000ab", "other-config:hwaddr=02:00:00:00:00:ab",
		"--", "add-port", "ofbr", "ofp5", "--", "set", "interface", "ofp5", "type=internal", "ofport_request=5", `mac="02:00:00:00:00:05"`)

	out, code := ofctl(t, "show", mgmt)
	want := "OFPT_FEATURES_REPLY (xid=0x2): dpid:00000000000000ab\n" +
		"n_tables:254, n_buffers:0\n" +
		"capabilities: FLOW_STATS TABLE_STATS PORT_STATS QUEUE_STATS ARP_MATCH_IP\n" +
		"actions: output enqueue set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst\n" +
		" 5(ofp5): addr:02:00:00:00:00:05\n" +
		"     config:     PORT_DOWN\n" +
		"     state:      LINK_DOWN\n" +
		"     current:    10GB-FD COPPER\n" +
		"     speed: 10000 Mbps now, 0 Mbps max\n" +
		" LOCAL(ofbr): addr:02:00:00:00:00:ab\n" +
		"     config:     PORT_DOWN\n" +
		"     state:      LINK_DOWN\n" +
		"     current:    10GB-FD COPPER\n" +
		"     speed: 10000 Mbps now, 0 Mbps max\n" +
		"OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=0\n"
	if code != 0 || out != want {
		t.Errorf("show (exit %d):\n%s\nwant:\n%s", code, out, want)
	}
	out, _ = ofctl(t, "--no-stats", "dump-flows", mgmt)
	checkText(t, "default flow", out, " priority=0 actions=NORMAL\n")

	// mod-port up/down changes the device and the reported config.
	if out, code := ofctl(t, "mod-port", mgmt, "ofp5", "up"); code != 0 {
		t.Fatalf("mod-port up: %s", out)
	}
	if out := run(t, "ip", "link", "show", "ofp5"); !strings.Contains(out, ",UP") {
		t.Errorf("ofp5 not up after mod-port:\n%s", out)
	}
	out, _ = ofctl(t, "dump-ports-desc", mgmt)
	if !strings.Contains(out, " 5(ofp5): addr:02:00:00:00:00:05\n     config:     0\n") {
		t.Errorf("after mod-port up:\n%s", out)
	}
	ofctl(t, "mod-port", mgmt, "ofp5", "down")
	if out := run(t, "ip", "link", "show", "ofp5"); strings.Contains(out, ",UP") {
		t.Errorf("ofp5 still up after mod-port down:\n%s", out)
	}

	// Ports come and go; the dpid follows the database.
	o.vsctl(t, "del-port", "ofbr", "ofp5", "--", "set", "bridge", "ofbr", "other-config:datapath-id=00000000000000cd")
	out, _ = ofctl(t, "dump-ports-desc", mgmt)
	if strings.Contains(out, "ofp5") {
		t.Errorf("deleted port still described:\n%s", out)
	}
	out, _ = ofctl(t, "show", mgmt)
	if !strings.HasPrefix(out, "OFPT_FEATURES_REPLY (xid=0x2): dpid:00000000000000cd\n") {
		t.Errorf("dpid not updated:\n%s", out)
	}

	// protocols restricts the versions of new connections.
	o.vsctl(t, "set", "bridge", "ofbr", "protocols=OpenFlow13")
	// As with OVS, the client fails; whether it first reads the switch's
	// HELLO_FAILED error or finds the socket closed is a race (OVS's own
	// daemon gives either message too).
	out, code = ofctl(t, "show", mgmt)
	failRE := regexp.MustCompile(`(?m)^ovs-ofctl: ` + regexp.QuoteMeta(mgmt) + `: failed to connect to socket \((Protocol error|Broken pipe)\)$`)
	if code != 1 || !failRE.MatchString(out) {
		t.Errorf("OF1.0 client on an OF1.3 bridge (exit %d):\n%s", code, out)
	}
	if _, code = ofctl(t, "-O", "OpenFlow13", "dump-flows", mgmt); code != 0 {
		t.Errorf("OpenFlow 1.3 dump-flows failed")
	}

	// A passive controller target listens; removing it closes it. As in
	// OVS, a punix: target must be named RUNDIR/<bridge>.* (confine.go).
	ctl := filepath.Join(o.dir, "ofbr.controller")
	o.vsctl(t, "set-controller", "ofbr", "punix:"+ctl)
	if out, code = ofctl(t, "-O", "OpenFlow13", "show", "unix:"+ctl); code != 0 || !strings.Contains(out, "dpid:00000000000000cd") {
		t.Errorf("show through the controller socket (exit %d):\n%s", code, out)
	}
	o.vsctl(t, "del-controller", "ofbr")
	if _, code = ofctl(t, "-O", "OpenFlow13", "show", "unix:"+ctl); code == 0 {
		t.Error("controller socket still answers after del-controller")
	}
}

func TestSpeedFeatures(t *testing.T) {
	for _, c := range []struct {
		bps        uint64
		fd         bool
		curr, kbps uint32
	}{
		{0, false, ofproto.Feature10GBFD | ofproto.FeatureCopper, 10000000},
		{1e9, true, ofproto.Feature1GBFD | ofproto.FeatureCopper, 1000000},
		{100e6, false, ofproto.Feature100MBHD | ofproto.FeatureCopper, 100000},
		{25e9, true, ofproto.FeatureOther, 25000000},
	} {
		curr, kbps := speedFeatures(c.bps, c.fd)
		if curr != c.curr || kbps != c.kbps {
			t.Errorf("%d bps: %#x %d, want %#x %d", c.bps, curr, kbps, c.curr, c.kbps)
		}
	}
}
