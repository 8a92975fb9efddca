package tests

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// End-to-end datapath tests: ping, TCP and UDP between two namespaces
// through govswitchd with system and afxdp ports (generic and native XDP
// on veth), through actions=normal and through explicit flows. IPv6 is off
// and the neighbours are static, so the hosts send nothing but the test's
// traffic: the NORMAL rule counts exactly the pings, the exact-match rules
// exactly the echo requests, replies and UDP datagrams sent, and the
// catch-all rules nothing. TCP (full speed, so its packet count is the
// stack's business) must get through and hit its rules.

// datapathPortTypes are the port types under test, as ovs-vsctl options.
var datapathPortTypes = []struct {
	name string
	opts []string
}{
	{"system", nil},
	{"afxdp-generic", []string{"type=afxdp", "options:xdp-mode=generic"}},
	{"afxdp-native", []string{"type=afxdp", "options:xdp-mode=native"}},
}

// explicitFlows forward by in_port, with exact matches for the ping and
// the UDP test stream so that their counts are known in advance.
var explicitFlows = []string{
	"priority=10,icmp,in_port=1,icmp_type=8,actions=output:2",
	"priority=10,icmp,in_port=2,icmp_type=0,actions=output:1",
	"priority=10,udp,in_port=1,nw_dst=10.0.0.2,tp_dst=5201,actions=output:2",
	"priority=10,udp,in_port=2,nw_src=10.0.0.2,tp_src=5201,actions=output:1",
	"priority=5,tcp,in_port=1,actions=output:2",
	"priority=5,tcp,in_port=2,actions=output:1",
	"priority=0,in_port=1,actions=output:2",
	"priority=0,in_port=2,actions=output:1",
}

const dpPings = 20

func TestDatapathTraffic(t *testing.T) {
	for _, tool := range []string{"iperf3", "ethtool", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	for _, pt := range datapathPortTypes {
		t.Run(pt.name, func(t *testing.T) {
			e := newEnv(t)
			h := newHosts(t, e)
			h.seedNeighbours()
			e.startDaemon()
			args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"}
			for i, p := range []string{"p1", "p2"} {
				args = append(args, "--", "add-port", "br0", p, "--", "set", "interface", p, fmt.Sprintf("ofport_request=%d", i+1))
				args = append(args, pt.opts...)
			}
			e.mustVsctl(args...)
			for _, p := range []string{"p1", "p2"} {
				if got := strings.TrimSpace(e.mustVsctl("get", "interface", p, "ofport")); got != p[1:] {
					t.Fatalf("%s: ofport %s, error %s", p, got, e.mustVsctl("get", "interface", p, "error"))
				}
			}
			h.in(h.ns2, "iperf3", "-s", "-D", "-B", "10.0.0.2")
			e.waitFor("iperf3 to listen", func() bool {
				return strings.Contains(h.in(h.ns2, "ss", "-ltnH", "sport = :5201").stdout, "LISTEN")
			})

			// Subtests report through the env, which must then point at
			// them, and back at t for the cleanup. Each starts from an
			// empty datapath flow table: a megaflow of
			// the previous table still holding uncredited traffic would be
			// credited to the rule its key matches in the new table.
			sub := func(name string, f func(t *testing.T)) {
				t.Run(name, func(st *testing.T) {
					e.t = st
					defer func() { e.t = t }()
					e.must("ovs-ofctl", "del-flows", "br0")
					e.must("ovs-appctl", "dpctl/del-flows")
					f(st)
				})
			}
			sub("normal", func(t *testing.T) {
				e.must("ovs-ofctl", "add-flow", "br0", "actions=normal")
				h.pingAll(t)
				e.eventuallyFlows(fmt.Sprintf(" n_packets=%d, actions=NORMAL\n", 2*dpPings))
				h.iperfTCP(t)
				h.iperfUDP(t)
				h.bulkTransfer(t)
			})
			sub("flows", func(t *testing.T) {
				for _, f := range explicitFlows {
					e.must("ovs-ofctl", "add-flow", "br0", f)
				}
				h.pingAll(t)
				udp := h.iperfUDP(t)
				// iperf3's UDP test opens with one datagram each way.
				e.eventuallyFlows(fmt.Sprintf(` n_packets=0, priority=0,in_port=1 actions=output:2
 n_packets=0, priority=0,in_port=2 actions=output:1
 n_packets=<n>, priority=5,tcp,in_port=1 actions=output:2
 n_packets=<n>, priority=5,tcp,in_port=2 actions=output:1
 n_packets=%d, priority=10,icmp,in_port=1,icmp_type=8 actions=output:2
 n_packets=%d, priority=10,icmp,in_port=2,icmp_type=0 actions=output:1
 n_packets=%d, priority=10,udp,in_port=1,nw_dst=10.0.0.2,tp_dst=5201 actions=output:2
 n_packets=1, priority=10,udp,in_port=2,nw_src=10.0.0.2,tp_src=5201 actions=output:1
`, dpPings, dpPings, udp+1))
				h.iperfTCP(t)
				h.bulkTransfer(t)
			})
			if pt.opts == nil {
				return
			}
			// AF_XDP queues move to the PMD thread of a new pmd-cpu-mask,
			// whose usage history starts afresh.
			sub("pmd-cpu-mask", func(t *testing.T) {
				e.mustVsctl("set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask=0x1")
				want := `Displaying last 60 seconds pmd usage %
pmd thread numa_id 0 core_id 0:
  isolated : false
  port: p1                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  port: p2                queue-id:  0 (enabled)   pmd usage: NOT AVAIL
  overhead: NOT AVAIL
`
				var got result
				for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
					if got = e.appctl("dpif-netdev/pmd-rxq-show"); got.stdout == want {
						break
					}
				}
				if got.stdout != want {
					t.Fatalf("pmd-rxq-show: %s\nwant\n%s", got, want)
				}
				e.must("ovs-ofctl", "add-flow", "br0", "actions=normal")
				h.pingAll(t)
			})
		})
	}
}

