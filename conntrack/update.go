package conntrack

// updateResult is what a protocol tracker concludes about a packet of an
// existing connection.
type updateResult uint8

const (
	updInvalid  updateResult = iota // drop-worthy: ct_state = inv
	updValid                        // part of the connection: est
	updValidNew                     // accepted but still opening: new
	updNew                          // the old connection is over; start a new one
)

// connUpdate runs the per-protocol tracker under the connection lock.
func (t *Tracker) connUpdate(c *Conn, ctx *lookupCtx, now int64) updateResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.key.Proto == ProtoTCP:
		return t.tcpUpdate(c, ctx.l4, ctx.reply, now)
	case c.key.isICMP():
		return t.icmpUpdate(c, ctx.reply, now)
	default:
		return t.otherUpdate(c, ctx.reply, now)
	}
}

// defaultUpdateState turns the protocol verdict into ct_state bits.
func (t *Tracker) defaultUpdateState(p *Packet, ctx *lookupCtx, c *Conn, now int64) bool {
	md := &p.MD
	if ctx.icmpRelated {
		// ICMP errors only report the connection they quote.
		md.State |= StateRelated
		if ctx.reply {
			md.State |= StateReply
		}
		return false
	}
	if c.parentKey() != nil {
		md.State |= StateRelated
	}
	switch t.connUpdate(c, ctx, now) {
	case updValid:
		md.State |= StateEstablished
		md.State &^= StateNew
		if ctx.reply {
			md.State |= StateReply
		}
	case updInvalid:
		md.State = StateInvalid
	case updNew:
		t.forceExpire(c)
		return true
	case updValidNew:
		md.State |= StateNew
	}
	return false
}

// validNew reports whether the packet may start a connection.
func validNew(ctx *lookupCtx) bool {
	switch {
	case ctx.key.Proto == ProtoTCP:
		return tcpValidNew(ctx.l4)
	case ctx.key.isICMP():
		return icmpValidNew(&ctx.key)
	}
	return true
}

// initConnState sets up protocol state and the first timer of a new conn.
func (t *Tracker) initConnState(c *Conn, ctx *lookupCtx, now int64) {
	switch {
	case c.key.Proto == ProtoTCP:
		t.tcpNewConn(c, ctx.l4, now)
	case c.key.isICMP():
		c.pstate = icmpFirst
		t.setExpiration(c, tmICMPFirst, now)
	default:
		c.pstate = otherFirst
		t.setExpiration(c, tmOtherFirst, now)
	}
}
