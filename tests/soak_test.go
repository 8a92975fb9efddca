package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The soak (issue 8), off unless -soak=DURATION is given (bench/soak.sh):
// TCP and UDP streams (iperf3), FTP transfers through the FTP helper
// (vsftpd, curl, passive and active) and a stream of short new connections
// cross a conntrack firewall that source-NATs the client, while flows are
// added, modified and deleted and ports flap. At the end nothing may have
// leaked (descriptors, mappings, goroutines; memory within bounds) and the
// switch's counters must add up: packets received on the ports = packets
// sent + packets the flow tables dropped + packets the datapath dropped.

var soak = flag.Duration("soak", 0, "run TestSoak for this long (e.g. 10m); 0 skips it")

// soakStats are the workers' tallies.
type soakStats struct {
	mu                  sync.Mutex
	tcpRuns, tcpFails   int
	udpRuns, udpFails   int
	udpSent, udpLost    int
	ftpRuns, ftpFails   int
	connOK, connFail    int
	flowMods, portFlaps int
	failures            []string // the first few failure messages
	tcpBytes, ftpBytes  int64
}

func (s *soakStats) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) < 10 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

func TestSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("soak not requested (-soak=DURATION)")
	}
	if _, err := exec.LookPath("iperf3"); err != nil {
		t.Skip("iperf3 not installed")
	}
	l := newALGLab(t)
	e := l.e
	flows, err := filepath.Abs("testdata/soak/firewall.flows")
	if err != nil {
		t.Fatal(err)
	}
	e.must("ovs-ofctl", "del-flows", "br0")
	e.must("ovs-ofctl", "add-flows", "br0", flows)
	for _, port := range []string{"5201", "5202"} {
		l.in(l.server, "iperf3", "-s", "-D", "-B", algServer, "-p", port)
	}
	e.waitFor("iperf3 to listen", func() bool {
		out := l.in(l.server, "ss", "-ltnH").stdout
		return strings.Contains(out, ":5201") && strings.Contains(out, ":5202")
	})
	pid, err := daemonPid(e)
	if err != nil {
		t.Fatal(err)
	}
	// The daemon namespace's own IPv6 stack would send on the ports when
	// their links come up (DAD, router solicitations, MLD): the kernel
	// counts that as sent, and the switch never saw it.
	for _, key := range []string{"all", "default", "p1", "p2"} {
		e.must("ip", "netns", "exec", e.ns, "sysctl", "-q", "-w", "net.ipv6.conf."+key+".disable_ipv6=1")
	}
	// What the soak does to the ports happens once before the baseline:
	// a link change starts watchers that then stay for good.
	e.mustVsctl("add-port", "br0", "t0", "--", "set", "interface", "t0", "type=tap")
	e.mustVsctl("del-port", "br0", "t0")
	for _, state := range []string{"down", "up"} {
		e.must("ip", "netns", "exec", e.ns, "ip", "link", "set", "p2", state)
	}
	before := settle(e, pid)
	t.Logf("baseline:\n%s", before)

	ctx, cancel := context.WithTimeout(context.Background(), *soak)
	defer cancel()
	st := &soakStats{}
	var wg sync.WaitGroup
	worker := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				f()
			}
		}()
	}
	// run runs a command (in a namespace or not) bounded by the soak's end
	// plus a grace period, so that the last runs finish cleanly.
	run := func(args ...string) ([]byte, error) {
		cctx, ccancel := context.WithTimeout(context.Background(), time.Until(deadlineOf(ctx))+30*time.Second)
		defer ccancel()
		cmd := exec.CommandContext(cctx, args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+e.dir, "OVS_LOGDIR="+e.dir, "OVS_DBDIR="+e.dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.Bytes(), err
	}
	inClient := func(args ...string) ([]byte, error) {
		return run(append([]string{"ip", "netns", "exec", l.client}, args...)...)
	}
	pause := func(d time.Duration) {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}

	worker(func() { // TCP at full speed, 10 s per run
		out, err := inClient("iperf3", "-J", "-c", algServer, "-p", "5201", "-t", "10")
		var r iperfResult
		ok := err == nil && json.Unmarshal(out, &r) == nil && r.End.SumReceived.Bytes > 0
		st.mu.Lock()
		st.tcpRuns++
		if ok {
			st.tcpBytes += r.End.SumReceived.Bytes
		} else {
			st.tcpFails++
		}
		st.mu.Unlock()
		if !ok {
			st.fail("iperf3 TCP: %v: %.300s", err, out)
		}
	})
	worker(func() { // UDP at 20 Mbit/s, 10 s per run
		out, err := inClient("iperf3", "-J", "-c", algServer, "-p", "5202", "-u", "-b", "20M", "-l", "1000", "-t", "10")
		var r iperfResult
		ok := err == nil && json.Unmarshal(out, &r) == nil && r.End.Sum.Packets > 0
		st.mu.Lock()
		st.udpRuns++
		if ok {
			st.udpSent += r.End.Sum.Packets
			st.udpLost += r.End.Sum.LostPackets
		} else {
			st.udpFails++
		}
		st.mu.Unlock()
		if !ok {
			st.fail("iperf3 UDP: %v: %.300s", err, out)
		}
	})
	ftpOut := e.path("soak-ftp.bin")
	worker(func() { // FTP through the helper and NAT, passive and active
		for _, mode := range [][]string{nil, {"--ftp-port", "-"}} {
			args := append([]string{"curl", "--silent", "--show-error", "--max-time", "20", "--connect-timeout", "3"}, mode...)
			out, err := inClient(append(args, "ftp://"+algServer+"/big.bin", "--output", ftpOut)...)
			got, rerr := os.ReadFile(ftpOut)
			ok := err == nil && rerr == nil && bytes.Equal(got, l.files["big.bin"])
			st.mu.Lock()
			st.ftpRuns++
			if ok {
				st.ftpBytes += int64(len(got))
			} else {
				st.ftpFails++
			}
			st.mu.Unlock()
			if !ok {
				st.fail("ftp %v: %v: %.300s", mode, err, out)
			}
		}
	})
	worker(func() { // short connections: 100 per batch
		out, _ := inClient("bash", "-c", `ok=0; fail=0; for i in $(seq 100); do if nc -z -w 2 `+algServer+` 21; then ok=$((ok+1)); else fail=$((fail+1)); fi; done; echo $ok $fail`)
		var ok, fail int
		fmt.Sscan(string(out), &ok, &fail)
		st.mu.Lock()
		st.connOK += ok
		st.connFail += fail
		st.mu.Unlock()
	})
	worker(func() { // flow changes every half second, counters kept
		for _, args := range [][]string{
			{"ovs-ofctl", "add-flow", "br0", "table=1,priority=120,udp,tp_dst=9,actions=drop"},
			{"ovs-ofctl", "mod-flows", "br0", "table=1,in_port=1,ip,ct_state=+trk+est,actions=output:2"},
			{"ovs-ofctl", "--strict", "del-flows", "br0", "table=1,priority=120,udp,tp_dst=9"},
		} {
			if out, err := run(args...); err != nil {
				st.fail("%s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		st.mu.Lock()
		st.flowMods += 3
		st.mu.Unlock()
		pause(500 * time.Millisecond)
	})
	worker(func() { // the server's port flaps, a spare port comes and goes
		pause(10 * time.Second)
		for _, args := range [][]string{
			{"ip", "netns", "exec", e.ns, "ip", "link", "set", "p2", "down"},
			{"sleep", "0.2"},
			{"ip", "netns", "exec", e.ns, "ip", "link", "set", "p2", "up"},
			{"ovs-vsctl", "--timeout=20", "add-port", "br0", "t0", "--", "set", "interface", "t0", "type=tap"},
			{"ovs-vsctl", "--timeout=20", "set", "interface", "t0", "type=internal"},
			{"ovs-vsctl", "--timeout=20", "del-port", "br0", "t0"},
		} {
			if out, err := run(args...); err != nil {
				st.fail("%s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		st.mu.Lock()
		st.portFlaps++
		st.mu.Unlock()
	})
	wg.Wait()

	t.Logf("soak of %v: TCP %d runs (%d failed, %d MB), UDP %d runs (%d failed, %d datagrams, %d lost), "+
		"FTP %d transfers (%d failed, %d MB), short connections %d ok %d failed, %d flow changes, %d port flaps",
		*soak, st.tcpRuns, st.tcpFails, st.tcpBytes>>20, st.udpRuns, st.udpFails, st.udpSent, st.udpLost,
		st.ftpRuns, st.ftpFails, st.ftpBytes>>20, st.connOK, st.connFail, st.flowMods, st.portFlaps)
	for _, f := range st.failures {
		t.Logf("failure: %s", f)
	}
	// Traffic must have flowed throughout: every kind mostly succeeded
	// (a flap may break the run it hits).
	if st.tcpRuns-st.tcpFails < max(1, st.tcpRuns/2) || st.udpRuns-st.udpFails < max(1, st.udpRuns/2) ||
		st.ftpRuns-st.ftpFails < max(1, st.ftpRuns/2) || st.connOK < st.connFail {
		t.Errorf("too many failed runs")
	}

	// Counters add up once the last packets are accounted for.
	var acct soakAccount
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		acct = readAccount(e)
		if acct.balanced() || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("counters: %s", acct)
	if !acct.balanced() {
		t.Errorf("counters do not add up: %s", acct)
	}

	// Nothing leaked: the connections expire or close, the daemon goes
	// back to what it held.
	e.must("ovs-appctl", "dpctl/flush-conntrack")
	after := before
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		after = e.resources(pid)
		if after.equal(before) || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("after the soak:\n%s", after)
	if !after.equal(before) {
		t.Errorf("resources leaked:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if grown := (after.rssAnonKB - before.rssAnonKB) << 10; grown > 64<<20 {
		t.Errorf("anonymous resident memory grew by %d MB", grown>>20)
	}
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// soakAccount is the switch's own view of the packets.
type soakAccount struct {
	rx, tx, txDrop, txErr int64 // over all ports
	// rxDrop counts frames the device received but the datapath never
	// read (socket buffer full: the datapath fell behind), which the
	// port's rx_dropped adds to the kernel's own rx_dropped. The kernel's
	// (frames the veth peer could not deliver) are not in rx_packets, so
	// they are taken out again. rxErr is reported only.
	rxDrop, kernelRxDrop, rxErr int64
	tableDrops                  int64 // n_packets of the drop rules
	lost                        int64 // dpctl/show lookups lost
}

func (a soakAccount) balanced() bool {
	return a.rx > 0 && a.rx == a.out()
}

// out is where the received packets went.
func (a soakAccount) out() int64 {
	return a.tx + a.txDrop + a.txErr + a.tableDrops + a.lost + a.rxDrop - a.kernelRxDrop
}

func (a soakAccount) String() string {
	return fmt.Sprintf("received %d = sent %d + tx dropped %d + tx errors %d + dropped by flows %d + lost %d + not read %d (rx dropped %d - kernel's %d) (= %d); rx errors %d",
		a.rx, a.tx, a.txDrop, a.txErr, a.tableDrops, a.lost, a.rxDrop-a.kernelRxDrop, a.rxDrop, a.kernelRxDrop, a.out(), a.rxErr)
}

var (
	portStatsRE = regexp.MustCompile(`port +"?([^":]+)"?: rx pkts=(\d+|\?), bytes=\S+ drop=(\d+|\?), errs=(\d+|\?).*\n\s+tx pkts=(\d+|\?), bytes=\S+ drop=(\d+|\?), errs=(\d+|\?)`)
	dropRuleRE  = regexp.MustCompile(`n_packets=(\d+),.*priority=1 actions=drop`)
	lostRE      = regexp.MustCompile(`lookups: hit:\d+ missed:\d+ lost:(\d+)`)
)

func num(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func readAccount(e *env) soakAccount {
	var a soakAccount
	for _, m := range portStatsRE.FindAllStringSubmatch(e.must("ovs-ofctl", "dump-ports", "br0"), -1) {
		a.rx += num(m[2])
		a.rxDrop += num(m[3])
		a.rxErr += num(m[4])
		a.tx += num(m[5])
		a.txDrop += num(m[6])
		a.txErr += num(m[7])
	}
	for _, m := range dropRuleRE.FindAllStringSubmatch(e.must("ovs-ofctl", "dump-flows", "br0"), -1) {
		a.tableDrops += num(m[1])
	}
	if m := lostRE.FindStringSubmatch(e.must("ovs-appctl", "dpctl/show", "-s")); m != nil {
		a.lost = num(m[1])
	}
	for _, p := range []string{"p1", "p2"} {
		a.kernelRxDrop += num(strings.TrimSpace(e.must("ip", "netns", "exec", e.ns, "cat", "/sys/class/net/"+p+"/statistics/rx_dropped")))
	}
	return a
}