// seedNeighbours makes the hosts' ARP entries static, so no ARP crosses
// the switch during the tests.
func (h *hosts) seedNeighbours() {
	h.e.t.Helper()
	for _, c := range []struct{ ns, addr, mac, dev string }{
		{h.ns1, "10.0.0.2", "02:00:00:00:01:02", "p1peer"},
		{h.ns2, "10.0.0.1", "02:00:00:00:01:01", "p2peer"},
	} {
		if r := h.in(c.ns, "ip", "neigh", "replace", c.addr, "lladdr", c.mac, "dev", c.dev, "nud", "permanent"); r.code != 0 {
			h.e.t.Fatalf("ip neigh: %s", r)
		}
	}
}

// pingAll sends dpPings echo requests from ns1 to ns2, all of which must be
// answered (-W: under load a reply may be late, but not lost).
func (h *hosts) pingAll(t *testing.T) {
	t.Helper()
	if r := h.in(h.ns1, "ping", "-q", "-c", strconv.Itoa(dpPings), "-i", "0.01", "-W", "10", "10.0.0.2"); r.code != 0 ||
		!strings.Contains(r.stdout, fmt.Sprintf("%d packets transmitted, %d received, 0%% packet loss", dpPings, dpPings)) {
		h.e.logDatapath()
		t.Fatalf("ping: %s", r)
	}
}

// iperfTCP runs a 2 s iperf3 TCP test from ns1 to ns2, which must get data
// through.
func (h *hosts) iperfTCP(t *testing.T) {
	t.Helper()
	if r := h.iperf(t, "-t", "2"); r.End.SumReceived.Bytes == 0 {
		t.Fatalf("TCP: nothing received")
	}
}

