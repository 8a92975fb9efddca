package ofproto

import (
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
)

// pin2Userdata is NXPINT_USERDATA, controller(userdata=...)'s bytes in
// NXT_PACKET_IN2.
const pin2Userdata = 7

// controllerAction translates controller(...). Userdata travels with the
// frozen state to the packet-in (only NXT_PACKET_IN2 carries it, as in
// OVS). pause freezes the pipeline at the action (resume_freeze.go).
func (x *xlate) controllerAction(a *ofactions.Controller) {
	if len(a.Userdata) == 0 && !a.Pause {
		x.controller(a.Reason, a.MaxLen, a.ID)
		return
	}
	if a.Pause && x.tr != nil {
		// As OVS: a paused pipeline without side effects (a trace)
		// sends nothing.
		x.exit = true
		return
	}
	if a.Pause {
		x.pauseAt(a) // resume_freeze.go
		return
	}
	cookie := x.cookie
	x.commit()
	st := frozenState{bridge: x.br, table: x.table, inPort: x.inPort(), meta: x.frozenMeta(), userdata: string(a.Userdata)}
	x.acts = append(x.acts, dpif.Action{Type: dpif.ActUserspace, Userspace: &dpif.UserspaceAction{
		Kind: dpif.UserspaceController, Reason: uint16(a.Reason), MaxLen: a.MaxLen, ControllerID: a.ID,
		RuleCookie: cookie, RecircID: x.bk.recirc.idFor(st, x.now), DontSend: x.tr != nil,
	}})
}
