package dpif

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// portNames lists "number:name" for every port, in the order Ports gives.
func portNames(d *Datapath) []string {
	var out []string
	for _, dp := range d.Ports() {
		out = append(out, fmt.Sprintf("%d:%s", dp.Number, dp.Port.Name()))
	}
	return out
}

func newDummy(t *testing.T, name string) *DummyPort {
	t.Helper()
	p, err := NewDummyPort("dummy", name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDatapathNumbering(t *testing.T) {
	d, err := NewDatapath("dummy", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "ovs-dummy" || d.Type() != "dummy" || d.FullName() != "dummy@ovs-dummy" {
		t.Errorf("datapath is %s / %s / %s", d.Name(), d.Type(), d.FullName())
	}
	p0, ok := d.Port(0)
	if !ok || p0.Type() != "dummy-internal" || p0.Name() != "ovs-dummy" {
		t.Fatalf("port 0 = %v, %v", p0, ok)
	}

	a, b, c := newDummy(t, "a"), newDummy(t, "b"), newDummy(t, "c")
	if got := []uint32{d.AddPort(a), d.AddPort(b), d.AddPort(c)}; !reflect.DeepEqual(got, []uint32{1, 2, 3}) {
		t.Errorf("AddPort numbers = %v, want [1 2 3]", got)
	}
	if err := d.RemovePort(2); err != nil {
		t.Fatal(err)
	}
	if err := b.Recv(0, new(Batch)); err == nil {
		t.Error("RemovePort did not close the port")
	}
	e := newDummy(t, "e")
	if n := d.AddPort(e); n != 2 {
		t.Errorf("AddPort after removing 2 = %d, want the lowest free, 2", n)
	}
	if got, want := portNames(d), []string{"0:ovs-dummy", "1:a", "2:e", "3:c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ports() = %v, want %v", got, want)
	}
	if dp, ok := d.PortByName("c"); !ok || dp.Number != 3 {
		t.Errorf("PortByName(c) = %v, %v", dp, ok)
	}

	for _, tc := range []struct {
		port uint32
		want string
	}{
		{0, "remove port 0 of dummy@ovs-dummy: it is the datapath's own port: invalid argument"},
		{2000, "remove port 2000 of dummy@ovs-dummy: no such file or directory"},
	} {
		if err := d.RemovePort(tc.port); err == nil || err.Error() != tc.want {
			t.Errorf("RemovePort(%d) = %v, want %q", tc.port, err, tc.want)
		}
	}

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	for _, p := range []*DummyPort{a, c, e, p0.(*DummyPort)} {
		if err := p.Recv(0, new(Batch)); err == nil {
			t.Errorf("port %s still open after Close", p.Name())
		}
	}
	if got := d.Ports(); len(got) != 0 {
		t.Errorf("Ports() after Close = %v", got)
	}
	late := newDummy(t, "late")
	if n := d.AddPort(late); n != 0 || late.Recv(0, new(Batch)) == nil {
		t.Errorf("AddPort on a closed datapath = %d and left the port open", n)
	}
}

func TestNewDatapathUnknownType(t *testing.T) {
	_, err := NewDatapath("system", "")
	if want := "create datapath system@: unknown datapath type: address family not supported by protocol"; err == nil || err.Error() != want {
		t.Errorf("NewDatapath = %v, want %q", err, want)
	}
}

func TestNetdevDatapathOwnsTap(t *testing.T) {
	enterPrivateNetns(t)
	d, err := NewDatapath("netdev", "")
	if err != nil {
		t.Fatal(err)
	}
	l, ok := showLink(t, "ovs-netdev")
	if !ok || l.LinkInfo.Data.Type != "tap" {
		t.Fatalf("no ovs-netdev tap after NewDatapath: %+v", l)
	}
	br, err := d.OpenPort("internal", "refbr0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if br.Type() != "tap" {
		t.Errorf("internal port opened as %q, want tap", br.Type())
	}
	if n := d.AddPort(br); n != 1 {
		t.Errorf("AddPort = %d, want 1", n)
	}
	if got, want := portNames(d), []string{"0:ovs-netdev", "1:refbr0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ports() = %v, want %v", got, want)
	}
	if _, err := NewDatapath("netdev", ""); err == nil {
		t.Error("a second ovs-netdev datapath opened the busy tap")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ovs-netdev", "refbr0"} {
		if _, ok := showLink(t, name); ok {
			t.Errorf("%s still exists after Close", name)
		}
	}
}

func TestDatapathConcurrentUse(t *testing.T) {
	d, err := NewDatapath("dummy", "ovs-dummy-race")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p, _ := NewDummyPort("dummy", fmt.Sprintf("g%d-%d", g, i), nil)
				n := d.AddPort(p)
				_ = d.Ports()
				_ = d.ShowText(true)
				if err := d.RemovePort(n); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := portNames(d); !reflect.DeepEqual(got, []string{"0:ovs-dummy-race"}) {
		t.Errorf("Ports() = %v", got)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
