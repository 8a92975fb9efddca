package bridge

import (
	"reflect"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

func TestControllerRow(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	other := vswitchdb.ControllerRole("other")
	for _, c := range []struct {
		name string
		st   ofproto.ControllerStatus
		want vswitchdb.Controller
	}{{
		name: "never connected",
		st:   ofproto.ControllerStatus{Target: "tcp:127.0.0.1:6653", State: "CONNECTING"},
		want: vswitchdb.Controller{UUID: "u", Status: map[string]string{"state": "CONNECTING"}},
	}, {
		name: "connected",
		st: ofproto.ControllerStatus{Target: "tcp:127.0.0.1:6653", Connected: true, Role: "other",
			State: "ACTIVE", ConnectedAt: now.Add(-3 * time.Second)},
		want: vswitchdb.Controller{UUID: "u", IsConnected: true, Role: &other,
			Status: map[string]string{"state": "ACTIVE", "sec_since_connect": "3"}},
	}, {
		name: "gone",
		st: ofproto.ControllerStatus{Target: "tcp:127.0.0.1:6653", State: "BACKOFF", LastError: "Connection refused",
			ConnectedAt: now.Add(-10 * time.Second), DisconnectedAt: now.Add(-1500 * time.Millisecond)},
		want: vswitchdb.Controller{UUID: "u", Status: map[string]string{"state": "BACKOFF",
			"last_error": "Connection refused", "sec_since_connect": "10", "sec_since_disconnect": "1"}},
	}} {
		if got := controllerRow("u", c.st, now); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
