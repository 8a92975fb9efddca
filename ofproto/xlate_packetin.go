package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// noBuffer is the buffer_id of a packet-in that carries the packet
// itself (the switch buffers nothing, as OVS).
const noBuffer = 0xffffffff

// packetIn is one packet sent to the controllers.
type packetIn struct {
	data     []byte
	totalLen int
	inPort   uint16
	reason   uint8
	table    uint8
	cookie   uint64
	meta     mf.Flow // metadata and registers to report
	userdata []byte  // controller(userdata=...), NXT_PACKET_IN2 only
	// paused marks a controller(pause) packet-in: NXT_PACKET_IN2 then
	// carries the continuation cont of bridge (resume.go).
	paused bool
	cont   string
	bridge *Bridge
}

// packetIn turns a userspace(controller) upcall into packet-ins. The
// cookie's recirculation id names the frozen state of the pipeline at the
// controller action (bridge, table, input port, registers).
func (k *Backer) packetIn(u *dpif.Upcall) {
	ua := u.Userspace
	if ua == nil || ua.Kind != dpif.UserspaceController || u.Packet == nil || ua.DontSend {
		return
	}
	st, ok := k.recirc.lookup(ua.RecircID, timeNow())
	if !ok || k.stateOf(st.bridge) == nil {
		return
	}
	// Nothing is buffered, so the whole packet goes up whatever max_len
	// says, as OVS does.
	frame := u.Packet.Data()
	pi := &packetIn{
		data:     append([]byte(nil), frame...),
		totalLen: len(frame),
		inPort:   st.inPort,
		reason:   uint8(ua.Reason),
		table:    st.table,
		cookie:   ua.RuleCookie,
		meta:     st.meta,
		userdata: []byte(st.userdata),
		paused:   ua.Continuation,
		cont:     st.cont,
		bridge:   st.bridge,
	}
	st.bridge.sendPacketIn(pi)
}

// wantsMissPacketIn reports whether a table miss sends a packet-in: as in
// OVS, when some connection speaks OpenFlow 1.0 to 1.2 (or has not
// negotiated yet), whose table-miss default is the controller.
func (b *Bridge) wantsMissPacketIn() bool {
	want := false
	b.eachConn(func(c *conn) {
		if v := c.negotiatedVersion(); v < ofp.Version13 {
			want = true
		}
	})
	return want
}

// sendPacketIn queues pi to every connection that wants packet-ins for
// its reason, each in the connection's format and with the reason its
// version can express (wireReason).
func (b *Bridge) sendPacketIn(pi *packetIn) {
	reason := pi.reason
	b.eachConn(func(c *conn) {
		if !c.wantsAsync(asyncPacketIn, uint(reason)) {
			return
		}
		c.mu.Lock()
		v, format := c.version, c.packetInFormat
		c.mu.Unlock()
		wire := *pi
		wire.reason = wireReason(reason, v)
		msg, err := encodePacketIn(&wire, v, format)
		if err != nil {
			connLog.Dbg("%s: packet-in: %v", b.name, err)
			return
		}
		b.sendPacketInTo(c, pi.inPort, reason, msg)
	})
}

// packetInMatch is the pipeline metadata a packet-in reports: the input
// port and the registers and metadata that are set.
func packetInMatch(pi *packetIn) mf.Match {
	var m mf.Match
	_ = m.SetExact(mf.InPort, uint64(pi.inPort))
	for _, id := range frozenFields {
		v := fieldBytes(&pi.meta, id)
		if v != (mf.ValueMask{}) {
			_ = m.Set(id, v[:mf.ByID(id).Bytes], nil)
		}
	}
	return m
}

