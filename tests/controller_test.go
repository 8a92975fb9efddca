package tests

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The controller scenario of issue 3: a real os-ken application
// (testdata/controller/recorder.py) is the bridge's controller, set with
// ovs-vsctl set-controller. It installs a pipeline when the switch
// connects and writes what it receives to a transcript; the test drives
// frames through veth ports and compares the transcript, and what the
// daemon writes to the Controller table, with the goldens recorded from
// the real ovs-vswitchd (-real-ovs -update).

// osKenPython is Debian's interpreter, the one python3-os-ken is installed
// for (the python3 on PATH may be another).
const osKenPython = "/usr/bin/python3"

// controllerDPID and controllerHWAddr fix the bridge's identity so the
// transcript needs no placeholders.
const (
	controllerDPID   = "0000020000000c01"
	controllerHWAddr = "02:00:00:00:0c:01"
)

// osKen is a running os-ken manager with the recorder app.
type osKen struct {
	e      *env
	cmd    *exec.Cmd
	done   chan struct{}
	logf   string // the app's transcript
	stderr string // the manager's own output
}

// startOsKen runs the recorder app in the daemon's namespace, listening
// on 127.0.0.1:port, and waits until it listens.
func startOsKen(t *testing.T, e *env, port int) *osKen {
	t.Helper()
	app, err := filepath.Abs("testdata/controller/recorder.py")
	if err != nil {
		t.Fatal(err)
	}
	k := &osKen{e: e, done: make(chan struct{}), logf: e.path("controller.transcript"), stderr: e.path("os-ken.log")}
	out, err := os.Create(k.stderr)
	if err != nil {
		t.Fatal(err)
	}
	k.cmd = exec.Command("ip", "netns", "exec", e.ns, osKenPython, "-m", "os_ken.cmd.manager",
		"--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", fmt.Sprint(port), app)
	k.cmd.Env = append(os.Environ(), "CONTROLLER_LOG="+k.logf)
	k.cmd.Dir = e.dir
	k.cmd.Stdout, k.cmd.Stderr = out, out
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("starting os-ken: %v", err)
	}
	go func() { k.cmd.Wait(); out.Close(); close(k.done) }()
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			b, _ := os.ReadFile(k.stderr)
			t.Logf("---- os-ken output ----\n%s", b)
		}
	})
	e.waitFor("os-ken to listen", func() bool {
		select {
		case <-k.done:
			b, _ := os.ReadFile(k.stderr)
			t.Fatalf("os-ken exited:\n%s", b)
		default:
		}
		r := e.inNS("ss", "-ltnH", fmt.Sprintf("sport = :%d", port))
		return strings.Contains(r.stdout, "LISTEN")
	})
	return k
}

// stop kills the manager (as a crashed controller would go) and waits.
func (k *osKen) stop() {
	select {
	case <-k.done:
		return
	default:
	}
	k.cmd.Process.Kill()
	<-k.done
	// ip netns exec replaced itself with python, so killing it was enough;
	// nothing else of ours runs in the namespace.
}

// transcript is what the app has written so far.
func (k *osKen) transcript() string {
	b, _ := os.ReadFile(k.logf)
	return string(b)
}

// waitLines waits until the transcript has n lines starting with prefix.
func (k *osKen) waitLines(prefix string, n int) {
	k.e.t.Helper()
	k.e.waitFor(fmt.Sprintf("%d %q lines from the controller", n, prefix), func() bool {
		c := 0
		for _, l := range strings.Split(k.transcript(), "\n") {
			if strings.HasPrefix(l, prefix) {
				c++
			}
		}
		return c >= n
	})
}

// injectFrame sends one Ethernet frame out of dev in the daemon's
// namespace (so that it enters the bridge at dev's veth peer).
func (e *env) injectFrame(dev string, frame []byte) {
	e.t.Helper()
	const script = `import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(bytes.fromhex(sys.argv[2]))`
	if r := e.inNS(osKenPython, "-c", script, dev, hex.EncodeToString(frame)); r.code != 0 {
		e.t.Fatalf("injecting a frame on %s: %s", dev, r)
	}
}

// udpFrame is an IPv4/UDP frame from p1peer (10.0.0.1:4000) to p2peer
// (10.0.0.2:dport), size bytes long with a counting payload.
func udpFrame(dport uint16, size int) []byte {
	f := make([]byte, size)
	copy(f, []byte{0x02, 0, 0, 0, 1, 2, 0x02, 0, 0, 0, 1, 1, 0x08, 0x00})
	ip := f[14:34]
	ip[0], ip[8], ip[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(ip[2:], uint16(size-14))
	binary.BigEndian.PutUint16(ip[6:], 0x4000)
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := f[34:42]
	binary.BigEndian.PutUint16(udp[0:], 4000)
	binary.BigEndian.PutUint16(udp[2:], dport)
	binary.BigEndian.PutUint16(udp[4:], uint16(size-34))
	for i := 42; i < size; i++ {
		f[i] = byte(i)
	}
	return f
}

// experimentalFrame is a minimum-size frame of the local experimental
// ethertype 0x88b5, broadcast from p1peer.
func experimentalFrame() []byte {
	f := make([]byte, 60)
	copy(f, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 1, 1, 0x88, 0xb5})
	copy(f[14:], "govswitchd controller test")
	return f
}

