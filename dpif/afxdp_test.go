package dpif

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/govswitchd/govswitchd/dpif/bpf"
)

// xdpTestEtherType marks the test's frames (IEEE local experimental), so
// that whatever else the kernel sends on a fresh link is ignored.
const xdpTestEtherType = 0x88b5

// addXDPVeth adds veth pair name/peer, both up, each end with queues rx
// and tx queues, in the test's namespace.
func addXDPVeth(t testing.TB, name, peer string, queues int) {
	t.Helper()
	// No IPv6 autoconfiguration chatter on the test link.
	os.WriteFile("/proc/sys/net/ipv6/conf/default/disable_ipv6", []byte("1"), 0)
	v := &netlink.Veth{
		LinkAttrs: netlink.LinkAttrs{Name: name, HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 8, 1},
			NumRxQueues: queues, NumTxQueues: queues},
		PeerName: peer, PeerHardwareAddr: net.HardwareAddr{2, 0, 0, 0, 8, 2},
	}
	if err := netlink.LinkAdd(v); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	for _, dev := range []string{name, peer} {
		l, err := netlink.LinkByName(dev)
		if err != nil {
			t.Fatal(err)
		}
		if err := netlink.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
	}
}

// xdpFrame is a test frame of n bytes: broadcast destination, the peer's
// source, the test EtherType, then seq and a byte pattern.
func xdpFrame(n int, seq uint32) []byte {
	f := make([]byte, n)
	copy(f, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 8, 2})
	binary.BigEndian.PutUint16(f[12:], xdpTestEtherType)
	binary.BigEndian.PutUint32(f[14:], seq)
	for i := 18; i < n; i++ {
		f[i] = byte(i)
	}
	return f
}

// packetSocket is a raw AF_PACKET socket on a device, for the peer side,
// receiving the test's frames if recv is set.
func packetSocket(t testing.TB, dev string, recv bool) int {
	t.Helper()
	l, err := netlink.LinkByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(xdpTestEtherType)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	proto := uint16(0) // sends only
	if recv {
		proto = htons(xdpTestEtherType)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: l.Attrs().Index}); err != nil {
		t.Fatal(err)
	}
	tv := unix.Timeval{Sec: 5}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	return fd
}

// xdpUDPFrame is an IPv4/UDP test frame to port 9999 from port sport,
// which the veth spreads over its queues by flow hash.
func xdpUDPFrame(sport uint16) []byte {
	f := make([]byte, 60)
	copy(f, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 8, 2, 0x08, 0x00,
		0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], 9999)
	binary.BigEndian.PutUint16(f[38:], 26)
	return f
}

// isTestFrame tells the test's frames from whatever else the kernel sends.
func isTestFrame(d []byte) bool {
	if len(d) < 14 {
		return false
	}
	switch binary.BigEndian.Uint16(d[12:]) {
	case xdpTestEtherType:
		return true
	case unix.ETH_P_IP:
		return len(d) >= 38 && d[23] == unix.IPPROTO_UDP && binary.BigEndian.Uint16(d[36:]) == 9999
	}
	return false
}

// recvTestFrames polls every queue of p until n test frames arrived (or
// five seconds passed) and returns copies of them, in arrival order.
func recvTestFrames(t *testing.T, p *AFXDPPort, n int) [][]byte {
	got, _ := recvTestFramesPerQueue(t, p, n)
	return got
}

// recvTestFramesPerQueue is recvTestFrames, also counting frames per queue.
func recvTestFramesPerQueue(t *testing.T, p *AFXDPPort, n int) ([][]byte, []int) {
	t.Helper()
	var got [][]byte
	perQueue := make([]int, p.RxQueues())
	var b Batch
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		for q := range p.RxQueues() {
			if err := p.Recv(q, &b); err != nil {
				t.Fatal(err)
			}
			for _, pkt := range b.Packets() {
				if _, ok := pkt.Push(Headroom); !ok {
					t.Errorf("received packet has less than %d bytes of headroom", Headroom)
				}
				pkt.Pull(Headroom)
				if d := pkt.Data(); isTestFrame(d) {
					got = append(got, bytes.Clone(d))
					perQueue[q]++
				}
			}
		}
		if b.N == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	return got, perQueue
}

