package dpif

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/govswitchd/govswitchd/dpif/bpf"
	"github.com/govswitchd/govswitchd/vlog"
)

func init() { RegisterType("afxdp", openAFXDP) }

var afxdpLog = vlog.New("netdev_afxdp")

// XDPMode is the afxdp "xdp-mode" option.
type XDPMode int

// The modes, named as OVS names them.
const (
	XDPModeBestEffort XDPMode = iota // native with zero-copy, else native, else generic
	XDPModeNativeZeroCopy
	XDPModeNative
	XDPModeGeneric
)

// xdpModes says, for each mode, where the program runs and how the sockets
// bind; best-effort is the concrete modes tried in order.
var xdpModes = [...]struct {
	name     string
	attach   bpf.AttachMode
	zeroCopy bool
}{
	XDPModeBestEffort:     {name: "best-effort"},
	XDPModeNativeZeroCopy: {name: "native-with-zerocopy", attach: bpf.Native, zeroCopy: true},
	XDPModeNative:         {name: "native", attach: bpf.Native},
	XDPModeGeneric:        {name: "generic", attach: bpf.Generic},
}

func (m XDPMode) String() string {
	if m < 0 || int(m) >= len(xdpModes) {
		return fmt.Sprintf("XDPMode(%d)", int(m))
	}
	return xdpModes[m].name
}

// afxdpMaxQueues is the largest n_rxq, as OVS's MAX_XSKQ.
const afxdpMaxQueues = 16

// AFXDPOptions are the Interface options an afxdp port takes.
type AFXDPOptions struct {
	Mode          XDPMode // "xdp-mode", default best-effort
	NRxQ          int     // "n_rxq", default 1
	UseNeedWakeup bool    // "use-need-wakeup", default true
}

// ParseAFXDPOptions reads the options as OVS does: n_rxq below 1 or not a
// number means 1, xdp-mode is matched ignoring case, and use-need-wakeup
// is true unless it says "false". An unknown mode or more than 16 queues
// is EINVAL.
func ParseAFXDPOptions(name string, options map[string]string) (AFXDPOptions, error) {
	o := AFXDPOptions{NRxQ: 1, UseNeedWakeup: true}
	if s, ok := options["n_rxq"]; ok {
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			o.NRxQ = max(int(n), 1)
		}
	}
	if o.NRxQ > afxdpMaxQueues {
		afxdpLog.Err("%s: Too big 'n_rxq' (%d > %d).", name, o.NRxQ, afxdpMaxQueues)
		return o, &OpenError{Name: name, Err: unix.EINVAL,
			Detail: fmt.Sprintf("n_rxq %d is more than the %d queues afxdp supports", o.NRxQ, afxdpMaxQueues)}
	}
	if s, ok := options["xdp-mode"]; ok {
		found := false
		for m := range xdpModes {
			if strings.EqualFold(s, xdpModes[m].name) {
				o.Mode, found = XDPMode(m), true
				break
			}
		}
		if !found {
			afxdpLog.Err("%s: Incorrect xdp-mode (%s).", name, s)
			return o, &OpenError{Name: name, Err: unix.EINVAL,
				Detail: fmt.Sprintf("unknown xdp-mode %q (best-effort, native-with-zerocopy, native or generic)", s)}
		}
	}
	o.UseNeedWakeup = !strings.EqualFold(options["use-need-wakeup"], "false")
	return o, nil
}

// AFXDPPort is an existing Linux device served through AF_XDP sockets, one
// per receive queue, fed by our XDP program, as OVS's netdev-afxdp.
// Recv and Send never allocate; packets point into the sockets' UMEM.
type AFXDPPort struct {
	name      string
	opts      AFXDPOptions
	modeInUse XDPMode
	socks     []*xskSocket // one per rx queue, fixed after open

	mu     sync.Mutex // guards everything below
	dev    *linuxDevice
	prog   *bpf.XSKProgram
	csum   *txChecksumOff
	gso    *gsoSender
	last   PortInfo
	closed bool
}

var _ PacketIO = (*AFXDPPort)(nil)

func openAFXDP(name string, options map[string]string) (Port, error) {
	return OpenAFXDPPort(name, options)
}