// newControllerSwitch prepares the daemon's namespace (no IPv6, so the
// kernel sends nothing into the ports by itself; loopback up for the
// controller) with veths p1/p1peer and p2/p2peer, and starts the daemon.
func newControllerSwitch(t *testing.T) *env {
	t.Helper()
	if _, err := os.Stat(osKenPython); err != nil {
		t.Skip("no " + osKenPython)
	}
	if r := exec.Command(osKenPython, "-c", "import os_ken").Run(); r != nil {
		t.Skip("python3-os-ken not installed (run scripts/install-deps.sh)")
	}
	e := newEnv(t)
	e.disableIPv6()
	if r := e.inNS("ip", "link", "set", "lo", "up"); r.code != 0 {
		t.Fatalf("ip link set lo up: %s", r)
	}
	for i := 1; i <= 2; i++ {
		name, peer := fmt.Sprintf("p%d", i), fmt.Sprintf("p%dpeer", i)
		for _, args := range [][]string{
			{"link", "add", name, "address", fmt.Sprintf("02:00:00:00:00:0%d", i), "type", "veth",
				"peer", "name", peer, "address", fmt.Sprintf("02:00:00:00:01:0%d", i)},
			{"link", "set", name, "up"},
			{"link", "set", peer, "up"},
		} {
			if r := e.inNS("ip", args...); r.code != 0 {
				t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
			}
		}
	}
	e.startDaemon()
	return e
}

var (
	secSinceRE = regexp.MustCompile(`(sec_since_(connect|disconnect))="[0-9]+"`)
	// randomMACRE is a MAC the kernel made up (an internal port's before
	// the configured one is set); ours all start with 02:00:00.
	randomMACRE = regexp.MustCompile(`hw_addr=([0-9a-f]{2}:){5}[0-9a-f]{2}`)
)

// controllerRow is the Controller table as OVS's tests look at it: the
// columns the daemon writes, with the clock-dependent counters hidden.
func (e *env) controllerRow() string {
	e.t.Helper()
	out := e.must("ovs-vsctl", "--columns=target,is_connected,role,status", "list", "Controller")
	return secSinceRE.ReplaceAllString(out, `${1}="<n>"`)
}

// controllerGolden compares the Controller table with a golden once the
// daemon has written it. When recording, it waits for the state to
// settle: connected, or disconnected with the reconnection refused.
func (e *env) controllerGolden(name string, connected bool) {
	e.t.Helper()
	if *update {
		settled := `is_connected        : true`
		if !connected {
			settled = `last_error="Connection refused"`
		}
		e.waitFor("the Controller table to show "+settled, func() bool {
			return strings.Contains(e.controllerRow(), settled)
		})
	}
	e.eventuallyGolden(name, e.controllerRow)
}

// normalizeTranscript hides the MACs the kernel picks at random.
func normalizeTranscript(s string) string {
	return randomMACRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "hw_addr=02:00:00:") {
			return m
		}
		return "hw_addr=<random>"
	})
}

// rxPackets reads a device's receive counter in the daemon's namespace.
func (e *env) rxPackets(dev string) string {
	e.t.Helper()
	r := e.inNS("cat", "/sys/class/net/"+dev+"/statistics/rx_packets")
	if r.code != 0 {
		e.t.Fatalf("rx_packets of %s: %s", dev, r)
	}
	return strings.TrimSpace(r.stdout)
}

func TestController(t *testing.T) {
	for i, proto := range []string{"OpenFlow13", "OpenFlow15"} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			controllerScenario(t, proto, 6653+i)
		})
	}
}

// controllerScenario runs the whole scenario with the bridge restricted
// to one OpenFlow version.
func controllerScenario(t *testing.T, proto string, port int) {
	e := newControllerSwitch(t)
	k := startOsKen(t, e, port)
	name := "controller/" + strings.ToLower(strings.TrimPrefix(proto, "OpenFlow"))
	name = strings.Replace(name, "/", "/of", 1)

	// fail_mode=secure: the switch never forwards on its own, so every
	// frame reaches the controller's pipeline or nothing.
	e.mustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"protocols="+proto, "fail_mode=secure",
		"other_config:datapath-id="+controllerDPID, "other_config:hwaddr="+controllerHWAddr,
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "ofport_request=2",
		"--", "set-controller", "br0", fmt.Sprintf("tcp:127.0.0.1:%d", port))
	k.waitLines("barrier-reply setup", 1)
	e.controllerGolden(name+".connected", true)

	// A UDP frame to port 5000 goes to table 1 and to the controller,
	// truncated to 128 bytes, by a rule with a cookie.
	e.injectFrame("p1peer", udpFrame(5000, 200))
	k.waitLines("packet-in ", 1)
	// A frame no flow matches is a table-miss packet-in; the app sends it
	// out of port 2 and adds a flow that expires after a second.
	before := e.rxPackets("p2peer")
	e.injectFrame("p1peer", experimentalFrame())
	k.waitLines("barrier-reply packet-out", 1)
	e.waitFor("the packet-out to reach p2peer", func() bool { return e.rxPackets("p2peer") != before })
	k.waitLines("flow-removed ", 1)

	// Port status: an internal port comes and goes. (Its MAC is left to
	// the kernel: with Interface.mac set, OVS announces the port with the
	// random MAC and then again modified, govswitchd once with the MAC.)
	e.mustVsctl("add-port", "br0", "p3", "--", "set", "interface", "p3", "type=internal",
		"ofport_request=3")
	k.waitLines("port-status reason=ADD", 1)
	e.mustVsctl("del-port", "br0", "p3")
	k.waitLines("port-status reason=DELETE", 1)

	// The controller goes away: a secure bridge keeps its flows and the
	// database shows the connection down.
	k.stop()
	e.controllerGolden(name+".disconnected", false)
	dump := normalizeOfctl(e.must("ovs-ofctl", "-O", proto, "dump-flows", "br0"), listOutput)
	e.golden(name+".flows", dump)

	e.golden(name+".transcript", normalizeTranscript(k.transcript()))
}
