package conntrack

import (
	"encoding/binary"
	"strconv"
	"sync"
)

// The FTP ALG: a state-update hook for connections committed with
// ct(alg=ftp). It turns PORT/EPRT/227/229 messages into expectations for the
// data connection and, when the ct() applies NAT, rewrites the address in
// the message and keeps TCP sequence numbers consistent with the length
// change, per direction.

// ftpState is the per-connection state kept in the ALG's private slot.
type ftpState struct {
	mu sync.Mutex // serialises the control connection's packets through the ALG
	// skew[d] is how many bytes rewriting has added to direction d's stream
	// so far (0 original, 1 reply): its later sequence numbers move by that
	// much, and the other direction's acknowledgements move back.
	skew [2]int32
}

type ftpHelper struct {
	t    *Tracker
	slot SlotID
}

// RegisterFTP registers the FTP ALG hook ("ftp", helper ftp, TCP) at prio.
// New does this at PriorityNormal unless Config.NoDefaultHelpers is set.
func (t *Tracker) RegisterFTP(prio int) error {
	slot, err := t.AllocSlot(nil)
	if err != nil {
		return err
	}
	f := &ftpHelper{t: t, slot: slot}
	return t.RegisterHook(Hook{Name: "ftp", Priority: prio, Helper: "ftp", Protocol: ProtoTCP, Update: f.update})
}

func (f *ftpHelper) state(c *Conn) *ftpState {
	if st, ok := c.Slot(f.slot).(*ftpState); ok {
		return st
	}
	v, _ := c.LoadOrStoreSlot(f.slot, &ftpState{})
	st, _ := v.(*ftpState)
	if st == nil {
		st = &ftpState{} // removed meanwhile: state for this packet only
	}
	return st
}

// update claims every update of an FTP control connection. Acknowledgements
// are moved back before the TCP tracker sees them and sequence numbers
// forward after, so the tracker follows each direction in its sender's own
// numbering.
func (f *ftpHelper) update(u *Update) bool {
	// A data connection committed with alg=ftp (flows often apply it to
	// everything) carries file data, not commands.
	if u.ctx.icmpRelated || len(u.ctx.l4) < 20 || u.Conn.parentKey() != nil {
		return false
	}
	st := f.state(u.Conn)
	st.mu.Lock()
	defer st.mu.Unlock()
	dir := 0
	if u.Reply {
		dir = 1
	}
	l3, l4 := u.ctx.l3, u.ctx.l4
	dirty := false
	if back := st.skew[1-dir]; u.NAT && back != 0 && l4[13]&tcpACK != 0 {
		ack := binary.BigEndian.Uint32(l4[8:])
		binary.BigEndian.PutUint32(l4[8:], ack-uint32(back))
		dirty = true
	}
	if u.Default() || u.Packet.MD.State&StateInvalid != 0 {
		if dirty {
			tcpFixChecksum(l3, l4, u.Conn.key.IPv6)
		}
		return true
	}
	delta := 0
	doff := int(l4[12]>>4) * 4
	if doff < len(l4) {
		var rewritten, ok bool
		delta, rewritten, ok = f.control(u, l4[doff:], u.Conn.key.IPv6)
		if !ok {
			u.Packet.MD.State |= StateTracked | StateInvalid
		}
		// An address of the same length changes the payload but not its
		// length: the checksum needs fixing all the same.
		if rewritten {
			dirty = true
			l3, l4 = u.ctx.l3, u.ctx.l4 // the packet may have been rebuilt
		}
	}
	if fwd := st.skew[dir]; u.NAT && fwd != 0 {
		seq := binary.BigEndian.Uint32(l4[4:])
		binary.BigEndian.PutUint32(l4[4:], seq+uint32(fwd))
		dirty = true
	}
	st.skew[dir] += int32(delta)
	if dirty {
		tcpFixChecksum(l3, l4, u.Conn.key.IPv6)
	}
	return true
}

