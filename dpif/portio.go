package dpif

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Frame sizing shared by the kernel-backed providers (system, tap).
const (
	// vlanEthHeaderLen is an Ethernet header with one 802.1Q tag.
	vlanEthHeaderLen = 18
	// minFramePayload is the smallest MTU receive buffers are sized for, so
	// that raising a device's MTU to jumbo frames after the port opened
	// does not truncate frames.
	minFramePayload = 9000
)

// rxFrameSize is the size of one receive buffer for a device of MTU mtu:
// the headroom, a VLAN-tagged Ethernet header, the payload and at least
// one spare byte (a read that fills the buffer was truncated), rounded up
// to a cache line.
func rxFrameSize(mtu int) int {
	n := Headroom + vlanEthHeaderLen + max(mtu, minFramePayload) + 1
	return (n + 63) &^ 63
}

// ioCounters are the drops a provider sees itself, which the kernel's
// device counters do not include (the dummy provider counts everything
// here). Each is updated once per batch.
type ioCounters struct {
	rxPackets, rxBytes, rxDropped atomic.Uint64
	txPackets, txBytes, txDropped atomic.Uint64
}

// addDrops adds the provider's own drops to kernel statistics.
func (c *ioCounters) addDrops(s *PortStats) {
	s.RxDropped += c.rxDropped.Load()
	s.TxDropped += c.txDropped.Load()
}

// checkQueue rejects a queue number a port does not have.
func checkQueue(op, name string, q, n int) error {
	if q < 0 || q >= n {
		return fmt.Errorf("%s on %s: no queue %d (the port has %d): %w", op, name, q, n, unix.EINVAL)
	}
	return nil
}

// checkSend rejects a negative queue (any other is a valid sender: the
// caller's poll queue) and a batch whose count is out of range.
func checkSend(name string, q int, b *Batch) error {
	if q < 0 {
		return fmt.Errorf("send on %s: bad queue %d: %w", name, q, unix.EINVAL)
	}
	if b.N < 0 || b.N > BatchSize {
		return fmt.Errorf("send on %s: batch of %d packets: %w", name, b.N, unix.EINVAL)
	}
	return nil
}

// errClosed is the error of I/O on a closed port.
func errClosed(op, name string) error {
	return fmt.Errorf("%s on %s: port is closed: %w", op, name, unix.EBADF)
}
