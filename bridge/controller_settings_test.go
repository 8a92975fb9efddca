package bridge

import (
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// inactivity_probe and max_backoff are read as ovs-vswitchd reads them.
func TestControllerTiming(t *testing.T) {
	ms := func(v int) *int { return &v }
	for _, c := range []struct {
		probe, backoff *int
		want           ofproto.ControllerTiming
	}{
		{nil, nil, ofproto.ControllerTiming{Probe: 5 * time.Second, MaxBackoff: 8 * time.Second}},
		{ms(0), nil, ofproto.ControllerTiming{Probe: 0, MaxBackoff: 8 * time.Second}},
		{ms(500), ms(1000), ofproto.ControllerTiming{Probe: 5 * time.Second, MaxBackoff: time.Second}},
		{ms(30000), ms(2500), ofproto.ControllerTiming{Probe: 30 * time.Second, MaxBackoff: 2 * time.Second}},
		{ms(7999), ms(60000), ofproto.ControllerTiming{Probe: 7 * time.Second, MaxBackoff: time.Minute}},
	} {
		got := controllerTiming(&vswitchdb.Controller{InactivityProbe: c.probe, MaxBackoff: c.backoff})
		if got != c.want {
			t.Errorf("inactivity_probe %v max_backoff %v: got %+v, want %+v", c.probe, c.backoff, got, c.want)
		}
	}
}
