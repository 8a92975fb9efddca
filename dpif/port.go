// Package dpif is the userspace datapath: port providers registered by OVSDB
// interface type, and (in later issues) the flow cache and action execution.
// It must not import ofproto, bridge or cmd; it calls up through interfaces.
package dpif

import "net"

// Port is an open network device of any provider. (CONTRACT: see README of
// the package; implementation in progress.)
type Port interface {
	Name() string
	// Type is the OVSDB interface type it was opened as ("system", "internal", "dummy", "afxdp").
	Type() string
	// Info is a snapshot of what the bridge layer writes back to OVSDB.
	Info() PortInfo
	Close() error
}

// PortInfo is what OVS writes into an Interface row.
type PortInfo struct {
	Ifindex    int
	MAC        net.HardwareAddr
	MTU        int
	AdminUp    bool
	LinkUp     bool
	LinkSpeed  uint64 // bits per second, 0 if unknown
	FullDuplex bool
	Status     map[string]string // driver_name, driver_version, firmware_version
	Stats      PortStats
}

// PortStats are the interface counters; fields OVS reports as unknown stay 0.
type PortStats struct {
	RxPackets, RxBytes, RxDropped, RxErrors                                  uint64
	TxPackets, TxBytes, TxDropped, TxErrors                                  uint64
	RxFrameErr, RxOverErr, RxCRCErr, RxMissedErrors, RxMulticast, Collisions uint64
}
