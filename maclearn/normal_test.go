package maclearn

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// traceBridge is the bridge the OVS 3.1 traces in
// testdata/ovs-3.1-trace-vlan.txt were taken on: one port per VLAN mode.
var traceBridge = []PortSettings{
	{Port: PortLocal, Name: "br2", Tag: 10, HasTag: true},
	{Port: 1, Name: "p1", Tag: 10, HasTag: true},
	{Port: 2, Name: "p2"},
	{Port: 3, Name: "p3", Trunks: []int{10, 20}},
	{Port: 4, Name: "p4", Tag: 10, HasTag: true, VLANMode: "native-tagged"},
	{Port: 5, Name: "p5", Tag: 20, HasTag: true, VLANMode: "native-untagged"},
	{Port: 6, Name: "p6", Tag: 30, HasTag: true, VLANMode: "dot1q-tunnel"},
	{Port: 7, Name: "p7", Tag: 20, HasTag: true},
	{Port: 8, Name: "p8", Tag: 30, HasTag: true, VLANMode: "dot1q-tunnel", CVLANs: []int{10}},
}

// traceODPPorts maps the datapath port numbers in the traces to OpenFlow
// ports, as dpif/show listed them.
var traceODPPorts = map[int]Port{13: PortLocal, 7: 1, 8: 2, 6: 3, 12: 4, 10: 5, 5: 6, 11: 7, 9: 8}

func newTestSwitch(t testing.TB, ports []PortSettings) *Switch {
	t.Helper()
	tb := NewTable(Config{Clock: newFakeClock().Now})
	s := NewSwitch(tb)
	if err := s.SetPorts(ports); err != nil {
		t.Fatal(err)
	}
	return s
}

// parseTraceFlow turns an ofproto/trace flow of the form the capture used
// into a Packet.
func parseTraceFlow(t *testing.T, flow string) Packet {
	t.Helper()
	var p Packet
	for _, kv := range strings.Split(flow, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "in_port":
			if v == "LOCAL" {
				p.InPort = PortLocal
			} else {
				n, _ := strconv.Atoi(v)
				p.InPort = Port(n)
			}
		case "dl_vlan":
			n, _ := strconv.Atoi(v)
			p.VLANs[0] = VLANTag{TPID: TPID8021Q, VID: uint16(n)}
		case "vlan_tci":
			n, _ := strconv.ParseUint(v, 0, 16)
			if n&0x1000 != 0 {
				p.VLANs[0] = VLANTag{TPID: TPID8021Q, VID: uint16(n & 0xfff), PCP: uint8(n >> 13)}
			}
		case "dl_src":
			p.Src = mustMAC(t, v)
		case "dl_dst":
			p.Dst = mustMAC(t, v)
		default:
			t.Fatalf("unknown flow field %q", k)
		}
	}
	return p
}

