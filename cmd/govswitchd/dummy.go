package main

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/unixctl"
)

// dummyLevel reads --enable-dummy; DummyOff without it.
func dummyLevel(opts *options) (dpif.DummyLevel, error) {
	if opts.dummy == nil {
		return dpif.DummyOff, nil
	}
	return dpif.ParseDummyLevel(*opts.dummy)
}

// enableDummy does what ovs-vswitchd's --enable-dummy does that govswitchd
// supports: dummy ports in place of the devices level names, and the
// netdev-dummy/* commands, with datapath flows accepted in place of hex
// packets by netdev-dummy/receive. It must run before the bridges open
// ports.
func enableDummy(ctl *unixctl.Server, level dpif.DummyLevel) {
	if level == dpif.DummyOff {
		return
	}
	dpif.OverrideWithDummy(level)
	dpif.SetDummyFlowComposer(dpif.ComposeODPFlow)
	for _, c := range dpif.DummyCommands() {
		ctl.Register(c.Name, c.Usage, c.MinArgs, c.MaxArgs, c.Handler)
	}
}
