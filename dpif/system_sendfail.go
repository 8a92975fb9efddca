package dpif

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// lostSendError works out why the frame iov failed in a sendmmsg call that
// sent the frames before it: the kernel returns their count and drops the
// error. Sending the frame again to learn the error is not an option: if the
// device refused it (ENOBUFS: a veth whose peer's backlog is full), the
// device has already counted it in its tx_dropped, and a second attempt
// would count it again as dropped or as sent, so the port's counters would
// no longer add up. Instead a zero-length send, which the kernel rejects
// before it builds a packet (ENETDOWN or ENXIO if the device is down or
// gone, else EINVAL), tells whether the device still takes frames, and the
// frame's length whether it was too long for the device. What is left is
// the device refusing it; a full socket buffer (EAGAIN) would look the same,
// which cannot happen with the kernel's default buffer and one batch.
func (p *SystemPort) lostSendError(iov unix.Iovec) error {
	if err := unix.Sendto(p.fd, nil, unix.MSG_DONTWAIT, nil); err == unix.ENETDOWN || err == unix.ENXIO {
		return err
	}
	frame := unsafe.Slice(iov.Base, int(iov.Len))
	p.mu.Lock()
	mtu := p.last.MTU
	p.mu.Unlock()
	if limit := mtu + 14; len(frame) > limit {
		// The kernel allows four more bytes for a VLAN tag.
		if len(frame) > limit+4 || len(frame) < 14 || !isVLANType(binary.BigEndian.Uint16(frame[12:])) {
			return unix.EMSGSIZE
		}
	}
	return unix.ENOBUFS
}

// isVLANType: the kernel allows the extra four bytes for an 802.1Q tag only.
func isVLANType(t uint16) bool { return t == unix.ETH_P_8021Q }