// OpenAFXDPPort removes any stale XDP program from device name, loads ours
// and binds an AF_XDP socket to each of the first n_rxq queues, in the
// requested xdp-mode or, for best-effort, the best one that works. Failures
// are *OpenError with the errno and a Detail saying what to change.
func OpenAFXDPPort(name string, options map[string]string) (*AFXDPPort, error) {
	opts, err := ParseAFXDPOptions(name, options)
	if err != nil {
		return nil, err
	}
	dev, err := openLinuxDevice(name)
	if err != nil {
		return nil, &OpenError{Name: name, Err: err}
	}
	p := &AFXDPPort{name: name, opts: opts, dev: dev}
	fail := func(err error, detail string) (*AFXDPPort, error) {
		p.Close()
		return nil, &OpenError{Name: name, Err: errnoOf(err), Detail: detail}
	}
	if err := removeStaleXDP(dev.nl, name, dev.ifindex); err != nil {
		return fail(err, err.Error())
	}
	afxdpLog.Info("%s: Setting XDP mode to %s.", name, opts.Mode)
	if p.prog, err = loadXSKProgram(opts.NRxQ); err != nil {
		return fail(err, err.Error())
	}

	if opts.Mode != XDPModeBestEffort {
		if err := p.configure(opts.Mode); err != nil {
			afxdpLog.Err("%s: AF_XDP device reconfiguration failed.", name)
			return fail(err, fmt.Sprintf("xdp-mode %s: %v%s", opts.Mode, err, modeHint(opts.Mode, err)))
		}
		p.modeInUse = opts.Mode
	} else {
		var tried []string
		var last error
		for m := XDPModeNativeZeroCopy; m <= XDPModeGeneric; m++ {
			if last = p.configure(m); last == nil {
				p.modeInUse = m
				afxdpLog.Info("%s: %s XDP mode will be in use.", name, m)
				break
			}
			afxdpLog.Dbg("%s: %s XDP mode failed: %v", name, m, last)
			tried = append(tried, fmt.Sprintf("%s: %v", m, last))
		}
		if last != nil {
			afxdpLog.Err("%s: Failed to detect suitable XDP mode.", name)
			return fail(last, "no XDP mode works: "+strings.Join(tried, "; "))
		}
	}

	if p.csum, err = disablePeerTxChecksum(dev); err != nil {
		// Receiving still works; only locally generated checksums suffer.
		afxdpLog.Warn("%s: %v", name, err)
	}
	if p.last, err = dev.info(); err != nil {
		return fail(err, "read device state")
	}
	if !xdpModes[p.modeInUse].zeroCopy && p.last.Status["driver_name"] == "veth" {
		// Runs of TCP segments leave merged (afxdp_gso.go). Only on a
		// veth: its peer takes every frame's checksum on trust anyway,
		// where a NIC would put a fresh checksum on a corrupt segment.
		if p.gso, err = openGSOSender(dev.ifindex); err != nil {
			afxdpLog.Warn("%s: %v", name, err)
		}
	}
	offloadPortUp(name, dev.ifindex)
	return p, nil
}

// configure attaches the program in mode m and binds every queue's socket;
// on failure it leaves nothing attached or bound.
func (p *AFXDPPort) configure(m XDPMode) error {
	mode := xdpModes[m]
	if err := p.prog.Attach(p.dev.ifindex, mode.attach); err != nil {
		return err
	}
	for q := range p.opts.NRxQ {
		s, err := openXSKSocket(p.dev.ifindex, q, mode.zeroCopy, p.opts.UseNeedWakeup)
		if err == nil {
			if err = p.prog.SetSocket(q, s.fd); err != nil {
				s.close()
			}
		}
		if err != nil {
			afxdpLog.Dbg("%s: Failed to create AF_XDP socket on queue %d in %s mode.", p.name, q, m)
			p.unbind()
			p.socks = nil
			p.prog.Detach()
			return err
		}
		p.socks = append(p.socks, s)
	}
	return nil
}

// unbind takes every socket out of the map and closes it. It keeps
// p.socks, so that Recv and Send racing with Close find a closed socket.
func (p *AFXDPPort) unbind() error {
	var first error
	for q, s := range p.socks {
		if err := p.prog.ClearSocket(q); err != nil && first == nil {
			first = err
		}
		if err := s.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// modeHint explains the usual reasons a mode fails.
func modeHint(m XDPMode, err error) string {
	switch {
	case m == XDPModeNativeZeroCopy && errors.Is(err, unix.EOPNOTSUPP):
		return " (the driver has no zero-copy AF_XDP support; use xdp-mode=native or best-effort)"
	case m != XDPModeGeneric && errors.Is(err, unix.EOPNOTSUPP):
		return " (the driver has no native XDP support; use xdp-mode=generic or best-effort)"
	case errors.Is(err, unix.EINVAL):
		return " (is n_rxq more than the device's queues? see ethtool -l)"
	case errors.Is(err, unix.EBUSY):
		return " (another XDP program or AF_XDP socket holds the device)"
	}
	return ""
}

// errnoOf is the errno inside err, EINVAL if there is none.
func errnoOf(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return unix.EINVAL
}

func (p *AFXDPPort) Name() string { return p.name }
func (p *AFXDPPort) Type() string { return "afxdp" }

// Options is what the port was opened with.
func (p *AFXDPPort) Options() AFXDPOptions { return p.opts }

// ModeInUse is the concrete mode the port runs in (never best-effort).
func (p *AFXDPPort) ModeInUse() XDPMode { return p.modeInUse }

// Config is what dpctl/show prints: "(afxdp: n_rxq=1, use-need-wakeup=true,
// xdp-mode=best-effort, xdp-mode-in-use=native)".
func (p *AFXDPPort) Config() map[string]string {
	return map[string]string{
		"n_rxq":           strconv.Itoa(p.opts.NRxQ),
		"xdp-mode":        p.opts.Mode.String(),
		"xdp-mode-in-use": p.modeInUse.String(),
		"use-need-wakeup": strconv.FormatBool(p.opts.UseNeedWakeup),
	}
}

// Info reads the device as a system port does, adding the packets Send
// dropped to tx_dropped as OVS does; a vanished device or closed port gives
// the last snapshot with the link down.
func (p *AFXDPPort) Info() PortInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		if pi, err := p.dev.info(); err == nil {
			for _, s := range p.socks {
				pi.Stats.TxDropped += s.txDropped.Load()
			}
			if g := p.gso; g != nil {
				// The device counted each merged run once.
				pi.Stats.TxPackets += g.merged.Load()
				pi.Stats.TxBytes += g.hdrBytes.Load()
				pi.Stats.TxDropped += g.dropped.Load()
			}
			p.last = pi
			return pi
		}
	}
	pi := p.last
	pi.AdminUp, pi.LinkUp = false, false
	return pi
}

