package dpif

import (
	"fmt"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// A veth peer with TX checksum offload leaves checksums of locally sent
// packets unfilled (CHECKSUM_PARTIAL); the kernel fixes them up when the
// frame reaches a socket buffer, but XDP sees the raw bytes, so userspace
// conntrack and forwarding would see bad checksums. OVS documents
// "ethtool -K peer tx off"; the afxdp provider does it for the user and
// undoes it on Close.

// ethtoolValue is the kernel's struct ethtool_value.
type ethtoolValue struct {
	Cmd  uint32
	Data uint32
}

func ethtoolValueIoctl(fd int, name string, cmd, data uint32) (uint32, error) {
	v := ethtoolValue{Cmd: cmd, Data: data}
	ifr := ifreqPtr{data: unsafe.Pointer(&v)}
	copy(ifr.name[:unix.IFNAMSIZ-1], name)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL,
		uintptr(unsafe.Pointer(&ifr))); errno != 0 {
		return 0, errno
	}
	return v.Data, nil
}

// txChecksumOff remembers a veth peer whose TX checksum offload the port
// turned off, to turn it back on.
type txChecksumOff struct {
	peer    string
	ifindex int
}

// disablePeerTxChecksum turns off TX checksum offload on the veth peer of
// dev if it is on and the peer is in this namespace. It returns nil when
// there was nothing to do. A peer in another namespace is only warned about.
func disablePeerTxChecksum(dev *linuxDevice) (*txChecksumOff, error) {
	link, err := dev.nl.LinkByIndex(dev.ifindex)
	if err != nil {
		return nil, fmt.Errorf("query device %s: %w", dev.name, err)
	}
	if _, ok := link.(*netlink.Veth); !ok {
		return nil, nil
	}
	a := link.Attrs()
	if a.NetNsID >= 0 || a.ParentIndex == 0 {
		afxdpLog.Warn("%s: veth peer is in another network namespace; turn off its TX checksum offload there (ethtool -K PEER tx off)", dev.name)
		return nil, nil
	}
	peer, err := dev.nl.LinkByIndex(a.ParentIndex)
	if err != nil {
		return nil, fmt.Errorf("query veth peer of %s: %w", dev.name, err)
	}
	name := peer.Attrs().Name
	on, err := ethtoolValueIoctl(dev.ctl, name, unix.ETHTOOL_GTXCSUM, 0)
	if err != nil {
		return nil, fmt.Errorf("read TX checksum offload of %s: %w", name, err)
	}
	if on == 0 {
		return nil, nil
	}
	if _, err := ethtoolValueIoctl(dev.ctl, name, unix.ETHTOOL_STXCSUM, 0); err != nil {
		return nil, fmt.Errorf("turn off TX checksum offload of %s: %w", name, err)
	}
	afxdpLog.Info("%s: turned off TX checksum offload of veth peer %s.", dev.name, name)
	return &txChecksumOff{peer: name, ifindex: a.ParentIndex}, nil
}

// restore turns the peer's offload back on, if the same peer still exists.
func (c *txChecksumOff) restore(dev *linuxDevice) {
	if c == nil {
		return
	}
	if l, err := dev.nl.LinkByIndex(c.ifindex); err != nil || l.Attrs().Name != c.peer {
		return
	}
	if _, err := ethtoolValueIoctl(dev.ctl, c.peer, unix.ETHTOOL_STXCSUM, 1); err != nil {
		afxdpLog.Warn("%s: could not turn TX checksum offload of %s back on: %s", dev.name, c.peer, Strerror(err))
	}
}
