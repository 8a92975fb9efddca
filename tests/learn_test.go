package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The learn action end to end: learning flows loaded with ovs-ofctl,
// packets through packet-out (output:TABLE) and through a veth, and the
// flow tables compared with what the real ovs-vswitchd shows for the same
// run. Goldens come from the real switch:
//
//	go test ./tests -run TestLearn -real-ovs -update   # record
//	go test ./tests -run TestLearn                     # check govswitchd

// learnFlows: MAC learning into table 1 (deleted with its learning flow),
// a limited learn with a result bit, send_flow_rem and fin timeouts into
// table 2 (which TCP FINs from port 1 go through), and a learn of the
// reverse TCP flow into table 4 (deleted when its learning flow stops
// learning).
var learnFlows = []string{
	"table=0,priority=10,in_port=1,actions=learn(table=1,hard_timeout=300,priority=20,cookie=0x7,delete_learned,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15],output:NXM_OF_IN_PORT[]),resubmit(,1)",
	"table=0,priority=20,in_port=1,tcp,tcp_flags=+fin,actions=resubmit(,2)",
	"table=0,priority=10,in_port=2,ip,actions=learn(table=2,idle_timeout=600,fin_idle_timeout=30,fin_hard_timeout=60,limit=1,result_dst=reg3[0],send_flow_rem,eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_IP_SRC[],load:0x5->NXM_NX_REG1[],output:NXM_OF_IN_PORT[]),resubmit(,3)",
	"table=0,priority=10,in_port=3,tcp,actions=learn(table=4,delete_learned,eth_type=0x800,nw_proto=6,NXM_OF_TCP_SRC[]=NXM_OF_TCP_DST[],NXM_OF_TCP_DST[]=NXM_OF_TCP_SRC[],in_port=99,NXM_NX_REG3[0..7]=0x5)",
	"table=1,priority=0,actions=drop",
	"table=3,priority=10,reg3=0x1,actions=drop",
	"table=3,priority=0,actions=drop",
}

// ipFrame is an IPv4 packet from src to dst MAC (hex, no colons) and
// from ipSrc to ipDst, with its protocol number (the first byte of l4)
// and layer 4 header (the rest). Checksums are left zero: nothing checks
// them.
func ipFrame(dst, src, ipSrc, ipDst, l4 string) string {
	ipLen := fmt.Sprintf("%04x", 20+len(l4[2:])/2)
	return dst + src + "0800" + "4500" + ipLen + "0001000040" + l4[:2] + "0000" + ipSrc + ipDst + l4[2:]
}

// ethFrame is ipFrame to 10.0.0.2.
func ethFrame(dst, src, ipSrc, l4 string) string { return ipFrame(dst, src, ipSrc, "0a000002", l4) }

var (
	// udp: protocol 17, ports 1234 -> 5678.
	udpPayload = "11" + "04d2162e00080000"
	// tcp: protocol 6, ports 1000 -> 80, ACK.
	tcpPayload = "06" + "03e80050" + "00000000" + "00000000" + "5010" + "0000" + "00000000"
)

func TestLearn(t *testing.T) {
	if *update && !*realOVS {
		t.Fatal("-update rewrites the learn goldens only from the real ovs-vswitchd: add -real-ovs")
	}
	for _, m := range ofModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			runLearn(t, m)
		})
	}
}

