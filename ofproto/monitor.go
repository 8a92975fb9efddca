package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Flow monitor flags, in the Nicira numbering (OpenFlow 1.4 uses the same
// bits; its NO_ABBREV is Nicira's OWN and it adds ONLY_OWN).
const (
	monInitial = 1 << 0
	monAdd     = 1 << 1
	monDelete  = 1 << 2
	monModify  = 1 << 3
	monActions = 1 << 4
	monOwn     = 1 << 5
	monOnlyOwn = 1 << 6 // OpenFlow 1.4
	monAllNX   = 0x3f
	monAll14   = monAllNX&^monOwn | monOnlyOwn
	monEvents  = monAdd | monDelete | monModify
)

// Flow update events (OpenFlow 1.4 numbering; Nicira has no INITIAL and
// numbers the rest from 0).
const (
	eventInitial  = 0
	eventAdded    = 1
	eventRemoved  = 2
	eventModified = 3
)

// OpenFlow 1.4 flow monitor commands.
const (
	monCmdAdd    = 0
	monCmdModify = 1
	monCmdDelete = 2
)

// flowMonitor is one monitor a connection set up.
type flowMonitor struct {
	id       uint32
	flags    uint16
	table    uint8
	outPort  uint16
	outGroup uint32
	match    mf.Match
}

func (m *flowMonitor) selects(r *Rule) bool {
	if m.table != ofp.TableAll && m.table != r.TableID {
		return false
	}
	if !covers(&m.match, &r.Match) {
		return false
	}
	if m.outPort != mf.PortNone && !outputsTo(r.Actions, m.outPort) {
		return false
	}
	return m.outGroup == ofp.GroupAny || outputsToGroup(r.Actions, m.outGroup)
}

// flowEvent is one change to the flow tables, queued under Bridge.mu and
// reported to the monitors once the change is complete.
type flowEvent struct {
	kind   uint8 // eventAdded, eventRemoved or eventModified
	reason uint8 // flow removed reason for eventRemoved
	rule   *Rule
	origin *conn // the connection whose request caused it, if any
}

// noteEvent records a table change. Caller holds mu.
func (b *Bridge) noteEvent(kind uint8, reason uint, r *Rule) {
	b.events = append(b.events, flowEvent{kind: kind, reason: uint8(reason), rule: r, origin: b.origin})
}

// noteRemoved records the removal of rules. Caller holds mu.
func (b *Bridge) noteRemoved(rules []*Rule, reason uint) {
	for _, r := range rules {
		b.noteEvent(eventRemoved, reason, r)
	}
}

// takeEvents returns and clears the queued events. Caller holds mu.
func (b *Bridge) takeEvents() []flowEvent {
	ev := b.events
	b.events = nil
	return ev
}

// reportEvents sends queued table changes to the monitoring connections,
// one reply per change (xid 0), as OVS does.
func (b *Bridge) reportEvents(events []flowEvent) {
	// Every table, group or meter change passes here: the datapath's
	// cached flows are checked against it at once.
	if f := b.onChange.Load(); f != nil {
		(*f)()
	}
	if len(events) == 0 {
		return
	}
	b.eachConn(func(c *conn) {
		c.mu.Lock()
		mons := make([]flowMonitor, 0, len(c.monitors))
		for _, m := range c.monitors {
			mons = append(mons, *m)
		}
		v := c.version
		c.mu.Unlock()
		if len(mons) == 0 {
			return
		}
		for _, ev := range events {
			want := uint16(monAdd)
			switch ev.kind {
			case eventRemoved:
				want = monDelete
			case eventModified:
				want = monModify
			}
			for i := range mons {
				m := &mons[i]
				if m.flags&want == 0 || !m.selects(ev.rule) {
					continue
				}
				// A connection's own changes are reported only with
				// the OWN flag (OVS sends abbreviated updates instead).
				if ev.origin == c && m.flags&monOwn == 0 {
					continue
				}
				raw, ok := ofp.RawFor(v, ofp.RawNXSTFlowMonitorReply, ofp.RawONFST13FlowMonitorReply, ofp.RawOFPST14FlowMonitorReply)
				if !ok {
					return
				}
				msg, err := ofp.AppendRawHeader(nil, raw, v, 0, 0)
				if err != nil {
					return
				}
				if msg, err = appendFlowUpdate(msg, ev.kind, ev.reason, ev.rule, m.flags, v); err != nil {
					connLog.Dbg("%s: flow update: %v", b.name, err)
					return
				}
				c.trySend(ofp.FinishMessage(msg, 0))
				break
			}
		}
	})
}

// appendFlowUpdate encodes one flow update in version v's format.
func appendFlowUpdate(b []byte, event, reason uint8, r *Rule, flags uint16, v uint8) ([]byte, error) {
	start := len(b)
	be16 := binary.BigEndian.AppendUint16
	actions := r.Actions
	if flags&monActions == 0 {
		actions = nil
	}
	var err error
	if v < ofp.Version14 {
		nxEvent := map[uint8]uint16{eventInitial: 0, eventAdded: 0, eventRemoved: 1, eventModified: 2}[event]
		b = be16(b, 0)
		b = be16(b, nxEvent)
		b = be16(b, uint16(reason))
		b = be16(b, r.Priority)
		b = be16(b, r.IdleTimeout)
		b = be16(b, r.HardTimeout)
		lenOff := len(b)
		b = be16(b, 0)
		b = append(b, r.TableID, 0)
		b = binary.BigEndian.AppendUint64(b, r.Cookie)
		m := len(b)
		if v == ofp.Version13 {
			// ONF's OpenFlow 1.3 extension: an ofp_match and instructions.
			b = mf.AppendOXMMatch(b, &r.Match, v)
			copy(b[lenOff:lenOff+2], b[m+2:m+4])
			b, err = ofactions.AppendInstructions(b, actions, v)
		} else {
			b = mf.AppendNXM(b, &r.Match, 0, 0, 0)
			binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-m))
			for (len(b)-m)%8 != 0 {
				b = append(b, 0)
			}
			b, err = ofactions.AppendActions(b, actions, v)
		}
	} else {
		b = be16(b, 0)
		b = be16(b, uint16(event))
		b = append(b, r.TableID, reason)
		b = be16(b, r.IdleTimeout)
		b = be16(b, r.HardTimeout)
		b = be16(b, r.Priority)
		b = append(b, 0, 0, 0, 0)
		b = binary.BigEndian.AppendUint64(b, r.Cookie)
		b = mf.AppendOXMMatch(b, &r.Match, v)
		b, err = ofactions.AppendInstructions(b, actions, v)
	}
	if err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start))
	return b, nil
}

