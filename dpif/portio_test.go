package dpif

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/vlog"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Helpers for the packet I/O tests of the system, tap and dummy providers.

// ioEthType marks the frames the tests send (IEEE local experimental),
// so that anything else the kernel emits is ignored.
const ioEthType = 0x88b5

// enterIONetns is enterPrivateNetns for tests and benchmarks, with IPv6
// off for devices created afterwards so that the kernel sends no router
// solicitations or MLD reports that would disturb the counters.
func enterIONetns(tb testing.TB) {
	tb.Helper()
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		tb.Fatalf("unshare network namespace (tests need root): %v", err)
	}
	// /proc/sys/net follows the opening thread's namespace.
	for _, f := range []string{"all", "default"} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+f+"/disable_ipv6", []byte("1"), 0); err != nil {
			tb.Logf("disable IPv6 (%s): %v", f, err)
		}
	}
}

// ioSetUp brings devices up.
func ioSetUp(tb testing.TB, names ...string) {
	tb.Helper()
	for _, n := range names {
		l, err := netlink.LinkByName(n)
		if err != nil {
			tb.Fatalf("find %s: %v", n, err)
		}
		if err := netlink.LinkSetUp(l); err != nil {
			tb.Fatalf("set %s up: %v", n, err)
		}
	}
}

// ioFrame is a 60-byte frame of ioEthType whose payload starts with
// seq, from src to dst.
func ioFrame(dst, src byte, seq int) []byte {
	f := make([]byte, 60)
	copy(f, []byte{0x02, 0, 0, 0, 0, dst, 0x02, 0, 0, 0, 0, src})
	binary.BigEndian.PutUint16(f[12:], ioEthType)
	binary.BigEndian.PutUint32(f[14:], uint32(seq))
	for i := 18; i < len(f); i++ {
		f[i] = byte(i)
	}
	return f
}

// isIOFrame tells the tests' frames, tagged or not, from kernel chatter.
func isIOFrame(f []byte) bool {
	off := 12
	for off+4 <= len(f) {
		switch binary.BigEndian.Uint16(f[off:]) {
		case ioEthType:
			return true
		case unix.ETH_P_8021Q, unix.ETH_P_8021AD:
			off += 4
		default:
			return false
		}
	}
	return false
}

// ioFillBatch puts copies of frames into b, each behind Headroom bytes.
func ioFillBatch(b *Batch, frames [][]byte) {
	b.N = 0
	for _, f := range frames {
		buf := make([]byte, Headroom+len(f))
		copy(buf[Headroom:], f)
		b.Pkts[b.N].Reset(buf, Headroom, len(f))
		b.N++
	}
}

