package dpif

import (
	"bytes"
	"net"
	"reflect"
	"testing"
)

func TestDummyPort(t *testing.T) {
	p1, err := OpenPort("dummy", "p1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p1.Close()
	p2, err := OpenPort("dummy-internal", "p2", map[string]string{"ifindex": "42"})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()

	// MACs follow netdev-dummy: aa:55 then a 32-bit serial from 0xaa550000.
	i1, i2 := p1.Info(), p2.Info()
	if i1.MAC[0] != 0xaa || i1.MAC[1] != 0x55 || i1.MAC[2] != 0xaa || i1.MAC[3] != 0x55 {
		t.Errorf("MAC %s does not start aa:55:aa:55", i1.MAC)
	}
	serial := func(m net.HardwareAddr) uint32 {
		return uint32(m[2])<<24 | uint32(m[3])<<16 | uint32(m[4])<<8 | uint32(m[5])
	}
	if serial(i2.MAC) != serial(i1.MAC)+1 {
		t.Errorf("MACs %s then %s are not consecutive", i1.MAC, i2.MAC)
	}

	want := PortInfo{
		MAC: i1.MAC, MTU: 1500, AdminUp: true, LinkUp: true,
		Status: map[string]string{},
		Stats:  PortStats{Unsupported: dummyStats},
	}
	if !reflect.DeepEqual(i1, want) {
		t.Errorf("Info() = %+v\nwant     %+v", i1, want)
	}
	if p1.Name() != "p1" || p1.Type() != "dummy" || p2.Type() != "dummy-internal" {
		t.Errorf("name/type = %s/%s, %s", p1.Name(), p1.Type(), p2.Type())
	}
	if i2.Ifindex != 42 {
		t.Errorf("ifindex = %d, want 42 from options", i2.Ifindex)
	}
	if got := configText(p2); got != ": ifindex=42" {
		t.Errorf("config = %q", got)
	}
	if got := configText(p1); got != "" {
		t.Errorf("config = %q, want none", got)
	}
}

func TestDummyBadIfindex(t *testing.T) {
	_, err := OpenPort("dummy", "p1", map[string]string{"ifindex": "x"})
	if want := "could not open network device p1 (Invalid argument)"; err == nil || err.Error() != want {
		t.Errorf("OpenPort = %v, want %q", err, want)
	}
}

func TestDummyPacketQueues(t *testing.T) {
	p, err := NewDummyPort("dummy", "p1", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := []byte{1, 2, 3}
	if err := p.Receive(0, in); err != nil {
		t.Fatal(err)
	}
	in[0] = 9 // the port keeps its own copy
	var b Batch
	if err := p.Recv(0, &b); err != nil || b.N != 1 || !bytes.Equal(b.Pkts[0].Data(), []byte{1, 2, 3}) {
		t.Errorf("Recv() = %v, %d packets %v", err, b.N, b.Pkts[0].Data())
	}
	if _, ok := b.Pkts[0].Push(Headroom); !ok {
		t.Error("received packet has less than Headroom bytes in front")
	}
	if err := p.Recv(0, &b); err != nil || b.N != 0 {
		t.Errorf("Recv() on an empty queue = %v, %d packets", err, b.N)
	}
	b.Pkts[0].Reset([]byte{0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, 1, 14)
	b.N = 1
	if err := p.Send(0, &b); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Sent(), [][]byte{{4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sent() = %v, want %v", got, want)
	}
	if got := p.Sent(); len(got) != 0 {
		t.Errorf("second Sent() = %v, want nothing", got)
	}
	wantStats := map[string]uint64{"rx_packets": 1, "rx_bytes": 3, "tx_packets": 1, "tx_bytes": 14}
	if got := p.Info().Stats.Map(); !reflect.DeepEqual(got, wantStats) {
		t.Errorf("statistics = %v, want %v", got, wantStats)
	}
	p.Close()
	p.Close()
	if err := p.Send(0, &b); err == nil || err.Error() != "send on p1: port is closed: bad file descriptor" {
		t.Errorf("Send after Close = %v", err)
	}
	if err := p.Receive(0, in); err == nil || err.Error() != "receive on p1: port is closed: bad file descriptor" {
		t.Errorf("Receive after Close = %v", err)
	}
}

func TestStatsMapAllKeys(t *testing.T) {
	s := PortStats{RxPackets: 1, RxBytes: 2, RxDropped: 3, RxErrors: 4, TxPackets: 5, TxBytes: 6,
		TxDropped: 7, TxErrors: 8, RxFrameErr: 9, RxOverErr: 10, RxCRCErr: 11, RxMissedErrors: 12,
		RxMulticast: 13, Collisions: 14, TxAbortedErrors: 15, TxCarrierErrors: 16}
	want := map[string]uint64{"rx_packets": 1, "rx_bytes": 2, "rx_dropped": 3, "rx_errors": 4,
		"tx_packets": 5, "tx_bytes": 6, "tx_dropped": 7, "tx_errors": 8, "rx_frame_err": 9,
		"rx_over_err": 10, "rx_crc_err": 11, "rx_missed_errors": 12, "rx_multicast_packets": 13,
		"collisions": 14}
	if got := s.Map(); !reflect.DeepEqual(got, want) {
		t.Errorf("Map() = %v\nwant    %v", got, want)
	}
	for f := StatField(0); f < numStatFields; f++ {
		if v, ok := s.Get(f); !ok || v != uint64(f)+1 {
			t.Errorf("Get(%d) = %d, %v; the column table and struct order disagree", f, v, ok)
		}
	}
}
