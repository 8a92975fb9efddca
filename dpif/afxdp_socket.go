package dpif

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sizes of one AF_XDP socket. The fill and rx rings have xskRxRingSize
// slots and the UMEM as many receive frames (circulating through fill and
// rx rings, so the fill ring can always take every frame back); the tx and
// completion rings have xskTxRingSize slots and as many transmit frames,
// 24 MiB per queue in all (OVS's UMEM is 64 MiB). The receive side is twice
// OVS's 2048 slots: the rx ring is the only buffer between the kernel and a
// PMD that the Go runtime may stall for a few milliseconds (a preemption
// or GC handoff), and a TCP stream at line rate overran 2048 slots in
// such stalls, each overrun being a retransmit.
const (
	xskRxRingSize = 4096
	xskTxRingSize = 2048
	xskFrameSize  = 4096 // one page per frame: aligned chunk mode
	xskRxFrames   = xskRxRingSize
	xskTxFrames   = xskTxRingSize
	xskUMEMSize   = (xskRxFrames + xskTxFrames) * xskFrameSize

	// xskBindRetry is how long a bind may wait for the kernel to let go of
	// a queue whose previous socket was closed moments ago.
	xskBindRetry = 2 * time.Second
)

// xskSocket is one AF_XDP socket bound to one device queue, with its own
// UMEM. The receive side (fill and rx rings, held) belongs to the queue's
// poll goroutine and is guarded by rxMu; the transmit side (tx and
// completion rings, txFree) by txMu, as any poll goroutine may send. Close
// takes both, rxMu first.
type xskSocket struct {
	fd         int // fixed for the socket's life; use it only under a mutex, as close frees it
	queue      int
	needWakeup bool
	umem       []byte

	rxMu   sync.Mutex
	fill   *xskRing[uint64]
	rx     *xskRing[unix.XDPDesc]
	held   [BatchSize]uint64 // frames lent out by the last recv
	nHeld  int
	pollFD [1]unix.PollFd // for the fill-ring wakeup, kept here so it never escapes
	closed bool           // guarded by both mutexes

	txMu   sync.Mutex
	tx     *xskRing[unix.XDPDesc]
	comp   *xskRing[uint64]
	txFree []uint64 // stack of free transmit frames, cap xskTxFrames

	rxInvalid atomic.Uint64 // rx descriptors that did not fit a frame
	txDropped atomic.Uint64 // packets Send could not queue
}

// xskBindFlags is the sockaddr_xdp flags for a copy or zero-copy socket.
func xskBindFlags(zeroCopy, needWakeup bool) uint16 {
	flags := uint16(unix.XDP_COPY)
	if zeroCopy {
		flags = unix.XDP_ZEROCOPY
	}
	if needWakeup {
		flags |= unix.XDP_USE_NEED_WAKEUP
	}
	return flags
}

