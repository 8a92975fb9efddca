package dpif

import (
	"strings"
	"testing"
)

// The expected texts below are what OVS 3.1 printed for the same ports.

func TestShowTextDummy(t *testing.T) {
	d, err := NewDatapath("dummy", "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	br, err := d.OpenPort("internal", "h2br", nil)
	if err != nil {
		t.Fatal(err)
	}
	d.AddPort(br)
	d.AddPort(newDummy(t, "d2"))
	d.AddPort(newDummy(t, "d1"))

	const want = `dummy@ovs-dummy:
  lookups: hit:0 missed:0 lost:0
  flows: 0
  port 0: ovs-dummy (dummy-internal)
  port 1: h2br (dummy-internal)
  port 2: d2 (dummy)
  port 3: d1 (dummy)
`
	if got := d.ShowText(false); got != want {
		t.Errorf("dpctl/show:\n%s\nwant:\n%s", got, want)
	}

	const wantStats = `dummy@ovs-dummy:
  lookups: hit:0 missed:0 lost:0
  flows: 0
  port 0: ovs-dummy (dummy-internal)
    RX packets:0 errors:? dropped:? overruns:? frame:?
    TX packets:0 errors:? dropped:? aborted:? carrier:?
    collisions:?
    RX bytes:0  TX bytes:0
  port 1: h2br (dummy-internal)
    RX packets:0 errors:? dropped:? overruns:? frame:?
    TX packets:0 errors:? dropped:? aborted:? carrier:?
    collisions:?
    RX bytes:0  TX bytes:0
  port 2: d2 (dummy)
    RX packets:0 errors:? dropped:? overruns:? frame:?
    TX packets:0 errors:? dropped:? aborted:? carrier:?
    collisions:?
    RX bytes:0  TX bytes:0
  port 3: d1 (dummy)
    RX packets:0 errors:? dropped:? overruns:? frame:?
    TX packets:0 errors:? dropped:? aborted:? carrier:?
    collisions:?
    RX bytes:0  TX bytes:0
`
	if got := d.ShowText(true); got != wantStats {
		t.Errorf("dpctl/show -s:\n%s\nwant:\n%s", got, wantStats)
	}

	const wantDpif = `dummy@ovs-dummy: hit:0 missed:0
  h2br:
    d1 2/3: (dummy)
    d2 1/2: (dummy)
    h2br 65534/1: (dummy-internal)
`
	got := d.DpifShowText([]BridgeShow{{Name: "h2br", Ports: []BridgeShowPort{
		{Name: "h2br", OFPort: 65534, OdpPort: 1, Type: "dummy-internal"},
		{Name: "d2", OFPort: 1, OdpPort: 2, Type: "dummy"},
		{Name: "d1", OFPort: 2, OdpPort: 3, Type: "dummy"},
	}}})
	if got != wantDpif {
		t.Errorf("dpif/show:\n%s\nwant:\n%s", got, wantDpif)
	}
}

func TestShowTextNetdev(t *testing.T) {
	enterPrivateNetns(t)
	addVeth(t, "h2va", "h2vb", "02:00:00:00:04:01", "02:00:00:00:04:02")
	d, err := NewDatapath("netdev", "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range []struct{ typ, name string }{
		{"internal", "h2nb"}, {"tap", "h2tap"}, {"", "h2va"}, {"internal", "h2int"},
	} {
		port, err := d.OpenPort(p.typ, p.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.AddPort(port)
	}
	const port = `    RX packets:0 errors:0 dropped:0 overruns:0 frame:0
    TX packets:0 errors:0 dropped:0 aborted:0 carrier:0
    collisions:0
    RX bytes:0  TX bytes:0
`
	want := "netdev@ovs-netdev:\n  lookups: hit:0 missed:0 lost:0\n  flows: 0\n" +
		"  port 0: ovs-netdev (tap)\n" + port +
		"  port 1: h2nb (tap)\n" + port +
		"  port 2: h2tap (tap)\n" + port +
		"  port 3: h2va\n" + port +
		"  port 4: h2int (tap)\n" + port
	if got := d.ShowText(true); got != want {
		t.Errorf("dpctl/show -s:\n%s\nwant:\n%s", got, want)
	}

	const wantDpif = `netdev@ovs-netdev: hit:0 missed:0
  h2nb:
    h2int 3/4: (tap)
    h2nb 65534/1: (tap)
    h2tap 1/2: (tap)
    h2va 2/3: (system)
  refbr1:
    refpa 4/none: (patch: peer=refpb)
`
	got := d.DpifShowText([]BridgeShow{
		{Name: "refbr1", Ports: []BridgeShowPort{
			{Name: "refpa", OFPort: 4, NoOdp: true, Type: "patch", Config: map[string]string{"peer": "refpb"}},
		}},
		{Name: "h2nb", Ports: []BridgeShowPort{
			{Name: "h2va", OFPort: 2, OdpPort: 3, Type: PortOpenType("netdev", "")},
			{Name: "h2nb", OFPort: 65534, OdpPort: 1, Type: PortOpenType("netdev", "internal")},
			{Name: "h2tap", OFPort: 1, OdpPort: 2, Type: "tap"},
			{Name: "h2int", OFPort: 3, OdpPort: 4, Type: PortOpenType("netdev", "internal")},
		}},
	})
	if got != wantDpif {
		t.Errorf("dpif/show:\n%s\nwant:\n%s", got, wantDpif)
	}
}

func TestShowStatsHumanSizes(t *testing.T) {
	var b strings.Builder
	writePortStats(&b, PortStats{RxPackets: 103, RxBytes: 7023, TxPackets: 105, TxBytes: 6952})
	writePortStats(&b, PortStats{RxPackets: 16, RxBytes: 892, TxBytes: 3 << 30,
		Unsupported: AllStats &^ (StatRxPackets.Set() | StatRxBytes.Set() | StatTxBytes.Set())})
	const want = `    RX packets:103 errors:0 dropped:0 overruns:0 frame:0
    TX packets:105 errors:0 dropped:0 aborted:0 carrier:0
    collisions:0
    RX bytes:7023 (6.9 KiB)  TX bytes:6952 (6.8 KiB)
    RX packets:16 errors:? dropped:? overruns:? frame:?
    TX packets:? errors:? dropped:? aborted:? carrier:?
    collisions:?
    RX bytes:892  TX bytes:3221225472 (3.0 GiB)
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatConfigSorted(t *testing.T) {
	got := formatConfig(map[string]string{"xdp-mode": "best-effort", "n_rxq": "1", "use-need-wakeup": "true"})
	if want := ": n_rxq=1, use-need-wakeup=true, xdp-mode=best-effort"; got != want {
		t.Errorf("formatConfig = %q, want %q", got, want)
	}
}
