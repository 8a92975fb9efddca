package ipf

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync/atomic"
	"testing"
)

// udpFrame builds an Ethernet frame carrying an IPv4 or IPv6 UDP packet
// with n payload bytes (checksums are not needed by the reassembler).
func udpFrame(v6 bool, n int) []byte {
	eth := make([]byte, 14)
	udp := make([]byte, 8+n)
	binary.BigEndian.PutUint16(udp[0:], 1234)
	binary.BigEndian.PutUint16(udp[2:], 5678)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+n))
	for i := 8; i < len(udp); i++ {
		udp[i] = byte(i * 7)
	}
	if !v6 {
		binary.BigEndian.PutUint16(eth[12:], ethTypeIPv4)
		ip := make([]byte, 20)
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		binary.BigEndian.PutUint16(ip[4:], 0x4242)
		ip[8], ip[9] = 64, 17
		copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		setIPv4Csum(ip)
		return append(append(eth, ip...), udp...)
	}
	binary.BigEndian.PutUint16(eth[12:], ethTypeIPv6)
	ip := make([]byte, 40)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(udp)))
	ip[6], ip[7] = 17, 64
	ip[8], ip[23] = 0xfd, 1
	ip[24], ip[39] = 0xfd, 2
	return append(append(eth, ip...), udp...)
}

// fragment splits frame's IP packet into fragments of at most size data
// bytes (a multiple of 8), as a host stack does.
func fragment(frame []byte, size int) [][]byte {
	eth, ip := frame[:14], frame[14:]
	var out [][]byte
	if ip[0]>>4 == 4 {
		hdr, data := ip[:20], ip[20:]
		for off := 0; off < len(data); off += size {
			end := min(off+size, len(data))
			h := bytes.Clone(hdr)
			fo := uint16(off / 8)
			if end < len(data) {
				fo |= 0x2000
			}
			binary.BigEndian.PutUint16(h[6:], fo)
			binary.BigEndian.PutUint16(h[2:], uint16(20+end-off))
			setIPv4Csum(h)
			out = append(out, append(append(bytes.Clone(eth), h...), data[off:end]...))
		}
		return out
	}
	hdr, data := ip[:40], ip[40:]
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		h := bytes.Clone(hdr)
		h[6] = 44
		binary.BigEndian.PutUint16(h[4:], uint16(8+end-off))
		fh := make([]byte, 8)
		fh[0] = hdr[6]
		offlg := uint16(off)
		if end < len(data) {
			offlg |= 1
		}
		binary.BigEndian.PutUint16(fh[2:], offlg)
		binary.BigEndian.PutUint32(fh[4:], 0xabcdef)
		out = append(out, append(append(append(bytes.Clone(eth), h...), fh...), data[off:end]...))
	}
	return out
}

// fakeClock is read by the purge timer's goroutine too.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() int64       { return c.ms.Load() }
func (c *fakeClock) advance(ms int64) { c.ms.Add(ms) }

func newTest() (*IPF, *fakeClock) {
	c := &fakeClock{}
	c.ms.Store(1)
	return New(c.now), c
}

func ethType(frame []byte) uint16 { return binary.BigEndian.Uint16(frame[12:]) }

// feed adds frags in the given order and returns the set that completed.
func feed(t *testing.T, f *IPF, frags [][]byte, order []int) *Set {
	t.Helper()
	var set *Set
	for n, i := range order {
		v, s := f.Add(frags[i], 14, ethType(frags[i]), 0, 0)
		if v != Held {
			t.Fatalf("fragment %d: verdict %d, want Held", i, v)
		}
		if (s != nil) != (n == len(order)-1) {
			t.Fatalf("fragment %d (#%d of %d): completed=%v", i, n, len(order), s != nil)
		}
		set = s
	}
	return set
}