func formatStack(tags []VLANTag) string {
	var parts []string
	for _, v := range tags {
		if v.TPID == 0 {
			break
		}
		parts = append(parts, fmt.Sprintf("%04x/%d/%d", v.TPID, v.VID, v.PCP))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// runODPActions executes OVS datapath actions on a VLAN stack and lists
// each output as "port[stack]", sorted.
func runODPActions(t *testing.T, odp map[int]Port, start [2]VLANTag, actions string) []string {
	t.Helper()
	var out []string
	if actions == "drop" {
		return out
	}
	stack := []VLANTag{}
	for _, v := range start {
		if v.TPID != 0 {
			stack = append(stack, v)
		}
	}
	for actions != "" {
		var act string
		if i := strings.Index(actions, ")"); strings.HasPrefix(actions, "push_vlan(") && i > 0 {
			act, actions = actions[:i+1], strings.TrimPrefix(actions[i+1:], ",")
		} else {
			act, actions, _ = strings.Cut(actions, ",")
		}
		switch {
		case act == "pop_vlan":
			stack = stack[1:]
		case strings.HasPrefix(act, "push_vlan("):
			tag := VLANTag{TPID: TPID8021Q}
			for _, kv := range strings.Split(strings.TrimSuffix(act[len("push_vlan("):], ")"), ",") {
				k, v, _ := strings.Cut(kv, "=")
				n, err := strconv.ParseUint(v, 0, 16)
				if err != nil {
					t.Fatalf("action %q: %v", act, err)
				}
				switch k {
				case "tpid":
					tag.TPID = uint16(n)
				case "vid":
					tag.VID = uint16(n)
				case "pcp":
					tag.PCP = uint8(n)
				}
			}
			stack = append([]VLANTag{tag}, stack...)
		default:
			n, err := strconv.Atoi(act)
			if err != nil {
				t.Fatalf("action %q", act)
			}
			port, ok := odp[n]
			if !ok {
				t.Fatalf("unknown datapath port %d", n)
			}
			out = append(out, port.String()+formatStack(stack))
		}
	}
	sort.Strings(out)
	return out
}

func decisionOutputs(d *Decision) []string {
	out := []string{}
	for _, o := range d.Outputs {
		out = append(out, o.Port.String()+formatStack(o.VLANs[:]))
	}
	sort.Strings(out)
	return out
}

// TestNormalMatchesOVSTraces floods packets of every VLAN shape into every
// VLAN mode and compares the copies (port and exact VLAN headers) with what
// OVS 3.1's ofproto/trace produced.
func TestNormalMatchesOVSTraces(t *testing.T) {
	checkTraces(t, "ovs-3.1-trace-vlan.txt", 76, traceBridge, traceODPPorts)
}

// TestNormalPriorityTags checks other_config:priority-tags against OVS 3.1
// traces on a bridge of access, trunk and native ports with each setting.
func TestNormalPriorityTags(t *testing.T) {
	ports := []PortSettings{
		{Port: PortLocal, Name: "br3", Tag: 99, HasTag: true},
		{Port: 1, Name: "q1", Tag: 10, HasTag: true, PriorityTags: "if-nonzero"},
		{Port: 2, Name: "q2"},
		{Port: 3, Name: "q3", Tag: 10, HasTag: true, PriorityTags: "always"},
		{Port: 4, Name: "q4", PriorityTags: "always"},
		{Port: 5, Name: "q5", Tag: 10, HasTag: true},
		{Port: 6, Name: "q6", Tag: 10, HasTag: true, VLANMode: "native-untagged", PriorityTags: "if-nonzero"},
	}
	odp := map[int]Port{7: PortLocal, 6: 1, 5: 2, 1: 3, 3: 4, 4: 5, 2: 6}
	checkTraces(t, "ovs-3.1-trace-priority-tags.txt", 7, ports, odp)
}

func checkTraces(t *testing.T, file string, n int, ports []PortSettings, odp map[int]Port) {
	t.Helper()
	s := newTestSwitch(t, ports)
	lines := strings.Split(strings.TrimSpace(readTestdata(t, file)), "\n")
	if len(lines) != n {
		t.Fatalf("%d trace lines, want %d", len(lines), n)
	}
	var d Decision
	for _, line := range lines {
		flow, actions, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		p := parseTraceFlow(t, flow)
		p.NoLearn = true // ofproto/trace has no side effects
		s.Normal(&p, &d)
		want := runODPActions(t, odp, p.VLANs, actions)
		got := decisionOutputs(&d)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s (%s):\n got %v\nwant %v", flow, d.Reason, got, want)
		}
	}
	if n := len(s.Table().Entries()); n != 0 {
		t.Fatalf("NoLearn learned %d entries", n)
	}
}

func TestNormalConsultedFields(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	var d Decision
	ip := [4]byte{10, 0, 0, 1}
	for _, tc := range []struct {
		name string
		p    Packet
		want Consulted
	}{
		{"ip", Packet{InPort: 2, Src: macA, Dst: BroadcastMAC, EthType: 0x0800}, 0},
		{"unicast arp", Packet{InPort: 2, Src: macA, Dst: macB, EthType: EthTypeARP, ARPOp: ARPOpRequest}, 0},
		{"arp reply", Packet{InPort: 2, Src: macA, Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpReply}, ConsultedARPOp},
		{"arp request", Packet{InPort: 2, Src: macA, Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpRequest, ARPSrcIP: ip},
			ConsultedARPOp | ConsultedARPIPs},
		{"flood into cvlan-filtered tunnel", Packet{InPort: 6, Src: macA, Dst: BroadcastMAC,
			VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}, ConsultedInnerVLAN},
	} {
		s.Normal(&tc.p, &d)
		if d.Consulted != tc.want {
			t.Errorf("%s: consulted %b, want %b", tc.name, d.Consulted, tc.want)
		}
	}
}

func TestNormalDropReasons(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	var d Decision
	bcast := func(in Port, vid uint16) Packet {
		p := Packet{InPort: in, Src: macA, Dst: BroadcastMAC}
		if vid != 0 {
			p.VLANs[0] = VLANTag{TPID: TPID8021Q, VID: vid}
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		p      Packet
		reason string
	}{
		{"unknown input", bcast(99, 0), ReasonNoInputPort},
		{"access tagged", bcast(1, 10), ReasonBadVLAN},
		{"trunk not listed", bcast(3, 30), ReasonBadVLAN},
		{"tunnel cvlan", bcast(8, 20), ReasonBadVLAN},
		{"partial", Packet{InPort: 2, Dst: BroadcastMAC, PartialVLAN: true}, ReasonPartialVLAN},
		{"stp", Packet{InPort: 2, Src: macA, Dst: MAC{0x01, 0x80, 0xc2, 0, 0, 0}}, ReasonReservedMAC},
		{"lldp", Packet{InPort: 2, Src: macA, Dst: MAC{0x01, 0x80, 0xc2, 0, 0, 0x0e}}, ReasonReservedMAC},
		{"cdp", Packet{InPort: 2, Src: macA, Dst: MAC{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}}, ReasonReservedMAC},
	} {
		s.Normal(&tc.p, &d)
		if d.Verdict != Drop || d.Reason != tc.reason || len(d.Outputs) != 0 {
			t.Errorf("%s: %v %q %v", tc.name, d.Verdict, d.Reason, d.Outputs)
		}
	}
	if n := len(s.Table().Entries()); n != 0 {
		t.Fatalf("dropped packets taught %d entries", n)
	}

	s.SetForwardBPDU(true)
	p := Packet{InPort: 2, Src: macA, Dst: MAC{0x01, 0x80, 0xc2, 0, 0, 0}, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 20}}}
	s.Normal(&p, &d)
	if d.Verdict != Flood {
		t.Fatalf("forward-bpdu: %v %q", d.Verdict, d.Reason)
	}
}