// control handles one control message: expectation, anti-bounce check, and
// with NAT the address rewrite. It reports whether it rewrote the payload
// and by how much that changed its length, and false for a malformed or
// bouncing message.
func (f *ftpHelper) control(u *Update, payload []byte, v6 bool) (delta int, rewritten, ok bool) {
	msg, err := parseFTP(payload, v6)
	if err != nil {
		f.warn()
		return 0, false, false
	}
	if msg.cmd == ftpOther {
		return 0, false, true
	}
	c := u.Conn
	// The message names its sender; the receiver knows the sender by the
	// reply key reversed (original direction) or the original key's
	// destination (reply direction).
	real, seen := &c.key.Src, &c.rev.Dst
	if u.Reply {
		real, seen = &c.rev.Src, &c.key.Dst
	}
	seenAddr := c.key.Addr(seen)
	if msg.addr.IsValid() && msg.addr != c.key.Addr(real) && msg.addr != seenAddr {
		f.warn() // an address that is neither side's: a bounce attempt
		return 0, false, false
	}
	u.Expect(msg.port)
	if !u.NAT || !msg.addr.IsValid() || msg.addr == seenAddr {
		return 0, false, true
	}
	var text []byte
	switch msg.cmd {
	case ftpPORT, ftpPASV:
		a := seenAddr.As4()
		for i, b := range a {
			if i > 0 {
				text = append(text, ',')
			}
			text = strconv.AppendUint(text, uint64(b), 10)
		}
	default:
		text = []byte(seenAddr.String())
	}
	payOff := len(u.ctx.l3) - len(payload)
	delta, ok = spliceIP(u.Packet, &u.ctx, payOff+msg.addrOff, msg.addrLen, text)
	if !ok {
		f.warn()
		return 0, false, true
	}
	return delta, true, true
}

func (f *ftpHelper) warn() {
	if f.t.warnf != nil {
		f.t.warnf("Invalid FTP control packet format")
	}
}

// spliceIP replaces n bytes at offset off of the IP packet (from its header)
// with repl, moving the rest, fixing the IP length fields and the IPv4 header
// checksum, and dropping any link-layer padding. The packet grows in place
// when its buffer has room, else into a new buffer. ctx.l3 and ctx.l4 are
// updated; the L4 checksum is the caller's to fix.
func spliceIP(p *Packet, ctx *lookupCtx, off, n int, repl []byte) (int, bool) {
	l3len, hdrLen := len(ctx.l3), len(ctx.l3)-len(ctx.l4)
	delta := len(repl) - n
	newLen := l3len + delta
	maxLen := 0xffff // IPv4 total length, IPv6 payload length
	if ctx.key.IPv6 {
		maxLen += 40
	}
	if off < hdrLen || off+n > l3len || newLen > maxLen {
		return 0, false
	}
	base := p.L3Offset
	at, end := base+off, base+l3len
	var buf []byte
	if base+newLen <= cap(p.Data) {
		buf = p.Data[:base+newLen]
		copy(buf[at+len(repl):], p.Data[at+n:end])
	} else {
		buf = make([]byte, base+newLen)
		copy(buf, p.Data[:at])
		copy(buf[at+len(repl):], p.Data[at+n:end])
	}
	copy(buf[at:], repl)
	p.Data = buf
	l3 := buf[base:]
	if ctx.key.IPv6 {
		binary.BigEndian.PutUint16(l3[4:], uint16(newLen-40))
	} else {
		binary.BigEndian.PutUint16(l3[2:], uint16(newLen))
		l3[10], l3[11] = 0, 0
		binary.BigEndian.PutUint16(l3[10:], csumFold(csumAdd(0, l3[:hdrLen4(l3)])))
	}
	ctx.l3, ctx.l4 = l3, l3[hdrLen:]
	return delta, true
}

func hdrLen4(l3 []byte) int { return int(l3[0]&0x0f) * 4 }

// tcpFixChecksum recomputes a TCP checksum from scratch.
func tcpFixChecksum(l3, l4 []byte, v6 bool) {
	l4[16], l4[17] = 0, 0
	binary.BigEndian.PutUint16(l4[16:], csumFold(csumAdd(pseudoSum(l3, v6, ProtoTCP, len(l4)), l4)))
}
