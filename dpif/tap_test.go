package dpif

import (
	"reflect"
	"testing"
)

func TestInternalPortIsTap(t *testing.T) {
	enterPrivateNetns(t)
	for _, typ := range []string{"internal", "tap"} {
		p, err := OpenPort(typ, "refint0", nil)
		if err != nil {
			t.Fatalf("OpenPort(%s): %v", typ, err)
		}
		l, ok := showLink(t, "refint0")
		if !ok {
			t.Fatalf("%s: no refint0 device after open", typ)
		}
		if l.LinkInfo.Kind != "tun" || l.LinkInfo.Data.Type != "tap" || l.LinkInfo.Data.Persist {
			t.Errorf("%s: ip says %+v, want a non-persistent tap", typ, l.LinkInfo)
		}
		if l.hasFlag("UP") || !l.hasFlag("PROMISC") {
			t.Errorf("%s: flags %v, want down and promiscuous", typ, l.Flags)
		}
		if p.Name() != "refint0" || p.Type() != typ {
			t.Errorf("name/type = %s/%s", p.Name(), p.Type())
		}
		want := PortInfo{
			Ifindex: l.Ifindex, MAC: mustMAC(t, l.Address), MTU: 1500,
			LinkSpeed: 10_000_000_000, FullDuplex: true,
			Status: map[string]string{"driver_name": "tun", "driver_version": "1.6", "firmware_version": ""},
		}
		if got := p.Info(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Info() = %+v\nwant     %+v", typ, got, want)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if _, ok := showLink(t, "refint0"); ok {
			t.Errorf("%s: refint0 still exists after Close", typ)
		}
	}
}

func TestInternalPortNameClash(t *testing.T) {
	enterPrivateNetns(t)
	addVeth(t, "refv3", "refv3p", "02:00:00:00:03:01", "02:00:00:00:03:02")
	_, err := OpenPort("internal", "refv3", nil)
	if want := "could not open network device refv3 (Invalid argument)"; err == nil || err.Error() != want {
		t.Errorf("OpenPort over a veth = %v, want %q", err, want)
	}
	_, err = OpenPort("internal", "a-name-longer-than-ifnamsiz", nil)
	if want := "could not open network device a-name-longer-than-ifnamsiz (Invalid argument)"; err == nil || err.Error() != want {
		t.Errorf("OpenPort with a long name = %v, want %q", err, want)
	}
}
