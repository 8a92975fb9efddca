package bridge

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/unixctl"
)

// logDirNote is the second line ovs-vsctl prints after a failed interface.
func logDirNote(dir string) string {
	return `ovs-vsctl: The default log directory is "` + dir + `".` + "\n"
}

func TestBridgesAndPortsLikeOVS(t *testing.T) {
	o := startOVSDB(t)
	sw := startSwitch(t, o)

	// At start-up the daemon advertises what it supports.
	out := o.vsctlNoWait(t, "--columns=datapath_types,dpdk_version,ovs_version,cur_cfg,next_cfg", "list", "open_vswitch")
	checkText(t, "Open_vSwitch after start", out,
		"datapath_types      : [dummy, netdev]\n"+
			"dpdk_version        : none\n"+
			"ovs_version         : \"3.1.0-govswitchd\"\n"+
			"cur_cfg             : 0\n"+
			"next_cfg            : 0\n")
	checkText(t, "iface_types", o.get(t, "open_vswitch", ".", "iface_types"),
		"["+strings.Join(dpif.Types(), ", ")+"]")

	// add-br without --no-wait returns once cur_cfg caught up.
	_, stderr := o.vsctl(t, "add-br", "br0")
	checkText(t, "add-br stderr", stderr, "")
	checkText(t, "br0 LOCAL row", o.listInterface(t, "br0"), upInterfaceRow("br0", "internal", "65534", "[]", "tun", "1.6"))
	brUUID := o.get(t, "bridge", "br0", "_uuid")
	mac := defaultMAC(brUUID)
	checkText(t, "br0 bridge row", o.vsctlNoWait(t, "--columns=name,datapath_id,datapath_version", "list", "bridge", "br0"),
		"name                : br0\n"+
			"datapath_id         : \""+datapathID("", mac)+"\"\n"+
			"datapath_version    : \"<built-in>\"\n")
	checkText(t, "br0 mac_in_use", o.get(t, "interface", "br0", "mac_in_use"), `"`+mac.String()+`"`)
	for _, p := range []string{ofproto.MgmtPath(o.dir, "br0"), ofproto.SnoopPath(o.dir, "br0")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("OpenFlow socket: %v", err)
		}
	}

	// A veth gets port 1 and the veth driver's status.
	addVeth(t, "brtv1")
	_, stderr = o.vsctl(t, "add-port", "br0", "brtv1")
	checkText(t, "add-port brtv1 stderr", stderr, "")
	checkText(t, "brtv1 row", o.listInterface(t, "brtv1"), upInterfaceRow("brtv1", `""`, "1", "[]", "veth", "1.0"))

	// A missing device: ofport -1, OVS's error, and ovs-vsctl's warning.
	_, stderr = o.vsctl(t, "add-port", "br0", "nodev")
	checkText(t, "add-port nodev stderr", stderr,
		"ovs-vsctl: Error detected while setting up 'nodev': could not open network device nodev (No such device).  See ovs-vswitchd log for details.\n"+
			logDirNote(o.dir))
	checkText(t, "nodev row", o.listInterface(t, "nodev"),
		failedInterfaceRow("nodev", `""`, "could not open network device nodev (No such device)"))

	// An unknown type.
	_, stderr = o.vsctl(t, "add-port", "br0", "bt", "--", "set", "interface", "bt", "type=bogustype")
	checkText(t, "add-port bt stderr", stderr,
		"ovs-vsctl: Error detected while setting up 'bt': could not open network device bt (Address family not supported by protocol).  See ovs-vswitchd log for details.\n"+
			logDirNote(o.dir))
	checkText(t, "bt row", o.listInterface(t, "bt"),
		failedInterfaceRow("bt", "bogustype", "could not open network device bt (Address family not supported by protocol)"))

	// ofport_request is honoured; the next port gets the lowest free number.
	o.vsctl(t, "add-port", "br0", "rq", "--", "set", "interface", "rq", "type=internal", "ofport_request=7")
	checkText(t, "rq row", o.listInterface(t, "rq"), upInterfaceRow("rq", "internal", "7", "7", "tun", "1.6"))
	addVeth(t, "brtv2")
	o.vsctl(t, "add-port", "br0", "brtv2")
	checkText(t, "brtv2 ofport", o.get(t, "interface", "brtv2", "ofport"), "2")

	// Fixing a failed interface opens it and clears its error.
	o.vsctl(t, "set", "interface", "nodev", "type=internal")
	checkText(t, "nodev fixed", o.listInterface(t, "nodev"), upInterfaceRow("nodev", "internal", "3", "[]", "tun", "1.6"))

	// del-port frees the number and closes the device.
	ifindexBefore := linkIndex(t, "br0")
	o.vsctl(t, "del-port", "br0", "rq")
	if _, err := net.InterfaceByName("rq"); err == nil {
		t.Error("tap rq still exists after del-port")
	}
	addVeth(t, "brtv3")
	o.vsctl(t, "add-port", "br0", "brtv3", "--", "set", "interface", "brtv3", "ofport_request=2")
	checkText(t, "brtv3 ofport (request taken)", o.get(t, "interface", "brtv3", "ofport"), "4")
	if got := linkIndex(t, "br0"); got != ifindexBefore {
		t.Errorf("br0 tap was recreated: ifindex %d, was %d", got, ifindexBefore)
	}

	// Other datapath types: dummy works, an unknown one is refused like OVS.
	o.vsctl(t, "add-br", "br1", "--", "set", "bridge", "br1", "datapath_type=dummy")
	checkText(t, "br1 ofport", o.get(t, "interface", "br1", "ofport"), "65534")
	_, stderr = o.vsctl(t, "add-br", "brx", "--", "set", "bridge", "brx", "datapath_type=bogus")
	checkText(t, "add-br brx stderr", stderr,
		"ovs-vsctl: Error detected while setting up 'brx'.  See ovs-vswitchd log for details.\n"+logDirNote(o.dir))
	checkText(t, "brx row", o.vsctlNoWait(t, "--columns=datapath_id,datapath_version", "list", "bridge", "brx"),
		"datapath_id         : []\ndatapath_version    : \"\"\n")
	checkText(t, "ofproto/list", mustCmd(t, sw.cmdOfprotoList), "br0\nbr1\n")
	checkText(t, "dpctl/dump-dps", mustCmd(t, sw.cmdDpctlDumpDps), "dummy@ovs-dummy\nnetdev@ovs-netdev\n")
	checkText(t, "dpif/dump-dps", mustCmd(t, sw.cmdDpifDumpDps), "netdev@br0\ndummy@br1\n")

	// mtu_request, and LOCAL following the smallest MTU of the other ports.
	o.vsctl(t, "set", "interface", "brtv1", "mtu_request=1400")
	checkText(t, "brtv1 mtu", o.get(t, "interface", "brtv1", "mtu"), "1400")
	checkText(t, "br0 mtu follows", o.get(t, "interface", "br0", "mtu"), "1400")
	o.vsctl(t, "set", "interface", "br0", "mtu_request=1300")
	checkText(t, "br0 mtu requested", o.get(t, "interface", "br0", "mtu"), "1300")
	checkText(t, "brtv1 mtu kept", o.get(t, "interface", "brtv1", "mtu"), "1400")

	// hwaddr and datapath-id overrides.
	o.vsctl(t, "set", "bridge", "br0", "other_config:hwaddr=02:00:00:00:00:01")
	checkText(t, "hwaddr dpid", o.get(t, "bridge", "br0", "datapath_id"), `"0000020000000001"`)
	checkText(t, "hwaddr LOCAL mac", o.get(t, "interface", "br0", "mac_in_use"), `"02:00:00:00:00:01"`)
	o.vsctl(t, "set", "bridge", "br0", "other_config:datapath-id=0000000000000abc")
	checkText(t, "datapath-id", o.get(t, "bridge", "br0", "datapath_id"), `"0000000000000abc"`)

	// del-br removes the bridge's devices and sockets; cur_cfg still moves.
	o.vsctl(t, "del-br", "br0")
	for _, dev := range []string{"br0", "nodev"} {
		if _, err := net.InterfaceByName(dev); err == nil {
			t.Errorf("tap %s still exists after del-br", dev)
		}
	}
	if _, err := os.Stat(ofproto.MgmtPath(o.dir, "br0")); err == nil {
		t.Error("br0.mgmt still exists after del-br")
	}
	if _, err := net.InterfaceByName("ovs-netdev"); err == nil {
		t.Error("ovs-netdev still exists after its last bridge went")
	}
	checkText(t, "brtv1 kept", boolText(linkExists("brtv1")), "true")
	o.vsctl(t, "del-br", "br1")
	o.vsctl(t, "del-br", "brx")
	checkText(t, "cur_cfg == next_cfg", o.get(t, "open_vswitch", ".", "cur_cfg"), o.get(t, "open_vswitch", ".", "next_cfg"))
	checkText(t, "ofproto/list empty", mustCmd(t, sw.cmdOfprotoList), "")
}

