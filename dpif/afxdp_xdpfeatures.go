package dpif

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// The kernel's "netdev" generic netlink family reports what XDP features a
// device has (include/uapi/linux/netdev.h). The offload fast path needs
// NDO_XMIT on every egress device a natively attached program redirects
// to: a veth has it only while its peer can receive XDP frames (an XDP
// program or GRO on the peer); redirecting to a device without it drops
// the frames.
const (
	netdevCmdDevGet       = 1
	netdevADevIfindex     = 1
	netdevADevXDPFeatures = 3
	netdevXDPActNDOXmit   = 1 << 2
)

// xdpRedirectTarget reports whether native XDP programs can redirect
// frames to device ifindex (NETDEV_XDP_ACT_NDO_XMIT). On a kernel without
// the netdev family it answers false: the fast path then only serves ports
// in generic mode, whose redirects go through the stack.
func xdpRedirectTarget(ifindex int) (bool, error) {
	fam, err := netlink.GenlFamilyGet("netdev")
	if err != nil {
		return false, fmt.Errorf("netdev netlink family: %w", err)
	}
	// The request is occasionally refused with EINVAL on a fresh socket;
	// asking again answers.
	var msgs [][]byte
	for try := 0; ; try++ {
		req := nl.NewNetlinkRequest(int(fam.ID), unix.NLM_F_REQUEST|unix.NLM_F_ACK)
		req.AddData(&nl.Genlmsg{Command: netdevCmdDevGet, Version: 1})
		req.AddData(nl.NewRtAttr(netdevADevIfindex, nl.Uint32Attr(uint32(ifindex))))
		if msgs, err = req.Execute(unix.NETLINK_GENERIC, 0); err == nil || !errors.Is(err, unix.EINVAL) || try == 2 {
			break
		}
	}
	if err != nil {
		return false, fmt.Errorf("query XDP features of device %d: %w", ifindex, err)
	}
	for _, m := range msgs {
		if len(m) < nl.SizeofGenlmsg {
			continue
		}
		attrs, err := nl.ParseRouteAttr(m[nl.SizeofGenlmsg:])
		if err != nil {
			return false, fmt.Errorf("parse XDP features of device %d: %w", ifindex, err)
		}
		for _, a := range attrs {
			if a.Attr.Type == netdevADevXDPFeatures && len(a.Value) >= 8 {
				return binary.NativeEndian.Uint64(a.Value)&netdevXDPActNDOXmit != 0, nil
			}
		}
	}
	return false, nil
}
