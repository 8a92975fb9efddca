package dpif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TCP segment merging on afxdp transmit.
//
// A copy-mode AF_XDP socket hands the kernel one frame at a time. On a
// veth, the receiving host then runs its TCP input for every frame on the
// transmitting PMD's CPU and acknowledges every second segment, so a bulk
// stream costs the PMD's core both hosts' TCP work per MTU-sized segment
// (bench/results/tcp-gso-20261124.md has the profile). Bulk streams arrive
// in MTU-sized segments, the sender's veth having its TX checksum offload,
// and with it TSO, turned off as the userspace datapath needs; so an output
// batch often holds a run of consecutive segments of one connection. Such a
// run leaves through a packet socket on the same device as one TCP GSO
// frame (a virtio_net_hdr with GSO_TCPV4 and a partial checksum), which is
// what the kernel's GRO would have made of it: the receiving stack handles
// one large segment, and anything forwarding it segments it again. This is
// done on veths only (see OpenAFXDPPort).
//
// The rules are GRO's: untagged IPv4 without options or fragmentation,
// the same Ethernet header, addresses, ports, TOS, TTL, acknowledgement,
// window and TCP options, consecutive sequence numbers, only ACK (and PSH
// on the last segment) among the flags, every segment the size of the first
// but the last, at most 64 KB. A batch with such a run goes wholly through
// the packet socket, in order; any other batch takes the AF_XDP ring.

// virtioNetHdr is struct virtio_net_hdr, in host byte order as packet
// sockets use it.
type virtioNetHdr struct {
	flags      uint8
	gsoType    uint8
	hdrLen     uint16
	gsoSize    uint16
	csumStart  uint16
	csumOffset uint16
}

const (
	virtioNetHdrLen       = int(unsafe.Sizeof(virtioNetHdr{}))
	virtioNetHdrNeedsCsum = 1
	virtioNetHdrGSOTCPv4  = 1

	gsoTCPOff     = 14 + 20                                 // TCP header: after Ethernet and an option-less IPv4 header
	gsoMaxHdr     = gsoTCPOff + 60                          // with the longest TCP header
	gsoMaxIPLen   = 65535                                   // IPv4 total length
	tcpFlagsNoGSO = 0x01 | 0x02 | 0x04 | 0x20 | 0x40 | 0x80 // FIN SYN RST URG ECE CWR
	tcpFlagPSH    = 0x08
	tcpFlagACK    = 0x10
)

// tcpPayload says whether frame f is a TCP segment that may be merged
// (untagged IPv4 without options or fragmentation, only ACK and PSH among
// its flags, some data) and where its payload is.
func tcpPayload(f []byte) (off, n int, ok bool) {
	if len(f) < gsoTCPOff+20 || f[12] != 0x08 || f[13] != 0x00 || f[14] != 0x45 || f[23] != unix.IPPROTO_TCP ||
		binary.BigEndian.Uint16(f[20:22])&0x3fff != 0 { // MF or a fragment offset
		return 0, 0, false
	}
	ipLen := int(binary.BigEndian.Uint16(f[16:18]))
	thl := int(f[gsoTCPOff+12]>>4) * 4
	flags := f[gsoTCPOff+13]
	if 14+ipLen > len(f) || thl < 20 || 20+thl >= ipLen || flags&tcpFlagsNoGSO != 0 || flags&tcpFlagACK == 0 {
		return 0, 0, false
	}
	return gsoTCPOff + thl, ipLen - 20 - thl, true
}

