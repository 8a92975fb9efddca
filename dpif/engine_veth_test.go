package dpif

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestForwardVeth forwards frames between two veth pairs in a private
// namespace: the peer of port 1 sends, the poll goroutine of port 1
// receives, the handler's megaflow outputs to port 2, and the peer of
// port 2 receives.
func TestForwardVeth(t *testing.T) {
	enterIONetns(t)
	addVeth(t, "h13a", "h13ap", "02:00:00:00:13:01", "02:00:00:00:13:02")
	addVeth(t, "h13b", "h13bp", "02:00:00:00:13:03", "02:00:00:00:13:04")
	ioSetUp(t, "h13a", "h13ap", "h13b", "h13bp")
	d, err := NewDatapath("dummy", "h13veth")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, name := range []string{"h13a", "h13b"} {
		p, err := OpenPort("system", name, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.AddPort(p)
	}
	d.SetUpcallHandler(forwardHandler(2))
	d.Start()

	tx := packetSocket(t, "h13ap", false)
	rx := packetSocket(t, "h13bp", true)
	frame := xdpFrame(64, 0x13)
	if err := unix.Sendto(tx, frame, 0, &unix.SockaddrLinklayer{Ifindex: ifindexOf(t, "h13ap")}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2048)
	for {
		n, _, err := unix.Recvfrom(rx, buf, 0)
		if err != nil {
			t.Fatalf("no frame came out of port 2: %v", err)
		}
		if bytes.Equal(buf[:n], frame) {
			break
		}
	}
	flows, _ := d.DumpFlowsCommand(nil)
	// The frame went by upcall, which the flow does not count.
	want := "flow-dump from the main thread:\nrecirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x88b5), packets:0, bytes:0, used:never, actions:2\n"
	if flows != want {
		t.Fatalf("dump-flows:\n%s", flows)
	}
}

func ifindexOf(t *testing.T, name string) int {
	t.Helper()
	l, ok := showLink(t, name)
	if !ok {
		t.Fatalf("no device %s", name)
	}
	return l.Ifindex
}