// encodePacketIn builds the packet-in for a connection of version v with
// packet-in format format.
func encodePacketIn(pi *packetIn, v uint8, format uint32) ([]byte, error) {
	be16 := binary.BigEndian.AppendUint16
	be32 := binary.BigEndian.AppendUint32
	be64 := binary.BigEndian.AppendUint64
	m := packetInMatch(pi)
	var b []byte
	var err error
	switch {
	case format == packetInNXT2:
		return encodePacketIn2(pi, v, &m)
	case format == packetInNXT:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawNXTPacketIn, v, 0, 0); err != nil {
			return nil, err
		}
		b = be32(b, noBuffer)
		b = be16(b, uint16(pi.totalLen))
		b = append(b, pi.reason, pi.table)
		b = be64(b, pi.cookie)
		lenOff := len(b)
		b = be16(b, 0)
		b = append(b, 0, 0, 0, 0, 0, 0)
		start := len(b)
		b = mf.AppendNXM(b, &m, 0, 0, 0)
		binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-start))
		for (len(b)-start)%8 != 0 {
			b = append(b, 0)
		}
		b = append(b, 0, 0)
	case v == ofp.Version10:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawOFPT10PacketIn, v, 0, 0); err != nil {
			return nil, err
		}
		b = be32(b, noBuffer)
		b = be16(b, uint16(pi.totalLen))
		b = be16(b, pi.inPort)
		b = append(b, pi.reason, 0)
	case v == ofp.Version11:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawOFPT11PacketIn, v, 0, 0); err != nil {
			return nil, err
		}
		b = be32(b, noBuffer)
		b = be32(b, mf.Port32(pi.inPort))
		b = be32(b, mf.Port32(pi.inPort))
		b = be16(b, uint16(pi.totalLen))
		b = append(b, pi.reason, pi.table)
	default:
		raw := ofp.RawOFPT13PacketIn
		if v == ofp.Version12 {
			raw = ofp.RawOFPT12PacketIn
		}
		if b, err = ofp.AppendRawHeader(nil, raw, v, 0, 0); err != nil {
			return nil, err
		}
		b = be32(b, noBuffer)
		b = be16(b, uint16(pi.totalLen))
		b = append(b, pi.reason, pi.table)
		if v >= ofp.Version13 {
			b = be64(b, pi.cookie)
		}
		b = mf.AppendOXMMatch(b, &m, v)
		b = append(b, 0, 0)
	}
	b = append(b, pi.data...)
	return ofp.FinishMessage(b, 0), nil
}

// NXT_PACKET_IN2 property types.
const (
	pin2Packet   = 0
	pin2FullLen  = 1
	pin2TableID  = 3
	pin2Cookie   = 4
	pin2Reason   = 5
	pin2Metadata = 6
)

// encodePacketIn2 builds NXT_PACKET_IN2: the packet and its metadata as
// properties, each padded to 8 bytes.
func encodePacketIn2(pi *packetIn, v uint8, m *mf.Match) ([]byte, error) {
	b, err := ofp.AppendRawHeader(nil, ofp.RawNXTPacketIn2, v, 0, 0)
	if err != nil {
		return nil, err
	}
	prop := func(typ uint16, value []byte) {
		start := len(b)
		b = binary.BigEndian.AppendUint16(b, typ)
		b = binary.BigEndian.AppendUint16(b, uint16(4+len(value)))
		b = append(b, value...)
		for (len(b)-start)%8 != 0 {
			b = append(b, 0)
		}
	}
	prop(pin2Packet, pi.data)
	if len(pi.data) != pi.totalLen {
		prop(pin2FullLen, binary.BigEndian.AppendUint32(nil, uint32(pi.totalLen)))
	}
	prop(pin2TableID, []byte{pi.table})
	if pi.cookie != ofp.NoCookie {
		prop(pin2Cookie, binary.BigEndian.AppendUint64([]byte{0, 0, 0, 0}, pi.cookie))
	}
	prop(pin2Reason, []byte{pi.reason})
	prop(pin2Metadata, mf.AppendNXM(nil, m, v, 0, 0))
	if pi.paused {
		b = appendPacketInContinuation(b, pi.bridge, pi.cont, v)
	}
	if len(pi.userdata) > 0 {
		prop(pin2Userdata, pi.userdata)
	}
	return ofp.FinishMessage(b, 0), nil
}
