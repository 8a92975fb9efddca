package bridge

import (
	"fmt"

	"github.com/vishvananda/netlink"
)

// applyMTU applies mtu_request to every open interface that has one, and
// gives the LOCAL port, unless it has its own request, the smallest MTU of
// the bridge's other ports, as OVS does.
func (r *reconciler) applyMTU(br *bridgeState, bc *bridgeConfig) {
	minMTU := 0
	var local *ifaceConfig
	for i := range bc.ifaces {
		ic := &bc.ifaces[i]
		is := br.ifaces[ic.name]
		if is == nil || is.port == nil {
			continue
		}
		if ic.local {
			local = ic
			continue
		}
		mtu := ic.mtuRequest
		if mtu > 0 {
			r.setPortMTU(br, is, mtu)
		} else {
			mtu = is.port.Info().MTU
		}
		if mtu > 0 && (minMTU == 0 || mtu < minMTU) {
			minMTU = mtu
		}
	}
	if local == nil {
		return
	}
	want := local.mtuRequest
	if want == 0 {
		want = minMTU
	}
	if want > 0 {
		r.setPortMTU(br, br.ifaces[local.name], want)
	}
}

// setPortMTU changes a kernel-backed port's MTU if it differs.
func (r *reconciler) setPortMTU(br *bridgeState, is *ifaceState, mtu int) {
	info := is.port.Info()
	if info.Ifindex <= 0 || info.MTU == mtu {
		return
	}
	if err := r.setMTU(info.Ifindex, mtu); err != nil {
		log.Warn("bridge %s: failed to set MTU of %s to %d: %v", br.name, is.name, mtu, err)
	}
}

// setLinkMTU sets a device's MTU by ifindex.
func setLinkMTU(ifindex, mtu int) error {
	link, err := netlink.LinkByIndex(ifindex)
	if err != nil {
		return fmt.Errorf("find device %d: %w", ifindex, err)
	}
	if err := netlink.LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("set MTU of %s: %w", link.Attrs().Name, err)
	}
	return nil
}
