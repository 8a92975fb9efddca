//go:build linux

package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// AttachMode is where in the receive path the XDP program runs.
type AttachMode int

const (
	// Native runs the program in the driver, before any socket buffer is
	// built (XDP_FLAGS_DRV_MODE).
	Native AttachMode = iota
	// Generic runs it in the core stack after the socket buffer is built,
	// for drivers without XDP support (XDP_FLAGS_SKB_MODE).
	Generic
)

func (m AttachMode) String() string {
	if m == Generic {
		return "generic"
	}
	return "native"
}

// XSKProgram is one device's copy of the redirect program and its socket
// map. Each port loads its own, so closing one port never disturbs another.
type XSKProgram struct {
	objs xskObjects
	link link.Link // nil until Attach succeeds
}

// LoadXSK loads the program with a socket map sized for nQueues receive
// queues; frames arriving on higher queues go to the kernel stack.
func LoadXSK(nQueues int) (*XSKProgram, error) {
	return loadXSK(nQueues, nil)
}

// loadXSK loads the program; with offload maps the conntrack offload fast
// path is switched on and uses them instead of private ones.
func loadXSK(nQueues int, offload *OffloadMaps) (*XSKProgram, error) {
	if nQueues < 1 {
		return nil, fmt.Errorf("load xsk program: invalid queue count %d", nQueues)
	}
	spec, err := loadXsk()
	if err != nil {
		return nil, err
	}
	spec.Maps[xskMapXsks].MaxEntries = uint32(nQueues)
	var opts *ebpf.CollectionOptions
	if offload != nil {
		if err := spec.Variables[xskVarCtOffloadEnabled].Set(uint32(1)); err != nil {
			return nil, fmt.Errorf("load xsk program: enable ct offload: %w", err)
		}
		opts = &ebpf.CollectionOptions{MapReplacements: map[string]*ebpf.Map{
			xskMapCtFlows: offload.Flows, xskMapTxPorts: offload.TxPorts, xskMapXdpStats: offload.Stats}}
	}
	p := &XSKProgram{}
	if err := spec.LoadAndAssign(&p.objs, opts); err != nil {
		return nil, fmt.Errorf("load xsk program: %w", err)
	}
	return p, nil
}

// SetSocket makes queue deliver to the AF_XDP socket fd.
func (p *XSKProgram) SetSocket(queue, fd int) error {
	if err := p.objs.Xsks.Put(uint32(queue), uint32(fd)); err != nil {
		return fmt.Errorf("add socket of queue %d to xsk map: %w", queue, err)
	}
	return nil
}

// ClearSocket stops queue delivering to a socket; its frames go to the stack.
func (p *XSKProgram) ClearSocket(queue int) error {
	if err := p.objs.Xsks.Delete(uint32(queue)); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("remove socket of queue %d from xsk map: %w", queue, err)
	}
	return nil
}

// Attach runs the program on device ifindex through a BPF link, so that
// the kernel detaches it by itself if the daemon dies without Close.
func (p *XSKProgram) Attach(ifindex int, mode AttachMode) error {
	if p.link != nil {
		return errors.New("xsk program is already attached")
	}
	flags := link.XDPDriverMode
	if mode == Generic {
		flags = link.XDPGenericMode
	}
	l, err := link.AttachXDP(link.XDPOptions{Program: p.objs.XskRedirect, Interface: ifindex, Flags: flags})
	if err != nil {
		return fmt.Errorf("attach xdp program in %s mode: %w", mode, err)
	}
	p.link = l
	return nil
}

// ProgramID is the kernel's id of the loaded program, as "ip link" shows it.
func (p *XSKProgram) ProgramID() (uint32, error) {
	info, err := p.objs.XskRedirect.Info()
	if err != nil {
		return 0, fmt.Errorf("xsk program info: %w", err)
	}
	id, _ := info.ID()
	return uint32(id), nil
}

// Detach removes the program from its device; it is a no-op if the
// program is not attached.
func (p *XSKProgram) Detach() error {
	if p.link == nil {
		return nil
	}
	err := p.link.Close()
	p.link = nil
	if err != nil {
		return fmt.Errorf("detach xdp program: %w", err)
	}
	return nil
}

// Close detaches the program and frees the program and the map.
func (p *XSKProgram) Close() error {
	err := p.Detach()
	if cerr := p.objs.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close xsk program: %w", cerr)
	}
	return err
}

// FD is the program's descriptor, for attaching it by other means (netlink).
func (p *XSKProgram) FD() int { return p.objs.XskRedirect.FD() }
