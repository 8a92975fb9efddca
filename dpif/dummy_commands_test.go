package dpif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func openIODummy(t *testing.T, name string, options map[string]string) *DummyPort {
	t.Helper()
	p, err := NewDummyPort("dummy", name, options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// dummyRecvAll drains a dummy port's queue.
func dummyRecvAll(t *testing.T, p *DummyPort) [][]byte {
	t.Helper()
	var out [][]byte
	var b Batch
	for {
		if err := p.Recv(0, &b); err != nil {
			t.Fatal(err)
		}
		if b.N == 0 {
			return out
		}
		for _, pkt := range b.Packets() {
			out = append(out, bytes.Clone(pkt.Data()))
		}
	}
}

type dummyCmdCase struct {
	args    []string
	out     string
	errText string // "" for success
}

func runDummyCmds(t *testing.T, h func([]string) (string, error), cases []dummyCmdCase) {
	t.Helper()
	for _, c := range cases {
		out, err := h(c.args)
		var got string
		if err != nil {
			got = err.Error()
		}
		if out != c.out || got != c.errText {
			t.Errorf("%q: reply %q error %q, want %q and %q", c.args, out, got, c.out, c.errText)
		}
	}
}

// The command table, as "ovs-appctl list-commands" prints it for OVS 3.1
// started with --enable-dummy.
func TestDummyCommandTable(t *testing.T) {
	var got []string
	for _, c := range DummyCommands() {
		got = append(got, c.Name+" "+c.Usage)
		if c.Handler == nil {
			t.Errorf("%s has no handler", c.Name)
		}
	}
	want := []string{
		"netdev-dummy/receive name [--qid queue_id] packet|flow [--len packet_len]",
		"netdev-dummy/set-admin-state [netdev] up|down",
		"netdev-dummy/conn-state [netdev]",
		"netdev-dummy/ip4addr [netdev] ipaddr/mask-prefix-len",
		"netdev-dummy/ip6addr [netdev] ip6addr",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands\n%q\nwant\n%q", got, want)
	}
	bounds := map[string][2]int{}
	for _, c := range DummyCommands() {
		bounds[c.Name] = [2]int{c.MinArgs, c.MaxArgs}
	}
	wantBounds := map[string][2]int{
		"netdev-dummy/receive": {2, -1}, "netdev-dummy/set-admin-state": {1, 2},
		"netdev-dummy/conn-state": {0, 1}, "netdev-dummy/ip4addr": {2, 2}, "netdev-dummy/ip6addr": {2, 2},
	}
	if !reflect.DeepEqual(bounds, wantBounds) {
		t.Errorf("argument bounds %v, want %v", bounds, wantBounds)
	}
}

// Replies and errors as OVS 3.1 gives them (captured with ovs-appctl).
func TestNetdevDummyReceive(t *testing.T) {
	p := openIODummy(t, "refdum1", nil)
	runDummyCmds(t, NetdevDummyReceive, []dummyCmdCase{
		{[]string{"nosuch", "00"}, "", "no such dummy netdev"},
		{[]string{"refdum1", "0011"}, "", "syntax error at 0011"},
		{[]string{"refdum1", "zz"}, "", "syntax error at zz"},
		{[]string{"refdum1", "50540000000a5054000000090800 45 00 xx"}, "", "syntax error at 50540000000a5054000000090800 45 00 xx"},
		{[]string{"refdum1", "50540000000a50540000000908004"}, "", "syntax error at 50540000000a50540000000908004"},
		{[]string{"refdum1", "--qid", "5", "00"}, "", "bad rx queue id."},
		{[]string{"refdum1", "--qid", "-1", "00"}, "", "bad rx queue id."},
		{[]string{"refdum1", "in_port(1)", "--len", "10"}, "", "too small packet len"},
		{[]string{"refdum1", "in_port(1)", "--len"}, "", "too small packet len"},
		{[]string{"refdum1", "--qid"}, "", "syntax error at --qid"},
		{[]string{"refdum1", "in_port(1),eth_type(0x1234)"}, "",
			"flow syntax is not supported yet (give the packet in hex): in_port(1),eth_type(0x1234)"},
		{[]string{"refdum1", "50540000000a50540000000908004500"}, "", ""},
		{[]string{"refdum1", "--qid", "abc", "50 54 00 00 00 0a 50 54 00 00 00 09 12 34", "\t505400000001505400000002ABCD\n"}, "", ""},
		// Packets before a bad one stay queued.
		{[]string{"refdum1", "505400000001505400000002aaaa", "zz"}, "", "syntax error at zz"},
	})
	want := [][]byte{
		{0x50, 0x54, 0, 0, 0, 0x0a, 0x50, 0x54, 0, 0, 0, 0x09, 0x08, 0x00, 0x45, 0x00},
		{0x50, 0x54, 0, 0, 0, 0x0a, 0x50, 0x54, 0, 0, 0, 0x09, 0x12, 0x34},
		{0x50, 0x54, 0, 0, 0, 0x01, 0x50, 0x54, 0, 0, 0, 0x02, 0xab, 0xcd},
		{0x50, 0x54, 0, 0, 0, 0x01, 0x50, 0x54, 0, 0, 0, 0x02, 0xaa, 0xaa},
	}
	if got := dummyRecvAll(t, p); !reflect.DeepEqual(got, want) {
		t.Errorf("queued\n% x\nwant\n% x", got, want)
	}
}

func TestNetdevDummyReceiveFlowComposer(t *testing.T) {
	p := openIODummy(t, "refdum2", nil)
	type call struct {
		flow string
		n    int
	}
	var calls []call
	SetDummyFlowComposer(func(flow string, n int) ([]byte, error) {
		calls = append(calls, call{flow, n})
		if strings.HasPrefix(flow, "bad") {
			return nil, errors.New("syntax error at " + flow)
		}
		return ioFrame(1, 2, n), nil
	})
	defer SetDummyFlowComposer(nil)
	runDummyCmds(t, NetdevDummyReceive, []dummyCmdCase{
		{[]string{"refdum2", "in_port(1)", "--len", "64", "in_port(2)"}, "", ""},
		{[]string{"refdum2", "bad(1)"}, "", "syntax error at bad(1)"},
	})
	if want := []call{{"in_port(1)", 64}, {"in_port(2)", 0}, {"bad(1)", 0}}; !reflect.DeepEqual(calls, want) {
		t.Errorf("composer calls %v, want %v", calls, want)
	}
	if got, want := dummyRecvAll(t, p), [][]byte{ioFrame(1, 2, 64), ioFrame(1, 2, 0)}; !reflect.DeepEqual(got, want) {
		t.Errorf("queued % x, want % x", got, want)
	}
}

func TestNetdevDummySetAdminState(t *testing.T) {
	a := openIODummy(t, "refdum3", nil)
	b := openIODummy(t, "refdum4", nil)
	runDummyCmds(t, NetdevDummySetAdminState, []dummyCmdCase{
		{[]string{"foo"}, "", "Invalid Admin State"},
		{[]string{"nosuch", "up"}, "", "Unknown Dummy Interface"},
		{[]string{"refdum3", "DOWN"}, "OK", ""},
	})
	if a.Info().AdminUp || !b.Info().AdminUp || !a.Info().LinkUp {
		t.Errorf("after refdum3 down: admin %v/%v link %v", a.Info().AdminUp, b.Info().AdminUp, a.Info().LinkUp)
	}
	runDummyCmds(t, NetdevDummySetAdminState, []dummyCmdCase{{[]string{"down"}, "OK", ""}})
	if a.Info().AdminUp || b.Info().AdminUp {
		t.Error("set-admin-state down left a port up")
	}
	runDummyCmds(t, NetdevDummySetAdminState, []dummyCmdCase{{[]string{"Up"}, "OK", ""}})
	if !a.Info().AdminUp || !b.Info().AdminUp {
		t.Error("set-admin-state up left a port down")
	}
	b.Close()
	runDummyCmds(t, NetdevDummySetAdminState, []dummyCmdCase{{[]string{"refdum4", "up"}, "", "Unknown Dummy Interface"}})
}

func TestNetdevDummyConnState(t *testing.T) {
	openIODummy(t, "refdum5", nil)
	runDummyCmds(t, NetdevDummyConnState, []dummyCmdCase{
		{nil, "", ""},
		{[]string{"refdum5"}, "refdum5: unknown\n", ""},
		{[]string{"nosuch"}, "nosuch: unknown\n", ""},
	})
}

func TestNetdevDummyIPAddr(t *testing.T) {
	p := openIODummy(t, "refdum6", nil)
	runDummyCmds(t, NetdevDummyIP4Addr, []dummyCmdCase{
		{[]string{"refdum6", "1.2.3.4/33"}, "", "1.2.3.4/33: IPv4 network prefix bits not between 0 and 32, inclusive"},
		{[]string{"refdum6", "foo"}, "", "foo: invalid IP address"},
		{[]string{"nosuch", "1.2.3.4/24"}, "", "Unknown Dummy Interface"},
		{[]string{"refdum6", "10.0.0.1/24"}, "OK", ""},
	})
	runDummyCmds(t, NetdevDummyIP6Addr, []dummyCmdCase{
		{[]string{"refdum6", "zz"}, "", "zz: invalid IPv6 address"},
		{[]string{"nosuch", "2001::1/64"}, "", "Unknown Dummy Interface"},
		{[]string{"refdum6", "2001:cafe::88/24"}, "OK", ""},
	})
	var got []string
	for _, a := range p.Addresses() {
		got = append(got, a.String())
	}
	if want := []string{"10.0.0.1/24", "2001:cafe::88/24"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Addresses() = %v, want %v", got, want)
	}

	// An ARP request for 10.0.0.1 sent out of the port is answered on its
	// receive queue; one for another address is not.
	mac := p.Info().MAC
	req := func(tpa byte) []byte {
		f := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x50, 0x54, 0, 0, 0, 9, 0x08, 0x06,
			0, 1, 0x08, 0, 6, 4, 0, 1, 0x50, 0x54, 0, 0, 0, 9, 10, 0, 0, 2,
			0, 0, 0, 0, 0, 0, 10, 0, 0, tpa}
		return f
	}
	var b Batch
	ioFillBatch(&b, [][]byte{req(1), req(7)})
	if err := p.Send(0, &b); err != nil {
		t.Fatal(err)
	}
	reply := append(append([]byte{0x50, 0x54, 0, 0, 0, 9}, mac...), 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2)
	reply = append(append(reply, mac...), 10, 0, 0, 1, 0x50, 0x54, 0, 0, 0, 9, 10, 0, 0, 2)
	if got := dummyRecvAll(t, p); !reflect.DeepEqual(got, [][]byte{reply}) {
		t.Errorf("ARP replies\n% x\nwant\n% x", got, reply)
	}
}

// readDummyPcap parses a pcap file as OVS writes it, returning the header and
// the records' frames; it checks each record's lengths.
func readDummyPcap(t *testing.T, name string) (hdr []byte, frames [][]byte) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 {
		t.Fatalf("%s: %d bytes, no header", name, len(data))
	}
	hdr, data = data[:24], data[24:]
	for len(data) > 0 {
		if len(data) < 16 {
			t.Fatalf("%s: truncated record header", name)
		}
		incl := binary.NativeEndian.Uint32(data[8:])
		orig := binary.NativeEndian.Uint32(data[12:])
		if incl != orig || int(incl) > len(data)-16 {
			t.Fatalf("%s: record lengths %d/%d with %d bytes left", name, incl, orig, len(data)-16)
		}
		frames = append(frames, data[16:16+incl])
		data = data[16+incl:]
	}
	return hdr, frames
}