// XSKStats are one queue's AF_XDP counters: the kernel's XDP_STATISTICS
// (OVS's xsk_queue_N_* custom statistics) and the provider's own.
type XSKStats struct {
	RxDropped, RxInvalidDescs, TxInvalidDescs uint64 // kernel
	RxRingFull, RxFillRingEmpty, TxRingEmpty  uint64 // kernel
	RxBadDescs, TxDropped                     uint64 // provider: frames Recv dropped, packets Send dropped
}

// QueueStats reads queue q's counters.
func (p *AFXDPPort) QueueStats(q int) (XSKStats, error) {
	if q < 0 || q >= len(p.socks) {
		return XSKStats{}, fmt.Errorf("%s: no rx queue %d", p.name, q)
	}
	s := p.socks[q]
	st, err := s.stats()
	if err != nil {
		return XSKStats{}, fmt.Errorf("%s queue %d: %w", p.name, q, err)
	}
	return XSKStats{
		RxDropped: st.Rx_dropped, RxInvalidDescs: st.Rx_invalid_descs, TxInvalidDescs: st.Tx_invalid_descs,
		RxRingFull: st.Rx_ring_full, RxFillRingEmpty: st.Rx_fill_ring_empty_descs, TxRingEmpty: st.Tx_ring_empty_descs,
		RxBadDescs: s.rxInvalid.Load(), TxDropped: s.txDropped.Load(),
	}, nil
}

// RxQueues is n_rxq.
func (p *AFXDPPort) RxQueues() int { return len(p.socks) }

// Recv fills b from queue q's socket without blocking. The packets point
// into the UMEM and stay valid until the next Recv on q or Close.
func (p *AFXDPPort) Recv(q int, b *Batch) error {
	if q < 0 || q >= len(p.socks) {
		b.N = 0
		return fmt.Errorf("%s: no rx queue %d", p.name, q)
	}
	if err := p.socks[q].recv(b); err != nil {
		return fmt.Errorf("%s: receive on queue %d: %w", p.name, q, err)
	}
	return nil
}

// Send copies b into transmit frames of socket q mod n_rxq (poll threads
// may outnumber the queues, which then share sockets under a lock).
func (p *AFXDPPort) Send(q int, b *Batch) error {
	if q < 0 || len(p.socks) == 0 {
		return fmt.Errorf("%s: no tx queue %d", p.name, q)
	}
	if p.gso != nil {
		if merged, err := p.gso.send(p.name, b); merged {
			return err
		}
	}
	if err := p.socks[q%len(p.socks)].send(b); err != nil {
		return fmt.Errorf("%s: send on queue %d: %w", p.name, q, err)
	}
	return nil
}

// WaitFD is queue q's socket, readable when its rx ring has frames.
func (p *AFXDPPort) WaitFD(q int) int {
	if q < 0 || q >= len(p.socks) {
		return -1
	}
	return p.socks[q].waitFD()
}

// Close unbinds the sockets, detaches and unloads the XDP program, gives
// the veth peer its checksum offload back and frees the UMEMs. Poll
// goroutines may still call Recv and Send; they get errors. Idempotent.
func (p *AFXDPPort) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var err error
	if p.prog != nil {
		offloadPortDown(p.name, p.dev.ifindex)
		if len(p.socks) > 0 {
			afxdpLog.Info("%s: Removing xdp program.", p.name)
		}
		err = p.unbind()
		if cerr := p.prog.Close(); cerr != nil && err == nil {
			err = cerr
		}
		p.prog = nil
	}
	if p.gso != nil {
		p.gso.close()
	}
	p.csum.restore(p.dev)
	p.dev.close()
	if err != nil {
		return fmt.Errorf("close afxdp port %s: %w", p.name, err)
	}
	return nil
}
