package main

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofproto"
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
// supports: dummy ports in place of the devices level names, dummy
// datapath port numbers taken from port names (p1 is port 1), and the
// netdev-dummy/* commands, with flows (datapath or OpenFlow syntax) accepted in place of hex
// packets by netdev-dummy/receive. It must run before the bridges open
// ports.
func enableDummy(ctl *unixctl.Server, level dpif.DummyLevel) {
	if level == dpif.DummyOff {
		return
	}
	dpif.EnableDummy(level)
	dpif.SetDummyFlowComposer(ofproto.ComposeFlow)
	for _, c := range dpif.DummyCommands() {
		ctl.Register(c.Name, c.Usage, c.MinArgs, c.MaxArgs, c.Handler)
	}
}