// TestNormalLearnedForwarding walks two hosts through learning: the first
// packet floods, the reply goes straight back, and VLAN headers are
// converted between an access and a trunk port.
func TestNormalLearnedForwarding(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	var d Decision

	// Host A on access port 1 (VLAN 10) broadcasts an ARP request.
	arp := Packet{InPort: 1, Src: macA, Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpRequest,
		ARPSrcIP: [4]byte{10, 0, 0, 1}, ARPDstIP: [4]byte{10, 0, 0, 2}}
	s.Normal(&arp, &d)
	if d.Verdict != Flood || !d.Learned || d.VLAN != 10 || d.Reason != ReasonNoLearnedFlood {
		t.Fatalf("first packet: %+v", d)
	}
	// Host B answers through trunk port 2 tagged 10.
	reply := Packet{InPort: 2, Src: macB, Dst: macA, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10, PCP: 2}}}
	s.Normal(&reply, &d)
	if d.Verdict != Forward || d.Reason != ReasonLearnedPort || !d.Learned {
		t.Fatalf("reply: %+v", d)
	}
	if want := []Output{{Port: 1, Action: VLANStrip}}; fmt.Sprint(d.Outputs) != fmt.Sprint(want) {
		t.Fatalf("reply outputs %v, want %v", d.Outputs, want)
	}
	// A's unicast to B gets tagged on the way into the trunk.
	uni := Packet{InPort: 1, Src: macA, Dst: macB}
	s.Normal(&uni, &d)
	want := []Output{{Port: 2, Action: VLANPush, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}}
	if d.Verdict != Forward || d.Learned || fmt.Sprint(d.Outputs) != fmt.Sprint(want) {
		t.Fatalf("unicast: %+v, want outputs %v", d, want)
	}
	// A priority-tagged frame from A has its tag rewritten, keeping PCP.
	prio := Packet{InPort: 1, Src: macA, Dst: macB, VLANs: [2]VLANTag{{TPID: TPID8021Q, PCP: 5}}}
	s.Normal(&prio, &d)
	want = []Output{{Port: 2, Action: VLANRewrite, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10, PCP: 5}}}}
	if fmt.Sprint(d.Outputs) != fmt.Sprint(want) {
		t.Fatalf("priority tag: %v, want %v", d.Outputs, want)
	}
	// B in VLAN 20 is a different host entirely: flood.
	other := Packet{InPort: 3, Src: macC, Dst: macB, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 20}}}
	s.Normal(&other, &d)
	if d.Verdict != Flood {
		t.Fatalf("VLAN 20: %+v", d)
	}
	// Trunk to trunk keeps the header.
	keep := Packet{InPort: 3, Src: macC, Dst: macB, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}
	s.Normal(&keep, &d)
	if want := []Output{{Port: 2, Action: VLANKeep, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}}; fmt.Sprint(d.Outputs) != fmt.Sprint(want) {
		t.Fatalf("trunk to trunk: %v, want %v", d.Outputs, want)
	}
	// A destination learned on the input port is dropped, never hairpinned.
	back := Packet{InPort: 2, Src: macC, Dst: macB, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}
	s.Normal(&back, &d)
	if d.Verdict != Drop || d.Reason != ReasonLearnedIsInput {
		t.Fatalf("hairpin: %+v", d)
	}
}