// follows says whether segment b continues segment a, both mergeable with
// payloads at the same offset off, in a run of segments of size bytes.
func follows(a, b []byte, off, aLen, bLen, size int) bool {
	const tcp = gsoTCPOff
	return aLen == size && bLen <= size && a[tcp+13]&tcpFlagPSH == 0 && // PSH ends a run, as in GRO
		string(a[0:14]) == string(b[0:14]) && // Ethernet
		a[15] == b[15] && string(a[22:24]) == string(b[22:24]) && string(a[26:34]) == string(b[26:34]) && // TOS, TTL and protocol, addresses
		string(a[tcp:tcp+4]) == string(b[tcp:tcp+4]) && // ports
		binary.BigEndian.Uint32(b[tcp+4:]) == binary.BigEndian.Uint32(a[tcp+4:])+uint32(aLen) && // sequence
		string(a[tcp+8:tcp+13]) == string(b[tcp+8:tcp+13]) && // acknowledgement, data offset
		a[tcp+13]&^tcpFlagPSH == b[tcp+13]&^tcpFlagPSH &&
		string(a[tcp+14:tcp+16]) == string(b[tcp+14:tcp+16]) && // window
		string(a[tcp+20:off]) == string(b[tcp+20:off]) // options
}

// gsoSender is a port's packet socket for merged transmit, with the
// scratch space of one batch. mu guards everything but the counters.
type gsoSender struct {
	mu     sync.Mutex
	fd     int // -1 once closed or given up
	hdrs   [BatchSize]unix.Mmsghdr
	iovs   [2 * BatchSize]unix.Iovec
	frames [BatchSize]int // frames in each message
	hlen   [BatchSize]int // header bytes of each merged message
	failed [BatchSize]bool
	// head[i] is message i's virtio_net_hdr followed, for a merged
	// message, by its Ethernet, IP and TCP headers.
	head [BatchSize][virtioNetHdrLen + gsoMaxHdr]byte
	off  [BatchSize]int // payload offset of each frame, 0 if not mergeable
	plen [BatchSize]int // payload length of each mergeable frame

	// merged counts frames that left inside a GSO frame after its first
	// segment and hdrBytes the header bytes they did not repeat: the
	// device counts a GSO frame once, by its length.
	merged, hdrBytes, dropped atomic.Uint64
}

// openGSOSender opens a packet socket that transmits on device ifindex,
// bypassing the qdisc as AF_XDP does, and receives nothing.
func openGSOSender(ifindex int) (*gsoSender, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("packet socket for merged TCP segments: %w", err)
	}
	for _, opt := range []struct {
		name string
		opt  int
	}{{"PACKET_VNET_HDR", unix.PACKET_VNET_HDR}, {"PACKET_QDISC_BYPASS", unix.PACKET_QDISC_BYPASS}} {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, opt.opt, 1); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("packet socket for merged TCP segments: %s: %w", opt.name, err)
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifindex}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("packet socket for merged TCP segments: bind: %w", err)
	}
	return &gsoSender{fd: fd}, nil
}

// send transmits b through the packet socket, runs of segments merged, if
// b holds such a run; otherwise it reports false and b is still to send.
// It never allocates.
func (g *gsoSender) send(name string, b *Batch) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fd < 0 {
		return false, nil
	}
	msgs := g.build(b)
	if msgs == 0 {
		return false, nil
	}
	var first error
	giveUp := false
	clear(g.failed[:msgs])
	for ofs := 0; ofs < msgs; {
		sent, err := sendmmsg(g.fd, g.hdrs[ofs:msgs])
		if err == nil && sent == 0 {
			err = unix.EAGAIN
		}
		ofs += sent
		if err == nil {
			continue
		}
		// The message at ofs failed: drop it alone and go on.
		g.failed[ofs] = true
		if first == nil {
			first = err
		}
		if g.frames[ofs] > 1 && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP)) {
			giveUp = true // the device refuses GSO frames
		}
		ofs++
	}
	var merged, hdrBytes, dropped uint64
	for m := range msgs {
		switch k := uint64(g.frames[m]); {
		case g.failed[m]:
			dropped += k
		case k > 1:
			merged += k - 1
			hdrBytes += (k - 1) * uint64(g.hlen[m])
		}
	}
	g.merged.Add(merged)
	g.hdrBytes.Add(hdrBytes)
	g.dropped.Add(dropped)
	for i := range g.iovs {
		g.iovs[i].Base = nil // drop the references to the batch
	}
	if giveUp {
		afxdpLog.Warn("%s: the device refused merged TCP segments; sending every frame through AF_XDP from now on", name)
		unix.Close(g.fd)
		g.fd = -1
	}
	if first != nil {
		return true, fmt.Errorf("send merged TCP segments on %s: %w", name, first)
	}
	return true, nil
}

