package dpif

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// ethtoolCmd is the kernel's struct ethtool_cmd (ETHTOOL_GSET), which OVS
// 3.1 still uses to read link speed and duplex.
type ethtoolCmd struct {
	Cmd           uint32
	Supported     uint32
	Advertising   uint32
	Speed         uint16
	Duplex        uint8
	Port          uint8
	PhyAddress    uint8
	Transceiver   uint8
	Autoneg       uint8
	MdioSupport   uint8
	Maxtxpkt      uint32
	Maxrxpkt      uint32
	SpeedHi       uint16
	EthTpMdix     uint8
	EthTpMdixCtrl uint8
	LpAdvertising uint32
	Reserved      [2]uint32
}

// ifreqPtr is struct ifreq with ifr_data set, which x/sys/unix keeps private.
type ifreqPtr struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [24 - unsafe.Sizeof(uintptr(0))]byte
}

// ethtoolLink reads link speed (bits/s) and duplex the way OVS does: only
// the speeds OVS has a feature bit for count, anything else is unknown (0).
func ethtoolLink(fd int, name string) (bps uint64, fullDuplex bool, err error) {
	ecmd := ethtoolCmd{Cmd: unix.ETHTOOL_GSET}
	ifr := ifreqPtr{data: unsafe.Pointer(&ecmd)}
	copy(ifr.name[:unix.IFNAMSIZ-1], name)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL,
		uintptr(unsafe.Pointer(&ifr))); errno != 0 {
		return 0, false, errno
	}
	const mbps = 1000 * 1000
	full := ecmd.Duplex != 0 // as OVS: anything but DUPLEX_HALF counts as full
	switch speed := uint32(ecmd.SpeedHi)<<16 | uint32(ecmd.Speed); speed {
	case 10, 100, 1000:
		return uint64(speed) * mbps, full, nil
	case 10000, 40000, 100000, 1000000:
		// OVS only knows full-duplex variants at these speeds.
		return uint64(speed) * mbps, true, nil
	}
	return 0, false, nil
}

// ethtoolStatus is the Interface.status map OVS builds from
// ETHTOOL_GDRVINFO.
func ethtoolStatus(fd int, name string) (map[string]string, error) {
	info, err := unix.IoctlGetEthtoolDrvinfo(fd, name)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"driver_name":      unix.ByteSliceToString(info.Driver[:]),
		"driver_version":   unix.ByteSliceToString(info.Version[:]),
		"firmware_version": unix.ByteSliceToString(info.Fw_version[:]),
	}, nil
}
