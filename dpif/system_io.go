package dpif

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"github.com/govswitchd/govswitchd/vlog"
	"golang.org/x/sys/unix"
)

// The system provider's packet I/O, as OVS's netdev-linux does it on the
// userspace datapath: recvmmsg into preallocated buffers, VLAN tags the
// kernel moved into metadata put back into the frame, and sendmmsg.

var (
	linuxLog    = vlog.New("netdev_linux")
	linuxDropRL = vlog.NewRateLimit(5, 20) // as netdev-linux's
)

// skfAdPktType is the BPF ancillary load of the packet type
// (SKF_AD_OFF + SKF_AD_PKTTYPE).
const skfAdPktType = 0xfffff000 + 4

// inboundOnly is a socket filter passing every frame except the ones the
// host itself transmits (PACKET_OUTGOING), so the switch never receives
// what it sent.
var inboundOnly = [...]unix.SockFilter{
	{Code: unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, K: skfAdPktType},
	{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: unix.PACKET_OUTGOING},
	{Code: unix.BPF_RET | unix.BPF_K, K: 0},
	{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},
}

// sysCtlWords sizes a message's control buffer (in 8-byte words, for
// alignment): room for the PACKET_AUXDATA message and then some.
const sysCtlWords = 16

// sysRxQueue is one receive queue: BatchSize frames of frame bytes each,
// and the recvmmsg headers pointing into them, set up once.
type sysRxQueue struct {
	frame int
	buf   []byte
	hdrs  [BatchSize]unix.Mmsghdr
	iovs  [BatchSize]unix.Iovec
	ctl   [BatchSize][sysCtlWords]uint64
}

func newSysRxQueue(mtu int) *sysRxQueue {
	q := &sysRxQueue{frame: rxFrameSize(mtu)}
	q.buf = make([]byte, BatchSize*q.frame)
	for i := range BatchSize {
		q.iovs[i].Base = &q.buf[i*q.frame+Headroom]
		q.iovs[i].SetLen(q.frame - Headroom)
		h := &q.hdrs[i].Hdr
		h.Iov = &q.iovs[i]
		h.SetIovlen(1)
		h.Control = (*byte)(unsafe.Pointer(&q.ctl[i][0]))
	}
	return q
}

// sysTxSlot holds the sendmmsg headers of one sender. Send takes slot
// q%len(slots), so poll goroutines of different queues rarely contend.
type sysTxSlot struct {
	mu   sync.Mutex
	hdrs [BatchSize]unix.Mmsghdr
	iovs [BatchSize]unix.Iovec
}

var _ PacketIO = (*SystemPort)(nil)

func (p *SystemPort) RxQueues() int { return 1 }

// WaitFD is the packet socket, readable when a frame is waiting.
func (p *SystemPort) WaitFD(q int) int {
	if q != 0 {
		return -1
	}
	p.io.RLock()
	defer p.io.RUnlock()
	return p.fd
}

// Recv reads up to BatchSize frames with one recvmmsg. Frames the kernel
// truncated (larger than the buffers) or shorter than an Ethernet header
// are dropped and counted.
func (p *SystemPort) Recv(q int, b *Batch) error {
	b.N = 0
	if err := checkQueue("receive", p.name, q, 1); err != nil {
		return err
	}
	p.io.RLock()
	defer p.io.RUnlock()
	if p.fd < 0 {
		return errClosed("receive", p.name)
	}
	rx := p.rxq
	for i := range rx.hdrs {
		rx.hdrs[i].Hdr.SetControllen(sysCtlWords * 8)
		rx.hdrs[i].Hdr.Flags = 0
	}
	n, err := recvmmsg(p.fd, rx.hdrs[:], unix.MSG_TRUNC)
	if err != nil {
		if err == unix.EAGAIN {
			return nil
		}
		return fmt.Errorf("receive on %s: %w", p.name, err)
	}
	var dropped uint64
	for i := range n {
		h := &rx.hdrs[i]
		size := int(h.Len)
		if h.Hdr.Flags&unix.MSG_TRUNC != 0 || size > rx.frame-Headroom {
			dropped++
			linuxLog.WarnRL(linuxDropRL, "%s: Dropped packet: Too big. GRO/TSO enabled?", p.name)
			continue
		}
		if size < 14 {
			dropped++
			linuxLog.WarnRL(linuxDropRL, "%s: Dropped packet: less than ether hdr size", p.name)
			continue
		}
		pkt := &b.Pkts[b.N]
		start := i * rx.frame
		pkt.Reset(rx.buf[start:start+rx.frame:start+rx.frame], Headroom, size)
		ctl := unsafe.Slice((*byte)(unsafe.Pointer(&rx.ctl[i][0])), min(int(h.Hdr.Controllen), sysCtlWords*8))
		if tci, tpid, ok := auxVLAN(ctl, pkt.Data()); ok {
			reinsertVLAN(pkt, tpid, tci)
		}
		b.N++
	}
	if dropped > 0 {
		p.ctr.rxDropped.Add(dropped)
	}
	return nil
}