func runLearn(t *testing.T, m ofMode) {
	e := newOfctlSwitch(t)
	out := e.ofctlRunInput(m, step(plainOutput, "add-flows", ofctlBridge, "-"), strings.Join(learnFlows, "\n")+"\n")

	bcast, aa, bb, cc := "ffffffffffff", "0200000000aa", "0200000000bb", "0200000000cc"
	// Packet-outs learn in the translation of output:TABLE. OVS does not
	// apply the limit there: 10.0.0.9 is learned too.
	for _, po := range []struct{ port, frame string }{
		{"1", ethFrame(bcast, aa, "0a000001", udpPayload)},
		{"1", ethFrame(bcast, bb, "0a000001", udpPayload)},
		{"2", ethFrame(aa, bb, "0a000001", udpPayload)},
		{"2", ethFrame(aa, bb, "0a000009", udpPayload)},
		{"3", ethFrame(aa, bb, "0a000001", tcpPayload)},
	} {
		out += e.ofctlRun(m, step(plainOutput, "packet-out", ofctlBridge,
			fmt.Sprintf("in_port=%s packet=%s actions=table", po.port, po.frame)))
	}
	dump := step(listOutput, "dump-flows", ofctlBridge)
	out += e.ofctlRun(m, dump)

	// Through the datapath: a packet from cc to aa learns cc and takes
	// the flow learned for aa; on port 2, 10.0.0.7 is over the limit
	// (no flow, result bit 0) while 10.0.0.1 refreshes its flow (result
	// bit 1); a TCP FIN from port 1 to 10.0.0.1 shortens the timeouts of
	// that flow to its fin_timeout.
	fin := "06" + "03e80050" + "00000000" + "00000000" + "5011" + "0000" + "00000000"
	e.sendFrame("p1peer", ethFrame(aa, cc, "0a000001", udpPayload))
	e.sendFrame("p2peer", ethFrame(aa, bb, "0a000007", udpPayload))
	e.sendFrame("p2peer", ethFrame(aa, bb, "0a000001", udpPayload))
	e.sendFrame("p1peer", ipFrame(aa, cc, "0a000002", "0a000001", fin))
	// The datapath credits rules as it revalidates, in its own time.
	counted := []*regexp.Regexp{
		regexp.MustCompile(`n_packets=1,.*dl_dst=02:00:00:00:00:aa `),
		regexp.MustCompile(`n_packets=4,.*priority=10,ip,in_port=2 `),
		regexp.MustCompile(`n_packets=1,.*idle_timeout=30, hard_timeout=60,.*nw_dst=10.0.0.1 `),
	}
	var last string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		last = e.ofctlRun(m, dump)
		missing := ""
		for _, re := range counted {
			if !re.MatchString(last) {
				missing = re.String()
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the veth packets were not counted (no %s):\n%s", missing, last)
		}
	}
	out += e.ofctlRun(m, dump)

	// Deleting the learning flow deletes what it learned (cookie 0x7 in
	// table 1), not the other flows of that table.
	out += e.ofctlRun(m, step(plainOutput, "del-flows", ofctlBridge, "table=0,in_port=1"))
	out += e.ofctlRun(m, dump)
	// So does replacing it with a flow that no longer learns.
	out += e.ofctlRun(m, step(plainOutput, "add-flow", ofctlBridge, "table=0,priority=10,in_port=3,tcp,actions=drop"))
	out += e.ofctlRun(m, dump)
	e.golden("learn/"+m.name+".txt", out)
}

// sendFrame sends a frame (hex) out of dev in the daemon's namespace.
func (e *env) sendFrame(dev, frame string) {
	e.t.Helper()
	py := fmt.Sprintf("import socket; s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('%s', 0)); s.send(bytes.fromhex('%s'))", dev, frame)
	if r := e.inNS("python3", "-c", py); r.code != 0 {
		e.t.Fatalf("sending through %s: %s", dev, r)
	}
}

// ofctlRunInput is ofctlRun with stdin.
func (e *env) ofctlRunInput(m ofMode, s ofctlStep, stdin string) string {
	e.t.Helper()
	args := append(append([]string{"--timeout=30"}, m.opts...), s.args...)
	cmd := e.command("ovs-ofctl", args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var b strings.Builder
	fmt.Fprintf(&b, "### ovs-ofctl %s\n", shellWords(args[1:]))
	b.WriteString(normalizeOfctl(stdout.String(), s.norm))
	if stderr.Len() > 0 {
		b.WriteString("--- stderr\n" + normalizeOfctl(stderr.String(), plainOutput))
	}
	if err != nil {
		fmt.Fprintf(&b, "--- exit %v\n", err)
	}
	return b.String()
}
