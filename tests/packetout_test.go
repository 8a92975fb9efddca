package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// arpRequestHex is a broadcast ARP request from 10.0.0.1 (ns1's MAC) for
// 10.0.0.2.
const arpRequestHex = "ffffffffffff020000000101" + "0806" +
	"000108000604" + "0001" + "020000000101" + "0a000001" + "000000000000" + "0a000002"

// rxPackets reads the receive counter of ns's veth end.
func (h *hosts) rxPackets(ns, dev string) int {
	h.e.t.Helper()
	r := h.in(ns, "cat", "/sys/class/net/"+dev+"/statistics/rx_packets")
	n, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if r.code != 0 || err != nil {
		h.e.t.Fatalf("rx_packets of %s in %s: %s", dev, ns, r)
	}
	return n
}

// waitQuiet waits until nothing has arrived on ns's dev for a while, so
// that traffic from before (IPv6 neighbour discovery, say) is not counted
// later.
func (h *hosts) waitQuiet(ns, dev string) {
	h.e.t.Helper()
	last := h.rxPackets(ns, dev)
	for quiet, tries := 0, 0; quiet < 3 && tries < 50; tries++ {
		time.Sleep(100 * time.Millisecond)
		if n := h.rxPackets(ns, dev); n != last {
			last, quiet = n, 0
		} else {
			quiet++
		}
	}
}

func TestForwardingPacketOut(t *testing.T) {
	t.Parallel()
	e, h := startForwardingSwitch(t)
	// Without flows nothing else reaches ns2, so its counter moves only
	// for the packet-outs.
	e.must("ovs-ofctl", "del-flows", "br0")
	// Megaflows cached before del-flows (the LOCAL port's own IPv6
	// chatter through NORMAL) go only when revalidation catches up, as
	// in OVS; purge them so that they cannot reach ns2 in the count.
	e.must("ovs-appctl", "revalidator/purge")
	h.waitQuiet(h.ns2, "p2peer")
	for _, proto := range []string{"OpenFlow10", "OpenFlow13", "OpenFlow15"} {
		before := h.rxPackets(h.ns2, "p2peer")
		expect(t, "packet-out -O "+proto,
			e.run("ovs-ofctl", "-O", proto, "packet-out", "br0", "in_port=LOCAL packet="+arpRequestHex+" actions=output:2"),
			result{})
		e.waitFor("the packet-out to reach ns2", func() bool { return h.rxPackets(h.ns2, "p2peer") > before })
		// A barrier on a fresh connection orders after the packet-out.
		e.must("ovs-ofctl", "-O", proto, "dump-flows", "br0")
		if n := h.rxPackets(h.ns2, "p2peer") - before; n != 1 {
			t.Errorf("-O %s: p2peer received %d packets, want 1\n%s", proto, n, e.appctl("dpctl/dump-flows", "-m").stdout)
		}
	}
	// Errors as OVS sends them, and the switch keeps serving. An IP
	// rewrite of an ARP packet is refused from OpenFlow 1.1 on; OpenFlow
	// 1.0 lets it through, as a no-op.
	r := e.run("ovs-ofctl", "-O", "OpenFlow13", "packet-out", "br0", "in_port=1 packet="+arpRequestHex+" actions=mod_nw_dst:10.0.0.9,output:2")
	if r.code == 0 || !strings.Contains(r.stderr, "OFPBAC_MATCH_INCONSISTENT") {
		t.Errorf("ip action on an ARP packet-out in OpenFlow 1.3: %s", r)
	}
	expect(t, "ip action on an ARP packet-out in OpenFlow 1.0",
		e.run("ovs-ofctl", "packet-out", "br0", "in_port=1 packet="+arpRequestHex+" actions=mod_nw_dst:10.0.0.9,output:2"),
		result{})
	e.must("ovs-ofctl", "show", "br0")
}