// openXSKSocket creates a socket on queue of device ifindex, registers a
// fresh UMEM, maps the four rings, gives every receive frame to the kernel
// and binds. Errors keep the errno reachable with errors.As.
func openXSKSocket(ifindex, queue int, zeroCopy, needWakeup bool) (*xskSocket, error) {
	fd, err := unix.Socket(unix.AF_XDP, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create AF_XDP socket: %w", err)
	}
	s := &xskSocket{fd: fd, queue: queue, needWakeup: needWakeup,
		txFree: make([]uint64, 0, xskTxFrames)}
	if err := s.setup(ifindex, zeroCopy); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *xskSocket) setup(ifindex int, zeroCopy bool) error {
	var err error
	s.umem, err = unix.Mmap(-1, 0, xskUMEMSize, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return fmt.Errorf("allocate %d-byte UMEM: %w", xskUMEMSize, err)
	}
	reg := unix.XDPUmemReg{
		Addr:     uint64(uintptr(unsafe.Pointer(&s.umem[0]))),
		Len:      xskUMEMSize,
		Size:     xskFrameSize,
		Headroom: Headroom,
	}
	if err := setsockoptXDP(s.fd, unix.XDP_UMEM_REG, unsafe.Pointer(&reg), unsafe.Sizeof(reg)); err != nil {
		return fmt.Errorf("register UMEM: %w", err)
	}
	for _, opt := range []struct {
		name string
		opt  int
		size int32
	}{
		{"fill", unix.XDP_UMEM_FILL_RING, xskRxRingSize},
		{"completion", unix.XDP_UMEM_COMPLETION_RING, xskTxRingSize},
		{"rx", unix.XDP_RX_RING, xskRxRingSize},
		{"tx", unix.XDP_TX_RING, xskTxRingSize},
	} {
		size := opt.size
		if err := setsockoptXDP(s.fd, opt.opt, unsafe.Pointer(&size), unsafe.Sizeof(size)); err != nil {
			return fmt.Errorf("size %s ring: %w", opt.name, err)
		}
	}
	var off unix.XDPMmapOffsets
	optlen := uint32(unsafe.Sizeof(off))
	if _, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), unix.SOL_XDP, unix.XDP_MMAP_OFFSETS,
		uintptr(unsafe.Pointer(&off)), uintptr(unsafe.Pointer(&optlen)), 0); errno != 0 {
		return fmt.Errorf("get ring offsets: %w", errno)
	}
	if s.fill, err = mapXSKRing[uint64](s.fd, unix.XDP_UMEM_PGOFF_FILL_RING, xskRxRingSize, off.Fr); err != nil {
		return fmt.Errorf("fill ring: %w", err)
	}
	if s.comp, err = mapXSKRing[uint64](s.fd, unix.XDP_UMEM_PGOFF_COMPLETION_RING, xskTxRingSize, off.Cr); err != nil {
		return fmt.Errorf("completion ring: %w", err)
	}
	if s.rx, err = mapXSKRing[unix.XDPDesc](s.fd, unix.XDP_PGOFF_RX_RING, xskRxRingSize, off.Rx); err != nil {
		return fmt.Errorf("rx ring: %w", err)
	}
	if s.tx, err = mapXSKRing[unix.XDPDesc](s.fd, unix.XDP_PGOFF_TX_RING, xskTxRingSize, off.Tx); err != nil {
		return fmt.Errorf("tx ring: %w", err)
	}

	// Frames [0, xskRxFrames) receive, the rest transmit.
	prod := atomic.LoadUint32(s.fill.producer)
	for i := uint32(0); i < xskRxFrames; i++ {
		*s.fill.slot(prod, i) = uint64(i) * xskFrameSize
	}
	s.fill.submit(xskRxFrames)
	for i := xskRxFrames; i < xskRxFrames+xskTxFrames; i++ {
		s.txFree = append(s.txFree, uint64(i)*xskFrameSize)
	}

	sa := &unix.SockaddrXDP{Flags: xskBindFlags(zeroCopy, s.needWakeup), Ifindex: uint32(ifindex), QueueID: uint32(s.queue)}
	mode := "XDP_COPY"
	if zeroCopy {
		mode = "XDP_ZEROCOPY"
	}
	// A socket closed just before (by a previous open of the same port)
	// releases its queue asynchronously: EBUSY until then.
	deadline := time.Now().Add(xskBindRetry)
	for {
		err = unix.Bind(s.fd, sa)
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("bind AF_XDP socket to queue %d with %s: %w", s.queue, mode, err)
	}
	return nil
}

