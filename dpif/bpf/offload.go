//go:build linux

package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// CTFlowKey is a key of the conntrack offload map (struct ct_flow_key in
// ct_offload.h): the ingress ifindex and the frame's 5-tuple. Addresses and
// ports are in network byte order as they appear in the frame, an IPv4
// address in the first 4 bytes; Vlan is the outer tag's TCI with
// VLANPresent set, 0 for an untagged frame.
type CTFlowKey = xskCtFlowKey

// CTFlowVal is an entry of the conntrack offload map (struct ct_flow_val):
// what to do with a matching frame (Flags, the rewrite values, the egress
// ifindex) and what the program counted. NAT addresses and ports and
// VlanTpid are in network byte order, VlanTci in host order.
type CTFlowVal = xskCtFlowVal

// VLANPresent marks a tagged frame in CTFlowKey.Vlan.
const VLANPresent = 0x1000

// CTFlowVal.Flags bits (CTF_* in ct_offload.h).
const (
	CTFSetEthSrc = 1 << iota
	CTFSetEthDst
	CTFMatchSrc
	CTFMatchDst
	CTFVLANPop
	CTFVLANPush
	CTFVLANSet
	CTFNATSrc
	CTFNATDst
	CTFNATSport
	CTFNATDport
)

// XDPStats are the fast path's counters, summed over CPUs.
type XDPStats struct {
	Hit        uint64 // forwarded in the kernel
	Miss       uint64 // parsed but no entry: to userspace
	TCPControl uint64 // SYN, FIN or RST: to userspace
	Unparsed   uint64 // not Ethernet/IP/TCP|UDP the fast path handles
	L2Mismatch uint64 // entry found but the MAC addresses differ
	NoPort     uint64 // egress port not in the devmap
}

const xdpStatsCount = 6

// OffloadMaps are the maps the conntrack offload fast path shares between
// every afxdp port of a process: the flows (ct_flows), the egress devices
// (tx_ports, a devmap keyed by ifindex) and the per-CPU statistics.
type OffloadMaps struct {
	Flows, TxPorts, Stats *ebpf.Map
}

// NewOffloadMaps creates the shared maps from the program's own spec.
func NewOffloadMaps() (*OffloadMaps, error) {
	spec, err := loadXsk()
	if err != nil {
		return nil, err
	}
	m := &OffloadMaps{}
	for name, dst := range map[string]**ebpf.Map{xskMapCtFlows: &m.Flows, xskMapTxPorts: &m.TxPorts, xskMapXdpStats: &m.Stats} {
		if *dst, err = ebpf.NewMap(spec.Maps[name]); err != nil {
			m.Close()
			return nil, fmt.Errorf("create offload map %s: %w", name, err)
		}
	}
	return m, nil
}

// Close frees the maps (programs still using them keep their references).
func (m *OffloadMaps) Close() error {
	var errs []error
	for _, mp := range []*ebpf.Map{m.Flows, m.TxPorts, m.Stats} {
		if mp != nil {
			errs = append(errs, mp.Close())
		}
	}
	return errors.Join(errs...)
}

// AddTxPort lets offloaded flows be redirected to device ifindex.
func (m *OffloadMaps) AddTxPort(ifindex int) error {
	if err := m.TxPorts.Put(uint32(ifindex), uint32(ifindex)); err != nil {
		return fmt.Errorf("add device %d to the offload devmap: %w", ifindex, err)
	}
	return nil
}

// DeleteTxPort stops redirects to device ifindex: flows that would go there
// fall back to userspace.
func (m *OffloadMaps) DeleteTxPort(ifindex int) error {
	if err := m.TxPorts.Delete(uint32(ifindex)); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("remove device %d from the offload devmap: %w", ifindex, err)
	}
	return nil
}

// PutFlow installs or replaces an entry, keeping the counters the program
// accumulated in an existing one is the caller's business (it passes them
// in v).
func (m *OffloadMaps) PutFlow(k *CTFlowKey, v *CTFlowVal) error {
	if err := m.Flows.Put(k, v); err != nil {
		return fmt.Errorf("write offload flow: %w", err)
	}
	return nil
}

// LookupFlow reads an entry; ok is false if there is none.
func (m *OffloadMaps) LookupFlow(k *CTFlowKey) (v CTFlowVal, ok bool, err error) {
	if err := m.Flows.Lookup(k, &v); err != nil {
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return v, false, nil
		}
		return v, false, fmt.Errorf("read offload flow: %w", err)
	}
	return v, true, nil
}

// DeleteFlow removes an entry; a missing one is not an error.
func (m *OffloadMaps) DeleteFlow(k *CTFlowKey) error {
	if err := m.Flows.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("delete offload flow: %w", err)
	}
	return nil
}

// ReadStats sums the per-CPU counters.
func (m *OffloadMaps) ReadStats() (XDPStats, error) {
	var sum [xdpStatsCount]uint64
	for i := range uint32(xdpStatsCount) {
		var per []uint64
		if err := m.Stats.Lookup(i, &per); err != nil {
			return XDPStats{}, fmt.Errorf("read xdp offload statistics: %w", err)
		}
		for _, v := range per {
			sum[i] += v
		}
	}
	return XDPStats{Hit: sum[0], Miss: sum[1], TCPControl: sum[2], Unparsed: sum[3], L2Mismatch: sum[4], NoPort: sum[5]}, nil
}

// LoadXSKOffload loads the redirect program as LoadXSK does, with the
// conntrack offload fast path enabled on the shared maps m.
func LoadXSKOffload(nQueues int, m *OffloadMaps) (*XSKProgram, error) {
	if m == nil {
		return LoadXSK(nQueues)
	}
	return loadXSK(nQueues, m)
}

// TakeFlow reads and deletes an entry in one step, so no packet counted
// between the read and the delete is lost; ok is false if there was none.
func (m *OffloadMaps) TakeFlow(k *CTFlowKey) (v CTFlowVal, ok bool, err error) {
	if err := m.Flows.LookupAndDelete(k, &v); err != nil {
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return v, false, nil
		}
		return v, false, fmt.Errorf("take offload flow: %w", err)
	}
	return v, true, nil
}
