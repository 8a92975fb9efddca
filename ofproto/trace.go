package ofproto

import (
	"fmt"
	"strings"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// timeNow is the clock of translations (a variable for tests).
var timeNow = time.Now

// TraceUsage is ofproto/trace's usage string, as OVS 3.1 lists it.
const TraceUsage = "{[dp_name] odp_flow | bridge br_flow} [OPTIONS...] [-generate|packet]"

// traceNodeType is the kind of one line of a trace, as OVS's oftrace
// nodes: terminal kinds indent their own line one step further.
type traceNodeType uint8

const (
	traceBridge traceNodeType = iota
	traceTable
	traceThaw
	traceAction
	traceBucket
	traceDetail
	traceWarn
	traceError
)

func (t traceNodeType) terminal() bool {
	switch t {
	case traceAction, traceBucket, traceDetail, traceWarn, traceError:
		return true
	}
	return false
}

// traceNode is one line of the trace and the lines nested under it.
type traceNode struct {
	typ  traceNodeType
	text string
	subs []*traceNode
}

// tracer builds the trace tree of one translation. Every method is a
// no-op on a nil tracer, so translation calls them unconditionally.
// Table lookups nest what follows under the table's line until the
// resubmit returns (see enter/leave).
type tracer struct {
	root []*traceNode
	cur  *[]*traceNode
}

func newTracer() *tracer {
	t := &tracer{}
	t.cur = &t.root
	return t
}

func (t *tracer) report(typ traceNodeType, text string) *traceNode {
	n := &traceNode{typ: typ, text: text}
	*t.cur = append(*t.cur, n)
	return n
}

// enter reports a node and makes it the parent of what follows; the
// returned value restores the previous parent in leave.
func (t *tracer) enter(typ traceNodeType, text string) *[]*traceNode {
	if t == nil {
		return nil
	}
	old := t.cur
	n := t.report(typ, text)
	t.cur = &n.subs
	return old
}

func (t *tracer) leave(old *[]*traceNode) {
	if t != nil && old != nil {
		t.cur = old
	}
}

// action reports an executed OpenFlow action.
func (t *tracer) action(s string) {
	if t != nil {
		t.report(traceAction, s)
	}
}

// detail reports an explanation ("-> ...").
func (t *tracer) detail(s string) {
	if t != nil {
		t.report(traceDetail, s)
	}
}

// warn reports a problem (">> ...").
func (t *tracer) warn(s string) {
	if t != nil {
		t.report(traceWarn, s)
	}
}

// errorf reports a translation error (">>>> ... <<<<").
func (t *tracer) errorf(s string) {
	if t != nil {
		t.report(traceError, s)
	}
}

// table reports a lookup in table id that found r (nil: no match) and
// nests what follows under it.
func (t *tracer) table(id uint8, r *Rule) *[]*traceNode {
	if t == nil {
		return nil
	}
	s := fmt.Sprintf("%2d. ", id)
	if r == nil {
		s += "No match."
	} else {
		if m := r.Match.Format(mf.DefaultPriority); m != "" {
			s += m + ", "
		}
		s += fmt.Sprintf("priority %d", r.Priority)
		if r.Cookie != 0 {
			s += fmt.Sprintf(", cookie %#x", r.Cookie)
		}
	}
	return t.enter(traceTable, s)
}

// thaw reports the resumption of a recirculated pipeline.
func (t *tracer) thaw(table uint8) {
	if t == nil {
		return
	}
	old := t.enter(traceThaw, "thaw")
	t.report(traceTable, fmt.Sprintf("Resuming from table %d", table))
	t.leave(old)
}

// format prints the tree with OVS's indentation: a node that has a
// following sibling, or is terminal, is indented one step (4 spaces) and
// its children two.
func (t *tracer) format(sb *strings.Builder) {
	formatTraceNodes(sb, t.root, 0)
}

func formatTraceNodes(sb *strings.Builder, nodes []*traceNode, level int) {
	for i, n := range nodes {
		if n.typ == traceBridge {
			sb.WriteByte('\n')
		}
		more := 0
		if i < len(nodes)-1 || n.typ.terminal() {
			more = 1
		}
		pad := strings.Repeat(" ", (level+more)*4)
		sb.WriteString(pad)
		switch n.typ {
		case traceDetail:
			sb.WriteString(" -> " + n.text + "\n")
		case traceWarn:
			sb.WriteString(" >> " + n.text + "\n")
		case traceError:
			sb.WriteString(" >>>> " + n.text + " <<<<\n")
		case traceBridge:
			sb.WriteString(n.text + "\n" + pad + strings.Repeat("-", len(n.text)) + "\n")
		default:
			sb.WriteString(n.text + "\n")
		}
		formatTraceNodes(sb, n.subs, level+2*more)
	}
}

// ctStateNames are the ct_state flag names, least significant bit first.
var ctStateNames = []string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}

