// Package dpif is the userspace datapath: port providers registered by OVSDB
// interface type, the datapath object that numbers them, the flow key, the
// exact-match and megaflow caches, poll loops and datapath action execution
// (conntrack included). Queues of polled ports (afxdp) are busy-polled by
// PMD threads, one per core of other_config:pmd-cpu-mask, as in OVS
// (pmd_threads.go); other ports have event-driven pollers. It must not
// import ofproto, bridge or cmd: misses go up through the UpcallHandler
// interface.
package dpif

import "net"

// Port is an open network device of any provider.
type Port interface {
	Name() string
	// Type is the interface type it was opened as ("system", "internal",
	// "tap", "dummy", "dummy-internal", "afxdp").
	Type() string
	// Info is a snapshot of what the bridge layer writes back to OVSDB.
	Info() PortInfo
	// Close releases the device; it is idempotent.
	Close() error
}

// Configurer is implemented by ports whose configuration shows up in
// dpctl/show and dpif/show, e.g. "(afxdp: n_rxq=1, xdp-mode=native)".
type Configurer interface {
	Config() map[string]string
}

// PortInfo is what OVS writes into an Interface row.
type PortInfo struct {
	Ifindex    int // 0 if the port has no kernel device
	MAC        net.HardwareAddr
	MTU        int
	AdminUp    bool
	LinkUp     bool
	LinkSpeed  uint64 // bits per second, 0 if unknown
	FullDuplex bool
	Status     map[string]string // driver_name, driver_version, firmware_version
	Stats      PortStats
}

// PortStats are the interface counters. Counters the device cannot provide
// stay 0 and are flagged in Unsupported (printed "?" by dpctl/show and left
// out of Interface.statistics).
type PortStats struct {
	RxPackets, RxBytes, RxDropped, RxErrors                                  uint64
	TxPackets, TxBytes, TxDropped, TxErrors                                  uint64
	RxFrameErr, RxOverErr, RxCRCErr, RxMissedErrors, RxMulticast, Collisions uint64
	TxAbortedErrors, TxCarrierErrors                                         uint64

	Unsupported StatSet
}
