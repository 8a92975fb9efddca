package ofproto

import (
	"encoding/binary"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// multipart assembles a stats reply, splitting it into several messages
// with the "more" flag when the entries do not fit in one.
type multipart struct {
	raw  ofp.Raw
	r    *request
	msgs [][]byte
	cur  []byte
	hdr  int
}

func newMultipart(raw ofp.Raw, r *request) *multipart {
	m := &multipart{raw: raw, r: r}
	m.cur = reply(raw, r)
	m.hdr = len(m.cur)
	return m
}

// add appends one entry, starting a new message if it would overflow.
func (m *multipart) add(entry []byte) {
	if len(m.cur)+len(entry) > maxMsgLen && len(m.cur) > m.hdr {
		m.msgs = append(m.msgs, m.cur)
		m.cur = reply(m.raw, m.r)
	}
	m.cur = append(m.cur, entry...)
}

// send finishes every message and queues them on c.
func (m *multipart) send(c *conn) {
	msgs := append(m.msgs, m.cur)
	for i, msg := range msgs {
		msg = finish(msg)
		if i < len(msgs)-1 {
			binary.BigEndian.PutUint16(msg[10:], binary.BigEndian.Uint16(msg[10:])|1)
		}
		c.send(msg)
	}
}

// OVS's description strings.
const (
	descManufacturer = "Nicira, Inc."
	descHardware     = "Open vSwitch"
	descSoftware     = "3.1.0"
	descSerial       = "None"
	descDatapath     = "None"
)

func appendPadded(b []byte, s string, n int) []byte {
	f := make([]byte, n)
	copy(f[:n-1], s)
	return append(b, f...)
}

func handleDescStats(c *conn, r *request) error {
	b := reply(ofp.RawOFPSTDescReply, r)
	b = appendPadded(b, descManufacturer, 256)
	b = appendPadded(b, descHardware, 256)
	b = appendPadded(b, descSoftware, 256)
	b = appendPadded(b, descSerial, 32)
	b = appendPadded(b, descDatapath, 256)
	c.send(finish(b))
	return nil
}

// decodeFlowStatsRequest turns a flow or aggregate request into
// selection criteria.
func decodeFlowStatsRequest(r *request) (*criteria, error) {
	if err := flowCodecVersion(r); err != nil {
		return nil, err
	}
	fsr, err := ofp.DecodeFlowStatsRequest(r.msg)
	if err != nil {
		return nil, err
	}
	if fsr.TableID != ofp.TableAll && int(fsr.TableID) >= numTables {
		return nil, ofperr.OFPBRC_BAD_TABLE_ID
	}
	return &criteria{
		table: fsr.TableID, match: fsr.Match,
		cookie: fsr.Cookie, cookieMask: fsr.CookieMask,
		outPort: fsr.OutPort, outGroup: fsr.OutGroup,
	}, nil
}

// statsProtocol is the flow format of a flow stats reply to r.
func statsProtocol(r *request) ofp.Protocol {
	switch r.Raw {
	case ofp.RawNXSTFlowRequest, ofp.RawNXSTAggregateRequest:
		return ofp.ProtoNXM
	}
	return ofp.ProtocolFor(r.Version, false, false)
}

func handleFlowStats(c *conn, r *request) error {
	cr, err := decodeFlowStatsRequest(r)
	if err != nil {
		return err
	}
	p := statsProtocol(r)
	raw := ofp.RawNXSTFlowReply
	switch p {
	case ofp.ProtoOF10:
		raw = ofp.RawOFPST10FlowReply
	case ofp.ProtoOF12:
		raw = ofp.RawOFPST11FlowReply
	case ofp.ProtoOF13, ofp.ProtoOF14:
		raw = ofp.RawOFPST13FlowReply
	case ofp.ProtoOF15:
		raw = ofp.RawOFPST15FlowReply
	}
	now := time.Now()
	c.b.mu.RLock()
	rules := c.b.collect(cr)
	entries := make([]ofp.FlowStats, len(rules))
	for i, rule := range rules {
		entries[i] = rule.flowStats(now)
	}
	c.b.mu.RUnlock()
	mp := newMultipart(raw, r)
	for i := range entries {
		fs := &entries[i]
		if p == ofp.ProtoOF12 || p == ofp.ProtoOF13 || p == ofp.ProtoOF14 {
			fs.IdleAge, fs.HardAge = -1, -1
		}
		e, err := ofp.AppendFlowStats(nil, fs, p)
		if err != nil {
			return err
		}
		mp.add(e)
	}
	mp.send(c)
	return nil
}

func handleAggregateStats(c *conn, r *request) error {
	cr, err := decodeFlowStatsRequest(r)
	if err != nil {
		return err
	}
	var packets, bytes uint64
	c.b.mu.RLock()
	rules := c.b.collect(cr)
	for _, rule := range rules {
		p, b := rule.Stats()
		packets += p
		bytes += b
	}
	c.b.mu.RUnlock()
	rep, err := ofp.EncodeAggregateReply(r.msg, ofp.AggregateStats{PacketCount: packets, ByteCount: bytes, FlowCount: uint32(len(rules))})
	if err != nil {
		return err
	}
	c.send(rep)
	return nil
}

// of10Wildcards is OFPFW10_ALL as OVS reports it in table stats.
const of10Wildcards = 0x003fffff

func handleTableStats(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	raw, err := rawFor(r, ofp.RawOFPST10TableReply, ofp.RawOFPST11TableReply, ofp.RawOFPST12TableReply, ofp.RawOFPST13TableReply)
	if err != nil {
		return err
	}
	mp := newMultipart(raw, r)
	c.b.mu.RLock()
	active := make([]int, numVisibleTables)
	for i := range active {
		active[i] = c.b.ruleCount(i)
	}
	c.b.mu.RUnlock()
	for i := 0; i < numVisibleTables; i++ {
		t := &c.b.tables[i]
		if raw == ofp.RawOFPST11TableReply || raw == ofp.RawOFPST12TableReply { // tablefeatures_stats11.go
			mp.add(appendTableStats11(nil, uint8(i), r.Version, uint32(active[i]), t.lookups.Load(), t.matched.Load()))
			continue
		}
		var e []byte
		if raw == ofp.RawOFPST10TableReply {
			e = append(e, uint8(i), 0, 0, 0)
			e = append(e, make([]byte, 32)...)
			e = binary.BigEndian.AppendUint32(e, of10Wildcards)
			e = binary.BigEndian.AppendUint32(e, maxFlowsPerTable)
		} else {
			e = append(e, uint8(i), 0, 0, 0)
		}
		e = binary.BigEndian.AppendUint32(e, uint32(active[i]))
		e = binary.BigEndian.AppendUint64(e, t.lookups.Load())
		e = binary.BigEndian.AppendUint64(e, t.matched.Load())
		mp.add(e)
	}
	mp.send(c)
	return nil
}

// requestPort reads the port of a port stats, port desc or queue request.
func requestPort(r *request, of10Len, of11Len int) (uint16, error) {
	b := r.body()
	if r.Version == ofp.Version10 {
		if len(b) != of10Len {
			return 0, ofperr.OFPBRC_BAD_LEN
		}
		if of10Len == 0 {
			return mf.PortNone, nil
		}
		return binary.BigEndian.Uint16(b), nil
	}
	if len(b) != of11Len {
		return 0, ofperr.OFPBRC_BAD_LEN
	}
	if of11Len == 0 {
		return mf.PortNone, nil
	}
	p, err := mf.Port16(binary.BigEndian.Uint32(b))
	if err != nil {
		return 0, ofperr.OFPBRC_BAD_PORT
	}
	return p, nil
}

func handlePortDesc(c *conn, r *request) error {
	of11Len := 0
	if r.Version >= ofp.Version15 {
		of11Len = 8
	}
	port, err := requestPort(r, 0, of11Len)
	if err != nil {
		return err
	}
	raw, err := rawFor(r, ofp.RawOFPST10PortDescReply, ofp.RawOFPST11PortDescReply, ofp.RawOFPST14PortDescReply)
	if err != nil {
		return err
	}
	mp := newMultipart(raw, r)
	for _, p := range c.b.Ports() {
		if port == mf.PortNone || port == p.PortNo {
			mp.add(p.appendWire(nil, r.Version))
		}
	}
	mp.send(c)
	return nil
}

func handlePortStats(c *conn, r *request) error {
	port, err := requestPort(r, 8, 8)
	if err != nil {
		return err
	}
	raw, err := rawFor(r, ofp.RawOFPST10PortReply, ofp.RawOFPST11PortReply, ofp.RawOFPST13PortReply, ofp.RawOFPST14PortReply)
	if err != nil {
		return err
	}
	now := time.Now()
	mp := newMultipart(raw, r)
	for _, p := range c.b.Ports() {
		if port != mf.PortNone && port != p.PortNo {
			continue
		}
		var st dpif.PortStats
		if p.Stats != nil {
			st = p.Stats()
		}
		mp.add(appendPortStats(nil, &p, &st, r.Version, now.Sub(p.added)))
	}
	mp.send(c)
	return nil
}

// counter returns a counter, or all-ones when the device lacks it.
func counter(st *dpif.PortStats, f dpif.StatField) uint64 {
	v, ok := st.Get(f)
	if !ok {
		return ^uint64(0)
	}
	return v
}

func appendPortStats(b []byte, p *Port, st *dpif.PortStats, v uint8, age time.Duration) []byte {
	be64 := binary.BigEndian.AppendUint64
	main := []dpif.StatField{dpif.StatRxPackets, dpif.StatTxPackets, dpif.StatRxBytes, dpif.StatTxBytes,
		dpif.StatRxDropped, dpif.StatTxDropped, dpif.StatRxErrors, dpif.StatTxErrors}
	eth := []dpif.StatField{dpif.StatRxFrameErr, dpif.StatRxOverErr, dpif.StatRxCRCErr, dpif.StatCollisions}
	sec, nsec := uint32(age/time.Second), uint32(age%time.Second)
	switch {
	case v == ofp.Version10:
		b = binary.BigEndian.AppendUint16(b, p.PortNo)
		b = append(b, 0, 0, 0, 0, 0, 0)
	case v < ofp.Version14:
		b = binary.BigEndian.AppendUint32(b, mf.Port32(p.PortNo))
		b = append(b, 0, 0, 0, 0)
	default:
		b = binary.BigEndian.AppendUint16(b, 120)
		b = append(b, 0, 0)
		b = binary.BigEndian.AppendUint32(b, mf.Port32(p.PortNo))
		b = binary.BigEndian.AppendUint32(b, sec)
		b = binary.BigEndian.AppendUint32(b, nsec)
		for _, f := range main {
			b = be64(b, counter(st, f))
		}
		b = binary.BigEndian.AppendUint16(b, 0)
		b = binary.BigEndian.AppendUint16(b, 40)
		b = append(b, 0, 0, 0, 0)
		for _, f := range eth {
			b = be64(b, counter(st, f))
		}
		return b
	}
	for _, f := range append(main, eth...) {
		b = be64(b, counter(st, f))
	}
	if v == ofp.Version13 {
		b = binary.BigEndian.AppendUint32(b, sec)
		b = binary.BigEndian.AppendUint32(b, nsec)
	}
	return b
}

// handleQueueStats answers with no queues: the userspace datapath has none.
func handleQueueStats(c *conn, r *request) error {
	port, err := requestPort(r, 8, 8)
	if err != nil {
		return err
	}
	// OpenFlow 1.0 says "all ports" with OFPP_ALL.
	if port != mf.PortNone && port != mf.PortAll {
		c.b.mu.RLock()
		_, ok := c.b.ports[port]
		c.b.mu.RUnlock()
		if !ok {
			return ofperr.OFPQOFC_BAD_PORT
		}
	}
	raw, err := rawFor(r, ofp.RawOFPST10QueueReply, ofp.RawOFPST11QueueReply, ofp.RawOFPST13QueueReply, ofp.RawOFPST14QueueReply)
	if err != nil {
		return err
	}
	newMultipart(raw, r).send(c)
	return nil
}

// handleQueueGetConfig describes a port's queues: there are none.
func handleQueueGetConfig(c *conn, r *request) error {
	port, err := requestPort(r, 4, 8)
	if err != nil {
		return err
	}
	if port != mf.PortNone {
		c.b.mu.RLock()
		_, ok := c.b.ports[port]
		c.b.mu.RUnlock()
		if !ok {
			return ofperr.OFPQOFC_BAD_PORT
		}
	}
	raw, err := rawFor(r, ofp.RawOFPT10QueueGetConfigReply, ofp.RawOFPT11QueueGetConfigReply)
	if err != nil {
		return err
	}
	b := reply(raw, r)
	if r.Version == ofp.Version10 {
		b = binary.BigEndian.AppendUint16(b, port)
		b = append(b, 0, 0, 0, 0, 0, 0)
	} else {
		b = binary.BigEndian.AppendUint32(b, mf.Port32(port))
		b = append(b, 0, 0, 0, 0)
	}
	c.send(finish(b))
	return nil
}

// handleQueueDesc is OpenFlow 1.4+'s queue description: none.
func handleQueueDesc(c *conn, r *request) error {
	if len(r.body()) != 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	newMultipart(ofp.RawOFPST14QueueDescReply, r).send(c)
	return nil
}
