package dpif

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// tcpSegFrame is an IPv4/TCP frame from 10.0.0.1:40000 to 10.0.0.2:5201
// with seq, flags and a timestamp option (tsval), carrying payload, its
// checksums valid.
func tcpSegFrame(seq uint32, flags byte, tsval uint32, payload []byte) []byte {
	const thl = 32
	f := make([]byte, gsoTCPOff+thl+len(payload))
	copy(f, []byte{2, 0, 0, 0, 8, 2, 2, 0, 0, 0, 8, 1, 0x08, 0x00,
		0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(f[16:], uint16(20+thl+len(payload)))
	binary.BigEndian.PutUint16(f[24:], ^csumFold(csumAdd(0, f[14:34])))
	tcp := f[gsoTCPOff:]
	binary.BigEndian.PutUint16(tcp[0:], 40000)
	binary.BigEndian.PutUint16(tcp[2:], 5201)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], 777)
	tcp[12], tcp[13] = thl/4<<4, flags
	binary.BigEndian.PutUint16(tcp[14:], 501)
	copy(tcp[20:], []byte{1, 1, 8, 10})
	binary.BigEndian.PutUint32(tcp[24:], tsval)
	binary.BigEndian.PutUint32(tcp[28:], 99)
	copy(tcp[thl:], payload)
	sum := csumAdd(csumAdd(6+uint32(len(tcp)), f[26:34]), tcp)
	binary.BigEndian.PutUint16(tcp[16:], ^csumFold(sum))
	return f
}

// payloadOf is n bytes of a pattern starting at byte from.
func payloadOf(from, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte((from + i) * 7)
	}
	return p
}

// stream is n segments of a connection's bulk data, size bytes each but
// the last (last bytes), starting at seq 1000, the last one with PSH.
func stream(n, size, last int) [][]byte {
	var out [][]byte
	seq := 1000
	for i := range n {
		l, flags := size, byte(tcpFlagACK)
		if i == n-1 {
			l, flags = last, tcpFlagACK|tcpFlagPSH
		}
		out = append(out, tcpSegFrame(uint32(seq), flags, 5, payloadOf(seq, l)))
		seq += l
	}
	return out
}

func batchOf(frames [][]byte) *Batch {
	b := new(Batch)
	for i, f := range frames {
		b.Pkts[i].Reset(f, 0, len(f))
	}
	b.N = len(frames)
	return b
}

// message is what message m of the last build puts on the wire: its
// virtio_net_hdr and the frame.
func (g *gsoSender) message(m int) (virtioNetHdr, []byte) {
	h := &g.hdrs[m].Hdr
	iovs := unsafe.Slice(h.Iov, h.Iovlen)
	var all []byte
	for _, v := range iovs {
		all = append(all, unsafe.Slice(v.Base, v.Len)...)
	}
	return *(*virtioNetHdr)(unsafe.Pointer(&all[0])), all[virtioNetHdrLen:]
}

func TestGSOMergesARun(t *testing.T) {
	segs := stream(3, 1448, 500)
	var g gsoSender
	if n := g.build(batchOf(segs)); n != 1 {
		t.Fatalf("build made %d messages, want 1", n)
	}
	vh, f := g.message(0)
	if want := (virtioNetHdr{flags: virtioNetHdrNeedsCsum, gsoType: virtioNetHdrGSOTCPv4,
		hdrLen: 66, gsoSize: 1448, csumStart: 34, csumOffset: 16}); vh != want {
		t.Errorf("virtio_net_hdr %+v, want %+v", vh, want)
	}
	// The first segment's headers with the total length and its IP
	// checksum, the last one's PSH, the pseudo-header's sum in the TCP
	// checksum, then the payloads in order.
	want := bytes.Clone(segs[0][:66])
	want[47] |= tcpFlagPSH
	ipLen := 20 + 32 + 2*1448 + 500
	binary.BigEndian.PutUint16(want[16:], uint16(ipLen))
	want[24], want[25] = 0, 0
	binary.BigEndian.PutUint16(want[24:], ^csumFold(csumAdd(0, want[14:34])))
	binary.BigEndian.PutUint16(want[50:], csumFold(csumAdd(6+uint32(ipLen-20), want[26:34])))
	for _, s := range segs {
		want = append(want, s[66:]...)
	}
	if !bytes.Equal(f, want) {
		t.Errorf("merged frame\n% x\nwant\n% x", f[:80], want[:80])
	}
	if csumFold(csumAdd(0, f[14:34])) != 0xffff {
		t.Error("IP header checksum of the merged frame is wrong")
	}
	if g.frames[0] != 3 || g.hlen[0] != 66 {
		t.Errorf("frames %d header %d, want 3 and 66", g.frames[0], g.hlen[0])
	}
}