// build lays b out as messages in hdrs, runs of segments merged, and
// returns how many; 0 if b holds no run to merge.
func (g *gsoSender) build(b *Batch) int {
	n := min(max(b.N, 0), BatchSize)
	run := false
	for i := range n {
		f := b.Pkts[i].Data()
		off, plen, ok := tcpPayload(f)
		if !ok {
			off = 0
		}
		g.off[i], g.plen[i] = off, plen
		if i > 0 && off != 0 && g.off[i-1] == off && !run {
			run = follows(b.Pkts[i-1].Data(), f, off, g.plen[i-1], plen, g.plen[i-1])
		}
	}
	if !run {
		return 0
	}
	msgs, iov := 0, 0
	for i := 0; i < n; msgs++ {
		head := g.head[msgs][:]
		g.hdrs[msgs].Hdr.Iov = &g.iovs[iov]
		off, size := g.off[i], g.plen[i]
		j, total := i+1, size
		for off != 0 && j < n && g.off[j] == off &&
			follows(b.Pkts[j-1].Data(), b.Pkts[j].Data(), off, g.plen[j-1], g.plen[j], size) &&
			off-14+total+g.plen[j] <= gsoMaxIPLen {
			total += g.plen[j]
			j++
		}
		if off == 0 || j == i+1 {
			// A frame on its own, behind an empty virtio_net_hdr.
			f := b.Pkts[i].Data()
			clear(head[:virtioNetHdrLen])
			g.iovs[iov].Base, g.iovs[iov+1].Base = &head[0], unsafe.SliceData(f)
			g.iovs[iov].SetLen(virtioNetHdrLen)
			g.iovs[iov+1].SetLen(len(f))
			g.hdrs[msgs].Hdr.SetIovlen(2)
			g.frames[msgs] = 1
			iov += 2
			i++
			continue
		}
		// The first segment's headers with the merged length (and the IP
		// checksum for it) and the last one's PSH, the TCP checksum field
		// holding the pseudo-header's sum as a partial checksum must, then
		// every payload in order.
		hdr := head[virtioNetHdrLen : virtioNetHdrLen+off]
		copy(hdr, b.Pkts[i].Data()[:off])
		ipLen := off - 14 + total
		binary.BigEndian.PutUint16(hdr[16:18], uint16(ipLen))
		hdr[gsoTCPOff+13] |= b.Pkts[j-1].Data()[gsoTCPOff+13] & tcpFlagPSH // as GRO does
		hdr[24], hdr[25] = 0, 0
		binary.BigEndian.PutUint16(hdr[24:26], ^csumFold(csumAdd(0, hdr[14:gsoTCPOff])))
		binary.BigEndian.PutUint16(hdr[gsoTCPOff+16:], csumFold(csumAdd(unix.IPPROTO_TCP+uint32(ipLen-20), hdr[26:34])))
		*(*virtioNetHdr)(unsafe.Pointer(&head[0])) = virtioNetHdr{
			flags: virtioNetHdrNeedsCsum, gsoType: virtioNetHdrGSOTCPv4,
			hdrLen: uint16(off), gsoSize: uint16(size),
			csumStart: gsoTCPOff, csumOffset: 16,
		}
		g.iovs[iov].Base = &head[0]
		g.iovs[iov].SetLen(virtioNetHdrLen + off)
		iov++
		for k := i; k < j; k++ {
			g.iovs[iov].Base = &b.Pkts[k].Data()[off]
			g.iovs[iov].SetLen(g.plen[k])
			iov++
		}
		g.hdrs[msgs].Hdr.SetIovlen(1 + j - i)
		g.frames[msgs], g.hlen[msgs] = j-i, off
		i = j
	}
	return msgs
}

// close closes the socket; send reports false from then on.
func (g *gsoSender) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fd >= 0 {
		unix.Close(g.fd)
		g.fd = -1
	}
}
