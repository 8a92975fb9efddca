package bridge

import (
	"os"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/offload"
	"github.com/govswitchd/govswitchd/offload/xdp"
)

func TestReadOffloadOnce(t *testing.T) {
	for _, c := range []struct {
		name    string
		oc      map[string]string
		enabled bool
	}{
		{"unset", nil, false},
		{"dummy", map[string]string{"hw-offload": "true", "ct-offload-provider": "dummy"}, true},
		{"xdp by default", map[string]string{"hw-offload": "true"}, os.Geteuid() == 0},
		{"unknown provider", map[string]string{"hw-offload": "true", "ct-offload-provider": "nic"}, false},
		{"not true", map[string]string{"hw-offload": "yes", "ct-offload-provider": "dummy"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newReconciler(t.TempDir())
			r.readOffloadOnce(c.oc)
			if r.offload.enabled != c.enabled {
				t.Fatalf("enabled = %v, want %v", r.offload.enabled, c.enabled)
			}
			// Later changes need a restart.
			r.readOffloadOnce(map[string]string{"hw-offload": "true", "ct-offload-provider": "dummy"})
			if r.offload.enabled != c.enabled {
				t.Fatalf("after a change enabled = %v, want %v", r.offload.enabled, c.enabled)
			}
		})
	}
}

func TestAttachOffload(t *testing.T) {
	r := newReconciler(t.TempDir())
	r.readOffloadOnce(map[string]string{"hw-offload": "true", "ct-offload-provider": "dummy"})
	dp, err := dpif.NewDatapath("dummy", "ovs-dummy")
	if err != nil {
		t.Fatal(err)
	}
	ds := &datapathState{dp: dp}
	r.attachOffload(ds)
	if ds.offload == nil || ds.offload.ProviderName() != offload.DummyName {
		t.Fatalf("offload manager = %v, want the dummy provider", ds.offload)
	}
	detachOffload(ds)
	if ds.offload != nil {
		t.Fatal("detachOffload left the manager")
	}
	if err := dp.Close(); err != nil {
		t.Fatal(err)
	}
}

// The default provider, xdp, is built on the datapath and the shared maps.
func TestAttachOffloadXDP(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for BPF maps")
	}
	r := newReconciler(t.TempDir())
	r.readOffloadOnce(map[string]string{"hw-offload": "true"})
	dp, err := dpif.NewDatapath("dummy", "ovs-dummy")
	if err != nil {
		t.Fatal(err)
	}
	ds := &datapathState{dp: dp}
	r.attachOffload(ds)
	if ds.offload == nil || ds.offload.ProviderName() != xdp.Name {
		t.Fatalf("offload manager = %v, want the xdp provider", ds.offload)
	}
	if _, ok := ds.offload.Provider().(*xdp.Provider); !ok {
		t.Fatalf("provider %T", ds.offload.Provider())
	}
	detachOffload(ds)
	if err := dp.Close(); err != nil {
		t.Fatal(err)
	}
}
