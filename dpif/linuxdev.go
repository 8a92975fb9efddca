package dpif

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linuxDevice reads the state of one kernel network device. Its sockets are
// opened when the port is, so every later query goes to that port's network
// namespace whichever OS thread it runs on.
type linuxDevice struct {
	name    string
	ifindex int
	ctl     int             // AF_INET datagram socket for SIOC* and ethtool ioctls
	nl      *netlink.Handle // NETLINK_ROUTE: flags, MTU, MAC and counters
}

// openLinuxDevice finds an existing device; a missing one fails with ENODEV
// (the errno, unwrapped, so callers can put it in an OpenError).
func openLinuxDevice(name string) (*linuxDevice, error) {
	ctl, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	d := &linuxDevice{name: name, ctl: ctl}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		d.close()
		return nil, unix.ENODEV // longer than IFNAMSIZ: no such device can exist
	}
	if err := unix.IoctlIfreq(ctl, unix.SIOCGIFINDEX, ifr); err != nil {
		d.close()
		return nil, err
	}
	d.ifindex = int(ifr.Uint32())
	if d.nl, err = netlink.NewHandle(unix.NETLINK_ROUTE); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *linuxDevice) close() {
	if d.nl != nil {
		d.nl.Close()
		d.nl = nil
	}
	if d.ctl >= 0 {
		unix.Close(d.ctl)
		d.ctl = -1
	}
}

// flags reads the device's IFF_* flags.
func (d *linuxDevice) flags() (uint16, error) {
	ifr, err := unix.NewIfreq(d.name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(d.ctl, unix.SIOCGIFFLAGS, ifr); err != nil {
		return 0, fmt.Errorf("get flags of %s: %w", d.name, err)
	}
	return ifr.Uint16(), nil
}

// setFlags turns on the flags in on, leaving the others as they are.
func (d *linuxDevice) setFlags(on uint16) error {
	cur, err := d.flags()
	if err != nil {
		return err
	}
	ifr, err := unix.NewIfreq(d.name)
	if err != nil {
		return err
	}
	ifr.SetUint16(cur | on)
	if err := unix.IoctlIfreq(d.ctl, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set flags of %s: %w", d.name, err)
	}
	return nil
}

// info reads everything PortInfo holds from the kernel.
func (d *linuxDevice) info() (PortInfo, error) {
	link, err := d.nl.LinkByIndex(d.ifindex)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			err = unix.ENODEV
		}
		return PortInfo{}, fmt.Errorf("query device %s: %w", d.name, err)
	}
	a := link.Attrs()
	pi := PortInfo{
		Ifindex: a.Index,
		MAC:     append(net.HardwareAddr(nil), a.HardwareAddr...),
		MTU:     a.MTU,
		AdminUp: a.RawFlags&unix.IFF_UP != 0,
		LinkUp:  a.RawFlags&unix.IFF_RUNNING != 0,
		Status:  map[string]string{},
	}
	if s := a.Statistics; s != nil {
		pi.Stats = PortStats{
			RxPackets: s.RxPackets, RxBytes: s.RxBytes, RxDropped: s.RxDropped, RxErrors: s.RxErrors,
			TxPackets: s.TxPackets, TxBytes: s.TxBytes, TxDropped: s.TxDropped, TxErrors: s.TxErrors,
			RxFrameErr: s.RxFrameErrors, RxOverErr: s.RxOverErrors, RxCRCErr: s.RxCrcErrors,
			RxMissedErrors: s.RxMissedErrors, RxMulticast: s.Multicast, Collisions: s.Collisions,
			TxAbortedErrors: s.TxAbortedErrors, TxCarrierErrors: s.TxCarrierErrors,
		}
	}
	// Drivers without ethtool support simply report no speed and no status.
	if bps, full, err := ethtoolLink(d.ctl, d.name); err == nil {
		pi.LinkSpeed, pi.FullDuplex = bps, full
	}
	if st, err := ethtoolStatus(d.ctl, d.name); err == nil {
		pi.Status = st
	}
	return pi, nil
}