func TestNormalNativeAndTunnelEgress(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	var d Decision
	learn := func(in Port, src MAC, tags ...VLANTag) {
		p := Packet{InPort: in, Src: src, Dst: BroadcastMAC}
		copy(p.VLANs[:], tags)
		s.Normal(&p, &d)
	}
	learn(5, macA)                                            // native-untagged 20: A in VLAN 20
	learn(4, macB)                                            // native-tagged 10: B in VLAN 10
	learn(6, macC, VLANTag{TPID: TPID8021Q, VID: 10, PCP: 1}) // tunnel 30, C-VLAN 10
	for _, tc := range []struct {
		name string
		p    Packet
		want []Output
	}{
		{"native-untagged egress pops its VLAN",
			Packet{InPort: 3, Src: MAC{2, 9, 9, 9, 9, 9}, Dst: macA, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 20}}},
			[]Output{{Port: 5, Action: VLANStrip}}},
		{"native-tagged egress keeps its VLAN tagged",
			Packet{InPort: 2, Src: MAC{2, 9, 9, 9, 9, 8}, Dst: macB, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}},
			[]Output{{Port: 4, Action: VLANKeep, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}}},
		{"native ingress untagged gets tagged on a trunk",
			Packet{InPort: 4, Src: macB, Dst: MAC{2, 9, 9, 9, 9, 8}},
			[]Output{{Port: 2, Action: VLANPush, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10}}}}},
		{"dot1q-tunnel egress pops the S-tag",
			Packet{InPort: 2, Src: MAC{2, 9, 9, 9, 9, 7}, Dst: macC,
				VLANs: [2]VLANTag{{TPID: TPID8021AD, VID: 30}, {TPID: TPID8021Q, VID: 10, PCP: 1}}},
			[]Output{{Port: 6, Action: VLANStrip, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10, PCP: 1}}}}},
		{"dot1q-tunnel ingress pushes the S-tag",
			Packet{InPort: 6, Src: macC, Dst: MAC{2, 9, 9, 9, 9, 7}, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 10, PCP: 1}}},
			[]Output{{Port: 2, Action: VLANPush, VLANs: [2]VLANTag{{TPID: TPID8021AD, VID: 30}, {TPID: TPID8021Q, VID: 10, PCP: 1}}}}},
	} {
		s.Normal(&tc.p, &d)
		if fmt.Sprint(d.Outputs) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v (%s), want %v", tc.name, d.Outputs, d.Reason, tc.want)
		}
	}
}

