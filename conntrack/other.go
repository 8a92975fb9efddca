package conntrack

// States of the UDP/other tracker (Conn.pstate).
const (
	otherFirst uint8 = iota
	otherMultiple
	otherBidir
)

var otherTimeouts = [...]timeoutKind{otherFirst: tmOtherFirst, otherMultiple: tmOtherMultiple, otherBidir: tmOtherBidir}

// otherUpdate tracks UDP, SCTP and every protocol without its own tracker:
// established only once a reply was seen. c.mu must be held.
func (t *Tracker) otherUpdate(c *Conn, reply bool, now int64) updateResult {
	if reply && c.pstate != otherBidir {
		c.pstate = otherBidir
	} else if c.pstate == otherFirst {
		c.pstate = otherMultiple
	}
	t.setExpiration(c, otherTimeouts[c.pstate], now)
	if c.pstate == otherBidir {
		return updValid
	}
	return updValidNew
}

// States of the ICMP tracker (Conn.pstate).
const (
	icmpFirst uint8 = iota
	icmpReply
)

var icmpTimeouts = [...]timeoutKind{icmpFirst: tmICMPFirst, icmpReply: tmICMPReply}

// icmpUpdate tracks ICMP/ICMPv6 echo-style exchanges. c.mu must be held.
func (t *Tracker) icmpUpdate(c *Conn, reply bool, now int64) updateResult {
	res := updValid
	if reply && c.pstate == icmpFirst {
		c.pstate = icmpReply
	} else if c.pstate == icmpFirst {
		res = updValidNew
	}
	t.setExpiration(c, icmpTimeouts[c.pstate], now)
	return res
}

// icmpValidNew: only requests start ICMP connections.
func icmpValidNew(k *Key) bool {
	t := k.Src.ICMPType
	if k.IPv6 {
		return t == icmp6EchoRequest
	}
	return t == icmp4EchoRequest || t == icmp4InfoRequest || t == icmp4Timestamp
}
