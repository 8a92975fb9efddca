package ofproto

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
)

// frozenText shows frozen items the way ovs-ofctl shows a continuation's
// actions.
func frozenText(items []frozenItem) string {
	var s []string
	for _, it := range items {
		if it.act == nil {
			s = append(s, "unroll("+string(rune('0'+it.table))+","+hex.EncodeToString([]byte{byte(it.cookie)})+")")
			continue
		}
		s = append(s, it.act.String())
	}
	return strings.Join(s, " ")
}

func mustActions(t *testing.T, s string) ofactions.List {
	t.Helper()
	l, err := ofactions.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return l
}

// TestFreezeActions checks how unwinding lists become frozen actions:
// instructions turn into actions, notes go, and an unroll marker goes
// before the first action that can reach a controller and wherever the
// table or cookie changes.
func TestFreezeActions(t *testing.T) {
	x := &xlate{table: 2, cookie: 0x32}
	x.pauseAt(&ofactions.Controller{Pause: true})
	if !x.exit {
		t.Fatal("pause does not end translation")
	}
	inner := mustActions(t, "controller(pause),note:00.01,set_field:0x1->reg1,goto_table:3")
	x.freezeTail(inner, 0)
	x.table, x.cookie = 1, 0x21
	outer := mustActions(t, "resubmit(,2),output:2,dec_ttl,resubmit(,5)")
	x.freezeTail(outer, 0)
	x.table, x.cookie = 0, 0x10
	top := mustActions(t, "resubmit(,1),resubmit:9")
	x.freezeTail(top, 0)
	want := "set_field:0x1->reg1 resubmit(,3) unroll(1,21) output:2 dec_ttl resubmit(,5) unroll(0,10) resubmit:9"
	if got := frozenText(x.pause.items); got != want {
		t.Errorf("frozen:\n got %s\nwant %s", got, want)
	}

	// Nothing frozen yet when an enclosing list unwinds: the action that
	// was running is frozen too, as in OVS.
	x = &xlate{table: 1, cookie: 0x21}
	x.pauseAt(&ofactions.Controller{Pause: true})
	x.freezeTail(mustActions(t, "output:2,controller(pause)"), 1)
	x.table, x.cookie = 0, 0
	x.freezeTail(mustActions(t, "write_metadata:0x7/0xff,goto_table:1,output:3"), 1)
	want = "resubmit(,1) unroll(0,00) output:3"
	if got := frozenText(x.pause.items); got != want {
		t.Errorf("frozen after an empty unwind:\n got %s\nwant %s", got, want)
	}
}

// TestPausedPacketInDecodesWithOVS has ovs-ofctl decode the continuation
// of a paused packet-in in OpenFlow 1.0 and 1.3.
func TestPausedPacketInDecodesWithOVS(t *testing.T) {
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	pp := pausedPipeline{
		items: []frozenItem{
			{act: mustActions(t, "push:NXM_NX_REG0[]")[0]},
			{table: 1, cookie: 0x21},
			{act: mustActions(t, "controller(pause)")[0]},
			{table: 0, cookie: 0},
			{table: 0, cookie: 0x10},
			{act: mustActions(t, "output:2")[0]},
		},
		stack:       nil,
		actset:      mustActions(t, "output:3"),
		conntracked: true,
		odpPort:     3,
	}
	cont := pp.encode()
	b := &Bridge{name: "br0"}
	for _, v := range []uint8{ofp.Version10, ofp.Version13} {
		pi := &packetIn{data: udpFrame(7), totalLen: 46, inPort: 1, reason: pinReasonAction, cookie: 0x10,
			paused: true, cont: cont, bridge: b}
		msg, err := encodePacketIn(pi, v, packetInNXT2)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ovs-ofctl", "ofp-print", hex.EncodeToString(msg)).CombinedOutput()
		if err != nil {
			t.Fatalf("ofp-print: %v: %s", err, out)
		}
		got := bridgeLineRE(string(out))
		want := " continuation.bridge=<uuid>\n" +
			" continuation.conntracked=true\n" +
			" continuation.actions=unroll_xlate(table=0, cookie=0),push:NXM_NX_REG0[],unroll_xlate(table=1, cookie=33),controller(pause),unroll_xlate(table=0, cookie=16),output:2\n" +
			" continuation.action_set=output:3\n" +
			" continuation.odp_port=3\n"
		if !strings.Contains(got, want) {
			t.Errorf("version %d:\n%s\nwant the continuation\n%s", v, got, want)
		}
	}
}

// bridgeLineRE hides the bridge's random UUID.
func bridgeLineRE(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, " continuation.bridge=") {
			l = " continuation.bridge=<uuid>"
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
