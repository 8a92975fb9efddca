package dpif

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// xskRing is one of the four rings an AF_XDP socket shares with the kernel:
// fill and completion carry UMEM addresses (uint64), rx and tx carry
// descriptors (unix.XDPDesc). Exactly one side produces and the other
// consumes; the producer and consumer indexes are free-running uint32s that
// both sides read and write with atomics, so neither copy is cached here
// longer than one call.
type xskRing[T uint64 | unix.XDPDesc] struct {
	mem      []byte  // the mmap'd ring, unmapped on close
	producer *uint32 // in mem
	consumer *uint32 // in mem
	flags    *uint32 // in mem; XDP_RING_NEED_WAKEUP
	slots    []T     // in mem, len is a power of two
	mask     uint32
}

// mapXSKRing mmaps the ring that the socket fd exposes at pgoff.
func mapXSKRing[T uint64 | unix.XDPDesc](fd int, pgoff int64, size uint32, off unix.XDPRingOffset) (*xskRing[T], error) {
	var zero T
	length := int(off.Desc) + int(size)*int(unsafe.Sizeof(zero))
	mem, err := unix.Mmap(fd, pgoff, length, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap ring at page offset %#x: %w", pgoff, err)
	}
	base := unsafe.Pointer(&mem[0])
	return &xskRing[T]{
		mem:      mem,
		producer: (*uint32)(unsafe.Add(base, off.Producer)),
		consumer: (*uint32)(unsafe.Add(base, off.Consumer)),
		flags:    (*uint32)(unsafe.Add(base, off.Flags)),
		slots:    unsafe.Slice((*T)(unsafe.Add(base, off.Desc)), size),
		mask:     size - 1,
	}, nil
}

func (r *xskRing[T]) unmap() {
	if r != nil && r.mem != nil {
		unix.Munmap(r.mem)
		r.mem, r.slots = nil, nil
	}
}

// free is how many slots the producer may fill now.
func (r *xskRing[T]) free() uint32 {
	return uint32(len(r.slots)) - (atomic.LoadUint32(r.producer) - atomic.LoadUint32(r.consumer))
}

// ready is how many slots the consumer may read now.
func (r *xskRing[T]) ready() uint32 {
	return atomic.LoadUint32(r.producer) - atomic.LoadUint32(r.consumer)
}

// slot is the i-th slot after the producer (for producers) or consumer (for
// consumers) index start.
func (r *xskRing[T]) slot(start, i uint32) *T { return &r.slots[(start+i)&r.mask] }

// submit publishes n slots written after the producer index; the atomic
// store orders the slot writes before the kernel sees the new index.
func (r *xskRing[T]) submit(n uint32) { atomic.AddUint32(r.producer, n) }

// release hands n consumed slots back to the kernel.
func (r *xskRing[T]) release(n uint32) { atomic.AddUint32(r.consumer, n) }

// needWakeup reports whether the kernel asked for a syscall to make progress.
func (r *xskRing[T]) needWakeup() bool {
	return atomic.LoadUint32(r.flags)&unix.XDP_RING_NEED_WAKEUP != 0
}