func TestDummyPcap(t *testing.T) {
	dir := t.TempDir()
	both := filepath.Join(dir, "p.pcap")
	rxq, tx := filepath.Join(dir, "rx.pcap"), filepath.Join(dir, "tx.pcap")
	p1 := openIODummy(t, "refdum7", map[string]string{"pcap": both})
	p2 := openIODummy(t, "refdum8", map[string]string{"rxq_pcap": rxq, "tx_pcap": tx})
	in, out := ioFrame(1, 2, 1), ioFrame(2, 1, 2)
	var b Batch
	ioFillBatch(&b, [][]byte{out})
	for _, p := range []*DummyPort{p1, p2} {
		if err := p.Receive(0, in); err != nil {
			t.Fatal(err)
		}
		if err := p.Send(0, &b); err != nil {
			t.Fatal(err)
		}
	}
	// The header OVS writes on x86: magic a1b2c3d4, version 2.4, snaplen 1518, Ethernet.
	wantHdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee, 5, 0, 0, 1, 0, 0, 0}
	if binary.NativeEndian.Uint32(wantHdr) != 0xa1b2c3d4 {
		binary.BigEndian.PutUint32(wantHdr, 0xa1b2c3d4)
		binary.BigEndian.PutUint16(wantHdr[4:], 2)
		binary.BigEndian.PutUint16(wantHdr[6:], 4)
		binary.BigEndian.PutUint32(wantHdr[16:], 1518)
		binary.BigEndian.PutUint32(wantHdr[20:], 1)
	}
	for _, c := range []struct {
		file string
		want [][]byte
	}{{both, [][]byte{in, out}}, {rxq, [][]byte{in}}, {tx, [][]byte{out}}} {
		hdr, frames := readDummyPcap(t, c.file)
		if !bytes.Equal(hdr, wantHdr) {
			t.Errorf("%s: header % x, want % x", c.file, hdr, wantHdr)
		}
		if !reflect.DeepEqual(frames, c.want) {
			t.Errorf("%s: frames\n% x\nwant\n% x", c.file, frames, c.want)
		}
	}

	// Reopening appends without a second header.
	p1.Close()
	p3 := openIODummy(t, "refdum9", map[string]string{"pcap": both})
	if err := p3.Receive(0, in); err != nil {
		t.Fatal(err)
	}
	if _, frames := readDummyPcap(t, both); len(frames) != 3 {
		t.Errorf("after reopening: %d records, want 3", len(frames))
	}

	// A file that cannot be opened is logged and skipped; the port still works.
	bad := filepath.Join(dir, "no", "such", "dir")
	var p4 *DummyPort
	log := ioCaptureLog(func() { p4 = openIODummy(t, "refdum10", map[string]string{"pcap": bad}) })
	if want := []string{"netdev_dummy|WARN|" + bad + ": failed to open pcap file for appending (No such file or directory)"}; !reflect.DeepEqual(log, want) {
		t.Errorf("log %q, want %q", log, want)
	}
	if err := p4.Receive(0, in); err != nil {
		t.Errorf("Receive without its pcap file: %v", err)
	}
}

