package ofproto

import (
	"encoding/binary"
	"testing"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
)

// FuzzResume feeds NXT_RESUME messages (and OpenFlow 1.2 flow mods and
// table stats, and table features requests, served by this change) to a
// connection in any version: decoding must fail cleanly, never panic.
func FuzzResume(f *testing.F) {
	b := fuzzBridge()
	pp := pausedPipeline{
		items: []frozenItem{
			{act: mustActionsF(f, "push:NXM_NX_REG0[]")},
			{table: 1, cookie: 0x21},
			{act: mustActionsF(f, "controller(pause)")},
			{act: mustActionsF(f, "goto_table:3")},
		},
		actset:      nil,
		conntracked: true,
		odpPort:     2,
	}
	for _, v := range []uint8{ofp.Version10, ofp.Version13} {
		pi := &packetIn{data: udpFrame(7), totalLen: 46, inPort: 1, reason: pinReasonAction, cookie: 1,
			paused: true, cont: pp.encode(), bridge: b}
		msg, err := encodePacketIn(pi, v, packetInNXT2)
		if err != nil {
			f.Fatal(err)
		}
		binary.BigEndian.PutUint32(msg[12:], 28) // NXT_PACKET_IN2 -> NXT_RESUME
		f.Add(msg)
	}
	for _, raw := range []ofp.Raw{ofp.RawOFPSTTableRequest, ofp.RawOFPST13TableFeaturesRequest} {
		v := ofp.Version12
		if raw == ofp.RawOFPST13TableFeaturesRequest {
			v = ofp.Version13
		}
		m, err := ofp.AppendRawHeader(nil, raw, v, 3, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ofp.FinishMessage(m, 0))
	}
	fm, err := ofp.ParseFlow("table=1,priority=5,ip,nw_src=10.0.0.1,actions=set_field:10.0.0.2->ip_dst,write_actions(output:2),goto_table:2", ofp.FlowAdd)
	if err != nil {
		f.Fatal(err)
	}
	if m, err := ofp.EncodeFlowMod(fm, ofp.ProtoOF12, 4); err == nil {
		f.Add(m)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) < 8 || len(msg) > 1<<16-1 {
			return
		}
		msg = append([]byte(nil), msg...)
		binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
		c := newConn(b, discardConn(), connService, false)
		defer c.close()
		c.version = msg[0]
		before := internalErrors.Load()
		c.handle(msg)
		if internalErrors.Load() != before {
			t.Fatalf("handler panicked on % x (see the log)", msg)
		}
	})
}

func mustActionsF(f *testing.F, s string) ofactions.Action {
	f.Helper()
	l, err := ofactions.Parse(s)
	if err != nil || len(l) != 1 {
		f.Fatalf("parse %q: %v", s, err)
	}
	return l[0]
}
