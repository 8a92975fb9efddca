package bridge

import (
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
)

func TestFlowRestoreWaitIsReadUntilFirstFalse(t *testing.T) {
	r := newReconciler(t.TempDir())
	steps := []struct {
		value string // "" removes the key
		want  bool
	}{
		{"true", true},
		{"TRUE", true},
		{"yes", false}, // only "true" counts, as smap_get_bool
		{"true", false},
		{"", false},
	}
	for i, s := range steps {
		oc := map[string]string{}
		if s.value != "" {
			oc["flow-restore-wait"] = s.value
		}
		r.setFlowRestoreWait(oc)
		if r.restoreWait.waiting != s.want {
			t.Errorf("step %d (%q): waiting = %v, want %v", i, s.value, r.restoreWait.waiting, s.want)
		}
	}
}

func TestFlowRestoreWaitGatesControllers(t *testing.T) {
	r := newReconciler(t.TempDir())
	want := map[string]*bridgeConfig{"br0": {name: "br0", controllers: []string{"tcp:127.0.0.1:6653"}}}
	r.setFlowRestoreWait(map[string]string{"flow-restore-wait": "true"})
	r.gateControllers(want)
	if got := want["br0"].controllers; got != nil {
		t.Errorf("controllers while waiting: %v", got)
	}
	want["br0"].controllers = []string{"tcp:127.0.0.1:6653"}
	r.setFlowRestoreWait(nil)
	r.gateControllers(want)
	if got := want["br0"].controllers; len(got) != 1 {
		t.Errorf("controllers after the wait: %v", got)
	}
}

func TestRestoreWaitHandlerInstallsNothing(t *testing.T) {
	u := &dpif.Upcall{Type: dpif.UpcallMiss, Actions: []dpif.Action{{}}}
	if err := (restoreWaitHandler{}).HandleUpcall(u); err != nil {
		t.Fatal(err)
	}
	if u.Actions != nil || !u.NoInstall {
		t.Errorf("upcall after the handler: actions %v, NoInstall %v", u.Actions, u.NoInstall)
	}
}