// bulkTransfer sends 8 MiB of random bytes over TCP from ns1 to ns2,
// which must receive them intact. iperf3 does not look at its data, and
// the afxdp ports hand runs of segments to the receiver merged, with a
// checksum it does not verify.
func (h *hosts) bulkTransfer(t *testing.T) {
	t.Helper()
	data := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{1}).Read(data)
	got := h.listen(h.ns2, 8001)
	if r := h.sendBytes(h.ns1, "10.0.0.2", 8001, data); r.code != 0 {
		t.Fatalf("nc: %s", r)
	}
	if s := got(); s != string(data) {
		t.Fatalf("ns2 received %d bytes (sha256 %x), want the %d sent (sha256 %x)",
			len(s), sha256.Sum256([]byte(s)), len(data), sha256.Sum256(data))
	}
}

// iperfUDP runs a 2 s iperf3 UDP test from ns1 to ns2 at a rate every port type
// carries, and returns how many datagrams the client sent (the receiver
// may still lose some in its socket on a loaded machine).
func (h *hosts) iperfUDP(t *testing.T) int {
	t.Helper()
	r := h.iperf(t, "-u", "-b", "5M", "-l", "1000", "-t", "2")
	if r.End.Sum.Packets == 0 || r.End.Sum.LostPackets == r.End.Sum.Packets {
		t.Fatalf("UDP: %d datagrams sent, %d lost", r.End.Sum.Packets, r.End.Sum.LostPackets)
	}
	return r.End.Sum.Packets
}

// iperfResult is the part of iperf3 -J's output the tests read.
type iperfResult struct {
	End struct {
		SumReceived struct {
			Bytes int64 `json:"bytes"`
		} `json:"sum_received"`
		Sum struct {
			Packets     int `json:"packets"`
			LostPackets int `json:"lost_packets"`
		} `json:"sum"`
	} `json:"end"`
	Intervals []any  `json:"intervals"`
	Error     string `json:"error"`
}

// iperf runs an iperf3 client in ns1 against the server in ns2. A test
// the server refuses to start (it may still be closing the previous one)
// is retried: nothing was sent then.
func (h *hosts) iperf(t *testing.T, args ...string) iperfResult {
	t.Helper()
	var res iperfResult
	var r result
	for try := 0; try < 5; try++ {
		r = h.in(h.ns1, append([]string{"iperf3", "-c", "10.0.0.2", "-J"}, args...)...)
		res = iperfResult{}
		err := json.Unmarshal([]byte(r.stdout), &res)
		if err == nil && r.code == 0 && res.Error == "" {
			return res
		}
		if len(res.Intervals) > 0 || !strings.Contains(res.Error, "Connection reset") && !strings.Contains(res.Error, "unable to connect") && !strings.Contains(res.Error, "busy") {
			break
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("iperf3 %v: %s", args, r)
	return res
}

var flowStatsRE = regexp.MustCompile(` cookie=0x0, duration=[0-9.]+s, table=0, n_packets=(\d+), n_bytes=\d+, (idle_age=\d+, )?`)

// eventuallyFlows waits until br0's flows, sorted, with only n_packets kept
// of their statistics, are want: the datapath credits its counters to the
// OpenFlow rules on its own schedule. The TCP flows' counts, which depend
// on the TCP stack, are <n> when not 0.
func (e *env) eventuallyFlows(want string) {
	e.t.Helper()
	var got string
	tcpN := regexp.MustCompile(`n_packets=[1-9][0-9]*, (priority=5,tcp)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r := e.run("ovs-ofctl", "--sort", "dump-flows", "br0")
		got = flowStatsRE.ReplaceAllString(r.stdout, " n_packets=$1, ")
		if got = tcpN.ReplaceAllString(got, "n_packets=<n>, $1"); got == want {
			return
		}
	}
	e.logDatapath()
	e.t.Fatalf("dump-flows:\n%s\nwant\n%s", got, want)
}

// logDatapath logs the datapath's view for a failure's diagnosis.
func (e *env) logDatapath() {
	e.t.Helper()
	for _, c := range [][]string{{"dpctl/show", "-s"}, {"dpctl/dump-flows", "-m"}, {"dpif-netdev/pmd-stats-show"}, {"coverage/show"}} {
		e.t.Logf("ovs-appctl %s:\n%s", strings.Join(c, " "), e.appctl(c...))
	}
}