// xdpProgOn is the XDP attach mode netlink reports for dev (0 none,
// 1 driver, 2 generic) and the program id.
func xdpProgOn(t testing.TB, dev string) (mode uint32, id uint32) {
	t.Helper()
	l, err := netlink.LinkByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	if x := l.Attrs().Xdp; x != nil && x.Attached {
		return x.AttachMode, x.ProgId
	}
	return 0, 0
}

func openAFXDPTest(t testing.TB, name string, opts map[string]string) *AFXDPPort {
	t.Helper()
	port, err := OpenPort("afxdp", name, opts)
	if err != nil {
		var oe *OpenError
		if errors.As(err, &oe) {
			t.Fatalf("%v: %s", err, oe.Detail)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return port.(*AFXDPPort)
}

func TestParseAFXDPOptions(t *testing.T) {
	for _, c := range []struct {
		opts map[string]string
		want AFXDPOptions
		err  string
	}{
		{nil, AFXDPOptions{Mode: XDPModeBestEffort, NRxQ: 1, UseNeedWakeup: true}, ""},
		{map[string]string{"xdp-mode": "Native", "n_rxq": "4", "use-need-wakeup": "FALSE"},
			AFXDPOptions{Mode: XDPModeNative, NRxQ: 4, UseNeedWakeup: false}, ""},
		{map[string]string{"xdp-mode": "generic", "n_rxq": "0", "use-need-wakeup": "no"},
			AFXDPOptions{Mode: XDPModeGeneric, NRxQ: 1, UseNeedWakeup: true}, ""},
		{map[string]string{"xdp-mode": "native-with-zerocopy", "n_rxq": "x"},
			AFXDPOptions{Mode: XDPModeNativeZeroCopy, NRxQ: 1, UseNeedWakeup: true}, ""},
		{map[string]string{"n_rxq": "17"}, AFXDPOptions{}, "could not open network device p0 (Invalid argument)"},
		{map[string]string{"xdp-mode": "fast"}, AFXDPOptions{}, "could not open network device p0 (Invalid argument)"},
		{map[string]string{"xdp-mode": "unspecified"}, AFXDPOptions{}, "could not open network device p0 (Invalid argument)"},
	} {
		got, err := ParseAFXDPOptions("p0", c.opts)
		if c.err != "" {
			if err == nil || err.Error() != c.err || !errors.Is(err, unix.EINVAL) {
				t.Errorf("%v: error %v, want %q", c.opts, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v: got %+v, %v; want %+v", c.opts, got, err, c.want)
		}
	}
}

func TestAFXDPMissingDevice(t *testing.T) {
	enterPrivateNetns(t)
	_, err := OpenPort("afxdp", "xdpnone", nil)
	const want = "could not open network device xdpnone (No such device)"
	if err == nil || err.Error() != want || !errors.Is(err, unix.ENODEV) {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// exchangeFrames sends frames from the peer and checks p receives them
// byte for byte, then sends frames on p and checks the peer captures them.
func exchangeFrames(t *testing.T, p *AFXDPPort, peer string) {
	t.Helper()
	fd := packetSocket(t, peer, true)
	var sent [][]byte
	for i, n := range []int{60, 1000, 1514} {
		f := xdpFrame(n, uint32(i))
		if _, err := unix.Write(fd, f); err != nil {
			t.Fatalf("send from %s: %v", peer, err)
		}
		sent = append(sent, f)
	}
	if got := recvTestFrames(t, p, len(sent)); !reflect.DeepEqual(got, sent) {
		t.Errorf("%s received %d frames %x\nwant %d frames %x", p.Name(), len(got), got, len(sent), sent)
	}

	var b Batch
	var out [][]byte
	for i, n := range []int{64, 1500, 42} {
		f := xdpFrame(n, uint32(100+i))
		f[6], f[11] = 2, 1 // from the port's side
		out = append(out, f)
		b.Pkts[i].Reset(f, 0, n)
	}
	b.N = len(out)
	// Queue numbers beyond n_rxq share the sockets.
	if err := p.Send(7, &b); err != nil {
		t.Fatal(err)
	}
	var captured [][]byte
	buf := make([]byte, 4096)
	for len(captured) < len(out) {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			t.Fatalf("capture on %s after %d frames: %v", peer, len(captured), err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		captured = append(captured, bytes.Clone(buf[:n]))
	}
	if !reflect.DeepEqual(captured, out) {
		t.Errorf("%s captured %x\nwant %x", peer, captured, out)
	}
}

// TestAFXDPModes opens the port in every mode that works on veth, moves
// frames both ways and checks that Close leaves no program behind.
func TestAFXDPModes(t *testing.T) {
	enterPrivateNetns(t)
	for i, c := range []struct {
		mode, inUse string
		needWakeup  string
		kernelMode  uint32 // netlink's XDP_ATTACHED_*
	}{
		{"generic", "generic", "true", 2},
		{"native", "native", "true", 1},
		{"best-effort", "native", "true", 1},
		{"native", "native", "false", 1},
		{"generic", "generic", "false", 2},
	} {
		name := "xdpm" + string(rune('0'+i))
		peer := name + "p"
		addXDPVeth(t, name, peer, 1)
		p := openAFXDPTest(t, name, map[string]string{"xdp-mode": c.mode, "use-need-wakeup": c.needWakeup})
		wantCfg := map[string]string{"n_rxq": "1", "xdp-mode": c.mode, "xdp-mode-in-use": c.inUse, "use-need-wakeup": c.needWakeup}
		if got := p.Config(); !reflect.DeepEqual(got, wantCfg) {
			t.Errorf("%s: Config() = %v, want %v", c.mode, got, wantCfg)
		}
		if c.mode == "best-effort" {
			// The port line of dpctl/show, as the real ovs-vswitchd prints it.
			const want = "(afxdp: n_rxq=1, use-need-wakeup=true, xdp-mode=best-effort, xdp-mode-in-use=native)"
			if got := "(afxdp" + configText(p) + ")"; got != want {
				t.Errorf("dpctl/show type text %q, want %q", got, want)
			}
		}
		if mode, id := xdpProgOn(t, name); mode != c.kernelMode || id == 0 {
			t.Errorf("%s: kernel reports XDP attach mode %d id %d, want mode %d", c.mode, mode, id, c.kernelMode)
		}
		if p.RxQueues() != 1 || p.WaitFD(0) < 0 || p.WaitFD(1) != -1 {
			t.Errorf("%s: RxQueues %d WaitFD %d/%d", c.mode, p.RxQueues(), p.WaitFD(0), p.WaitFD(1))
		}
		exchangeFrames(t, p, peer)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if mode, id := xdpProgOn(t, name); mode != 0 || id != 0 {
			t.Errorf("%s: after Close the kernel still has XDP program %d (mode %d) on %s", c.mode, id, mode, name)
		}
		if err := p.Recv(0, &Batch{}); !errors.Is(err, unix.EBADF) {
			t.Errorf("%s: Recv after Close = %v, want EBADF", c.mode, err)
		}
		if fd := p.WaitFD(0); fd != -1 {
			t.Errorf("%s: WaitFD after Close = %d, want -1", c.mode, fd)
		}
	}
}

// wantOpenError checks err's full text, errno and Detail.
func wantOpenError(t *testing.T, err error, text string, errno unix.Errno, detail string) {
	t.Helper()
	var oe *OpenError
	if !errors.As(err, &oe) || err.Error() != text || !errors.Is(err, errno) || oe.Detail != detail {
		t.Errorf("error %v (detail %q)\nwant  %s (detail %q)", err, func() string {
			if oe != nil {
				return oe.Detail
			}
			return ""
		}(), text, detail)
	}
}

func TestAFXDPZeroCopyFailsClearly(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpz0", "xdpz0p", 1)
	_, err := OpenPort("afxdp", "xdpz0", map[string]string{"xdp-mode": "native-with-zerocopy"})
	wantOpenError(t, err, "could not open network device xdpz0 (Operation not supported)", unix.EOPNOTSUPP,
		"xdp-mode native-with-zerocopy: bind AF_XDP socket to queue 0 with XDP_ZEROCOPY: operation not supported"+
			" (the driver has no zero-copy AF_XDP support; use xdp-mode=native or best-effort)")
	if mode, id := xdpProgOn(t, "xdpz0"); mode != 0 || id != 0 {
		t.Errorf("failed open left XDP program %d (mode %d)", id, mode)
	}
}

func TestAFXDPMultiQueue(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpq0", "xdpq0p", 2)
	p := openAFXDPTest(t, "xdpq0", map[string]string{"n_rxq": "2", "xdp-mode": "native"})
	want := map[string]string{"n_rxq": "2", "xdp-mode": "native", "xdp-mode-in-use": "native", "use-need-wakeup": "true"}
	if got := p.Config(); !reflect.DeepEqual(got, want) || p.RxQueues() != 2 {
		t.Errorf("Config() = %v, RxQueues %d; want %v, 2", got, p.RxQueues(), want)
	}
	if p.WaitFD(0) == p.WaitFD(1) || p.WaitFD(1) < 0 {
		t.Errorf("WaitFD = %d, %d: want one socket per queue", p.WaitFD(0), p.WaitFD(1))
	}
	// The veth picks the queue by flow hash: 64 flows use both queues, and
	// every frame arrives exactly once. (The socket's protocol must be set
	// for the kernel to hash the frame as IPv4.)
	fd := packetSocket(t, "xdpq0p", false)
	peer, err := netlink.LinkByName("xdpq0p")
	if err != nil {
		t.Fatal(err)
	}
	to := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: peer.Attrs().Index}
	var sent [][]byte
	for i := range 64 {
		f := xdpUDPFrame(uint16(1000 + i))
		if err := unix.Sendto(fd, f, 0, to); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, f)
	}
	got, perQueue := recvTestFramesPerQueue(t, p, len(sent))
	byPort := func(a, b []byte) int {
		return int(binary.BigEndian.Uint16(a[34:])) - int(binary.BigEndian.Uint16(b[34:]))
	}
	slices.SortFunc(got, byPort)
	if !reflect.DeepEqual(got, sent) {
		t.Errorf("received %d frames, want the %d sent", len(got), len(sent))
	}
	if perQueue[0] == 0 || perQueue[1] == 0 {
		t.Errorf("frames per queue %v: want both queues used", perQueue)
	}
	for q := range 2 {
		if _, err := p.QueueStats(q); err != nil {
			t.Error(err)
		}
	}
	if _, err := p.QueueStats(2); err == nil {
		t.Error("QueueStats(2) of a 2-queue port succeeded")
	}
	if err := p.Recv(2, &Batch{}); err == nil {
		t.Error("Recv on queue 2 of a 2-queue port succeeded")
	}

	// More queues than the device has: the bind says EINVAL.
	p.Close()
	_, err = OpenPort("afxdp", "xdpq0", map[string]string{"n_rxq": "3", "xdp-mode": "generic"})
	wantOpenError(t, err, "could not open network device xdpq0 (Invalid argument)", unix.EINVAL,
		"xdp-mode generic: bind AF_XDP socket to queue 2 with XDP_COPY: invalid argument"+
			" (is n_rxq more than the device's queues? see ethtool -l)")
	if mode, id := xdpProgOn(t, "xdpq0"); mode != 0 || id != 0 {
		t.Errorf("failed open left XDP program %d (mode %d)", id, mode)
	}
}

// TestAFXDPStaleProgram: a program attached through netlink (as by a
// crashed OVS) is removed; one held by a live BPF link is not, clearly.
func TestAFXDPStaleProgram(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdps0", "xdps0p", 1)
	l, err := netlink.LinkByName("xdps0")
	if err != nil {
		t.Fatal(err)
	}
	stale, err := bpf.LoadXSK(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetXdpFdWithFlags(l, stale.FD(), unix.XDP_FLAGS_SKB_MODE); err != nil {
		t.Fatal(err)
	}
	staleID, _ := stale.ProgramID()
	stale.Close() // the attachment keeps the program alive
	if _, id := xdpProgOn(t, "xdps0"); id != staleID {
		t.Fatalf("stale program %d not attached (kernel says %d)", staleID, id)
	}
	p := openAFXDPTest(t, "xdps0", map[string]string{"xdp-mode": "native"})
	if mode, id := xdpProgOn(t, "xdps0"); mode != 1 || id == staleID {
		t.Errorf("after open: XDP program %d mode %d, want ours in driver mode", id, mode)
	}
	p.Close()

	held, err := bpf.LoadXSK(1)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := held.Attach(l.Attrs().Index, bpf.Generic); err != nil {
		t.Fatal(err)
	}
	heldID, _ := held.ProgramID()
	_, err = OpenPort("afxdp", "xdps0", nil)
	wantOpenError(t, err, "could not open network device xdps0 (Device or resource busy)", unix.EBUSY,
		fmt.Sprintf("XDP program %d on xdps0 is attached through a BPF link of another process and cannot be removed: device or resource busy", heldID))
	if _, id := xdpProgOn(t, "xdps0"); id != heldID {
		t.Errorf("the other program was disturbed: kernel says %d, want %d", id, heldID)
	}
}

// xskResources counts the process's open descriptors, AF_XDP ring
// mappings (socket mappings) and how many of the addresses in umems are
// still mapped.
func xskResources(t *testing.T, umems []uintptr) (fds, rings, mapped int) {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(maps), "\n") {
		var start, end uintptr
		if _, err := fmt.Sscanf(line, "%x-%x", &start, &end); err != nil {
			continue
		}
		if strings.Contains(line, "socket:[") {
			rings++
		}
		for _, a := range umems {
			if start <= a && a < end {
				mapped++
			}
		}
	}
	return len(ents), rings, mapped
}

func TestAFXDPCloseFreesEverything(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpf0", "xdpf0p", 2)
	// Warm up whatever the runtime and libraries open once.
	p := openAFXDPTest(t, "xdpf0", map[string]string{"n_rxq": "2"})
	p.Close()
	fds, rings, _ := xskResources(t, nil)
	if rings != 0 {
		t.Fatalf("%d ring mappings before the test", rings)
	}
	for _, opts := range []map[string]string{
		{"n_rxq": "2", "xdp-mode": "native"},
		{"n_rxq": "2", "xdp-mode": "generic"},
		{"xdp-mode": "native-with-zerocopy"}, // fails half-way
	} {
		var umems []uintptr
		if p, err := OpenPort("afxdp", "xdpf0", opts); err == nil {
			p.Info()
			for _, s := range p.(*AFXDPPort).socks {
				umems = append(umems, uintptr(unsafe.Pointer(&s.umem[0])))
			}
			if _, r, m := xskResources(t, umems); r != 8 || m != 2 {
				t.Errorf("%v: open port has %d ring mappings and %d UMEMs mapped, want 8 and 2", opts, r, m)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if f, r, m := xskResources(t, umems); f != fds || r != 0 || m != 0 {
			t.Errorf("%v: %d descriptors, %d ring mappings and %d UMEMs mapped after Close; want %d, 0, 0", opts, f, r, m, fds)
		}
	}
	if mode, id := xdpProgOn(t, "xdpf0"); mode != 0 || id != 0 {
		t.Errorf("XDP program %d (mode %d) left on the device", id, mode)
	}
}

func TestAFXDPInfoAndChecksumOffload(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpi0", "xdpi0p", 1)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	txCsum := func() uint32 {
		v, err := ethtoolValueIoctl(fd, "xdpi0p", unix.ETHTOOL_GTXCSUM, 0)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if txCsum() != 1 {
		t.Fatal("a new veth should have TX checksum offload on")
	}
	p := openAFXDPTest(t, "xdpi0", nil)
	if txCsum() != 0 {
		t.Error("TX checksum offload of the veth peer still on with the port open")
	}
	l, _ := showLink(t, "xdpi0")
	got := p.Info()
	got.Stats = PortStats{}
	want := PortInfo{
		Ifindex: l.Ifindex, MAC: net.HardwareAddr{2, 0, 0, 0, 8, 1}, MTU: 1500, AdminUp: true, LinkUp: true,
		LinkSpeed: 10_000_000_000, FullDuplex: true,
		Status: map[string]string{"driver_name": "veth", "driver_version": "1.0", "firmware_version": ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Info() = %+v\nwant     %+v", got, want)
	}

	// Packets Send cannot queue are tx drops.
	var b Batch
	big := make([]byte, xskFrameSize+1)
	b.Pkts[0].Reset(big, 0, len(big))
	b.N = 1
	if err := p.Send(0, &b); err != nil {
		t.Fatal(err)
	}
	if st, _ := p.QueueStats(0); st.TxDropped != 1 {
		t.Errorf("QueueStats(0) = %+v, want TxDropped 1", st)
	}
	if d := p.Info().Stats.TxDropped; d < 1 {
		t.Errorf("Info tx_dropped = %d, want at least the 1 oversized packet", d)
	}

	p.Close()
	if txCsum() != 1 {
		t.Error("Close did not give the veth peer its TX checksum offload back")
	}
	if got := p.Info(); got.AdminUp || got.LinkUp {
		t.Errorf("Info after Close: admin %v link %v, want both down", got.AdminUp, got.LinkUp)
	}
}

// TestAFXDPZeroAllocs: the fast path allocates nothing per batch.
func TestAFXDPZeroAllocs(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpa0", "xdpa0p", 1)
	p := openAFXDPTest(t, "xdpa0", map[string]string{"xdp-mode": "native"})
	fd := packetSocket(t, "xdpa0p", false)
	frame := xdpFrame(64, 1)
	var rb, sb Batch
	for i := range BatchSize {
		sb.Pkts[i].Reset(xdpFrame(128, uint32(i)), 0, 128)
	}
	sb.N = BatchSize
	received := 0
	allocs := testing.AllocsPerRun(500, func() {
		unix.Write(fd, frame)
		if err := p.Recv(0, &rb); err != nil {
			t.Fatal(err)
		}
		received += rb.N
		if err := p.Send(0, &sb); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Recv+Send allocate %v times per run, want 0", allocs)
	}
	if received == 0 {
		t.Error("nothing received during the run")
	}
}

// BenchmarkAFXDPRecvSend forwards frames between two afxdp ports on the
// two ends of a veth pair: each Recv batch is sent straight back. ns/op is
// per packet forwarded (one Recv and one Send of it).
func BenchmarkAFXDPRecvSend(b *testing.B) {
	for _, mode := range []string{"native", "generic"} {
		b.Run(mode, func(b *testing.B) {
			runtime.LockOSThread() // never unlocked: the namespace dies with the thread
			if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
				b.Fatal(err)
			}
			addXDPVeth(b, "xdpb0", "xdpb1", 1)
			opts := map[string]string{"xdp-mode": mode}
			ports := [2]*AFXDPPort{openAFXDPTest(b, "xdpb0", opts), openAFXDPTest(b, "xdpb1", opts)}
			// Each round of the benchmark builds its own namespace: free
			// this one's UMEMs now rather than at the final cleanup.
			defer ports[0].Close()
			defer ports[1].Close()
			var inject, batch Batch
			for i := range BatchSize {
				inject.Pkts[i].Reset(xdpFrame(64, uint32(i)), 0, 64)
			}
			inject.N = BatchSize
			// Eight batches in flight keep both directions busy.
			for range 8 {
				ports[0].Send(0, &inject)
			}
			b.ResetTimer()
			start := time.Now()
			forwarded, idle := 0, 0
			for forwarded < b.N {
				moved := 0
				for _, p := range ports {
					if err := p.Recv(0, &batch); err != nil {
						b.Fatal(err)
					}
					if batch.N > 0 {
						if err := p.Send(0, &batch); err != nil {
							b.Fatal(err)
						}
					}
					moved += batch.N
				}
				forwarded += moved
				if moved == 0 {
					// Top up after drops (tx ring or frames exhausted).
					if idle++; idle%64 == 0 {
						ports[0].Send(0, &inject)
					}
				}
			}
			b.ReportMetric(float64(forwarded)/time.Since(start).Seconds()/1e6, "Mpps")
			b.StopTimer()
		})
	}
}

// TestAFXDPCloseWhilePolling: Close may race with a poll goroutine, which
// then gets errors, never a fault; a bad batch count is not a crash either.
func TestAFXDPCloseWhilePolling(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpc0", "xdpc0p", 1)
	p := openAFXDPTest(t, "xdpc0", map[string]string{"xdp-mode": "generic"})
	var bad Batch
	bad.N = 1000
	if err := p.Send(0, &bad); err != nil {
		t.Errorf("Send of an over-full batch: %v", err)
	}
	bad.N = -1
	if err := p.Send(0, &bad); err != nil {
		t.Errorf("Send of a negative batch: %v", err)
	}
	if err := p.Send(-1, &bad); err == nil {
		t.Error("Send on queue -1 succeeded")
	}

	fd := packetSocket(t, "xdpc0p", false)
	frame := xdpFrame(100, 0)
	done := make(chan error)
	go func() {
		var b Batch
		for {
			if err := p.Recv(0, &b); err != nil {
				done <- err
				return
			}
			if err := p.Send(0, &b); err != nil {
				done <- err
				return
			}
		}
	}()
	for range 100 {
		unix.Write(fd, frame)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, unix.EBADF) {
		t.Errorf("poll goroutine stopped with %v, want EBADF", err)
	}
}

// afxdpChildEnv names the device a re-executed test binary opens before
// waiting to be killed (TestAFXDPCrashDetaches).
const afxdpChildEnv = "GOVSWITCHD_AFXDP_CHILD_DEV"

// TestAFXDPChildHoldsPort is the child half of TestAFXDPCrashDetaches; run
// on its own it does nothing.
func TestAFXDPChildHoldsPort(t *testing.T) {
	dev := os.Getenv(afxdpChildEnv)
	if dev == "" {
		t.Skip("only run as the child of TestAFXDPCrashDetaches")
	}
	if _, err := OpenAFXDPPort(dev, nil); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {} // until killed
}

// TestAFXDPCrashDetaches: the program is attached through a BPF link, so a
// daemon killed without Close leaves no XDP program on the device.
func TestAFXDPCrashDetaches(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpk0", "xdpk0p", 1)
	// The child inherits this thread's namespace.
	cmd := exec.Command(os.Args[0], "-test.run=^TestAFXDPChildHoldsPort$", "-test.count=1")
	cmd.Env = append(os.Environ(), afxdpChildEnv+"=xdpk0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var said []string
	ready := false
	for sc := bufio.NewScanner(out); !ready && len(said) < 100 && sc.Scan(); {
		ready = sc.Text() == "ready"
		said = append(said, sc.Text())
	}
	if !ready {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not get ready: %q", said)
	}
	if mode, id := xdpProgOn(t, "xdpk0"); mode != 1 || id == 0 {
		t.Errorf("child's port: XDP mode %d id %d, want native", mode, id)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The kernel drops the link when the dead process's files are released.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mode, id := xdpProgOn(t, "xdpk0")
		if mode == 0 && id == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("XDP program %d (mode %d) survived the killed daemon", id, mode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAFXDPDeviceDownAtOpen: a bridge may add a device before it is up;
// the port opens and carries traffic once the link comes up.
func TestAFXDPDeviceDownAtOpen(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpd0", "xdpd0p", 1)
	l, err := netlink.LinkByName("xdpd0")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetDown(l); err != nil {
		t.Fatal(err)
	}
	p := openAFXDPTest(t, "xdpd0", nil)
	if got := p.Config()["xdp-mode-in-use"]; got != "native" {
		t.Errorf("xdp-mode-in-use %q, want native", got)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		t.Fatal(err)
	}
	exchangeFrames(t, p, "xdpd0p")
}