// TestGSOKeepsApart: every difference GRO would not merge across ends a
// run, and a batch without a run is left to AF_XDP.
func TestGSOKeepsApart(t *testing.T) {
	next := func(f func(b []byte)) [][]byte {
		s := stream(2, 1448, 1448)
		s[0][47] = tcpFlagACK // no PSH on the first
		f(s[1])
		return s
	}
	for _, c := range []struct {
		name   string
		frames [][]byte
	}{
		{"sequence gap", next(func(b []byte) { binary.BigEndian.PutUint32(b[38:], 1000+1449) })},
		{"other port", next(func(b []byte) { b[34] ^= 1 })},
		{"other address", next(func(b []byte) { b[29] ^= 1 })},
		{"other MAC", next(func(b []byte) { b[0] ^= 2 })},
		{"other TTL", next(func(b []byte) { b[22]-- })},
		{"other TOS", next(func(b []byte) { b[15] = 4 })},
		{"other ack", next(func(b []byte) { b[45]++ })},
		{"other window", next(func(b []byte) { b[49]++ })},
		{"other timestamp", next(func(b []byte) { b[61]++ })},
		{"FIN", next(func(b []byte) { b[47] |= 0x01 })},
		{"CWR", next(func(b []byte) { b[47] |= 0x80 })},
		{"fragment", next(func(b []byte) { b[20] |= 0x20 })},
		{"PSH on the first", func() [][]byte { s := stream(2, 1448, 1448); s[0][47] |= tcpFlagPSH; return s }()},
		{"first shorter", func() [][]byte {
			a := tcpSegFrame(1000, tcpFlagACK, 5, payloadOf(0, 1000))
			return [][]byte{a, tcpSegFrame(2000, tcpFlagACK, 5, payloadOf(0, 1448))}
		}()},
		{"second longer", func() [][]byte {
			a := tcpSegFrame(1000, tcpFlagACK, 5, payloadOf(0, 1000))
			return [][]byte{a, tcpSegFrame(2000, tcpFlagACK, 5, payloadOf(0, 1001))}
		}()},
		{"pure ACKs", [][]byte{tcpSegFrame(1000, tcpFlagACK, 5, nil), tcpSegFrame(1000, tcpFlagACK, 5, nil)}},
		{"VLAN tag", func() [][]byte {
			s := next(func([]byte) {})
			for i, f := range s {
				tagged := append(append(bytes.Clone(f[:12]), 0x81, 0, 0, 5), f[12:]...)
				s[i] = tagged
			}
			return s
		}()},
	} {
		var g gsoSender
		if n := g.build(batchOf(c.frames)); n != 0 {
			t.Errorf("%s: build made %d messages, want none (AF_XDP)", c.name, n)
		}
	}
}

func TestGSOMixedBatch(t *testing.T) {
	a := stream(3, 1448, 1448)
	a[2][47] = tcpFlagACK
	other := tcpSegFrame(1, tcpFlagACK, 5, payloadOf(0, 100))
	other[35]++ // another connection
	ack := tcpSegFrame(777, tcpFlagACK, 5, nil)
	frames := [][]byte{a[0], a[1], other, a[2], ack, ack}
	var g gsoSender
	n := g.build(batchOf(frames))
	var got []string
	for m := range n {
		vh, f := g.message(m)
		got = append(got, fmt.Sprintf("%d frames, %d bytes, gso %d", g.frames[m], len(f), vh.gsoType))
	}
	want := []string{"2 frames, 2962 bytes, gso 1", "1 frames, 166 bytes, gso 0", "1 frames, 1514 bytes, gso 0",
		"1 frames, 66 bytes, gso 0", "1 frames, 66 bytes, gso 0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages %q\nwant     %q", got, want)
	}
	// A frame on its own goes unchanged.
	if _, f := g.message(2); !bytes.Equal(f, a[2]) {
		t.Error("a frame sent on its own was changed")
	}
}

func TestGSOLimit64K(t *testing.T) {
	// 20 segments of 4000 bytes: 16 fit in an IP datagram.
	var g gsoSender
	n := g.build(batchOf(stream(20, 4000, 4000)))
	if n != 2 || g.frames[0] != 16 || g.frames[1] != 4 {
		t.Fatalf("build: %d messages of %v frames, want 16 and 4", n, g.frames[:n])
	}
	if _, f := g.message(0); len(f) != 66+16*4000 {
		t.Errorf("first frame %d bytes", len(f))
	}
}

