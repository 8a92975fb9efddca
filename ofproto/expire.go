package ofproto

import (
	"encoding/binary"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// expireInterval is how often timeouts are checked; OpenFlow timeouts are
// in whole seconds.
const expireInterval = 500 * time.Millisecond

func (b *Bridge) expireLoop() {
	defer b.wg.Done()
	t := time.NewTicker(expireInterval)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case now := <-t.C:
			b.expire(now)
		}
	}
}

// expire removes the rules whose idle or hard timeout passed by now and
// sends their flow-removed messages.
func (b *Bridge) expire(now time.Time) {
	var idle, hard []*Rule
	b.mu.Lock()
	for i := range b.tables {
		if b.tables[i].cls.timed == 0 {
			continue
		}
		for _, r := range b.tables[i].cls.ordered() {
			switch {
			case r.HardTimeout != 0 && now.Sub(r.modified) >= time.Duration(r.HardTimeout)*time.Second:
				hard = append(hard, r)
			case r.IdleTimeout != 0 && now.Sub(time.Unix(0, r.used.Load())) >= time.Duration(r.IdleTimeout)*time.Second:
				idle = append(idle, r)
			}
		}
	}
	b.removeRules(hard)
	b.removeRules(idle)
	b.noteRemoved(hard, removedHard)
	b.noteRemoved(idle, removedIdle)
	learned := b.deleteLearnedBy(append(append([]*Rule(nil), hard...), idle...))
	events := b.takeEvents()
	b.mu.Unlock()
	b.reportEvents(events)
	b.notifyRemoved(hard, removedHard)
	b.notifyRemoved(idle, removedIdle)
	b.notifyRemoved(learned, removedDelete)
}

// notifyRemoved sends flow-removed messages for the rules that asked for
// them to every connection that wants them, each in its own format.
func (b *Bridge) notifyRemoved(rules []*Rule, reason uint) {
	now := time.Now()
	for _, r := range rules {
		if r.Flags&ofp.FlagSendFlowRem == 0 {
			continue
		}
		b.eachConn(func(c *conn) {
			if !c.wantsAsync(asyncFlowRemoved, reason) {
				return
			}
			msg, err := encodeFlowRemoved(r, reason, c.protocol(), now)
			if err != nil {
				connLog.Dbg("%s: flow removed: %v", b.name, err)
				return
			}
			c.trySend(msg)
		})
	}
}

// encodeFlowRemoved builds the flow-removed message for protocol p
// (asynchronous: xid 0).
func encodeFlowRemoved(r *Rule, reason uint, p ofp.Protocol, now time.Time) ([]byte, error) {
	fs := r.flowStats(now)
	v := p.Version()
	wireReason := uint8(reason)
	if v < ofp.Version13 && reason == removedGroupDelete {
		wireReason = removedDelete
	}
	var b []byte
	var err error
	be16 := binary.BigEndian.AppendUint16
	be32 := binary.BigEndian.AppendUint32
	be64 := binary.BigEndian.AppendUint64
	switch p {
	case ofp.ProtoOF10, ofp.ProtoOF10TID:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawOFPT10FlowRemoved, v, 0, 0); err != nil {
			return nil, err
		}
		b = mf.AppendOF10Match(b, &r.Match)
		b = be64(b, r.Cookie)
		b = be16(b, r.Priority)
		b = append(b, wireReason, 0)
		b = be32(b, fs.DurationSec)
		b = be32(b, fs.DurationNsec)
		b = be16(b, r.IdleTimeout)
		b = append(b, 0, 0)
		b = be64(b, fs.PacketCount)
		b = be64(b, fs.ByteCount)
	case ofp.ProtoNXM, ofp.ProtoNXMTID:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawNXTFlowRemoved, v, 0, 0); err != nil {
			return nil, err
		}
		b = be64(b, r.Cookie)
		b = be16(b, r.Priority)
		b = append(b, wireReason, r.TableID)
		b = be32(b, fs.DurationSec)
		b = be32(b, fs.DurationNsec)
		b = be16(b, r.IdleTimeout)
		lenOff := len(b)
		b = be16(b, 0)
		b = be64(b, fs.PacketCount)
		b = be64(b, fs.ByteCount)
		m := len(b)
		b = mf.AppendNXM(b, &r.Match, 0, 0, 0)
		binary.BigEndian.PutUint16(b[lenOff:], uint16(len(b)-m))
		for (len(b)-m)%8 != 0 {
			b = append(b, 0)
		}
	case ofp.ProtoOF15:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawOFPT15FlowRemoved, v, 0, 0); err != nil {
			return nil, err
		}
		b = append(b, r.TableID, wireReason)
		b = be16(b, r.Priority)
		b = be16(b, r.IdleTimeout)
		b = be16(b, r.HardTimeout)
		b = be64(b, r.Cookie)
		b = mf.AppendOXMMatch(b, &r.Match, v)
		b = appendOXSStats(b, &fs, true, true)
	default:
		if b, err = ofp.AppendRawHeader(nil, ofp.RawOFPT11FlowRemoved, v, 0, 0); err != nil {
			return nil, err
		}
		b = be64(b, r.Cookie)
		b = be16(b, r.Priority)
		b = append(b, wireReason, r.TableID)
		b = be32(b, fs.DurationSec)
		b = be32(b, fs.DurationNsec)
		b = be16(b, r.IdleTimeout)
		b = be16(b, r.HardTimeout)
		b = be64(b, fs.PacketCount)
		b = be64(b, fs.ByteCount)
		b = mf.AppendOXMMatch(b, &r.Match, v)
	}
	return ofp.FinishMessage(b, 0), nil
}

// OXS (OpenFlow 1.5 statistics) fields.
const (
	oxsClass       = 0x8002
	oxsDuration    = 0
	oxsIdleTime    = 1
	oxsPacketCount = 4
	oxsByteCount   = 5
)

func appendOXSHeader(b []byte, field uint8, n int) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(oxsClass)<<16|uint32(field)<<9|uint32(n))
}

// appendOXSStats appends an ofp_stats block with duration and idle time
// (if asked) and the packet and byte counts, padded to 8 bytes.
func appendOXSStats(b []byte, fs *ofp.FlowStats, duration, idle bool) []byte {
	st := len(b)
	b = append(b, 0, 0, 0, 0)
	if duration {
		b = appendOXSHeader(b, oxsDuration, 8)
		b = binary.BigEndian.AppendUint32(b, fs.DurationSec)
		b = binary.BigEndian.AppendUint32(b, fs.DurationNsec)
	}
	if idle {
		b = appendOXSHeader(b, oxsIdleTime, 8)
		b = binary.BigEndian.AppendUint32(b, uint32(fs.IdleAge))
		b = binary.BigEndian.AppendUint32(b, 0)
	}
	b = appendOXSHeader(b, oxsPacketCount, 8)
	b = binary.BigEndian.AppendUint64(b, fs.PacketCount)
	b = appendOXSHeader(b, oxsByteCount, 8)
	b = binary.BigEndian.AppendUint64(b, fs.ByteCount)
	binary.BigEndian.PutUint16(b[st+2:], uint16(len(b)-st))
	for (len(b)-st)%8 != 0 {
		b = append(b, 0)
	}
	return b
}
