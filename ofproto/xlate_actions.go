package ofproto

import (
	"fmt"
	"slices"
	"strings"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/maclearn"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// vlanCFI marks a present tag in vlan_tci, in OpenFlow and key alike.
const vlanCFI = dpif.VLANCFI

// Controller packet-in reasons used in userspace cookies.
const (
	pinReasonAction     = 1
	pinReasonInvalidTTL = 2
)

// doActions executes an OpenFlow action list.
func (x *xlate) doActions(l ofactions.List) {
	if len(l) == 0 {
		x.tr.action("drop") // as OVS's do_xlate_actions
		return
	}
	for i, a := range l {
		if x.exit || x.err != nil {
			return
		}
		x.tr.action(a.String())
		if x.doNXTail(a, l[i+1:]) {
			return
		}
		x.doAction(a)
		if x.pause != nil {
			x.freezeTail(l, i)
			return
		}
	}
}

func (x *xlate) doAction(a ofactions.Action) {
	switch a := a.(type) {
	case *ofactions.Output:
		x.output(a.Port, a.MaxLen)
	case *ofactions.OutputReg:
		x.output(uint16(x.readSubfield(a.Src)), a.MaxLen)
	case *ofactions.Enqueue:
		x.output(a.Port, 0)
	case *ofactions.Controller:
		x.controllerAction(a)
	case *ofactions.Resubmit:
		x.doResubmit(a)
	case *ofactions.GotoTable:
		x.lookupTable(a.Table, true)
	case *ofactions.SetField:
		x.setField(a.Field, a.Value, a.Mask)
	case *ofactions.Move:
		x.move(a.Src, a.Dst)
	case *ofactions.SetEthAddr:
		id := mf.EthSrc
		if a.Dst {
			id = mf.EthDst
		}
		x.setWhole(id, a.Addr[:])
	case *ofactions.SetIPv4:
		// OpenFlow 1.0 flows may rewrite headers their match does not
		// guarantee: packets without the header are left alone.
		if x.readField(mf.EthType) != mf.EthTypeIP {
			return
		}
		id := mf.IPv4Src
		if a.Dst {
			id = mf.IPv4Dst
		}
		x.setWhole(id, a.Addr[:])
	case *ofactions.SetL4Port:
		if !x.isIPAny() {
			return
		}
		if p := x.readField(mf.IPProto); p != mf.IPProtoTCP && p != mf.IPProtoUDP && p != mf.IPProtoSCTP {
			return
		}
		id := mf.TCPSrc
		if a.Dst {
			id = mf.TCPDst
		}
		x.setWhole(id, []byte{byte(a.Port >> 8), byte(a.Port)})
	case *ofactions.SetNwTOS:
		if !x.isIPAny() {
			return
		}
		x.setWhole(mf.IPDSCP, []byte{a.TOS & 0xfc})
	case *ofactions.SetVLANVID:
		x.modVLAN(0x0fff, a.VID&0x0fff, a.Push)
	case *ofactions.SetVLANPCP:
		x.modVLAN(0xe000, uint16(a.PCP&7)<<13, a.Push)
	case *ofactions.StripVLAN:
		x.touchVLAN()
		setFieldUint(&x.flow, mf.VLANTCI, 0)
	case *ofactions.PushVLAN:
		x.touchVLAN()
		x.vlanTPID = a.EthType
		tci := fieldUint(&x.flow, mf.VLANTCI)
		setFieldUint(&x.flow, mf.VLANTCI, tci|vlanCFI)
	case *ofactions.DecTTL:
		x.decTTL(a)
	case *ofactions.Group:
		x.group(a.ID)
	case *ofactions.CT:
		x.ct(a)
	case *ofactions.CTClear:
		if x.conntracked {
			x.commit()
			x.acts = append(x.acts, dpif.Action{Type: dpif.ActCTClear})
		}
		x.clearCT()
		x.conntracked = false
	case *ofactions.WriteMetadata:
		md := fieldUint(&x.flow, mf.Metadata)
		setFieldUint(&x.flow, mf.Metadata, md&^a.Mask|a.Value&a.Mask)
	case *ofactions.WriteActions:
		x.actset = append(x.actset, a.Actions...)
	case *ofactions.ClearActions:
		x.actset = nil
	case *ofactions.Exit:
		x.exit = true
	case *ofactions.Meter:
		// Metered where the action stands, without a commit, as in OVS.
		if id, ok := x.br.datapathMeter(a.ID, x.bk.dp); ok {
			x.acts = append(x.acts, dpif.Action{Type: dpif.ActMeter, Arg: id})
		}
	case *ofactions.Learn:
		x.learn(a)
	case *ofactions.FinTimeout:
		x.finTimeout(a)
	case *ofactions.Note, *ofactions.SetQueue, *ofactions.PopQueue,
		*ofactions.Conjunction:
		// No datapath effect here.
	default:
		if x.doExtAction(a) || x.doNXAction(a) {
			return
		}
		x.tr.warn("action not supported by this switch, ignored")
		log.Dbg("bridge %s: translation of %s is not supported", x.br.Name(), a.String())
	}
}

// isIPAny reports whether the packet is IPv4 or IPv6, consulting dl_type.
func (x *xlate) isIPAny() bool {
	t := x.readField(mf.EthType)
	return t == mf.EthTypeIP || t == mf.EthTypeIPv6
}

// output sends to an OpenFlow port, reserved ones included.
func (x *xlate) output(port, maxLen uint16) {
	switch port {
	case mf.PortInPort:
		x.outputTo(x.inPort(), true)
	case mf.PortNormal:
		x.normal()
	case mf.PortFlood, mf.PortAll:
		x.flood(port == mf.PortAll)
	case mf.PortController:
		reason := uint8(pinReasonAction)
		switch {
		case x.where.packetOut:
			reason = pinPacketOut
		case x.where.groups > 0:
			reason = pinGroup
		case x.where.actionSet:
			reason = pinActionSet
		}
		x.controller(reason, maxLen, 0)
	case mf.PortTable, mf.PortNone, mf.PortUnset:
	default:
		x.outputTo(port, false)
	}
}

// outputTo emits output to one OpenFlow port's datapath port. Output to
// the input port is skipped unless asked for with IN_PORT.
func (x *xlate) outputTo(port uint16, allowInPort bool) {
	if x.nonEthernet() {
		return
	}
	if port == x.inPort() && !allowInPort {
		x.tr.warn("skipping output to input port")
		return
	}
	odp, ok := x.ports[port]
	if !ok {
		x.tr.detail("output to nonexistent port " + mf.PortString(port))
		return
	}
	// As OVS, only no-forward stops an output: an administratively
	// down port is still output to (the device drops what it cannot send).
	if x.portConfig(port)&PortConfigNoFwd != 0 {
		x.tr.detail("OFPPC_NO_FWD set, skipping output")
		return
	}
	x.commit()
	x.acts = append(x.acts, dpif.Output(odp))
}

func (x *xlate) portConfig(port uint16) uint32 {
	x.br.mu.RLock()
	defer x.br.mu.RUnlock()
	if p := x.br.ports[port]; p != nil {
		return p.Config
	}
	return 0
}

// flood outputs to every port but the input port (ALL), leaving out the
// no-flood ports too (FLOOD).
func (x *xlate) flood(all bool) {
	in := x.inPort()
	ports := make([]uint16, 0, len(x.ports))
	for p := range x.ports {
		if p != in {
			ports = append(ports, p)
		}
	}
	slices.Sort(ports)
	for _, p := range ports {
		if !all && x.portConfig(p)&PortConfigNoFwd != 0 {
			continue
		}
		x.outputTo(p, false)
	}
}

// normal runs the NORMAL action: MAC learning and L2 forwarding within
// the packet's VLAN, by the ports' access/trunk configuration.
func (x *xlate) normal() {
	// As OVS: the addresses and the tag's VID and presence are always
	// consulted; its priority only if an output pops it.
	for _, id := range []mf.FieldID{mf.EthSrc, mf.EthDst, mf.EthType} {
		markField(&x.wc, id)
	}
	markFieldBits(&x.wc, mf.VLANTCI, []byte{0x1f, 0xff})
	p := maclearn.Packet{
		InPort:  maclearn.Port(x.inPort()),
		EthType: uint16(fieldUint(&x.flow, mf.EthType)),
		NoLearn: x.noLearn,
	}
	src, dst := fieldBytes(&x.flow, mf.EthSrc), fieldBytes(&x.flow, mf.EthDst)
	copy(p.Src[:], src[:6])
	copy(p.Dst[:], dst[:6])
	tci := uint16(fieldUint(&x.flow, mf.VLANTCI))
	if tci&vlanCFI != 0 {
		p.VLANs[0] = maclearn.VLANTag{TPID: mf.EthTypeVLAN, VID: tci & 0xfff, PCP: uint8(tci >> 13)}
	}
	if p.EthType == maclearn.EthTypeARP && p.Dst.IsBroadcast() {
		// Read without marking: the decision says which it consulted.
		p.ARPOp = uint16(fieldUint(&x.flow, mf.ARPOp))
		spa, tpa := uint32(fieldUint(&x.flow, mf.ARPSPA)), uint32(fieldUint(&x.flow, mf.ARPTPA))
		p.ARPSrcIP = [4]byte{byte(spa >> 24), byte(spa >> 16), byte(spa >> 8), byte(spa)}
		p.ARPDstIP = [4]byte{byte(tpa >> 24), byte(tpa >> 16), byte(tpa >> 8), byte(tpa)}
	}
	var d maclearn.Decision
	x.bb.normal.Normal(&p, &d)
	if d.Consulted&maclearn.ConsultedARPOp != 0 {
		markField(&x.wc, mf.ARPOp)
	}
	if d.Consulted&maclearn.ConsultedARPIPs != 0 {
		markField(&x.wc, mf.ARPSPA)
		markField(&x.wc, mf.ARPTPA)
	}
	if d.Reason == maclearn.ReasonBadVLAN && x.tr != nil {
		x.tr.errorf(x.bb.normal.InputVLANError(p.InPort, tci&0xfff))
	}
	if strings.HasSuffix(d.Reason, "dropping") {
		x.tr.warn(d.Reason)
	} else {
		x.tr.detail(d.Reason)
	}
	saved, savedTPID := tci, x.vlanTPID
	for _, o := range d.Outputs {
		switch o.Action {
		case maclearn.VLANStrip:
			setFieldUint(&x.flow, mf.VLANTCI, 0)
		case maclearn.VLANPush, maclearn.VLANRewrite:
			t := o.VLANs[0]
			x.vlanTPID = t.TPID
			setFieldUint(&x.flow, mf.VLANTCI, uint64(vlanCFI|t.VID&0xfff|uint16(t.PCP&7)<<13))
		}
		x.outputTo(uint16(o.Port), false)
		setFieldUint(&x.flow, mf.VLANTCI, uint64(saved))
		x.vlanTPID = savedTPID
	}
}

// markFieldBits sets the bits of ones in field id of mask (a Flow of 1
// bits), leaving the field's other bits as they are.
func markFieldBits(mask *mf.Flow, id mf.FieldID, ones []byte) {
	m := mf.Match{Flow: *mask}
	if m.Set(id, ones, nil) == nil {
		orFlow(mask, &m.Flow)
	}
}

// controller emits a userspace action that sends the packet to the
// controllers. Its cookie's recirculation id freezes where the pipeline
// was (table, input port, registers), for the packet-in.
func (x *xlate) controller(reason uint8, maxLen, id uint16) {
	cookie := ^uint64(0) // no rule (packet-out): OVS reports no cookie
	if n := len(x.rules); n > 0 {
		cookie = x.rules[n-1].Cookie
		reason = explicitMiss(reason, x.rules[n-1])
	}
	x.controllerWithCookie(reason, maxLen, id, cookie)
}

// controllerWithCookie is controller with the rule cookie to report.
func (x *xlate) controllerWithCookie(reason uint8, maxLen, id uint16, cookie uint64) {
	x.commit()
	st := frozenState{bridge: x.br, table: x.table, inPort: x.inPort(), meta: x.frozenMeta()}
	x.acts = append(x.acts, dpif.Action{Type: dpif.ActUserspace, Userspace: &dpif.UserspaceAction{
		Kind: dpif.UserspaceController, Reason: uint16(reason), MaxLen: maxLen, ControllerID: id,
		RuleCookie: cookie, RecircID: x.bk.recirc.idFor(st, x.now),
		// A trace shows what OVS installs when it sends the upcall's own
		// packet-in itself; installed flows here send every packet up.
		DontSend: x.tr != nil,
	}})
}

// doResubmit is resubmit(port,table): the port only stands in for in_port
// during the lookup, as in OVS; the actions see the real one.
func (x *xlate) doResubmit(a *ofactions.Resubmit) {
	table := a.Table
	if table == 255 {
		table = x.table
	}
	if a.InPort != mf.PortInPort {
		x.lookupInPort = &a.InPort
	}
	x.resubmit(table)
	x.lookupInPort = nil
}

// isHeaderField says whether writing f changes the packet (as opposed to
// metadata only translation sees).
func isHeaderField(f *mf.Field) bool {
	switch f.ID {
	case mf.Metadata, mf.InPort, mf.InPortOXM, mf.CtMark, mf.CtLabel:
		return false
	}
	return f.ID < mf.Reg0 || f.ID > mf.XXReg3
}

// isVLANField says whether f lives in vlan_tci.
func isVLANField(id mf.FieldID) bool {
	switch id {
	case mf.VLANTCI, mf.DlVLAN, mf.VLANVID, mf.DlVLANPCP, mf.VLANPCP:
		return true
	}
	return false
}

// setField writes value under mask into a field (set_field, load).
func (x *xlate) setField(f *mf.Field, value, mask mf.ValueMask) {
	n := f.Bytes
	if mask == (mf.ValueMask{}) {
		for i := range n {
			mask[i] = 0xff
		}
	}
	cur := fieldBytes(&x.flow, f.ID)
	for i := range n {
		cur[i] = cur[i]&^mask[i] | value[i]&mask[i]
	}
	x.setWhole(f.ID, cur[:n])
}

// setWhole stores a field's full value and marks it for the next commit.
func (x *xlate) setWhole(id mf.FieldID, v []byte) {
	if isVLANField(id) {
		x.touchVLAN()
	}
	setFieldBytes(&x.flow, id, v)
	if isHeaderField(mf.ByID(id)) && !isVLANField(id) {
		markField(&x.written, id)
	}
}

// touchVLAN records that vlan_tci will be compared at commit.
func (x *xlate) touchVLAN() { markField(&x.wc, mf.VLANTCI) }

// modVLAN is mod_vlan_vid/mod_vlan_pcp: change bits of the tag, pushing
// one first when the packet has none and push is allowed.
func (x *xlate) modVLAN(bits, v uint16, push bool) {
	x.touchVLAN()
	tci := uint16(fieldUint(&x.flow, mf.VLANTCI))
	if tci&vlanCFI == 0 {
		if !push {
			return
		}
		tci = vlanCFI
	}
	setFieldUint(&x.flow, mf.VLANTCI, uint64(tci&^bits|v&bits))
}

// decTTL decrements the IP TTL; a packet whose TTL runs out goes to the
// controller instead.
func (x *xlate) decTTL(a *ofactions.DecTTL) {
	et := x.readField(mf.EthType)
	if et != mf.EthTypeIP && et != mf.EthTypeIPv6 {
		return
	}
	ttl := x.readField(mf.IPTTL)
	if ttl <= 1 {
		v := "4"
		if et == mf.EthTypeIPv6 {
			v = "6"
		}
		x.tr.warn("IPv" + v + " decrement TTL exception")
		ids := a.IDs
		if len(ids) == 0 {
			ids = []uint16{0}
		}
		for _, id := range ids {
			x.controller(pinReasonInvalidTTL, 0xffff, id)
		}
		x.exit = true
		return
	}
	x.setWhole(mf.IPTTL, []byte{byte(ttl - 1)})
}

// readSubfield reads a bit range of a field, marking it consulted.
func (x *xlate) readSubfield(s ofactions.Subfield) uint64 {
	if s.Field == nil {
		return 0
	}
	markField(&x.wc, s.Field.ID)
	v := fieldBytes(&x.flow, s.Field.ID)
	var out uint64
	for i := s.NBits - 1; i >= 0; i-- {
		out = out<<1 | uint64(bitOf(v[:s.Field.Bytes], s.Ofs+i))
	}
	return out
}

// bitOf returns bit n (0 = least significant) of a big-endian value.
func bitOf(v []byte, n int) byte {
	i := len(v) - 1 - n/8
	if i < 0 {
		return 0
	}
	return v[i] >> (n % 8) & 1
}

func setBit(v []byte, n int, b byte) {
	i := len(v) - 1 - n/8
	if i < 0 {
		return
	}
	v[i] = v[i]&^(1<<(n%8)) | b<<(n%8)
}

// move copies a bit range between fields.
func (x *xlate) move(src, dst ofactions.Subfield) {
	if src.Field == nil || dst.Field == nil {
		return
	}
	markField(&x.wc, src.Field.ID)
	sv := fieldBytes(&x.flow, src.Field.ID)
	dv := fieldBytes(&x.flow, dst.Field.ID)
	for i := 0; i < src.NBits && i < dst.NBits; i++ {
		setBit(dv[:dst.Field.Bytes], dst.Ofs+i, bitOf(sv[:src.Field.Bytes], src.Ofs+i))
	}
	x.setWhole(dst.Field.ID, dv[:dst.Field.Bytes])
	if x.tr != nil {
		x.tr.detail(dst.String() + " is now " + subfieldText(&x.flow, dst))
	}
}

// subfieldText prints a subfield's value as ofproto/trace reports a move:
// the field's own format for a whole field, hex for a part of one.
func subfieldText(flow *mf.Flow, s ofactions.Subfield) string {
	v := fieldBytes(flow, s.Field.ID)
	n := s.Field.Bytes
	if s.Ofs == 0 && s.NBits >= s.Field.Bits {
		var ones mf.ValueMask
		for i := range n {
			ones[i] = 0xff
		}
		return s.Field.FormatValue(v[:n], ones[:n])
	}
	var sub [16]byte
	for i := range s.NBits {
		setBit(sub[:], i, bitOf(v[:n], s.Ofs+i))
	}
	i := 0
	for i < len(sub)-1 && sub[i] == 0 {
		i++
	}
	h := strings.TrimLeft(fmt.Sprintf("%x", sub[i:]), "0")
	if h == "" {
		return "0" // as OVS's ds_put_hex
	}
	return "0x" + h
}

// group executes an OpenFlow group. Each bucket sees the packet as it was
// before the group.
func (x *xlate) group(id uint32) {
	x.br.mu.RLock()
	g := x.br.groups[id]
	var typ uint8
	var buckets []bucket
	var dpHash *dpHashSelect
	if g != nil {
		typ, buckets, dpHash = g.typ, g.buckets, g.dpHash
	}
	x.br.mu.RUnlock()
	if g == nil {
		x.tr.warn("no such group, dropping")
		return
	}
	switch typ {
	case groupTypeAll:
		for i := range buckets {
			x.bucket(&buckets[i])
		}
	case groupTypeIndirect:
		if len(buckets) > 0 {
			x.bucket(&buckets[0])
		}
	case groupTypeSelect, groupTypeFF:
		var b *bucket
		if typ == groupTypeSelect {
			b = x.pickSelect(dpHash, buckets)
		} else {
			for i := range buckets {
				if x.bucketLive(&buckets[i]) {
					b = &buckets[i]
					break
				}
			}
		}
		if b == nil {
			x.tr.detail("no live bucket")
			return
		}
		if x.tr != nil {
			x.tr.detail("using bucket " + uitoa(uint64(b.ID)))
		}
		x.bucket(b)
	}
}

// bucket runs one bucket's actions, then returns the flow to its state
// before the bucket; header bits that now differ from the packet are
// re-written at the next commit.
func (x *xlate) bucket(b *bucket) {
	saved, savedBase, savedWritten := x.flow, x.base, x.written
	savedActset := x.actset
	savedMPLS := mplsState{pushed: slices.Clone(x.mpls.pushed), pops: x.mpls.pops, popped: x.mpls.popped}
	old := x.tr.enter(traceBucket, "bucket "+uitoa(uint64(b.ID)))
	x.where.groups++
	x.doActions(b.Actions)
	x.where.groups--
	x.tr.leave(old)
	x.exit = false
	x.actset = savedActset
	x.flow = saved
	x.mpls = savedMPLS
	// The bucket's own rewrites are undone with the flow. Rewrites pending
	// from before the group still are, unless the bucket committed them.
	// What the bucket wrote stays matched, as OVS's set_field does.
	orFlow(&x.wc, &x.written)
	x.written = mf.Flow{}
	if x.base == savedBase {
		x.written = savedWritten
	}
	// Fields where the packet now differs from the flow must be set back:
	// their old values come from the packet, so they are consulted too.
	for _, id := range append(keyFieldIDs(), mf.IPDSCP, mf.IPECN) {
		if fieldBytes(&x.flow, id) != fieldBytes(&x.base, id) {
			markField(&x.written, id)
			markField(&x.wc, id)
		}
	}
}

// bucketLive is the fast-failover liveness of a bucket: its watch port,
// if any, must exist, be up and have carrier. (Watch groups count as
// live.)
func (x *xlate) bucketLive(b *bucket) bool {
	if b.WatchPort == mf.PortNone {
		return true
	}
	if _, ok := x.ports[b.WatchPort]; !ok {
		return false
	}
	x.br.mu.RLock()
	defer x.br.mu.RUnlock()
	p := x.br.ports[b.WatchPort]
	return p != nil && !p.LinkDown && p.Config&PortConfigDown == 0
}

// selectBucket picks a select group's bucket by a hash of the flow's
// addresses and ports, weighted.
func (x *xlate) selectBucket(buckets []bucket) *bucket {
	var total uint64
	for i := range buckets {
		total += uint64(buckets[i].Weight)
	}
	if total == 0 {
		return nil
	}
	h := uint64(14695981039346656037)
	for _, id := range []mf.FieldID{mf.EthSrc, mf.EthDst, mf.EthType, mf.IPv4Src, mf.IPv4Dst,
		mf.IPv6Src, mf.IPv6Dst, mf.IPProto, mf.TCPSrc, mf.TCPDst} {
		markField(&x.wc, id)
		v := fieldBytes(&x.flow, id)
		for _, c := range v[:mf.ByID(id).Bytes] {
			h = (h ^ uint64(c)) * 1099511628211
		}
	}
	pick := h % total
	for i := range buckets {
		w := uint64(buckets[i].Weight)
		if pick < w {
			return &buckets[i]
		}
		pick -= w
	}
	return nil
}

// ct translates ct(...): commit pending header changes, run the packet
// through the tracker, and with table=N fork a copy that recirculates and
// resumes at table N with the tracker's verdict.
func (x *xlate) ct(a *ofactions.CT) {
	x.commit()
	zone := a.ZoneImm
	if a.ZoneSrc.Field != nil {
		zone = uint16(x.readSubfield(a.ZoneSrc))
	}
	ca := &dpif.CTAction{Action: conntrack.Action{
		Commit: a.Flags&ofactions.CTCommit != 0,
		Force:  a.Flags&ofactions.CTForce != 0,
		Zone:   zone,
	}}
	switch a.Alg {
	case 21:
		ca.Helper = "ftp"
	case 69:
		ca.Helper = "tftp"
	}
	for _, na := range a.Actions {
		switch na := na.(type) {
		case *ofactions.NAT:
			x.ctNAT(ca, na)
		case *ofactions.SetField:
			x.ctExec(ca, na)
		case *ofactions.Move:
			x.ctExecMove(ca, na)
		}
	}
	x.ctTimeout(ca)
	x.acts = append(x.acts, dpif.CT(ca))
	if x.tr != nil {
		for _, na := range a.Actions {
			x.tr.action(na.String())
		}
		if len(a.Actions) == 0 {
			x.tr.action("drop")
		}
	}
	if a.Table != ofactions.NoRecircTable {
		st := frozenState{bridge: x.br, table: a.Table, inPort: x.inPort(), meta: x.frozenMeta()}
		id := x.bk.recirc.idFor(st, x.now)
		start := len(x.acts) - 1
		x.acts = append(x.acts, dpif.Recirc(id))
		x.forks = append(x.forks, [2]int{start, len(x.acts)})
		x.recircs = append(x.recircs, emittedRecirc{id: id, zone: zone, flow: x.flow})
		x.tr.detail("A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table " + uitoa(uint64(a.Table)) + ".")
	}
	x.tr.detail("Sets the packet to an untracked state, and clears all the conntrack fields.")
	x.clearCT()
	x.conntracked = false
}

// ctExec turns exec(set_field/load to ct_mark or ct_label).
func (x *xlate) ctExec(ca *dpif.CTAction, a *ofactions.SetField) {
	mask := a.Mask
	if mask == (mf.ValueMask{}) {
		for i := range a.Field.Bytes {
			mask[i] = 0xff
		}
	}
	v := a.Value
	switch a.Field.ID {
	case mf.CtMark:
		ca.SetMark = true
		m := uint32(mask[0])<<24 | uint32(mask[1])<<16 | uint32(mask[2])<<8 | uint32(mask[3])
		val := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
		ca.Mark = ca.Mark&^m | val&m
		ca.MarkMask |= m
	case mf.CtLabel:
		ca.SetLabel = true
		hi, lo := be64(v[:8]), be64(v[8:16])
		mhi, mlo := be64(mask[:8]), be64(mask[8:16])
		ca.Label.Hi = ca.Label.Hi&^mhi | hi&mhi
		ca.Label.Lo = ca.Label.Lo&^mlo | lo&mlo
		ca.LabelMask.Hi |= mhi
		ca.LabelMask.Lo |= mlo
	}
}

func be64(b []byte) uint64 {
	var x uint64
	for _, c := range b {
		x = x<<8 | uint64(c)
	}
	return x
}

// ctNAT turns nat(...) into the tracker's NAT request.
func (x *xlate) ctNAT(ca *dpif.CTAction, n *ofactions.NAT) {
	na := &conntrack.NATAction{MinPort: n.MinPort, MaxPort: n.MaxPort}
	if n.Flags&ofactions.NATSrc != 0 {
		na.Flags |= conntrack.NATSrc
	}
	if n.Flags&ofactions.NATDst != 0 {
		na.Flags |= conntrack.NATDst
	}
	if n.Flags&ofactions.NATPersistent != 0 {
		na.Flags |= conntrack.NATPersistent
	}
	if n.Flags&ofactions.NATProtoRand != 0 {
		na.Flags |= conntrack.NATRandom
	}
	ca.NATHash = n.Flags&ofactions.NATProtoHash != 0
	if n.MinAddr.IsValid() {
		ca.NATIPv6 = n.MinAddr.Is6() && !n.MinAddr.Is4In6()
		if ca.NATIPv6 {
			na.MinAddr = n.MinAddr.As16()
		} else {
			a4 := n.MinAddr.As4()
			copy(na.MinAddr[:], a4[:])
		}
	}
	if n.MaxAddr.IsValid() {
		if ca.NATIPv6 {
			na.MaxAddr = n.MaxAddr.As16()
		} else {
			a4 := n.MaxAddr.As4()
			copy(na.MaxAddr[:], a4[:])
		}
	} else {
		na.MaxAddr = na.MinAddr
	}
	if na.MaxPort == 0 {
		na.MaxPort = na.MinPort
	}
	ca.NAT = na
}

func uitoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