func TestGSOBuildAllocatesNothing(t *testing.T) {
	b := batchOf(stream(32, 1448, 700))
	var g gsoSender
	if a := testing.AllocsPerRun(100, func() { g.build(b) }); a != 0 {
		t.Errorf("build allocates %v times per batch", a)
	}
}

// TestAFXDPSendsMergedSegments: through a real veth, a run of segments
// sent on an afxdp port reaches the peer as one GSO frame the kernel took,
// and the port still counts every segment.
func TestAFXDPSendsMergedSegments(t *testing.T) {
	enterPrivateNetns(t)
	addXDPVeth(t, "xdpg0", "xdpg0p", 1)
	for _, mode := range []string{"native", "generic"} {
		p := openAFXDPTest(t, "xdpg0", map[string]string{"xdp-mode": mode})
		if p.gso == nil {
			t.Fatalf("%s: copy-mode port without merged transmit", mode)
		}
		l, err := netlink.LinkByName("xdpg0p")
		if err != nil {
			t.Fatal(err)
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_IP)))
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VNET_HDR, 1); err != nil {
			t.Fatal(err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: l.Attrs().Index}); err != nil {
			t.Fatal(err)
		}
		tv := unix.Timeval{Sec: 5}
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

		before := p.Info().Stats
		segs := stream(5, 1448, 333)
		if err := p.Send(0, batchOf(segs)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1<<17)
		n, err := unix.Read(fd, buf)
		unix.Close(fd)
		if err != nil {
			t.Fatalf("%s: peer received nothing: %v", mode, err)
		}
		vh := *(*virtioNetHdr)(unsafe.Pointer(&buf[0]))
		if vh.gsoType != virtioNetHdrGSOTCPv4 || vh.gsoSize != 1448 {
			t.Errorf("%s: peer got virtio_net_hdr %+v, want a TCPv4 GSO frame of 1448-byte segments", mode, vh)
		}
		var payload []byte
		for _, s := range segs {
			payload = append(payload, s[66:]...)
		}
		if got := buf[virtioNetHdrLen:n]; len(got) != 66+len(payload) || !bytes.Equal(got[66:], payload) {
			t.Errorf("%s: peer got a %d-byte frame, want 66 bytes of headers and the %d bytes of payload in order", mode, len(got), len(payload))
		}
		after := p.Info().Stats
		wantBytes := uint64(0)
		for _, s := range segs {
			wantBytes += uint64(len(s))
		}
		if after.TxPackets-before.TxPackets != 5 || after.TxBytes-before.TxBytes != wantBytes {
			t.Errorf("%s: port counted %d packets, %d bytes; want 5, %d", mode,
				after.TxPackets-before.TxPackets, after.TxBytes-before.TxBytes, wantBytes)
		}
		p.Close()
	}
}

// FuzzGSOBuild: any batch lays out without panicking, every frame goes in
// exactly one message, and the payload bytes of a merged message are those
// of its frames.
func FuzzGSOBuild(f *testing.F) {
	var seed []byte
	for _, fr := range append(stream(3, 100, 50), tcpSegFrame(1, tcpFlagACK, 5, nil), tcpSegFrame(9, tcpFlagACK, 5, nil)) {
		seed = append(seed, byte(len(fr)>>8), byte(len(fr)))
		seed = append(seed, fr...)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, in []byte) {
		// in is a sequence of frames, each behind a two-byte length.
		var frames [][]byte
		for len(in) >= 2 && len(frames) < BatchSize {
			n := min(int(in[0])<<8|int(in[1]), len(in)-2)
			frames = append(frames, in[2:2+n])
			in = in[2+n:]
		}
		var g gsoSender
		msgs := g.build(batchOf(frames))
		total := 0
		for m := range msgs {
			vh, out := g.message(m)
			total += g.frames[m]
			if g.frames[m] == 1 {
				continue
			}
			if vh.gsoType != virtioNetHdrGSOTCPv4 || int(vh.hdrLen) != g.hlen[m] || len(out) < g.hlen[m] {
				t.Fatalf("message %d: header %+v for %d frames", m, vh, g.frames[m])
			}
		}
		if msgs != 0 && total != len(frames) {
			t.Fatalf("%d messages carry %d frames of %d", msgs, total, len(frames))
		}
	})
}
