package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	ctBatchesRE = regexp.MustCompile(`batches: \d+`)
	ctWscaleRE  = regexp.MustCompile(`wscale_(orig|reply)=\d+`)
)

// normalizeOffload hides what differs between runs in ct-offload/show: the
// client's port and how the worker happened to batch.
func normalizeOffload(s string) string {
	s = ctDportRE.ReplaceAllString(s, "${1}dport=<port>")
	s = ctSportRE.ReplaceAllStringFunc(s, func(m string) string {
		if m == "sport=8000" {
			return m
		}
		return "sport=<port>"
	})
	return ctBatchesRE.ReplaceAllString(s, "batches: <n>")
}

// With hw-offload=true and the dummy provider set before the daemon
// starts, an open TCP connection through the firewall is offloaded.
func TestConntrackOffloadDummy(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newEnv(t)
	h := newHosts(t, e)
	e.must("ovs-vsctl", "--no-wait", "set", "Open_vSwitch", ".",
		"other_config:hw-offload=true", "other_config:ct-offload-provider=dummy")
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2")
	flows := filepath.Join(e.dir, "firewall.flows")
	if err := os.WriteFile(flows, []byte(strings.Join(firewallFlows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)

	// A client that keeps the connection open until its stdin closes.
	got := h.listen(h.ns2, 8000)
	client := e.command("ip", "netns", "exec", h.ns1, "nc", "-N", "10.0.0.2", "8000")
	stdin, err := client.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	clientDone := make(chan struct{})
	go func() { client.Wait(); close(clientDone) }()
	t.Cleanup(func() { stdin.Close(); client.Process.Kill(); <-clientDone })
	if _, err := stdin.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "nc-"+h.ns2+"-8000.out")
	e.waitFor("ns2 to receive the data", func() bool {
		b, _ := os.ReadFile(out)
		return string(b) == "hello\n"
	})

	wantShow := "ct-offload provider: dummy\n" +
		"  offloaded connections: 1\n" +
		"  added: 1\n  refused: 0\n  removed: 0\n  errors: 0\n" +
		"  dropped (queue full): 0\n  batches: <n>\n" +
		"Offloaded connections:\n" +
		"  1: tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=<port>,dport=8000),reply=(src=10.0.0.2,dst=10.0.0.1,sport=8000,dport=<port>),established\n"
	var show result
	e.waitFor("the connection to be offloaded", func() bool {
		show = e.appctl("ct-offload/show")
		return show.code == 0 && normalizeOffload(show.stdout) == wantShow
	})
	ct := e.appctl("dpctl/dump-conntrack", "-m")
	// The window scales depend on the hosts' socket buffers.
	wantCT := "tcp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=<port>,dport=8000),reply=(src=10.0.0.2,dst=10.0.0.1,sport=8000,dport=<port>),id=<id>,status=OFFLOAD," +
		"protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,wscale_orig=<n>,wscale_reply=<n>,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)\n"
	if g := ctWscaleRE.ReplaceAllString(normalizeConntrack(ct.stdout), "wscale_$1=<n>"); ct.code != 0 || g != wantCT {
		t.Errorf("dpctl/dump-conntrack -m:\ngot\n%s%s\nwant\n%s", g, ct, wantCT)
	}

	// Closing the connection hands it back to software.
	stdin.Close()
	if s := got(); s != "hello\n" {
		t.Errorf("ns2 received %q", s)
	}
	<-clientDone
	e.waitFor("the closing connection to leave the provider", func() bool {
		r := e.appctl("ct-offload/show")
		return strings.Contains(r.stdout, "  offloaded connections: 0\n")
	})
	for _, want := range []string{
		"|ct_offload|INFO|ct-offload: Conntrack offload API Enabled, using provider dummy\n",
		"|ct_offload|INFO|netdev@ovs-netdev: conntrack offload provider dummy attached\n",
	} {
		if !e.logContains(want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// Without hw-offload the offload commands say that offload is off.
func TestConntrackOffloadOff(t *testing.T) {
	skipWithRealOVS(t)
	t.Parallel()
	e := newEnv(t)
	e.startDaemon()
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
	want := result{stderr: "conntrack offload is not enabled (set other_config:hw-offload=true and restart ovs-vswitchd)\n" +
		"ovs-appctl: ovs-vswitchd: server returned an error\n", code: 2}
	expect(t, "ct-offload/show", e.appctl("ct-offload/show"), want)
	expect(t, "dpctl/offload-stats-show", e.appctl("dpctl/offload-stats-show"), want)
}