func TestDummyQueueBounds(t *testing.T) {
	p := openIODummy(t, "refdum11", nil)
	for i := range DummyRxQueueLimit {
		if err := p.Receive(0, ioFrame(1, 2, i)); err != nil {
			t.Fatalf("Receive %d: %v", i, err)
		}
	}
	err := p.Receive(0, ioFrame(1, 2, DummyRxQueueLimit))
	if want := "receive on refdum11: queue full: no buffer space available"; err == nil || err.Error() != want {
		t.Errorf("Receive on a full queue = %v, want %q", err, want)
	}
	var b Batch
	var sizes []int
	for {
		if err := p.Recv(0, &b); err != nil {
			t.Fatal(err)
		}
		if b.N == 0 {
			break
		}
		sizes = append(sizes, b.N)
	}
	if !reflect.DeepEqual(sizes, []int{32, 32, 32, 4}) {
		t.Errorf("batch sizes %v, want [32 32 32 4]", sizes)
	}

	// The capture keeps the newest DummyCaptureLimit frames.
	for i := range DummyCaptureLimit + 5 {
		ioFillBatch(&b, [][]byte{ioFrame(2, 1, i)})
		if err := p.Send(0, &b); err != nil {
			t.Fatal(err)
		}
	}
	sent := p.Sent()
	if len(sent) != DummyCaptureLimit || !bytes.Equal(sent[0], ioFrame(2, 1, 5)) ||
		!bytes.Equal(sent[len(sent)-1], ioFrame(2, 1, DummyCaptureLimit+4)) {
		t.Errorf("capture holds %d frames, first seq %x", len(sent), sent[0][14:18])
	}

	// Frames netdev-dummy refuses: shorter than Ethernet, longer than the MTU.
	long := make([]byte, 1515)
	copy(long, ioFrame(2, 1, 0))
	tagged := append(ioVLANFrame(0, [2]uint16{0x8100, 1}), make([]byte, 1518-64)...)
	ioFillBatch(&b, [][]byte{make([]byte, 13), long, tagged})
	err = p.Send(0, &b)
	if want := "send on refdum11: 2 of 3 frames dropped: message too long"; err == nil || err.Error() != want {
		t.Errorf("Send of bad sizes = %v, want %q", err, want)
	}
	if got := p.Sent(); len(got) != 1 || len(got[0]) != 1518 {
		t.Errorf("sent %d frames, want the 1518-byte tagged one", len(got))
	}
}