// decodeMonitorRequests parses the monitor requests of one message.
// cmds holds each request's OpenFlow 1.4 command (add for Nicira).
func decodeMonitorRequests(r *request) (mons []flowMonitor, cmds []uint8, err error) {
	b := r.body()
	for len(b) > 0 {
		if len(b) < 16 {
			return nil, nil, ofperr.OFPBRC_BAD_LEN
		}
		m := flowMonitor{id: binary.BigEndian.Uint32(b), outGroup: ofp.GroupAny}
		cmd := uint8(monCmdAdd)
		if r.Raw == ofp.RawNXSTFlowMonitorRequest {
			m.flags = binary.BigEndian.Uint16(b[4:])
			m.outPort = binary.BigEndian.Uint16(b[6:])
			n := int(binary.BigEndian.Uint16(b[8:]))
			m.table = b[10]
			padded := 16 + (n+7)&^7
			if padded > len(b) {
				return nil, nil, ofperr.OFPBRC_BAD_LEN
			}
			if _, _, err := mf.DecodeNXM(b[16:16+n], mf.DecodeOptions{}, &m.match); err != nil {
				return nil, nil, err
			}
			if m.flags&^monAllNX != 0 || m.flags&monEvents == 0 {
				return nil, nil, ofperr.OFPMOFC_BAD_FLAGS
			}
			if !allZero(b[11:16]) {
				return nil, nil, ofperr.NXBRC_MUST_BE_ZERO
			}
			b = b[padded:]
		} else if r.Raw == ofp.RawONFST13FlowMonitorRequest {
			m.flags = binary.BigEndian.Uint16(b[4:])
			port, err := mf.Port16(binary.BigEndian.Uint32(b[8:]))
			if err != nil {
				return nil, nil, ofperr.OFPMOFC_BAD_OUT
			}
			m.outPort = port
			m.table = b[12]
			if m.flags&^monAllNX != 0 || m.flags&monEvents == 0 {
				return nil, nil, ofperr.OFPMOFC_BAD_FLAGS
			}
			if !allZero(b[13:16]) {
				return nil, nil, ofperr.NXBRC_MUST_BE_ZERO
			}
			n, err := mf.DecodeOXMMatch(b[16:], false, &m.match)
			if err != nil {
				return nil, nil, err
			}
			b = b[16+n:]
		} else {
			port, err := mf.Port16(binary.BigEndian.Uint32(b[4:]))
			if err != nil {
				return nil, nil, ofperr.OFPMOFC_BAD_OUT
			}
			m.outPort = port
			m.outGroup = binary.BigEndian.Uint32(b[8:])
			m.flags = binary.BigEndian.Uint16(b[12:])
			m.table = b[14]
			cmd = b[15]
			n, err := mf.DecodeOXMMatch(b[16:], false, &m.match)
			if err != nil {
				return nil, nil, err
			}
			if cmd > monCmdDelete {
				return nil, nil, ofperr.OFPMOFC_BAD_COMMAND
			}
			if cmd != monCmdDelete && (m.flags&^monAll14 != 0 || m.flags&monEvents == 0) {
				return nil, nil, ofperr.OFPMOFC_BAD_FLAGS
			}
			// OVS reads OpenFlow 1.4's ONLY_OWN as Nicira's OWN:
			// include the connection's own changes.
			if m.flags&monOnlyOwn != 0 {
				m.flags = m.flags&^monOnlyOwn | monOwn
			}
			b = b[16+n:]
		}
		if m.table != ofp.TableAll && int(m.table) >= numVisibleTables {
			return nil, nil, ofperr.OFPMOFC_BAD_TABLE_ID
		}
		mons = append(mons, m)
		cmds = append(cmds, cmd)
	}
	return mons, cmds, nil
}

