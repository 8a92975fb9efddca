package dpif

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func TestSystemPortMissingDevice(t *testing.T) {
	enterPrivateNetns(t)
	for _, typ := range []string{"", "system"} {
		_, err := OpenPort(typ, "refnoexist", nil)
		const want = "could not open network device refnoexist (No such device)"
		if err == nil || err.Error() != want {
			t.Errorf("OpenPort(%q) = %v, want %q", typ, err, want)
		}
		if !errors.Is(err, unix.ENODEV) {
			t.Errorf("OpenPort(%q) error does not carry ENODEV", typ)
		}
	}
}

func TestSystemPortVeth(t *testing.T) {
	enterPrivateNetns(t)
	addVeth(t, "refv1", "refv1p", "02:00:00:00:01:01", "02:00:00:00:01:02")

	p, err := OpenPort("", "refv1", nil)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := showLink(t, "refv1")
	// A PACKET_MR_PROMISC membership counts in promiscuity but, unlike OVS's
	// SIOCSIFFLAGS, does not show as the PROMISC flag.
	if l.Promiscuity != 1 {
		t.Errorf("open port: ip says promiscuity %d, want 1", l.Promiscuity)
	}
	if p.Name() != "refv1" || p.Type() != "system" {
		t.Errorf("name/type = %s/%s", p.Name(), p.Type())
	}

	// Both ends down, nothing sent yet: the row OVS writes for a fresh veth.
	want := PortInfo{
		Ifindex: l.Ifindex, MAC: mustMAC(t, "02:00:00:00:01:01"), MTU: 1500,
		LinkSpeed: 10_000_000_000, FullDuplex: true,
		Status: map[string]string{"driver_name": "veth", "driver_version": "1.0", "firmware_version": ""},
	}
	if got := p.Info(); !reflect.DeepEqual(got, want) {
		t.Errorf("Info() = %+v\nwant     %+v", got, want)
	}
	if l.MTU != 1500 || l.Address != "02:00:00:00:01:01" || l.LinkInfo.Kind != "veth" {
		t.Errorf("ip disagrees with the expectation: %+v", l)
	}
	wantStats := map[string]uint64{"collisions": 0, "rx_bytes": 0, "rx_crc_err": 0, "rx_dropped": 0,
		"rx_errors": 0, "rx_frame_err": 0, "rx_missed_errors": 0, "rx_multicast_packets": 0,
		"rx_over_err": 0, "rx_packets": 0, "tx_bytes": 0, "tx_dropped": 0, "tx_errors": 0, "tx_packets": 0}
	if got := p.Info().Stats.Map(); !reflect.DeepEqual(got, wantStats) {
		t.Errorf("statistics = %v", got)
	}

	// Admin up alone has no carrier; with the peer up the link is up.
	for _, dev := range []string{"refv1", "refv1p"} {
		link, err := netlink.LinkByName(dev)
		if err != nil {
			t.Fatal(err)
		}
		if err := netlink.LinkSetUp(link); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.Info(); !got.AdminUp || !got.LinkUp {
		t.Errorf("after link up: admin %v link %v, want both up", got.AdminUp, got.LinkUp)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	l, _ = showLink(t, "refv1")
	if l.Promiscuity != 0 {
		t.Errorf("after Close: promiscuity %d, want 0", l.Promiscuity)
	}
}

func TestSystemPortDeviceDeletedUnderneath(t *testing.T) {
	enterPrivateNetns(t)
	addVeth(t, "refv2", "refv2p", "02:00:00:00:02:01", "02:00:00:00:02:02")
	p, err := OpenPort("system", "refv2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	before := p.Info()
	link, err := netlink.LinkByName("refv2")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkDel(link); err != nil {
		t.Fatal(err)
	}
	after := p.Info()
	if after.LinkUp || after.AdminUp || after.Ifindex != before.Ifindex || after.MAC.String() != "02:00:00:00:02:01" {
		t.Errorf("Info() of a deleted device = %+v", after)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close of a deleted device = %v", err)
	}
}
