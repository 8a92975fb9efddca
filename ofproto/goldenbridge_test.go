package ofproto

import (
	"net"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// goldenBridge is an in-process Bridge set up like the reference switch
// the golden files were recorded against: bridge h7br, dpid 0x42, internal
// ports p1 and p2 (down, 10 Gb/s copper).
type goldenBridge struct {
	*Bridge
	mgmt string
}

func refPort(no uint16, name, mac string) Port {
	hw, _ := net.ParseMAC(mac)
	return Port{
		PortNo: no, Name: name, HWAddr: hw,
		Config: PortConfigDown, LinkDown: true,
		Curr:      Feature10GBFD | FeatureCopper,
		CurrSpeed: 10000000,
	}
}

func newGoldenBridge(t *testing.T) *goldenBridge {
	t.Helper()
	dir := t.TempDir()
	b, err := NewBridge("h7br", dir, nil, Config{DatapathID: 0x42})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	b.SetPort(refPort(1, "p1", "02:00:00:00:00:01"))
	b.SetPort(refPort(2, "p2", "02:00:00:00:00:02"))
	b.SetPort(refPort(mf.PortLocal, "h7br", "02:00:00:00:00:42"))
	return &goldenBridge{Bridge: b, mgmt: MgmtPath(dir, "h7br")}
}
