package ofproto

import (
	"encoding/binary"
	"net/netip"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// ConntrackFlusher is the connection tracker that NXT_CT_FLUSH_ZONE and
// NXT_CT_FLUSH act on (conntrack.Tracker implements it).
type ConntrackFlusher interface {
	Flush(zone *uint16, m *conntrack.FlushMatch) error
}

// SetConntrack gives the bridge the datapath's connection tracker. Until
// one is set there are no connections, so flushes succeed trivially.
func (b *Bridge) SetConntrack(ct ConntrackFlusher) {
	b.mu.Lock()
	b.ct = ct
	b.mu.Unlock()
}

func (b *Bridge) flushConntrack(zone *uint16, m *conntrack.FlushMatch) {
	b.mu.RLock()
	ct := b.ct
	b.mu.RUnlock()
	if ct == nil {
		return
	}
	// OVS reports nothing back: a flush that finds nothing is no error.
	if err := ct.Flush(zone, m); err != nil {
		log.Dbg("%s: conntrack flush: %v", b.name, err)
	}
}

func handleCTFlushZone(c *conn, r *request) error {
	body := r.body()
	if len(body) != 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	if !allZero(body[:6]) {
		return ofperr.NXBRC_MUST_BE_ZERO
	}
	zone := binary.BigEndian.Uint16(body[6:])
	c.b.flushConntrack(&zone, nil)
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// flushTuple converts one decoded direction of NXT_CT_FLUSH.
func flushTuple(t *ofp.CTTuple) conntrack.FlushTuple {
	addr := func(a [16]byte) netip.Addr {
		if a == ([16]byte{}) {
			return netip.Addr{}
		}
		return netip.AddrFrom16(a).Unmap()
	}
	return conntrack.FlushTuple{
		Src: addr(t.Src), Dst: addr(t.Dst),
		SrcPort: t.SrcPort, DstPort: t.DstPort,
		ICMPID: t.ICMPID, ICMPType: t.ICMPType, ICMPCode: t.ICMPCode,
	}
}

func handleCTFlush(c *conn, r *request) error {
	f, err := ofp.DecodeCTFlush(r.msg)
	if err != nil {
		return err
	}
	m := &conntrack.FlushMatch{Proto: f.IPProto, Orig: flushTuple(&f.Orig), Reply: flushTuple(&f.Reply)}
	if m.Orig.Src.IsValid() || m.Orig.Dst.IsValid() || m.Reply.Src.IsValid() || m.Reply.Dst.IsValid() {
		m.Family = 6
		if f.IPv4 {
			m.Family = 4
		}
	}
	var zone *uint16
	if f.HasZone {
		zone = &f.Zone
	}
	c.b.flushConntrack(zone, m)
	return nil
}
