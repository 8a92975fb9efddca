package dpif

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// The tap provider's packet I/O: one read or write on the tun file per
// frame (the tun driver has no batch call), into per-queue buffers.
// Writing to the tun file rather than an AF_PACKET socket matters: a frame
// sent on a tap with a packet socket would come back as received.

// tapRxQueue holds BatchSize receive buffers of frame bytes.
type tapRxQueue struct {
	frame int
	buf   []byte
}

func newTapRxQueue(mtu int) *tapRxQueue {
	f := rxFrameSize(mtu)
	return &tapRxQueue{frame: f, buf: make([]byte, BatchSize*f)}
}

var _ PacketIO = (*TapPort)(nil)

func (p *TapPort) RxQueues() int { return 1 }

// WaitFD is the tun file, readable when the kernel has sent a frame.
func (p *TapPort) WaitFD(q int) int {
	if q != 0 {
		return -1
	}
	p.io.RLock()
	defer p.io.RUnlock()
	return p.fd
}

// Recv reads frames until the tap has no more or the batch is full.
// Frames shorter than an Ethernet header, or longer than the buffers (the
// tun driver truncates those silently, so a read that fills the buffer
// means one), are dropped and counted.
func (p *TapPort) Recv(q int, b *Batch) error {
	b.N = 0
	if err := checkQueue("receive", p.name, q, 1); err != nil {
		return err
	}
	p.io.RLock()
	defer p.io.RUnlock()
	if p.fd < 0 {
		return errClosed("receive", p.name)
	}
	rx := p.rxq
	var dropped uint64
	for i := 0; i < BatchSize; i++ {
		start := i * rx.frame
		frame := rx.buf[start : start+rx.frame : start+rx.frame]
		n, err := rawRW(unix.SYS_READ, p.fd, frame[Headroom:])
		if err == unix.EINTR {
			i--
			continue
		}
		if err != nil {
			if err == unix.EAGAIN || b.N > 0 || dropped > 0 {
				break
			}
			return fmt.Errorf("receive on %s: %w", p.name, err)
		}
		if n >= rx.frame-Headroom {
			dropped++
			linuxLog.WarnRL(linuxDropRL, "%s: Dropped packet: Too big. GRO/TSO enabled?", p.name)
			continue
		}
		if n < 14 {
			dropped++
			linuxLog.WarnRL(linuxDropRL, "%s: Dropped packet: less than ether hdr size", p.name)
			continue
		}
		b.Pkts[b.N].Reset(frame, Headroom, n)
		b.N++
	}
	if dropped > 0 {
		p.ctr.rxDropped.Add(dropped)
	}
	return nil
}

// Send writes each frame to the tun file. The tun driver refuses frames
// with EIO while the device is down: like OVS those are dropped without an
// error, and the driver has counted them already (its rx_dropped, which
// Info shows as tx_dropped). Other failures drop the frame, are counted
// and the first is returned.
func (p *TapPort) Send(q int, b *Batch) error {
	if err := checkSend(p.name, q, b); err != nil {
		return err
	}
	p.io.RLock()
	defer p.io.RUnlock()
	if p.fd < 0 {
		p.ctr.txDropped.Add(uint64(b.N))
		return errClosed("send", p.name)
	}
	var dropped uint64
	var firstErr error
	for i := range b.N {
		d := b.Pkts[i].Data()
		n, err := rawRW(unix.SYS_WRITE, p.fd, d)
		for err == unix.EINTR {
			n, err = rawRW(unix.SYS_WRITE, p.fd, d)
		}
		switch {
		case err == unix.EIO:
		case err != nil:
			dropped++
			if firstErr == nil {
				firstErr = err
			}
		case n != len(d):
			dropped++
			if firstErr == nil {
				firstErr = unix.EMSGSIZE
			}
		}
	}
	if dropped > 0 {
		p.ctr.txDropped.Add(dropped)
	}
	if firstErr != nil {
		return fmt.Errorf("send on %s: %d of %d frames dropped: %w", p.name, dropped, b.N, firstErr)
	}
	return nil
}