// auxVLAN finds the VLAN tag the kernel took out of the frame (veth and
// most NICs do this even without the 8021q module) in the PACKET_AUXDATA
// control message. Without a TPID from the kernel, the tag is 802.1ad when
// the frame still carries an 802.1Q tag, else 802.1Q.
func auxVLAN(ctl, frame []byte) (tci, tpid uint16, ok bool) {
	hdrLen := unix.CmsgLen(0)
	auxLen := int(unsafe.Sizeof(unix.TpacketAuxdata{}))
	for len(ctl) >= hdrLen {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&ctl[0]))
		l := int(h.Len)
		if l < hdrLen || l > len(ctl) {
			return 0, 0, false
		}
		if h.Level == unix.SOL_PACKET && h.Type == unix.PACKET_AUXDATA && l >= hdrLen+auxLen {
			aux := (*unix.TpacketAuxdata)(unsafe.Pointer(&ctl[hdrLen]))
			if aux.Vlan_tci == 0 && aux.Status&unix.TP_STATUS_VLAN_VALID == 0 {
				return 0, 0, false
			}
			switch {
			case aux.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0:
				tpid = aux.Vlan_tpid
			case binary.BigEndian.Uint16(frame[12:]) == unix.ETH_P_8021Q:
				tpid = unix.ETH_P_8021AD
			default:
				tpid = unix.ETH_P_8021Q
			}
			return aux.Vlan_tci, tpid, true
		}
		next := unix.CmsgSpace(l - hdrLen)
		if next >= len(ctl) {
			break
		}
		ctl = ctl[next:]
	}
	return 0, 0, false
}

// reinsertVLAN puts a tag back after the MAC addresses, in the headroom.
func reinsertVLAN(pkt *Packet, tpid, tci uint16) bool {
	if _, ok := pkt.Push(4); !ok {
		return false
	}
	d := pkt.Data()
	copy(d[:12], d[4:16])
	binary.BigEndian.PutUint16(d[12:], tpid)
	binary.BigEndian.PutUint16(d[14:], tci)
	return true
}

// Send transmits the batch with sendmmsg. A frame the kernel refuses (too
// long for the MTU, say) is dropped and the rest still go; when the device
// is down, refuses a frame or the socket buffer is full the rest of the
// batch is dropped. Drops are counted once: a frame the device refused
// (ENOBUFS) is in the device's own counters already. The first cause is
// returned.
func (p *SystemPort) Send(q int, b *Batch) error {
	if err := checkSend(p.name, q, b); err != nil {
		return err
	}
	p.io.RLock()
	defer p.io.RUnlock()
	if p.fd < 0 {
		p.ctr.txDropped.Add(uint64(b.N))
		return errClosed("send", p.name)
	}
	tx := p.txs[q%len(p.txs)]
	tx.mu.Lock()
	defer tx.mu.Unlock()

	n := 0
	var dropped uint64
	for i := range b.N {
		d := b.Pkts[i].Data()
		if len(d) == 0 {
			dropped++
			continue
		}
		tx.iovs[n].Base = &d[0]
		tx.iovs[n].SetLen(len(d))
		h := &tx.hdrs[n].Hdr
		h.Iov = &tx.iovs[n]
		h.SetIovlen(1)
		n++
	}
	var firstErr error
	for ofs := 0; ofs < n; {
		sent, err := sendmmsg(p.fd, tx.hdrs[ofs:n])
		ofs += sent
		if err == nil && sent == 0 {
			err = unix.EAGAIN // never loop without progress
		}
		if err == nil && ofs < n {
			// The frame at ofs failed, but sendmmsg does not say why.
			// Sending it again could count it twice (see lostSendError).
			err = p.lostSendError(tx.iovs[ofs])
		}
		if err == nil {
			continue
		}
		if firstErr == nil {
			firstErr = err
		}
		switch err {
		case unix.EMSGSIZE, unix.EINVAL, unix.EPERM:
			dropped++ // only this frame is bad
			ofs++
		case unix.ENOBUFS:
			// The device refused the frame and has counted it (a veth in
			// its tx_dropped, a qdisc in its drops): only the rest of
			// the batch is ours.
			dropped += uint64(n - ofs - 1)
			ofs = n
		default: // ENETDOWN, ENXIO, EAGAIN: the device is not taking frames
			dropped += uint64(n - ofs)
			ofs = n
		}
	}
	// Drop the references to the caller's buffers.
	for i := range n {
		tx.iovs[i].Base = nil
	}
	if dropped > 0 {
		p.ctr.txDropped.Add(dropped)
	}
	if firstErr != nil {
		return fmt.Errorf("send on %s: %d of %d frames dropped: %w", p.name, dropped, b.N, firstErr)
	}
	return nil
}
