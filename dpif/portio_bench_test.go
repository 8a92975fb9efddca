package dpif

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Benchmarks of a batch of BatchSize 60-byte frames out of one port and
// into another; run with -benchmem. Each reports packets per second moved.

func ioBenchFrames() [][]byte {
	var frames [][]byte
	for i := range BatchSize {
		frames = append(frames, ioFrame(1, 2, i))
	}
	return frames
}

// ioMoveBatch sends out on from and receives all of it on to.
func ioMoveBatch(b *testing.B, from, to PacketIO, out, in *Batch, fds []unix.PollFd) {
	if err := from.Send(0, out); err != nil {
		b.Fatal(err)
	}
	for got := 0; got < out.N; {
		if err := to.Recv(0, in); err != nil {
			b.Fatal(err)
		}
		got += in.N
		if in.N == 0 {
			fds[0].Revents = 0
			unix.Poll(fds, 100)
		}
	}
}

// BenchmarkSystemSendRecv: sendmmsg on one end of a veth, recvmmsg on the
// other.
func BenchmarkSystemSendRecv(b *testing.B) {
	enterIONetns(b)
	ioAddVeth(b, "refbv1", "refbv1p")
	rx, tx := ioOpenSystemPair(b, "refbv1", "refbv1p")
	var out, in Batch
	ioFillBatch(&out, ioBenchFrames())
	fds := []unix.PollFd{{Fd: int32(rx.WaitFD(0)), Events: unix.POLLIN}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ioMoveBatch(b, tx, rx, &out, &in, fds)
	}
	b.ReportMetric(float64(b.N*BatchSize)/b.Elapsed().Seconds(), "pkt/s")
}

// BenchmarkTapSendRecv: a batch written to the tun file and read on the
// device with a packet socket, then one sent on the device and read from
// the tun file (so half the work is the system provider's).
func BenchmarkTapSendRecv(b *testing.B) {
	enterIONetns(b)
	tap, wire := ioOpenTapAndWire(b, "refbt1", true)
	var out, in Batch
	ioFillBatch(&out, ioBenchFrames())
	wireFDs := []unix.PollFd{{Fd: int32(wire.WaitFD(0)), Events: unix.POLLIN}}
	tapFDs := []unix.PollFd{{Fd: int32(tap.WaitFD(0)), Events: unix.POLLIN}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ioMoveBatch(b, tap, wire, &out, &in, wireFDs)
		ioMoveBatch(b, wire, tap, &out, &in, tapFDs)
	}
	b.ReportMetric(float64(2*b.N*BatchSize)/b.Elapsed().Seconds(), "pkt/s")
}

// BenchmarkDummySendRecv: BatchSize frames injected, received and sent.
func BenchmarkDummySendRecv(b *testing.B) {
	p, err := NewDummyPort("dummy", "refbd1", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	frames := ioBenchFrames()
	var in Batch
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, f := range frames {
			p.Receive(0, f)
		}
		if err := p.Recv(0, &in); err != nil {
			b.Fatal(err)
		}
		if err := p.Send(0, &in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*BatchSize)/b.Elapsed().Seconds(), "pkt/s")
}