func TestNormalFloodSetFlags(t *testing.T) {
	s := newTestSwitch(t, []PortSettings{
		{Port: 1, Name: "p1", Protected: true},
		{Port: 2, Name: "p2", Protected: true},
		{Port: 3, Name: "p3"},
		{Port: 4, Name: "p4", NoFlood: true},
		{Port: 5, Name: "p5", MirrorOut: true},
		{Port: 6, Name: "p6", Trunks: []int{5}},
	})
	var d Decision
	p := Packet{InPort: 1, Src: macA, Dst: BroadcastMAC}
	s.Normal(&p, &d)
	// Not back to 1, not protected 2, not no-flood 4, not mirror 5, not 6
	// which does not trunk VLAN 0.
	if got := decisionOutputs(&d); strings.Join(got, " ") != "3[]" {
		t.Fatalf("flood from protected port: %v", got)
	}
	p = Packet{InPort: 3, Src: macB, Dst: BroadcastMAC}
	s.Normal(&p, &d)
	if got := decisionOutputs(&d); strings.Join(got, " ") != "1[] 2[]" {
		t.Fatalf("flood from port 3: %v", got)
	}
	// Unicast still reaches a no-flood port.
	s.Table().Learn(macC, 0, 4, 0)
	p = Packet{InPort: 3, Src: macB, Dst: macC}
	s.Normal(&p, &d)
	if d.Verdict != Forward || len(d.Outputs) != 1 || d.Outputs[0].Port != 4 {
		t.Fatalf("unicast to no-flood port: %+v", d)
	}
	// Mirror output ports neither receive nor are forwarded to.
	p = Packet{InPort: 5, Src: macB, Dst: BroadcastMAC}
	s.Normal(&p, &d)
	if d.Reason != ReasonInputMirror {
		t.Fatalf("input from mirror port: %+v", d)
	}
	s.Table().AddStatic(MAC{2, 0, 0, 0, 0, 5}, 0, 5)
	s.Table().AddStatic(MAC{2, 0, 0, 0, 0, 9}, 0, 9)
	p = Packet{InPort: 3, Src: macB, Dst: MAC{2, 0, 0, 0, 0, 5}}
	s.Normal(&p, &d)
	if d.Reason != ReasonLearnedMirror {
		t.Fatalf("to mirror port: %+v", d)
	}
	p.Dst = MAC{2, 0, 0, 0, 0, 9}
	s.Normal(&p, &d)
	if d.Reason != ReasonLearnedUnknown {
		t.Fatalf("to unknown port: %+v", d)
	}
	// Protected to protected unicast is dropped too.
	s.Table().Learn(MAC{2, 0, 0, 0, 0, 2}, 0, 2, 0)
	p = Packet{InPort: 1, Src: macA, Dst: MAC{2, 0, 0, 0, 0, 2}}
	s.Normal(&p, &d)
	if len(d.Outputs) != 0 {
		t.Fatalf("protected unicast: %+v", d)
	}
}

func TestNormalFloodVLANs(t *testing.T) {
	s := newTestSwitch(t, []PortSettings{{Port: 1}, {Port: 2}, {Port: 3}})
	s.Table().SetFloodVLANs([]int{0})
	var d Decision
	s.Table().AddStatic(macB, 0, 2)
	p := Packet{InPort: 1, Src: macA, Dst: macB}
	s.Normal(&p, &d)
	if d.Verdict != Flood || d.Learned || strings.Join(decisionOutputs(&d), " ") != "2[] 3[]" {
		t.Fatalf("flood VLAN: %+v", d)
	}
}

func TestNormalNoInputPort(t *testing.T) {
	s := newTestSwitch(t, traceBridge)
	var d Decision
	p := Packet{InPort: PortNone, Src: macA, Dst: BroadcastMAC, VLANs: [2]VLANTag{{TPID: TPID8021Q, VID: 20}}}
	s.Normal(&p, &d)
	if d.Verdict != Flood || d.Learned || strings.Join(decisionOutputs(&d), " ") !=
		"2[8100/20/0] 3[8100/20/0] 4[8100/20/0] 5[] 7[]" {
		t.Fatalf("packet-out without input port: %+v %v", d, decisionOutputs(&d))
	}
}

func TestGratuitousARPDetection(t *testing.T) {
	ip := [4]byte{10, 0, 0, 1}
	for _, tc := range []struct {
		p    Packet
		want bool
	}{
		{Packet{Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpReply}, true},
		{Packet{Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpRequest, ARPSrcIP: ip, ARPDstIP: ip}, true},
		{Packet{Dst: BroadcastMAC, EthType: EthTypeARP, ARPOp: ARPOpRequest, ARPSrcIP: ip}, false},
		{Packet{Dst: macA, EthType: EthTypeARP, ARPOp: ARPOpReply}, false},
		{Packet{Dst: BroadcastMAC, EthType: 0x0800}, false},
	} {
		if got := tc.p.IsGratuitousARP(); got != tc.want {
			t.Errorf("%+v: %v", tc.p, got)
		}
	}
}