// setsockoptXDP sets a SOL_XDP option whose value is a struct or int.
func setsockoptXDP(fd, opt int, val unsafe.Pointer, size uintptr) error {
	_, _, errno := unix.Syscall6(unix.SYS_SETSOCKOPT, uintptr(fd), unix.SOL_XDP, uintptr(opt),
		uintptr(val), size, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// recv releases the frames of the previous batch to the fill ring and
// fills b with up to BatchSize frames from the rx ring, pointing into the
// UMEM. It never allocates.
func (s *xskSocket) recv(b *Batch) error {
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	b.N = 0
	if s.closed {
		return unix.EBADF
	}
	if s.nHeld > 0 {
		prod := atomic.LoadUint32(s.fill.producer)
		for i, addr := range s.held[:s.nHeld] {
			*s.fill.slot(prod, uint32(i)) = addr
		}
		// Every receive frame is in exactly one of fill, rx and held, and
		// the fill ring has a slot for each, so this never overflows.
		s.fill.submit(uint32(s.nHeld))
		s.nHeld = 0
	}
	n := s.rx.ready()
	if n > BatchSize {
		n = BatchSize
	}
	cons := atomic.LoadUint32(s.rx.consumer)
	for i := uint32(0); i < n; i++ {
		d := *s.rx.slot(cons, i)
		base := d.Addr &^ (xskFrameSize - 1)
		off := int(d.Addr - base)
		if base >= xskRxFrames*xskFrameSize {
			// Not one of ours: the kernel cannot do this; drop it, and
			// never hand it to the fill ring.
			s.rxInvalid.Add(1)
			continue
		}
		s.held[s.nHeld] = base
		s.nHeld++
		if off+int(d.Len) > xskFrameSize {
			s.rxInvalid.Add(1)
			continue
		}
		b.Pkts[b.N].Reset(s.umem[base:base+xskFrameSize:base+xskFrameSize], off, int(d.Len))
		b.N++
	}
	s.rx.release(n)
	if s.needWakeup && s.fill.needWakeup() {
		// The driver ran dry of fill entries and waits to be told.
		s.pollFD[0] = unix.PollFd{Fd: int32(s.fd), Events: unix.POLLIN}
		unix.Poll(s.pollFD[:], 0)
	}
	return nil
}

// send copies every packet of b into a transmit frame, queues them on the
// tx ring and kicks the kernel; packets beyond the free frames or ring
// slots, or longer than a frame, are dropped and counted. It never allocates.
func (s *xskSocket) send(b *Batch) error {
	s.txMu.Lock()
	defer s.txMu.Unlock()
	if s.closed {
		s.txDropped.Add(uint64(min(max(b.N, 0), BatchSize)))
		return unix.EBADF
	}
	s.reapCompletions()
	room := s.tx.free()
	prod := atomic.LoadUint32(s.tx.producer)
	var queued, dropped uint32
	for i := range min(max(b.N, 0), BatchSize) {
		data := b.Pkts[i].Data()
		if queued == room || len(s.txFree) == 0 || len(data) > xskFrameSize {
			dropped++
			continue
		}
		addr := s.txFree[len(s.txFree)-1]
		s.txFree = s.txFree[:len(s.txFree)-1]
		copy(s.umem[addr:addr+xskFrameSize], data)
		*s.tx.slot(prod, queued) = unix.XDPDesc{Addr: addr, Len: uint32(len(data))}
		queued++
	}
	if dropped > 0 {
		s.txDropped.Add(uint64(dropped))
	}
	if queued == 0 {
		return nil
	}
	s.tx.submit(queued)
	err := s.kickTx()
	s.reapCompletions()
	return err
}

// kickTx makes the kernel transmit the tx ring. In copy mode the kernel
// sends a limited batch per syscall and says EAGAIN while more is left, so
// it is kicked until the ring is drained (bounded, in case the device
// stalls). Transient errors are not failures: the frames stay queued.
//
// The kick is a raw system call: it never blocks (MSG_DONTWAIT), and a PMD
// thread makes thousands a second. Through the scheduler's syscall path,
// each would mark the PMD's P as in a syscall. When sysmon's 10 ms
// preemption of the ever-running PMD goroutine found it so, sysmon took the
// P and went back to waking every 20 µs, on the PMD's core: 1,700 wake-ups
// a second that delayed packets and cost 6 % of the connection rate
// through conntrack.
func (s *xskSocket) kickTx() error {
	if s.needWakeup && !s.tx.needWakeup() {
		return nil
	}
	for range xskTxRingSize/16 + 1 {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(s.fd), 0, 0, unix.MSG_DONTWAIT, 0, 0)
		switch errno {
		case 0:
			if s.tx.ready() == 0 {
				return nil
			}
		case unix.EAGAIN:
		case unix.EBUSY, unix.ENOBUFS:
			return nil
		default:
			return errno
		}
	}
	return nil
}

// reapCompletions returns the frames the kernel finished sending to txFree.
func (s *xskSocket) reapCompletions() {
	n := s.comp.ready()
	if n == 0 {
		return
	}
	cons := atomic.LoadUint32(s.comp.consumer)
	for i := uint32(0); i < n; i++ {
		addr := *s.comp.slot(cons, i) &^ (xskFrameSize - 1)
		if len(s.txFree) < cap(s.txFree) && addr >= xskRxFrames*xskFrameSize && addr < xskUMEMSize {
			s.txFree = append(s.txFree, addr)
		}
	}
	s.comp.release(n)
}

// waitFD is the socket's descriptor, -1 once closed.
func (s *xskSocket) waitFD() int {
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	if s.closed {
		return -1
	}
	return s.fd
}

// stats reads the kernel's drop counters of the socket.
func (s *xskSocket) stats() (unix.XDPStatistics, error) {
	var st unix.XDPStatistics
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	if s.closed {
		return st, unix.EBADF
	}
	optlen := uint32(unsafe.Sizeof(st))
	if _, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), unix.SOL_XDP, unix.XDP_STATISTICS,
		uintptr(unsafe.Pointer(&st)), uintptr(unsafe.Pointer(&optlen)), 0); errno != 0 {
		return st, fmt.Errorf("get AF_XDP statistics: %w", errno)
	}
	return st, nil
}

// close unmaps the rings, closes the socket (the kernel unbinds the queue)
// and frees the UMEM. Packets from the last recv are invalid afterwards.
func (s *xskSocket) close() error {
	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	s.txMu.Lock()
	defer s.txMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.fill.unmap()
	s.comp.unmap()
	s.rx.unmap()
	s.tx.unmap()
	var err error
	if cerr := unix.Close(s.fd); cerr != nil {
		err = fmt.Errorf("close AF_XDP socket of queue %d: %w", s.queue, cerr)
	}
	if s.umem != nil {
		unix.Munmap(s.umem)
		s.umem = nil
	}
	return err
}
