package dpif

import (
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TestSystemPortRefusedFrameCountedOnce: a frame the veth refuses (here
// too long for its peer's MTU, as when the peer's backlog is full) fails
// with ENOBUFS and is counted by the device in its tx_dropped. The port
// must not count it again, neither when the kernel reports the error nor
// when sendmmsg sent the frames before it and dropped the error: every
// frame handed to Send is then either sent or dropped, once.
func TestSystemPortRefusedFrameCountedOnce(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "refio9", "refio9p", "02:00:00:00:00:01", "02:00:00:00:00:02")
	a, _ := ioOpenSystemPair(t, "refio9", "refio9p")
	peer, err := netlink.LinkByName("refio9p")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetMTU(peer, 1000); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 1400)
	copy(big, ioFrame(2, 1, 1))
	for _, tc := range []struct {
		name        string
		frames      [][]byte
		sent, drops uint64
	}{
		{"refused first", [][]byte{big, ioFrame(2, 1, 2)}, 0, 2},
		{"refused after one sent", [][]byte{ioFrame(2, 1, 3), big, ioFrame(2, 1, 4)}, 1, 2},
		{"refused last", [][]byte{ioFrame(2, 1, 5), big}, 1, 1},
	} {
		before := a.Info().Stats
		var b Batch
		ioFillBatch(&b, tc.frames)
		err := a.Send(0, &b)
		if err == nil || !isErrno(err, unix.ENOBUFS) {
			t.Errorf("%s: Send = %v, want no buffer space", tc.name, err)
		}
		after := a.Info().Stats
		if sent, drops := after.TxPackets-before.TxPackets, after.TxDropped-before.TxDropped; sent != tc.sent || drops != tc.drops {
			t.Errorf("%s: %d sent, %d dropped; want %d, %d", tc.name, sent, drops, tc.sent, tc.drops)
		}
	}
}

func isErrno(err error, want unix.Errno) bool {
	for ; err != nil; err = unwrap(err) {
		if e, ok := err.(unix.Errno); ok {
			return e == want
		}
	}
	return false
}

func unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}