func TestReassembleInOrderAndOutOfOrder(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}} {
			f, _ := newTest()
			orig := udpFrame(v6, 3000)
			frags := fragment(orig, 1280)
			if len(frags) != 3 {
				t.Fatalf("%d fragments", len(frags))
			}
			set := feed(t, f, frags, order)
			if !bytes.Equal(set.Reassembled, orig) {
				t.Fatalf("v6=%v order %v: reassembled packet differs from the original", v6, order)
			}
			if !IsFragment(frags[0], 14, ethType(orig)) || IsFragment(set.Reassembled, 14, ethType(orig)) {
				t.Fatal("IsFragment wrong")
			}
			if st := f.Status(); st.NumFrags != 3 {
				t.Fatalf("num frag %d before Finish", st.NumFrags)
			}
			set.Finish(set.Reassembled)
			st := f.Status()
			fs := st.V4
			if v6 {
				fs = st.V6
			}
			if st.NumFrags != 0 || fs.Accepted != 3 || fs.Completed != 3 {
				t.Fatalf("status after finish: %+v", st)
			}
			for i := 0; i < set.NumFrags(); i++ {
				d, _ := set.Frag(i)
				if !bytes.Equal(d, frags[i]) {
					t.Fatalf("fragment %d changed without NAT", i)
				}
			}
		}
	}
}

func TestFinishCopiesNAT(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		f, _ := newTest()
		orig := udpFrame(v6, 2600)
		frags := fragment(orig, 1280)
		set := feed(t, f, frags, []int{0, 1, 2})
		r := set.Reassembled
		var srcOff int
		if v6 {
			srcOff = 14 + 8
		} else {
			srcOff = 14 + 12
		}
		r[srcOff+1] = 99                                  // new source address
		binary.BigEndian.PutUint16(r[set.payload:], 4000) // new source port
		set.Finish(r)
		for i := 0; i < set.NumFrags(); i++ {
			d, _ := set.Frag(i)
			if d[srcOff+1] != 99 {
				t.Fatalf("v6=%v fragment %d: source not rewritten", v6, i)
			}
			if !v6 && !ipv4CsumOK(d[14:34]) {
				t.Fatalf("fragment %d: bad IPv4 header checksum", i)
			}
		}
		d, _ := set.Frag(0)
		p := len(d) - (1280)
		if got := binary.BigEndian.Uint16(d[p:]); got != 4000 {
			t.Fatalf("v6=%v: first fragment's port %d, want 4000", v6, got)
		}
	}
}

func TestOverlapTooSmallTooMany(t *testing.T) {
	f, _ := newTest()
	orig := udpFrame(false, 3000)
	frags := fragment(orig, 1280)
	if v, _ := f.Add(frags[0], 14, ethTypeIPv4, 0, 0); v != Held {
		t.Fatal("first not held")
	}
	if v, _ := f.Add(frags[0], 14, ethTypeIPv4, 0, 0); v != Invalid {
		t.Fatal("duplicate not refused")
	}
	// A fragment overlapping the first one's tail.
	ov := fragment(orig, 1272)[1]
	if v, _ := f.Add(ov, 14, ethTypeIPv4, 0, 0); v != Invalid {
		t.Fatal("overlap not refused")
	}
	small := fragment(udpFrame(false, 1000), 400)
	if v, _ := f.Add(small[0], 14, ethTypeIPv4, 0, 0); v != Invalid {
		t.Fatal("too small not refused")
	}
	// The same in zone 1 is another list; the last fragment may be small.
	if v, _ := f.Add(small[2], 14, ethTypeIPv4, 1, 0); v != Held {
		t.Fatal("small last fragment refused")
	}
	st := f.Status()
	if st.V4.Overlap != 2 || st.V4.TooSmall != 1 || st.V4.Accepted != 2 || st.NumFrags != 2 {
		t.Fatalf("status %+v", st)
	}
	if !f.SetMinFragSize(V4, 400) || f.SetMinFragSize(V4, 399) {
		t.Fatal("SetMinFragSize bounds")
	}
	if v, _ := f.Add(small[0], 14, ethTypeIPv4, 2, 0); v != Held {
		t.Fatal("400-byte fragment refused after lowering the minimum")
	}
	if !f.SetMaxFrags(3) || f.SetMaxFrags(5001) {
		t.Fatal("SetMaxFrags bounds")
	}
	if v, _ := f.Add(frags[1], 14, ethTypeIPv4, 0, 0); v != Pass {
		t.Fatal("fragment beyond max frags not passed")
	}
	f.SetEnabled(V4, false)
	f.SetMaxFrags(1000)
	if v, _ := f.Add(frags[1], 14, ethTypeIPv4, 0, 0); v != Pass {
		t.Fatal("fragment held while disabled")
	}
	if v, _ := f.Add(orig, 14, ethTypeIPv4, 0, 0); v != Pass {
		t.Fatal("whole packet not passed")
	}
}