func TestLockKeepsSecondSwitchIdle(t *testing.T) {
	o := startOVSDB(t)
	first := startSwitch(t, o)
	second := startSwitch(t, o)

	o.vsctl(t, "add-br", "br0")
	checkText(t, "br0 ofport", o.get(t, "interface", "br0", "ofport"), "65534")
	checkText(t, "first bridges", strings.Join(first.BridgeNames(), ","), "br0")
	checkText(t, "second bridges", strings.Join(second.BridgeNames(), ","), "")

	// When the first goes away the second takes the lock and the bridge.
	first.Close(false)
	waitFor(t, "second switch to take over", func() bool { return len(second.BridgeNames()) == 1 })
	o.vsctl(t, "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=internal")
	checkText(t, "p1 ofport", o.get(t, "interface", "p1", "ofport"), "1")
}

func TestOVSDBRestartKeepsBridges(t *testing.T) {
	o := startOVSDB(t)
	startSwitch(t, o)
	o.vsctl(t, "add-br", "br0")
	o.vsctl(t, "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=internal")
	before := linkIndex(t, "br0")
	p1Before := linkIndex(t, "p1")

	o.stop()
	o.start(t)

	// New changes are applied once both sessions are back.
	o.vsctl(t, "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=internal")
	checkText(t, "p2 ofport", o.get(t, "interface", "p2", "ofport"), "2")
	if got := linkIndex(t, "br0"); got != before {
		t.Errorf("br0 recreated across the restart: ifindex %d, was %d", got, before)
	}
	if got := linkIndex(t, "p1"); got != p1Before {
		t.Errorf("p1 recreated across the restart: ifindex %d, was %d", got, p1Before)
	}
	checkText(t, "p1 ofport", o.get(t, "interface", "p1", "ofport"), "1")
}

