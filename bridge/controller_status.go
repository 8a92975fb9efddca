package bridge

import (
	"maps"
	"strconv"
	"time"

	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// The Controller table's write-back: is_connected, role and status of each
// active controller target, as OVS writes them on every connectivity
// change (not on a timer: the sec_since_* values are as of the change).

var controllerColumns = []column[vswitchdb.Controller]{
	{"is_connected", func(m *vswitchdb.Controller) any { return &m.IsConnected }},
	{"role", func(m *vswitchdb.Controller) any { return &m.Role }},
	{"status", func(m *vswitchdb.Controller) any { return &m.Status }},
}

// ctrlWritten is the last controller state written for one target and the
// row it produced; the row is reused while the state stays the same.
type ctrlWritten struct {
	st  ofproto.ControllerStatus
	row vswitchdb.Controller
}

// controllerRow is the Controller row OVS would write for st at now.
func controllerRow(uuid string, st ofproto.ControllerStatus, now time.Time) vswitchdb.Controller {
	row := vswitchdb.Controller{UUID: uuid, IsConnected: st.Connected, Status: map[string]string{}}
	if st.Connected {
		role := vswitchdb.ControllerRole(st.Role)
		row.Role = &role
	}
	if st.State != "" {
		row.Status["state"] = st.State
	}
	if st.LastError != "" {
		row.Status["last_error"] = st.LastError
	}
	secs := func(t time.Time) string { return strconv.Itoa(int(now.Sub(t) / time.Second)) }
	if !st.ConnectedAt.IsZero() {
		row.Status["sec_since_connect"] = secs(st.ConnectedAt)
	}
	if !st.DisconnectedAt.IsZero() {
		row.Status["sec_since_disconnect"] = secs(st.DisconnectedAt)
	}
	// The packet-in rate limiter's counters (packet-in-miss-dropped, ...).
	maps.Copy(row.Status, st.PacketIn)
	return row
}

// sameControllerStatus compares two states, counters included.
func sameControllerStatus(a, b ofproto.ControllerStatus) bool {
	return a.Target == b.Target && a.Connected == b.Connected && a.Role == b.Role &&
		a.State == b.State && a.LastError == b.LastError &&
		a.ConnectedAt == b.ConnectedAt && a.DisconnectedAt == b.DisconnectedAt &&
		maps.Equal(a.PacketIn, b.PacketIn)
}

// controllerOps adds to add the updates of br's Controller rows. Rows of
// passive targets, which have no connection state, are left alone.
func (s *Switch) controllerOps(snap *snapshot, br *bridgeState, have *vswitchdb.Bridge, add func(model.Model, []any) error) error {
	if br.of == nil || len(have.Controller) == 0 {
		return nil
	}
	byTarget := make(map[string]ofproto.ControllerStatus)
	for _, st := range br.of.ControllerStatus() {
		byTarget[st.Target] = st
	}
	if br.ctrlWritten == nil {
		br.ctrlWritten = make(map[string]*ctrlWritten)
	}
	now := time.Now()
	for _, u := range have.Controller {
		cur := snap.ctrls[u]
		if cur == nil {
			continue
		}
		st, ok := byTarget[cur.Target]
		if !ok {
			continue
		}
		w := br.ctrlWritten[u]
		if w == nil || !sameControllerStatus(w.st, st) {
			w = &ctrlWritten{st: st, row: controllerRow(u, st, now)}
			br.ctrlWritten[u] = w
		}
		want := w.row
		if err := add(&want, changedFields(controllerColumns, u, &want, cur, nil, s.writes)); err != nil {
			return err
		}
	}
	return nil
}

// statusChanged asks the loop to write the database without
// reconfiguring; controllers call it on every state change.
func (s *Switch) statusChanged() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}