func handleFlowMonitor(c *conn, r *request) error {
	mons, cmds, err := decodeMonitorRequests(r)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.monitors == nil {
		c.monitors = make(map[uint32]*flowMonitor)
	}
	for i := range mons {
		m := &mons[i]
		_, exists := c.monitors[m.id]
		switch {
		case cmds[i] == monCmdAdd && exists:
			err = ofperr.OFPMOFC_MONITOR_EXISTS
		case cmds[i] != monCmdAdd && !exists:
			err = ofperr.OFPMOFC_UNKNOWN_MONITOR
		}
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	raw, err := rawFor(r, ofp.RawNXSTFlowMonitorReply, ofp.RawONFST13FlowMonitorReply, ofp.RawOFPST14FlowMonitorReply)
	if err != nil {
		return err
	}
	mp := newMultipart(raw, r)
	c.b.mu.RLock()
	for i := range mons {
		m := &mons[i]
		if cmds[i] == monCmdDelete || m.flags&monInitial == 0 {
			continue
		}
		for t := range c.b.tables {
			for _, rule := range c.b.tables[t].cls.ordered() {
				if rule.TableID == hiddenTable || !m.selects(rule) {
					continue
				}
				e, err := appendFlowUpdate(nil, eventInitial, 0, rule, m.flags, r.Version)
				if err != nil {
					c.b.mu.RUnlock()
					return err
				}
				mp.add(e)
			}
		}
	}
	c.b.mu.RUnlock()
	c.mu.Lock()
	for i := range mons {
		if cmds[i] == monCmdDelete {
			delete(c.monitors, mons[i].id)
		} else {
			m := mons[i]
			c.monitors[m.id] = &m
		}
	}
	c.mu.Unlock()
	mp.send(c)
	return nil
}

func handleFlowMonitorCancel(c *conn, r *request) error {
	body := r.body()
	if len(body) != 4 {
		return ofperr.OFPBRC_BAD_LEN
	}
	id := binary.BigEndian.Uint32(body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.monitors[id] == nil {
		return ofperr.OFPMOFC_UNKNOWN_MONITOR
	}
	delete(c.monitors, id)
	return nil
}
