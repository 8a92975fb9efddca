package bridge

import (
	"slices"
	"testing"
)

func TestConfineControllers(t *testing.T) {
	const run = "/var/run/openvswitch"
	allowed := []string{
		"tcp:1.2.3.4:6653", "ssl:1.2.3.4", "ptcp:6653", "pssl:6653:127.0.0.1",
		"unix:/var/run/openvswitch/ctl.sock", "unix:/var/run/openvswitch/sub/c.sock", "unix:relative.sock",
		"punix:/var/run/openvswitch/br0.controller", "punix:/var/run/openvswitch//br0.c",
	}
	refused := []string{
		"unix:/tmp/ctl.sock", "unix:/var/run/openvswitch/../x.sock", "unix:/var/run/openvswitchx/a",
		"punix:/tmp/br0.c", "punix:/var/run/openvswitch/br1.c", "punix:/var/run/openvswitch/br0.x/y",
		"punix:/var/run/openvswitch/ctl.sock", "punix:relative",
	}
	got := confineControllers(run, "br0", append(slices.Clone(allowed), refused...))
	if !slices.Equal(got, allowed) {
		t.Errorf("got %q\nwant %q", got, allowed)
	}
}