func TestExpiryAndPurge(t *testing.T) {
	f, c := newTest()
	a := fragment(udpFrame(false, 3000), 1280)
	b := fragment(udpFrame(true, 3000), 1280)
	f.Add(a[0], 14, ethTypeIPv4, 0, 0)
	f.Add(a[2], 14, ethTypeIPv4, 0, 0)
	c.advance(1000)
	f.Add(b[1], 14, ethTypeIPv6, 0, 0)
	if f.ExpiryDue(f.Now()) || f.TakeExpired() != nil {
		t.Fatal("expired too early")
	}
	if got := strings.Join(f.DumpLists(), "\n"); got != "(src=10.0.0.1,dst=10.0.0.2,recirc_id=0,ip_id=16962,dl_type=0x800,zone=0,nw_proto=17,num_fragments=2,state=first/last frag)\n"+
		"(src=fd00::1,dst=fd00::2,recirc_id=0,ip_id=11259375,dl_type=0x86dd,zone=0,nw_proto=0,num_fragments=1,state=other frag)" {
		t.Fatalf("dump:\n%s", got)
	}
	c.advance(14001)
	s := f.TakeExpired()
	if s == nil || s.NumFrags() != 2 || s.Family() != V4 {
		t.Fatalf("expired set %+v", s)
	}
	if f.TakeExpired() != nil {
		t.Fatal("second list expired early")
	}
	c.advance(11000)
	f.Purge()
	st := f.Status()
	if st.V4.Expired != 2 || st.V6.Purged != 1 || st.NumFrags != 0 || len(f.DumpLists()) != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestReassemblyTooBig(t *testing.T) {
	f, _ := newTest()
	frags := fragment(udpFrame(false, 3000), 1280)
	// Move the last fragment beyond 64 KiB.
	binary.BigEndian.PutUint16(frags[2][14+6:], uint16(65000/8))
	setIPv4Csum(frags[2][14:34])
	f.Add(frags[0], 14, ethTypeIPv4, 0, 0)
	f.Add(frags[1], 14, ethTypeIPv4, 0, 0)
	if v, s := f.Add(frags[2], 14, ethTypeIPv4, 0, 0); v != Held || s != nil {
		t.Fatalf("verdict %d set %v", v, s)
	}
}

func TestStatusFormat(t *testing.T) {
	f, _ := newTest()
	want := `        Fragmentation Module Status
        ---------------------------
        v4 enabled: 1
        v6 enabled: 1
        max num frags (v4/v6): 1000
        num frag: 0
        min v4 frag size: 1200
        v4 frags accepted: 0
        v4 frags completed: 0
        v4 frags expired: 0
        v4 frags too small: 0
        v4 frags overlapped: 0
        v4 frags purged: 0
        min v6 frag size: 1280
        v6 frags accepted: 0
        v6 frags completed: 0
        v6 frags expired: 0
        v6 frags too small: 0
        v6 frags overlapped: 0
        v6 frags purged: 0
`
	if got := f.Status().Format(); got != want {
		t.Fatalf("got\n%s", got)
	}
}

func TestNonFragmentPathAllocatesNothing(t *testing.T) {
	f, _ := newTest()
	p := udpFrame(false, 100)
	n := testing.AllocsPerRun(100, func() {
		if IsFragment(p, 14, ethTypeIPv4) {
			t.Fatal("fragment")
		}
		f.Add(p, 14, ethTypeIPv4, 0, 0)
	})
	if n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func FuzzAdd(f *testing.F) {
	for _, v6 := range []bool{false, true} {
		for _, fr := range fragment(udpFrame(v6, 2000), 1280) {
			f.Add(fr)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _ := newTest()
		r.SetMinFragSize(V4, 400)
		r.SetMinFragSize(V6, 400)
		for _, et := range []uint16{ethTypeIPv4, ethTypeIPv6} {
			IsFragment(data, 14, et)
			if _, s := r.Add(data, 14, et, 0, 0); s != nil {
				s.Finish(s.Reassembled)
			}
		}
	})
}

// BenchmarkNonFragment is what every packet through ct() pays for
// reassembly: the datapath's checks on a packet that is not a fragment.
func BenchmarkNonFragment(b *testing.B) {
	f, _ := newTest()
	p := udpFrame(false, 100)
	b.ReportAllocs()
	for b.Loop() {
		if f.Active() && IsFragment(p, 14, ethTypeIPv4) {
			b.Fatal("fragment")
		}
		if f.Pending() {
			b.Fatal("pending")
		}
	}
}