// parseCtState parses --ct-next flags: names separated by ',', '|' or '+'.
func parseCtState(s string) (uint8, error) {
	var st uint8
	for _, name := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == '+' }) {
		found := false
		for i, n := range ctStateNames {
			if n == name {
				st |= 1 << i
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("%s: unknown connection tracking state flag", name)
		}
	}
	return st, nil
}

func formatCtState(st uint8) string {
	var parts []string
	for i, n := range ctStateNames {
		if st&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// TraceCommand returns the ofproto/trace unixctl handler. find resolves a
// bridge name to the bridge and the Backer of its datapath. Both forms are
// supported: "bridge br_flow" and "[dp_name] odp_flow" (traceODP), with
// [OPTIONS...] [-generate|packet] (parseTraceArgs).
func TraceCommand(find func(name string) (*Bridge, *Backer, bool)) func(args []string) (string, error) {
	return func(args []string) (string, error) {
		ta, err := parseTraceArgs(args)
		if err != nil {
			return "", err
		}
		if len(ta.words) > 0 {
			if out, ok, err := traceODP(ta); ok {
				return out, err
			}
		}
		if len(ta.words) < 2 {
			return "", fmt.Errorf("syntax error at %s (or the bridge name was omitted)", args[0])
		}
		b, k, ok := find(ta.words[0])
		if !ok {
			return "", fmt.Errorf("%s: unknown bridge", ta.words[0])
		}
		flow, err := parseTraceFlow(ta.words[1])
		if err != nil {
			return "", err
		}
		if ta.packet != nil {
			flow = tracePacketFlow(&flow, ta.packet)
		}
		// The packet (given or composed) would only matter to the
		// datapath actions OVS executes after the trace, which are not
		// executed here.
		_ = ta.tracePacket(&flow)
		return k.traceFlow(b, flow, ta.ctNext)
	}
}

// parseTraceFlow reads a trace's flow in ovs-ofctl match syntax.
func parseTraceFlow(flowText string) (mf.Flow, error) {
	m, err := mf.Parse(flowText)
	if err != nil {
		msg := err.Error()
		if name, ok := strings.CutSuffix(msg, ": unknown field"); ok {
			msg = "unknown field " + name
		}
		return mf.Flow{}, fmt.Errorf("Bad openflow flow syntax: %s: %s", flowText, msg)
	}
	return m.Flow, nil
}

// Trace translates flowText (ovs-ofctl match syntax) through bridge b
// without side effects on the MAC table and prints what happened as
// "ovs-appctl ofproto/trace" does, following each ct(table=N)
// recirculation with ct_state taken from ctNext in turn (default
// trk|new).
func (k *Backer) Trace(b *Bridge, flowText string, ctNext []uint8) (string, error) {
	flow, err := parseTraceFlow(flowText)
	if err != nil {
		return "", err
	}
	return k.traceFlow(b, flow, ctNext)
}

// traceFlow is Trace for a parsed flow.
func (k *Backer) traceFlow(b *Bridge, flow mf.Flow, ctNext []uint8) (string, error) {
	bb := k.stateOf(b)
	if bb == nil {
		return "", fmt.Errorf("%s: unknown bridge", b.Name())
	}
	var sb strings.Builder
	pending := k.traceOne(&sb, bb, &flow, 0, false)
	for len(pending) > 0 {
		r := pending[0]
		pending = pending[1:]
		st, ok := k.recirc.lookup(r.id, timeNow())
		if !ok {
			continue
		}
		state := uint8(mf.CtTrk | mf.CtNew)
		banner := fmt.Sprintf("recirc(%#x) - resume conntrack with default ct_state=trk|new (use --ct-next to customize)", r.id)
		if len(ctNext) > 0 {
			state, ctNext = ctNext[0], ctNext[1:]
			banner = fmt.Sprintf("recirc(%#x) - resume conntrack with ct_state=%s", r.id, formatCtState(state))
		}
		sb.WriteString("\n" + strings.Repeat("=", 79) + "\n" + banner + "\n" + strings.Repeat("=", 79) + "\n\n")
		f := r.flow
		setFieldUint(&f, mf.RecircID, uint64(r.id))
		setFieldUint(&f, mf.CtState, uint64(state))
		setFieldUint(&f, mf.CtZone, uint64(r.zone))
		rbb := k.stateOf(st.bridge)
		if rbb == nil {
			continue
		}
		pending = append(pending, k.traceOne(&sb, rbb, &f, st.table, true)...)
	}
	return sb.String(), nil
}

// traceOne traces one pass through the pipeline and returns the
// recirculations it emitted.
func (k *Backer) traceOne(sb *strings.Builder, bb *backerBridge, flow *mf.Flow, table uint8, thawed bool) []emittedRecirc {
	tr := newTracer()
	tr.enter(traceBridge, fmt.Sprintf("bridge(%q)", bb.br.Name()))
	x := k.newXlate(bb, flow)
	x.noLearn = true
	x.tr = tr
	if thawed {
		tr.thaw(table)
	}
	x.run(table)

	sb.WriteString("Flow: " + formatTraceFlow(flow) + "\n")
	tr.format(sb)
	sb.WriteString("\nFinal flow: ")
	if x.flow == *flow {
		sb.WriteString("unchanged")
	} else {
		sb.WriteString(formatTraceFlow(&x.flow))
	}
	sb.WriteString("\nMegaflow: " + formatMegaflow(flow, &x.wc) + "\n")
	sb.WriteString("Datapath actions: " + dpif.ActionsText(x.acts, nil) + "\n")
	return x.recircs
}

// metaFieldIDs are printed before the "eth" packet type in OVS's flow
// and megaflow formats.
var metaFieldIDs = []mf.FieldID{mf.PktMark, mf.RecircID, mf.DpHash, mf.SkbPriority, mf.CtState, mf.CtZone,
	mf.CtMark, mf.CtLabel, mf.CtNwProto, mf.CtNwSrc, mf.CtNwDst, mf.CtIPv6Src, mf.CtIPv6Dst, mf.CtTpSrc, mf.CtTpDst}

// splitFormat prints m as OVS does a flow or megaflow: the metadata, then
// "eth" when recirc_id is matched, then the rest.
func splitFormat(m *mf.Match) string {
	var meta, rest mf.Match
	rest = *m
	for _, id := range metaFieldIDs {
		v, mk := m.Get(id)
		if mk == (mf.ValueMask{}) {
			continue
		}
		n := mf.ByID(id).Bytes
		_ = meta.Set(id, v[:n], mk[:n])
		rest.Clear(id)
	}
	var parts []string
	if s := meta.Format(mf.DefaultPriority); s != "" {
		parts = append(parts, s)
	}
	if !meta.IsWildcard(mf.RecircID) {
		parts = append(parts, "eth")
	}
	if s := rest.Format(mf.DefaultPriority); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// formatTraceFlow prints a flow as ofproto/trace's "Flow:" line: every
// header field of its protocol, and metadata that is set.
func formatTraceFlow(flow *mf.Flow) string {
	var m mf.Match
	exact := func(id mf.FieldID) {
		v := fieldBytes(flow, id)
		_ = m.Set(id, v[:mf.ByID(id).Bytes], nil)
	}
	ifSet := func(id mf.FieldID) {
		v := fieldBytes(flow, id)
		if v != (mf.ValueMask{}) {
			exact(id)
		}
	}
	for _, id := range metaFieldIDs {
		ifSet(id)
	}
	ifSet(mf.Metadata)
	for r := mf.Reg0; r <= mf.Reg15; r++ {
		ifSet(r)
	}
	for _, id := range []mf.FieldID{mf.InPort, mf.VLANTCI, mf.EthSrc, mf.EthDst, mf.EthType} {
		exact(id)
	}
	et := fieldUint(flow, mf.EthType)
	proto := fieldUint(flow, mf.IPProto)
	switch et {
	case mf.EthTypeIP, mf.EthTypeIPv6:
		if et == mf.EthTypeIP {
			exact(mf.IPv4Src)
			exact(mf.IPv4Dst)
		} else {
			exact(mf.IPv6Src)
			exact(mf.IPv6Dst)
			exact(mf.IPv6Label)
		}
		for _, id := range []mf.FieldID{mf.IPProto, mf.IPDSCP, mf.IPECN, mf.IPTTL, mf.IPFrag} {
			exact(id)
		}
		switch {
		case proto == mf.IPProtoICMP && et == mf.EthTypeIP:
			exact(mf.ICMPv4Type)
			exact(mf.ICMPv4Code)
		case proto == mf.IPProtoICMPv6 && et == mf.EthTypeIPv6:
			exact(mf.ICMPv6Type)
			exact(mf.ICMPv6Code)
		case proto == mf.IPProtoTCP:
			exact(mf.TCPSrc)
			exact(mf.TCPDst)
			exact(mf.TCPFlags)
		case proto == mf.IPProtoUDP, proto == mf.IPProtoSCTP:
			exact(mf.TCPSrc)
			exact(mf.TCPDst)
		}
	case mf.EthTypeARP, mf.EthTypeRARP:
		for _, id := range []mf.FieldID{mf.ARPSPA, mf.ARPTPA, mf.ARPOp, mf.ARPSHA, mf.ARPTHA} {
			exact(id)
		}
	}
	s := splitFormat(&m)
	if tci := fieldUint(flow, mf.VLANTCI); tci&vlanCFI != 0 {
		// OVS shows the (absent) inner tag of a tagged flow too.
		pcp := fmt.Sprintf("dl_vlan_pcp=%d,", tci>>13)
		s = strings.Replace(s, pcp, pcp+"vlan_tci1=0x0000,", 1)
	}
	return s
}

// formatMegaflow prints the megaflow a translation of flow would install:
// the consulted bits the datapath can match, always with recirc_id and
// in_port.
func formatMegaflow(flow *mf.Flow, wc *mf.Flow) string {
	km := maskToKeyMask(wc)
	var mask mf.Match
	k := km.Fields()
	for _, f := range keyFields {
		n := mf.ByID(f.id).Bytes
		b := readKeyField(k, f, n)
		if isZeroBytes(b) {
			continue
		}
		_ = mask.Set(f.id, b, nil)
	}
	tos := k.NwTOS()
	if tos&0xfc != 0 {
		_ = mask.SetExact(mf.IPDSCP, 0xfc)
	}
	if tos&0x03 != 0 {
		_ = mask.SetExact(mf.IPECN, 0x03)
	}
	_ = mask.SetExact(mf.RecircID, 0xffffffff)
	_ = mask.SetExact(mf.InPort, 0xffff)
	if fieldUint(flow, mf.VLANTCI) == 0 {
		// Untagged packets have no VLAN in the datapath key to show.
		mask.Clear(mf.VLANTCI)
	}
	m := mf.Match{Mask: mask.Flow}
	for _, id := range append([]mf.FieldID{mf.InPort, mf.RecircID, mf.IPDSCP, mf.IPECN}, keyFieldIDs()...) {
		_, mk := m.Get(id)
		if mk == (mf.ValueMask{}) {
			continue
		}
		v := fieldBytes(flow, id)
		n := mf.ByID(id).Bytes
		_ = m.Set(id, v[:n], mk[:n])
	}
	return splitFormat(&m)
}

func keyFieldIDs() []mf.FieldID {
	ids := make([]mf.FieldID, len(keyFields))
	for i, f := range keyFields {
		ids[i] = f.id
	}
	return ids
}

func isZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
