package dpif

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// xdpAttachedID is the id of the XDP program on device ifindex, 0 if none.
func xdpAttachedID(nl *netlink.Handle, ifindex int) (uint32, error) {
	link, err := nl.LinkByIndex(ifindex)
	if err != nil {
		return 0, fmt.Errorf("query device %d: %w", ifindex, err)
	}
	if x := link.Attrs().Xdp; x != nil && x.Attached {
		return x.ProgId, nil
	}
	return 0, nil
}

// removeStaleXDP detaches whatever XDP program a previous run left on the
// device, logging as OVS does. A program held by a live BPF link (another
// process) cannot be removed this way: that is EBUSY, and the port cannot
// open.
func removeStaleXDP(nl *netlink.Handle, name string, ifindex int) error {
	afxdpLog.Info("%s: Removing xdp program.", name)
	id, err := xdpAttachedID(nl, ifindex)
	if err != nil {
		afxdpLog.Err("Failed to get XDP prog id (%s)", Strerror(err))
		return err
	}
	if id == 0 {
		afxdpLog.Info("No XDP program is loaded at ifindex %d", ifindex)
		return nil
	}
	link, err := nl.LinkByIndex(ifindex)
	if err != nil {
		return err
	}
	// Clear both hooks: which one the old program used is unknown. (The
	// Handle has no XDP setter; this runs in the calling thread's namespace,
	// which is the port's.)
	var last error
	for _, flags := range []int{unix.XDP_FLAGS_DRV_MODE, unix.XDP_FLAGS_SKB_MODE} {
		if err := netlink.LinkSetXdpFdWithFlags(link, -1, flags); err != nil {
			last = err
		}
	}
	if id, _ := xdpAttachedID(nl, ifindex); id != 0 {
		if last == nil {
			last = unix.EBUSY
		}
		afxdpLog.Err("Failed to detach XDP program (%s) at ifindex %d", Strerror(last), ifindex)
		var errno unix.Errno
		if !errors.As(last, &errno) {
			last = fmt.Errorf("%w: %v", unix.EBUSY, last)
		}
		return fmt.Errorf("XDP program %d on %s is attached through a BPF link of another process and cannot be removed: %w", id, name, last)
	}
	return nil
}