// ioRecvFrames receives until want test frames arrived (other frames are
// skipped), sleeping on WaitFD between tries. It gives up after a generous
// deadline, which only a lost frame can reach. It also returns the batch
// sizes Recv returned.
// ioWaitOperUp waits until every named link is operationally up.
func ioWaitOperUp(tb testing.TB, names ...string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, n := range names {
		for {
			l, err := netlink.LinkByName(n)
			if err != nil {
				tb.Fatalf("find %s: %v", n, err)
			}
			if l.Attrs().OperState == netlink.OperUp {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("%s is %v, not up", n, l.Attrs().OperState)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func ioRecvFrames(tb testing.TB, p PacketIO, want int) (frames [][]byte, sizes []int) {
	tb.Helper()
	var b Batch
	deadline := time.Now().Add(10 * time.Second)
	for len(frames) < want {
		if err := p.Recv(0, &b); err != nil {
			tb.Fatalf("Recv: %v", err)
		}
		if b.N == 0 {
			if time.Now().After(deadline) {
				tb.Fatalf("received %d frames, want %d", len(frames), want)
			}
			fds := []unix.PollFd{{Fd: int32(p.WaitFD(0)), Events: unix.POLLIN}}
			if _, err := unix.Poll(fds, 100); err != nil && err != unix.EINTR {
				tb.Fatalf("poll: %v", err)
			}
			continue
		}
		sizes = append(sizes, b.N)
		for _, pkt := range b.Packets() {
			if isIOFrame(pkt.Data()) {
				frames = append(frames, bytes.Clone(pkt.Data()))
			}
		}
	}
	return frames, sizes
}

// ioExpectNothing checks that p has no test frame waiting.
func ioExpectNothing(tb testing.TB, p PacketIO, what string) {
	tb.Helper()
	var b Batch
	for {
		if err := p.Recv(0, &b); err != nil {
			tb.Fatalf("Recv: %v", err)
		}
		if b.N == 0 {
			return
		}
		for _, pkt := range b.Packets() {
			if isIOFrame(pkt.Data()) {
				tb.Errorf("%s: received % x", what, pkt.Data())
			}
		}
	}
}

// ioCheckFrames compares received frames with the sent ones, in order.
func ioCheckFrames(tb testing.TB, what string, got, want [][]byte) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%s: %d frames, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			tb.Errorf("%s: frame %d is\n% x\nwant\n% x", what, i, got[i], want[i])
		}
	}
}

// ioCloseUnderTraffic closes p while other goroutines receive and send on
// it: the poll goroutines get errors, never a crash, a race, or I/O on a
// reused descriptor.
func ioCloseUnderTraffic(t *testing.T, p interface {
	PacketIO
	Close() error
}) {
	t.Helper()
	var out Batch
	ioFillBatch(&out, [][]byte{ioFrame(2, 1, 1)})
	done := make(chan struct{})
	started := make(chan struct{}, 2)
	for g := range 2 {
		go func() {
			defer func() { done <- struct{}{} }()
			var in Batch
			out := out // each sender its own batch
			for i := 0; ; i++ {
				var err error
				if g == 0 {
					err = p.Recv(0, &in)
				} else {
					err = p.Send(g, &out)
				}
				if i == 10 {
					started <- struct{}{}
				}
				if err != nil && strings.Contains(err.Error(), "port is closed") {
					if i < 10 {
						started <- struct{}{}
					}
					return
				}
			}
		}()
	}
	<-started
	<-started
	if err := p.Close(); err != nil {
		t.Errorf("Close under traffic: %v", err)
	}
	<-done
	<-done
}

func TestPortIOCloseUnderTraffic(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio5", "refio5p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, _ := ioOpenSystemPair(t, "refio5", "refio5p")
	ioCloseUnderTraffic(t, a)
	tap, _ := ioOpenTapAndWire(t, "reftap5", true)
	ioCloseUnderTraffic(t, tap)
	d, err := NewDummyPort("dummy", "refdum20", nil)
	if err != nil {
		t.Fatal(err)
	}
	ioCloseUnderTraffic(t, d)
}

// ioCaptureLog runs f with the console log captured and returns its lines
// without timestamp and sequence number: "module|LEVEL|text".
func ioCaptureLog(f func()) []string {
	var buf bytes.Buffer
	vlog.SetConsoleWriter(&buf)
	defer vlog.SetConsoleWriter(os.Stderr)
	f()
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if parts := strings.SplitN(l, "|", 3); len(parts) == 3 {
			lines = append(lines, parts[2])
		}
	}
	return lines
}

func TestSendBadBatch(t *testing.T) {
	p := openIODummy(t, "refdum30", nil)
	b := Batch{N: BatchSize + 1}
	if err := p.Send(0, &b); err == nil || err.Error() != "send on refdum30: batch of 33 packets: invalid argument" {
		t.Errorf("Send of 33 = %v", err)
	}
	b.N = 0
	if err := p.Send(-1, &b); err == nil || err.Error() != "send on refdum30: bad queue -1: invalid argument" {
		t.Errorf("Send(-1) = %v", err)
	}
}
