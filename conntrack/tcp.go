package conntrack

import "encoding/binary"

// TCPState is a per-direction TCP state as conntrack reports it.
type TCPState uint8

// TCP states in OVS's order; comparisons between them are meaningful.
const (
	TCPClosed TCPState = iota
	TCPListen
	TCPSynSent
	TCPSynRecv
	TCPEstablished
	TCPCloseWait
	TCPFinWait1
	TCPClosing
	TCPLastAck
	TCPFinWait2
	TCPTimeWait
	numTCPStates
)

var tcpStateNames = [numTCPStates]string{
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "CLOSE_WAIT",
	"FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT",
}

func (s TCPState) String() string {
	if s < numTCPStates {
		return tcpStateNames[s]
	}
	return "<unknown>"
}

// coalesced is the single state dumps print for a connection.
func (s TCPState) coalesced() TCPState {
	switch s {
	case TCPSynRecv:
		return TCPEstablished
	case TCPFinWait2:
		return TCPTimeWait
	}
	return s
}

// TCP flag bits.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
	tcpURG = 0x20
)

// Window-scale byte of a peer: factor in the low bits plus flags.
const (
	wscaleMask     = 0x0f
	wscaleUnknown  = 0x40 // picked up mid-stream: be liberal
	wscaleFlag     = 0x80 // negotiated in the SYN
	tcpMaxWscale   = 14
	tcpMaxAckWin   = 0xffff + 1500
	tcpMinHeader   = 20
	tcpOptEOL      = 0
	tcpOptNOP      = 1
	tcpOptWinScale = 3
)

// tcpPeer is the window tracking state of one direction (van Rooij / pf).
type tcpPeer struct {
	seqlo  uint32 // highest sequence number sent
	seqhi  uint32 // highest the peer may send: its ack + window
	maxWin uint16 // largest window seen, before scaling
	wscale uint8
	state  TCPState
}

// tcpSeg is the part of a TCP header the tracker reads.
type tcpSeg struct {
	flags    uint16
	seq, ack uint32
	win      uint16
	payload  uint32
	opts     []byte
}

func parseTCPSeg(l4 []byte) tcpSeg {
	doff := int(l4[12]>>4) * 4 // extraction guaranteed 20 <= doff <= len(l4)
	return tcpSeg{
		flags:   binary.BigEndian.Uint16(l4[12:]) & 0x0fff,
		seq:     binary.BigEndian.Uint32(l4[4:]),
		ack:     binary.BigEndian.Uint32(l4[8:]),
		win:     binary.BigEndian.Uint16(l4[14:]),
		payload: uint32(len(l4) - doff),
		opts:    l4[tcpMinHeader:doff],
	}
}

// wscaleOption returns the window-scale byte announced in the options.
func (s *tcpSeg) wscaleOption() uint8 {
	opt := s.opts
	for len(opt) >= 3 {
		switch opt[0] {
		case tcpOptEOL:
			return 0
		case tcpOptNOP:
			opt = opt[1:]
			continue
		case tcpOptWinScale:
			return min(opt[2], tcpMaxWscale) | wscaleFlag
		}
		n := int(opt[1])
		if n < 2 {
			n = 2
		}
		if n > len(opt) {
			return 0
		}
		opt = opt[n:]
	}
	return 0
}

func tcpInvalidFlags(f uint16) bool {
	if f&tcpSYN != 0 {
		if f&(tcpRST|tcpFIN) != 0 {
			return true
		}
	} else if f&(tcpACK|tcpRST) == 0 {
		return true
	}
	return f&tcpACK == 0 && f&(tcpFIN|tcpPSH|tcpURG) != 0
}

// seqGEQ and seqGT compare sequence numbers modulo 2^32.
func seqGEQ(a, b uint32) bool { return int32(a-b) >= 0 }
func seqGT(a, b uint32) bool  { return int32(a-b) > 0 }

// tcpValidNew: a SYN+ACK (half-open) never starts a connection; mid-stream
// pickup is allowed.
func tcpValidNew(l4 []byte) bool {
	f := parseTCPSeg(l4).flags
	return !tcpInvalidFlags(f) && !(f&tcpSYN != 0 && f&tcpACK != 0)
}

func (t *Tracker) tcpNewConn(c *Conn, l4 []byte, now int64) {
	s := parseTCPSeg(l4)
	src, dst := &c.tcp[0], &c.tcp[1]
	src.seqlo = s.seq
	src.seqhi = s.seq + s.payload + 1
	if s.flags&tcpSYN != 0 {
		src.seqhi++
		src.wscale = s.wscaleOption()
	} else {
		src.wscale = wscaleUnknown
		dst.wscale = wscaleUnknown
	}
	src.maxWin = max(s.win, 1)
	if sws := src.wscale & wscaleMask; sws != 0 {
		src.maxWin = uint16((uint32(src.maxWin) + 1<<sws - 1) >> sws)
	}
	if s.flags&tcpFIN != 0 {
		src.seqhi++
	}
	dst.seqhi = 1
	dst.maxWin = 1
	src.state = TCPSynSent
	dst.state = TCPClosed
	t.setExpiration(c, tmTCPFirst, now)
}

