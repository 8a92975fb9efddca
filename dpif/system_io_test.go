package dpif

import (
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ioAddVeth is addVeth for benchmarks too.
func ioAddVeth(tb testing.TB, name, peer string) {
	tb.Helper()
	v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: peer}
	if err := netlink.LinkAdd(v); err != nil {
		tb.Fatalf("add veth %s: %v", name, err)
	}
}

func ioOpenSystemPair(tb testing.TB, name, peer string) (a, b *SystemPort) {
	tb.Helper()
	ioSetUp(tb, name, peer)
	a, err := OpenSystemPort(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	b, err = OpenSystemPort(peer)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return a, b
}

// ioWaitQueued waits until the kernel has queued n frames on p's socket, so
// that one Recv can see them all; it returns how many it saw.
func ioWaitQueued(tb testing.TB, p *SystemPort, n int) int {
	tb.Helper()
	seen := 0
	for deadline := time.Now().Add(10 * time.Second); seen < n && time.Now().Before(deadline); {
		st, err := unix.GetsockoptTpacketStats(p.WaitFD(0), unix.SOL_PACKET, unix.PACKET_STATISTICS)
		if err != nil {
			tb.Fatal(err)
		}
		seen += int(st.Packets) // the kernel resets the counters on each read
		if seen < n {
			time.Sleep(time.Millisecond)
		}
	}
	return seen
}

// ioVLANFrame tags a test frame with one or more (tpid, tci) headers.
func ioVLANFrame(seq int, tags ...[2]uint16) []byte {
	f := ioFrame(1, 2, seq)
	out := append([]byte(nil), f[:12]...)
	for _, t := range tags {
		out = binary.BigEndian.AppendUint16(out, t[0])
		out = binary.BigEndian.AppendUint16(out, t[1])
	}
	return append(out, f[12:]...)
}

func TestSystemPortIO(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio1", "refio1p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, b := ioOpenSystemPair(t, "refio1", "refio1p")

	if a.RxQueues() != 1 || a.WaitFD(0) < 0 || a.WaitFD(1) != -1 {
		t.Errorf("RxQueues %d, WaitFD(0) %d, WaitFD(1) %d", a.RxQueues(), a.WaitFD(0), a.WaitFD(1))
	}

	// 40 frames from the peer: one Recv returns a full batch of 32.
	var in [][]byte
	for i := range 40 {
		in = append(in, ioFrame(1, 2, i))
	}
	var batch Batch
	ioFillBatch(&batch, in[:32])
	if err := b.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	ioFillBatch(&batch, in[32:])
	if err := b.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	if n := ioWaitQueued(t, a, 40); n != 40 {
		t.Fatalf("kernel queued %d frames, want 40", n)
	}
	got, sizes := ioRecvFrames(t, a, 40)
	ioCheckFrames(t, "peer to port", got, in)
	if !reflect.DeepEqual(sizes, []int{32, 8}) {
		t.Errorf("Recv batch sizes %v, want [32 8]", sizes)
	}

	// VLAN tags the veth moves into metadata come back in the frame:
	// 802.1Q, a priority tag (VID 0), and 802.1ad outer over 802.1Q inner.
	tagged := [][]byte{
		ioVLANFrame(100, [2]uint16{0x8100, 0x0123}),
		ioVLANFrame(101, [2]uint16{0x8100, 0xa000}),
		ioVLANFrame(102, [2]uint16{0x88a8, 0x0064}, [2]uint16{0x8100, 0x00c8}),
	}
	ioFillBatch(&batch, tagged)
	if err := b.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	got, _ = ioRecvFrames(t, a, len(tagged))
	ioCheckFrames(t, "tagged frames", got, tagged)

	// The port's own transmissions reach the peer but not itself.
	var out [][]byte
	for i := range BatchSize {
		out = append(out, ioFrame(2, 1, 1000+i))
	}
	ioFillBatch(&batch, out)
	if err := a.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	got, _ = ioRecvFrames(t, b, len(out))
	ioCheckFrames(t, "port to peer", got, out)
	ioExpectNothing(t, a, "own transmission")

	// A frame over the MTU is dropped and counted; the rest of the batch goes.
	big := make([]byte, 1600)
	copy(big, ioFrame(2, 1, 2000))
	ioFillBatch(&batch, [][]byte{ioFrame(2, 1, 2001), big, ioFrame(2, 1, 2002)})
	err := a.Send(0, &batch)
	if want := "send on refio1: 1 of 3 frames dropped: message too long"; err == nil || err.Error() != want {
		t.Errorf("Send with an oversized frame = %v, want %q", err, want)
	}
	got, _ = ioRecvFrames(t, b, 2)
	ioCheckFrames(t, "around the oversized frame", got, [][]byte{ioFrame(2, 1, 2001), ioFrame(2, 1, 2002)})

	// Counters: the kernel's, plus the port's own drop. The kernel counts
	// the three tagged frames as rx_dropped too: no VLAN device took them.
	tagBytes := uint64(len(tagged[0]) + len(tagged[1]) + len(tagged[2]))
	st := a.Info().Stats
	if st.RxPackets != 43 || st.RxBytes != 40*60+tagBytes || st.TxPackets != 34 ||
		st.TxBytes != 34*60 || st.TxDropped != 1 || st.RxDropped != 3 {
		t.Errorf("port stats rx %d/%d tx %d/%d dropped rx %d tx %d, want rx 43/%d tx 34/%d dropped rx 3 tx 1",
			st.RxPackets, st.RxBytes, st.TxPackets, st.TxBytes, st.RxDropped, st.TxDropped,
			40*60+tagBytes, 34*60)
	}
	l, _ := showLink(t, "refio1")
	if l.Stats.RX.Packets != 43 || l.Stats.TX.Packets != 34 {
		t.Errorf("ip says rx %d tx %d packets, want 43 and 34", l.Stats.RX.Packets, l.Stats.TX.Packets)
	}
}

// TestSystemPortOversizedFrameDropped raises the MTU past what the
// receive buffers were sized for at open: such a frame is dropped and
// counted, and the next one is received.
func TestSystemPortOversizedFrameDropped(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio2", "refio2p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, b := ioOpenSystemPair(t, "refio2", "refio2p")
	for _, n := range []string{"refio2", "refio2p"} {
		l, err := netlink.LinkByName(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := netlink.LinkSetMTU(l, 16000); err != nil {
			t.Fatal(err)
		}
	}
	huge := make([]byte, 12000)
	copy(huge, ioFrame(1, 2, 1))
	var batch Batch
	ioFillBatch(&batch, [][]byte{huge, ioFrame(1, 2, 2)})
	if err := b.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	log := ioCaptureLog(func() { got, _ = ioRecvFrames(t, a, 1) })
	ioCheckFrames(t, "after the huge frame", got, [][]byte{ioFrame(1, 2, 2)})
	if want := []string{"netdev_linux|WARN|refio2: Dropped packet: Too big. GRO/TSO enabled?"}; !reflect.DeepEqual(log, want) {
		t.Errorf("log %q, want %q", log, want)
	}
	if d := a.Info().Stats.RxDropped; d != 1 {
		t.Errorf("rx_dropped = %d, want 1", d)
	}
}

func TestSystemPortBadUse(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio3", "refio3p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, _ := ioOpenSystemPair(t, "refio3", "refio3p")
	var b Batch
	if err := a.Recv(1, &b); err == nil || err.Error() != "receive on refio3: no queue 1 (the port has 1): invalid argument" {
		t.Errorf("Recv(1) = %v", err)
	}
	if err := a.Send(-1, &b); err == nil {
		t.Error("Send(-1) succeeded")
	}
	a.Close()
	if err := a.Recv(0, &b); err == nil || err.Error() != "receive on refio3: port is closed: bad file descriptor" {
		t.Errorf("Recv after Close = %v", err)
	}
	ioFillBatch(&b, [][]byte{ioFrame(1, 2, 1)})
	if err := a.Send(0, &b); err == nil || err.Error() != "send on refio3: port is closed: bad file descriptor" {
		t.Errorf("Send after Close = %v", err)
	}
	if a.WaitFD(0) != -1 {
		t.Errorf("WaitFD after Close = %d", a.WaitFD(0))
	}
}

// TestSystemPortNoAllocs checks the fast path: a batch out of one port
// and into the other allocates nothing.
func TestSystemPortNoAllocs(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio4", "refio4p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, b := ioOpenSystemPair(t, "refio4", "refio4p")
	var out, in Batch
	var frames [][]byte
	for i := range BatchSize {
		frames = append(frames, ioFrame(1, 2, i))
	}
	ioFillBatch(&out, frames)
	fds := []unix.PollFd{{Fd: int32(a.WaitFD(0)), Events: unix.POLLIN}}
	allocs := testing.AllocsPerRun(50, func() {
		if err := b.Send(0, &out); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < BatchSize; {
			if err := a.Recv(0, &in); err != nil {
				t.Fatal(err)
			}
			got += in.N
			if in.N == 0 {
				unix.Poll(fds, 100)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Send+Recv of a batch: %v allocations, want 0", allocs)
	}
}

// TestSystemPortLinkFlap: taking the device down reports "network is
// down" once; once it is up again frames flow.
func TestSystemPortLinkFlap(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio6", "refio6p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, b := ioOpenSystemPair(t, "refio6", "refio6p")
	l, err := netlink.LinkByName("refio6")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetDown(l); err != nil {
		t.Fatal(err)
	}
	var batch Batch
	if err := a.Recv(0, &batch); err == nil || err.Error() != "receive on refio6: network is down" {
		t.Errorf("Recv after link down = %v", err)
	}
	if err := a.Recv(0, &batch); err != nil || batch.N != 0 {
		t.Errorf("second Recv = %v, %d packets", err, batch.N)
	}
	ioSetUp(t, "refio6")
	// The carrier comes back a little after the administrative up; a frame
	// sent before that is lost by the veth, not by the port.
	ioWaitOperUp(t, "refio6", "refio6p")
	ioFillBatch(&batch, [][]byte{ioFrame(1, 2, 1)})
	if err := b.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	got, _ := ioRecvFrames(t, a, 1)
	ioCheckFrames(t, "after link up", got, [][]byte{ioFrame(1, 2, 1)})
}