func TestStartFailsWithoutServer(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ remote, want string }{
		{"unix:" + dir + "/db.sock", "unix:" + dir + "/db.sock: connection attempt failed (No such file or directory)"},
		{dir + "/db.sock", dir + "/db.sock: connection attempt failed (Address family not supported by protocol)"},
		{"tcp:nohost", "tcp:nohost: bad peer name format"},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		sw, err := Start(ctx, Config{Remote: c.remote, RunDir: dir}, nil)
		cancel()
		if err == nil {
			sw.Close(false)
			t.Errorf("Start(%q) succeeded", c.remote)
			continue
		}
		checkText(t, "Start("+c.remote+")", err.Error(), c.want)
	}
}

func mustCmd(t *testing.T, cmd func([]string) (string, error)) string {
	t.Helper()
	out, err := cmd(nil)
	if err != nil {
		t.Fatalf("command failed: %v", err)
	}
	return out
}

func linkIndex(t *testing.T, name string) int {
	t.Helper()
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		t.Fatalf("device %s: %v", name, err)
	}
	return ifi.Index
}

func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestAppctlCommands(t *testing.T) {
	o := startOVSDB(t)
	ctl, err := unixctl.Listen(filepath.Join(o.dir, "sw.ctl"), "test")
	if err != nil {
		t.Fatal(err)
	}
	go ctl.Serve()
	t.Cleanup(func() { ctl.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sw, err := Start(ctx, Config{Remote: o.remote(), RunDir: o.dir}, ctl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sw.Close(false) })

	appctl := func(args ...string) string {
		t.Helper()
		return run(t, "ovs-appctl", append([]string{"-t", ctl.Path()}, args...)...)
	}
	checkText(t, "ofproto/list (none)", appctl("ofproto/list"), "")
	o.vsctl(t, "add-br", "br0", "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=internal")
	checkText(t, "ofproto/list", appctl("ofproto/list"), "br0\n")
	checkText(t, "dpif/show", appctl("dpif/show"),
		"netdev@ovs-netdev: hit:0 missed:0\n"+
			"  br0:\n"+
			"    br0 65534/1: (tap)\n"+
			"    p1 1/2: (tap)\n")
	checkText(t, "dpctl/show", appctl("dpctl/show"),
		"netdev@ovs-netdev:\n"+
			"  lookups: hit:0 missed:0 lost:0\n"+
			"  flows: 0\n"+
			"  port 0: ovs-netdev (tap)\n"+
			"  port 1: br0 (tap)\n"+
			"  port 2: p1 (tap)\n")
	checkText(t, "dpctl/dump-dps", appctl("dpctl/dump-dps"), "netdev@ovs-netdev\n")
	checkText(t, "dpif/dump-dps", appctl("dpif/dump-dps"), "netdev@br0\n")
}