// tcpUpdate runs the TCP state machine and window checks for a packet of an
// existing connection. c.mu must be held.
func (t *Tracker) tcpUpdate(c *Conn, l4 []byte, reply bool, now int64) updateResult {
	s := parseTCPSeg(l4)
	src, dst := &c.tcp[0], &c.tcp[1]
	if reply {
		src, dst = dst, src
	}
	if tcpInvalidFlags(s.flags) {
		return updInvalid
	}
	if s.flags&(tcpSYN|tcpACK) == tcpSYN {
		if dst.state >= TCPFinWait2 && src.state >= TCPFinWait2 {
			src.state, dst.state = TCPClosed, TCPClosed
			return updNew
		} else if src.state <= TCPSynSent {
			src.state = TCPSynSent
			t.setExpiration(c, tmTCPFirst, now)
			return updValidNew
		}
	}

	var sws, dws uint8
	if src.wscale&wscaleFlag != 0 && dst.wscale&wscaleFlag != 0 && s.flags&tcpSYN == 0 {
		sws, dws = src.wscale&wscaleMask, dst.wscale&wscaleMask
	} else if src.wscale&wscaleUnknown != 0 && dst.wscale&wscaleUnknown != 0 && s.flags&tcpSYN == 0 {
		sws, dws = tcpMaxWscale, tcpMaxWscale
	}

	win := uint32(s.win)
	seq, origSeq, ack := s.seq, s.seq, s.ack
	end := seq + s.payload
	if s.flags&tcpSYN != 0 {
		end++
	}
	if s.flags&tcpFIN != 0 {
		end++
	}
	checkAckSkew := true
	if src.state < TCPSynSent {
		// First packet from this side (normally the SYN+ACK).
		if s.flags&tcpSYN != 0 && dst.wscale&wscaleFlag != 0 {
			src.wscale = s.wscaleOption()
			if src.wscale&wscaleFlag != 0 {
				sws = src.wscale & wscaleMask
				win = (win + 1<<sws - 1) >> sws
				dws = dst.wscale & wscaleMask
			} else {
				dst.maxWin <<= dst.wscale & wscaleMask
				dst.wscale = 0
			}
		}
		src.seqlo = seq
		src.state = TCPSynSent
		if lim := end + max(1, uint32(dst.maxWin)<<dws); src.seqhi == 1 || seqGEQ(lim, src.seqhi) {
			src.seqhi = lim
			checkAckSkew = false // picking up: be permissive about the ack
		}
		if win > uint32(src.maxWin) {
			src.maxWin = uint16(win)
		}
	}
	if s.flags&tcpACK == 0 || ack == 0 && s.flags&(tcpACK|tcpRST) == tcpACK|tcpRST {
		ack = dst.seqlo
	}
	if seq == end {
		seq = src.seqlo
		end = seq
	}
	ackskew := int32(0)
	if checkAckSkew {
		ackskew = int32(dst.seqlo - ack)
	}

	inWindow := seqGEQ(src.seqhi, end) &&
		seqGEQ(seq, src.seqlo-uint32(dst.maxWin)<<dws) &&
		ackskew >= -tcpMaxAckWin &&
		int64(ackskew) <= int64(tcpMaxAckWin)<<sws &&
		(s.flags&tcpRST == 0 || origSeq == src.seqlo || origSeq == src.seqlo+1 || origSeq+1 == src.seqlo)

	if inWindow || t.seqCheckBypassed(c) {
		t.tcpAdvance(src, dst, win, end, ack, sws)
		if s.flags&tcpSYN != 0 && src.state < TCPSynSent {
			src.state = TCPSynSent
		}
		if s.flags&tcpFIN != 0 && src.state < TCPClosing {
			src.state = TCPClosing
		}
		if s.flags&tcpACK != 0 {
			if dst.state == TCPSynSent {
				dst.state = TCPEstablished
			} else if dst.state == TCPClosing {
				dst.state = TCPFinWait2
			}
		}
		if s.flags&tcpRST != 0 {
			src.state, dst.state = TCPTimeWait, TCPTimeWait
		}
		switch {
		case src.state >= TCPFinWait2 && dst.state >= TCPFinWait2:
			t.setExpiration(c, tmTCPClosed, now)
		case src.state >= TCPClosing && dst.state >= TCPClosing:
			t.setExpiration(c, tmTCPFinWait, now)
		case src.state < TCPEstablished || dst.state < TCPEstablished:
			t.setExpiration(c, tmTCPOpening, now)
		case src.state >= TCPClosing || dst.state >= TCPClosing:
			t.setExpiration(c, tmTCPClosing, now)
		default:
			t.setExpiration(c, tmTCPEstablished, now)
		}
		return updValid
	}

	if (dst.state < TCPSynSent || dst.state >= TCPFinWait2 || src.state >= TCPFinWait2) &&
		seqGEQ(src.seqhi+tcpMaxAckWin, end) && seqGEQ(seq, src.seqlo-tcpMaxAckWin) {
		// Loose acceptance: SYN shotguns, picked-up connections, junk after
		// close. The timer is deliberately not refreshed.
		t.tcpAdvance(src, dst, win, end, ack, sws)
		if s.flags&tcpFIN != 0 && src.state < TCPClosing {
			src.state = TCPClosing
		}
		if s.flags&tcpRST != 0 {
			src.state, dst.state = TCPTimeWait, TCPTimeWait
		}
		return updValid
	}
	return updInvalid
}

// tcpAdvance records an accepted segment: max window, highest sequence sent
// and how far the other side may now send.
func (t *Tracker) tcpAdvance(src, dst *tcpPeer, win, end, ack uint32, sws uint8) {
	if uint32(src.maxWin) < win {
		src.maxWin = uint16(win)
	}
	if seqGT(end, src.seqlo) {
		src.seqlo = end
	}
	if scaled := win << sws; seqGEQ(ack+scaled, dst.seqhi) {
		dst.seqhi = ack + max(scaled, 1)
	}
}

// seqCheckBypassed: window validation is skipped when disabled globally,
// and for offloaded connections, of which software sees only the packets the
// provider hands back (so their sequence numbers jump).
func (t *Tracker) seqCheckBypassed(c *Conn) bool {
	return !t.seqChk.Load() || c.flags.Load()&connOffloaded != 0
}
