package dpif

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/conntrack/ipf"
)

// fragmentV4 splits an Ethernet/IPv4 frame (20-byte header) into fragments
// of at most size data bytes, with valid header checksums.
func fragmentV4(frame []byte, size int) [][]byte {
	eth, ip := frame[:14], frame[14:]
	hdr, data := ip[:20], ip[20:]
	var out [][]byte
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		h := bytes.Clone(hdr)
		fo := uint16(off / 8)
		if end < len(data) {
			fo |= 0x2000
		}
		binary.BigEndian.PutUint16(h[6:], fo)
		binary.BigEndian.PutUint16(h[2:], uint16(20+end-off))
		h[10], h[11] = 0, 0
		binary.BigEndian.PutUint16(h[10:], fold(onesSum(h, 0)))
		out = append(out, tCat(eth, h, data[off:end]))
	}
	return out
}

// TestExecuteCTReassembles sends the fragments of a UDP datagram through
// ct(commit,nat(src=...)) and checks that nothing leaves until the last
// fragment, then every fragment leaves carrying the translation, and the
// tracker saw one whole datagram.
func TestExecuteCTReassembles(t *testing.T) {
	d, ports := newTestDP(t, 2)
	nat := &conntrack.NATAction{Flags: conntrack.NATSrc}
	copy(nat.MinAddr[:], netip.MustParseAddr("10.9.9.9").AsSlice())
	nat.MaxAddr = nat.MinAddr
	acts := []Action{CT(&CTAction{Action: conntrack.Action{Commit: true, NAT: nat}}), Output(2)}

	frame := ckUDP("10.0.0.1", "10.0.0.2", 1234, 80, bytes.Repeat([]byte{7}, 3000))
	frags := fragmentV4(frame, 1400)
	if len(frags) != 3 {
		t.Fatalf("%d fragments", len(frags))
	}
	var sent [][]byte
	for i, f := range []int{2, 0, 1} {
		if err := d.Execute(frags[f], 1, acts); err != nil {
			t.Fatal(err)
		}
		sent = ports[2].Sent()
		if n := len(sent); (i < 2 && n != 0) || (i == 2 && n != 3) {
			t.Fatalf("after %d fragments: %d sent", i+1, n)
		}
	}
	// Reassemble what left: the whole datagram, source-NATed, checksums
	// right.
	r := ipf.New(nil)
	var set *ipf.Set
	for _, f := range sent {
		if !bytes.Equal(f[14+12:14+16], []byte{10, 9, 9, 9}) {
			t.Fatalf("fragment not translated: % x", f[14:34])
		}
		if _, s := r.Add(f, 14, 0x0800, 0, 0); s != nil {
			set = s
		}
	}
	if set == nil {
		t.Fatal("sent fragments do not reassemble")
	}
	if err := verifyCsums(set.Reassembled); err != nil {
		t.Fatal(err)
	}
	if n := d.Conntrack().NConns(); n != 1 {
		t.Fatalf("%d connections", n)
	}
	st := d.Conntrack().IPF().Status()
	if st.V4.Accepted != 3 || st.V4.Completed != 3 || st.NumFrags != 0 {
		t.Fatalf("ipf status %+v", st)
	}
}
