package dpif

// Headroom is the space every provider leaves in front of a received frame,
// so that pushing a VLAN or MPLS header never copies the packet.
const Headroom = 64

// BatchSize is the most packets one Recv returns, as OVS's NETDEV_MAX_BURST.
const BatchSize = 32

// Packet is one frame. Its bytes live in a buffer owned by the port that
// received it (a UMEM frame, a ring slot, a per-queue buffer): they stay
// valid until the next Recv on the same queue, so the fast path never
// allocates. Code that must keep a packet longer copies it.
type Packet struct {
	buf      []byte // whole buffer: headroom, data, tailroom
	off, end int    // data is buf[off:end]
}

// Reset points the packet at buf[off:off+n]; providers call it on receive.
func (p *Packet) Reset(buf []byte, off, n int) {
	p.buf, p.off, p.end = buf, off, off+n
}

// Data returns the frame's bytes.
func (p *Packet) Data() []byte { return p.buf[p.off:p.end] }

// Len is the frame's length in bytes.
func (p *Packet) Len() int { return p.end - p.off }

// Push grows the frame by n bytes at the front and returns them; it reports
// false when the headroom is too small.
func (p *Packet) Push(n int) ([]byte, bool) {
	if n > p.off {
		return nil, false
	}
	p.off -= n
	return p.buf[p.off : p.off+n], true
}

// Pull removes n bytes from the front; it reports false if the frame is shorter.
func (p *Packet) Pull(n int) bool {
	if n > p.end-p.off {
		return false
	}
	p.off += n
	return true
}

// Truncate shortens the frame to n bytes (no-op if it is not longer).
func (p *Packet) Truncate(n int) {
	if n < p.end-p.off {
		p.end = p.off + n
	}
}

// Batch is up to BatchSize packets received together; it is reused, never
// reallocated.
type Batch struct {
	Pkts [BatchSize]Packet
	N    int
}

// Packets returns the filled part of the batch.
func (b *Batch) Packets() []Packet { return b.Pkts[:b.N] }

// PacketIO is implemented by ports that move packets. Queues are numbered
// from 0; each queue is served by one poll goroutine at a time.
type PacketIO interface {
	// RxQueues is the number of receive queues.
	RxQueues() int
	// Recv fills b (setting b.N, possibly 0) from queue q without blocking.
	// The packets returned by the previous Recv on q are released first.
	Recv(q int, b *Batch) error
	// Send transmits every packet of b on queue q (the caller's poll
	// queue); the bytes are copied or consumed before it returns, and
	// packets that could not be sent are counted as tx drops.
	Send(q int, b *Batch) error
	// WaitFD is a descriptor that becomes readable when queue q has
	// packets, for poll loops that sleep instead of spinning; -1 if none.
	WaitFD(q int) int
}