func TestDummyWaitFD(t *testing.T) {
	p := openIODummy(t, "refdum12", nil)
	readable := func() bool {
		fds := []unix.PollFd{{Fd: int32(p.WaitFD(0)), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if p.WaitFD(0) < 0 || p.WaitFD(1) != -1 || p.RxQueues() != 1 {
		t.Fatalf("WaitFD(0) %d WaitFD(1) %d RxQueues %d", p.WaitFD(0), p.WaitFD(1), p.RxQueues())
	}
	if readable() {
		t.Error("readable with an empty queue")
	}
	for i := range BatchSize + 1 {
		p.Receive(0, ioFrame(1, 2, i))
	}
	if !readable() {
		t.Error("not readable with frames queued")
	}
	var b Batch
	p.Recv(0, &b)
	if !readable() {
		t.Error("not readable with one frame left")
	}
	p.Recv(0, &b)
	if readable() {
		t.Error("readable after the queue was drained")
	}
	p.Close()
	if p.WaitFD(0) != -1 {
		t.Error("WaitFD after Close is not -1")
	}
}

func TestDummyNoAllocs(t *testing.T) {
	p := openIODummy(t, "refdum13", nil)
	var frames [][]byte
	for i := range BatchSize {
		frames = append(frames, ioFrame(1, 2, i))
	}
	var in Batch
	run := func() {
		for _, f := range frames {
			p.Receive(0, f)
		}
		if err := p.Recv(0, &in); err != nil || in.N != BatchSize {
			t.Fatalf("Recv = %v, %d", err, in.N)
		}
		if err := p.Send(0, &in); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the capture once: its slots are allocated on first use.
	for range DummyCaptureLimit / BatchSize {
		run()
	}
	allocs := testing.AllocsPerRun(50, run)
	if allocs != 0 {
		t.Errorf("Receive+Recv+Send of a batch: %v allocations, want 0", allocs)
	}
}