func TestSetPortsFlushesChangedPorts(t *testing.T) {
	s := newTestSwitch(t, []PortSettings{{Port: 1}, {Port: 2}, {Port: 3}})
	tb := s.Table()
	tb.Learn(macA, 0, 1, 0)
	tb.Learn(macB, 0, 2, 0)
	tb.Learn(macC, 0, 3, 0)
	// Port 1 unchanged, port 2 becomes an access port, port 3 goes away.
	if err := s.SetPorts([]PortSettings{{Port: 1}, {Port: 2, Tag: 5, HasTag: true}}); err != nil {
		t.Fatal(err)
	}
	checkText(t, "show", showText(tb), ""+
		" port  VLAN  MAC                Age\n"+
		"    1     0  02:15:00:00:00:0a    0\n")
}

func TestSetPortsErrors(t *testing.T) {
	s := newTestSwitch(t, []PortSettings{{Port: 1, Name: "p1"}})
	for _, tc := range []struct {
		ports []PortSettings
		err   string
	}{
		{[]PortSettings{{Port: 1, Name: "p1", VLANMode: "bogus"}}, `set ports: port "p1": unknown VLAN mode "bogus"`},
		{[]PortSettings{{Port: 1, Name: "a"}, {Port: 1, Name: "b"}}, `set ports: port "b": number 1 already used by "a"`},
		{[]PortSettings{{Port: PortNone, Name: "x"}}, `set ports: port "x": invalid port number 65535`},
	} {
		if err := s.SetPorts(tc.ports); err == nil || err.Error() != tc.err {
			t.Errorf("got %v, want %s", err, tc.err)
		}
	}
	var d Decision
	p := Packet{InPort: 1, Src: macA, Dst: BroadcastMAC}
	s.Normal(&p, &d)
	if d.Reason == ReasonNoInputPort {
		t.Fatal("a failed SetPorts changed the configuration")
	}
}

func TestResolveVLANSettings(t *testing.T) {
	for _, tc := range []struct {
		ps   PortSettings
		want string
	}{
		{PortSettings{Port: 1}, "trunk vlan=0 trunks=all"},
		{PortSettings{Port: 1, Trunks: []int{1, 2, 9999}}, "trunk vlan=0 trunks=[1 2]"},
		{PortSettings{Port: 1, Tag: 7, HasTag: true, Trunks: []int{1}}, "access vlan=7 trunks=all"},
		{PortSettings{Port: 1, Tag: 7, HasTag: true, VLANMode: "trunk"}, "trunk vlan=0 trunks=all"},
		{PortSettings{Port: 1, Tag: 5000, HasTag: true}, "trunk vlan=0 trunks=all"},
		{PortSettings{Port: 1, VLANMode: "access"}, "access vlan=0 trunks=all"},
		{PortSettings{Port: 1, Tag: 7, HasTag: true, VLANMode: "native-tagged", Trunks: []int{0, 3}}, "native-tagged vlan=7 trunks=[3 7]"},
		{PortSettings{Port: 1, Tag: 7, HasTag: true, VLANMode: "native-untagged", Trunks: []int{3, 7}}, "native-untagged vlan=7 trunks=[3 7]"},
		{PortSettings{Port: 1, Tag: 7, HasTag: true, VLANMode: "dot1q-tunnel", QinQEthType: "802.1q"}, "dot1q-tunnel vlan=7 trunks=all qinq=8100"},
	} {
		pv, err := tc.ps.resolve()
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%v vlan=%d trunks=%s", pv.mode, pv.vlan, vlanSetString(pv.trunks))
		if pv.mode == ModeDot1QTunnel {
			got += fmt.Sprintf(" qinq=%04x", pv.qinq)
		}
		if got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.ps, got, tc.want)
		}
	}
}

func vlanSetString(s *VLANSet) string {
	if s == nil {
		return "all"
	}
	var v []int
	for i := 0; i < 4096; i++ {
		if s.Has(uint16(i)) {
			v = append(v, i)
		}
	}
	if len(v) > 10 {
		return fmt.Sprintf("%d vlans", len(v))
	}
	return fmt.Sprint(v)
}
