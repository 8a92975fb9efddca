package dpif

import (
	"reflect"
	"testing"

	"github.com/vishvananda/netlink"
)

// ioOpenTapAndWire opens a tap port and, on the same device, a system port
// standing for the host's side: what the tap port sends the kernel
// receives on the device, and what is sent on the device comes out of the
// tap.
func ioOpenTapAndWire(tb testing.TB, name string, up bool) (tap *TapPort, wire *SystemPort) {
	tb.Helper()
	tap, err := OpenTapPort("internal", name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tap.Close() })
	if up {
		ioSetUp(tb, name)
	}
	wire, err = OpenSystemPort(name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { wire.Close() })
	return tap, wire
}

func TestTapPortIO(t *testing.T) {
	enterIONetns(t)
	tap, wire := ioOpenTapAndWire(t, "reftap1", true)
	if tap.RxQueues() != 1 || tap.WaitFD(0) < 0 || tap.WaitFD(1) != -1 {
		t.Errorf("RxQueues %d, WaitFD(0) %d, WaitFD(1) %d", tap.RxQueues(), tap.WaitFD(0), tap.WaitFD(1))
	}

	// The host sends 40 frames, one tagged: they come out of the tap
	// as they were, in batches of at most 32.
	var in [][]byte
	for i := range 39 {
		in = append(in, ioFrame(1, 2, i))
	}
	in = append(in, ioVLANFrame(39, [2]uint16{0x8100, 0x0123}))
	var batch Batch
	ioFillBatch(&batch, in[:32])
	if err := wire.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	ioFillBatch(&batch, in[32:])
	if err := wire.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	got, sizes := ioRecvFrames(t, tap, len(in))
	ioCheckFrames(t, "host to tap", got, in)
	for _, n := range sizes {
		if n > BatchSize {
			t.Errorf("Recv returned %d packets", n)
		}
	}
	ioExpectNothing(t, wire, "the host's own transmission")

	// The tap port sends a batch: the host receives it, the tap does not.
	var out [][]byte
	for i := range BatchSize {
		out = append(out, ioFrame(2, 1, 100+i))
	}
	ioFillBatch(&batch, out)
	if err := tap.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	got, _ = ioRecvFrames(t, wire, len(out))
	ioCheckFrames(t, "tap to host", got, out)
	ioExpectNothing(t, tap, "own transmission")

	// Seen from the switch: received what the host sent, sent what the
	// host received.
	st := tap.Info().Stats
	vlanLen := uint64(len(in[39]))
	want := PortStats{RxPackets: 40, RxBytes: 39*60 + vlanLen, TxPackets: 32, TxBytes: 32 * 60}
	if st != want {
		t.Errorf("stats %+v\nwant  %+v", st, want)
	}
}

// TestTapPortDown: the tun driver refuses frames while the device is down;
// they are dropped without an error and counted.
func TestTapPortDown(t *testing.T) {
	enterIONetns(t)
	tap, err := OpenTapPort("tap", "reftap2")
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	var batch Batch
	ioFillBatch(&batch, [][]byte{ioFrame(2, 1, 1), ioFrame(2, 1, 2)})
	if err := tap.Send(0, &batch); err != nil {
		t.Errorf("Send on a down tap = %v, want silent drops", err)
	}
	if err := tap.Recv(0, &batch); err != nil || batch.N != 0 {
		t.Errorf("Recv on a down tap = %v, %d packets", err, batch.N)
	}
	if got := tap.Info().Stats; got.TxDropped != 2 || got.TxPackets != 0 {
		t.Errorf("tx dropped %d packets %d, want 2 and 0", got.TxDropped, got.TxPackets)
	}
	tap.Close()
	if err := tap.Recv(0, &batch); err == nil || err.Error() != "receive on reftap2: port is closed: bad file descriptor" {
		t.Errorf("Recv after Close = %v", err)
	}
	if err := tap.Recv(1, &batch); err == nil {
		t.Error("Recv(1) succeeded")
	}
	if got := tap.Info().Stats.TxDropped; got != 2 {
		t.Errorf("tx dropped after Close %d, want 2", got)
	}
}

func TestTapPortNoAllocs(t *testing.T) {
	enterIONetns(t)
	tap, wire := ioOpenTapAndWire(t, "reftap3", true)
	var out, in Batch
	var frames [][]byte
	for i := range BatchSize {
		frames = append(frames, ioFrame(1, 2, i))
	}
	ioFillBatch(&out, frames)
	allocs := testing.AllocsPerRun(50, func() {
		if err := wire.Send(0, &out); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < BatchSize; {
			if err := tap.Recv(0, &in); err != nil {
				t.Fatal(err)
			}
			got += in.N
		}
		if err := tap.Send(0, &out); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < BatchSize; {
			if err := wire.Recv(0, &in); err != nil {
				t.Fatal(err)
			}
			got += in.N
		}
	})
	if allocs != 0 {
		t.Errorf("Send+Recv through the tap: %v allocations, want 0", allocs)
	}
}

// TestTapPortOversizedFrameDropped raises the MTU past what the receive
// buffers were sized for: such a frame is dropped and counted, and the
// next one is received.
func TestTapPortOversizedFrameDropped(t *testing.T) {
	enterIONetns(t)
	tap, wire := ioOpenTapAndWire(t, "reftap4", true)
	l, err := netlink.LinkByName("reftap4")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetMTU(l, 16000); err != nil {
		t.Fatal(err)
	}
	huge := make([]byte, 12000)
	copy(huge, ioFrame(1, 2, 1))
	var batch Batch
	ioFillBatch(&batch, [][]byte{huge, ioFrame(1, 2, 2)})
	if err := wire.Send(0, &batch); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	log := ioCaptureLog(func() { got, _ = ioRecvFrames(t, tap, 1) })
	ioCheckFrames(t, "after the huge frame", got, [][]byte{ioFrame(1, 2, 2)})
	if want := []string{"netdev_linux|WARN|reftap4: Dropped packet: Too big. GRO/TSO enabled?"}; !reflect.DeepEqual(log, want) {
		t.Errorf("log %q, want %q", log, want)
	}
	if d := tap.Info().Stats.RxDropped; d != 1 {
		t.Errorf("rx_dropped = %d, want 1", d)
	}
}
