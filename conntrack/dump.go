package conntrack

import (
	"fmt"
	"strconv"
	"strings"
)

// TCPInfo is the TCP protoinfo of a dumped connection.
type TCPInfo struct {
	StateOrig, StateReply   TCPState
	WscaleOrig, WscaleReply uint8
	FlagsOrig, FlagsReply   uint8 // TCPFlagWindowScale, TCPFlagBeLiberal
}

// TCP protoinfo flag bits, as ct-dpif numbers them.
const (
	TCPFlagWindowScale = 0x01
	TCPFlagSackPerm    = 0x02
	TCPFlagCloseInit   = 0x04
	TCPFlagBeLiberal   = 0x08
	TCPFlagDataUnacked = 0x10
	TCPFlagMaxAckSet   = 0x20
)

var tcpFlagNames = []string{"WINDOW_SCALE", "SACK_PERM", "CLOSE_INIT", "BE_LIBERAL", "DATA_UNACKNOWLEDGED", "MAXACK_SET"}

// Entry is one connection as dump-conntrack reports it.
type Entry struct {
	Orig, Reply Key
	Zone        uint16
	Mark        uint32
	Label       Label
	Timeout     uint32 // seconds left
	TCP         *TCPInfo
	Helper      string // ct(alg=...) helper, "" if none
	Parent      *Key   // ALG data connections: the control connection's key
	Status      uint32 // StatusOffload, shown by -m
	// Traffic an offload provider forwarded, shown by -s when non-zero.
	OrigCounters, ReplyCounters Counters
}

// Status bits of a dumped connection. They take the kernel's IPS_* bit
// numbers, as ct-dpif's status flags do; OVS 3.1's userspace tracker sets
// none and prints status=0.
const (
	// StatusOffload: an offload provider holds the connection (the
	// kernel's IPS_OFFLOAD, which conntrack(8) shows as [OFFLOAD]).
	StatusOffload = 1 << 14
)

var statusNames = []struct {
	bit  uint32
	name string
}{{StatusOffload, "OFFLOAD"}}

// formatStatus renders status bits as OVS formats flags: names joined by
// '|', unknown bits in hex, "0" for none.
func formatStatus(s uint32) string {
	if s == 0 {
		return "0"
	}
	var parts []string
	for _, n := range statusNames {
		if s&n.bit != 0 {
			parts = append(parts, n.name)
			s &^= n.bit
		}
	}
	if s != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", s))
	}
	return strings.Join(parts, "|")
}

// Dump returns a snapshot of the live connections, optionally of one zone,
// in table (hash) order.
func (t *Tracker) Dump(zone *uint16) []Entry {
	now := t.clock()
	var out []Entry
	t.table.forEach(func(c *Conn) {
		if c.expired(now) || zone != nil && c.key.Zone != *zone {
			return
		}
		out = append(out, t.entryOf(c, now))
	})
	return out
}

func (t *Tracker) entryOf(c *Conn, now int64) Entry {
	e := Entry{Orig: c.key, Reply: c.rev, Zone: c.key.Zone, Helper: t.HelperName(c), Parent: c.parentKey()}
	if c.Offloaded() {
		e.Status |= StatusOffload
	}
	e.OrigCounters, e.ReplyCounters = c.OffloadCounters()
	c.mu.Lock()
	defer c.mu.Unlock()
	e.Mark, e.Label = c.mark, c.label
	if left := c.expiration.Load() - now; left > 0 {
		e.Timeout = uint32(left / 1000)
	}
	if c.key.Proto == ProtoTCP {
		e.TCP = &TCPInfo{
			StateOrig: c.tcp[0].state, StateReply: c.tcp[1].state,
			WscaleOrig: c.tcp[0].wscale & wscaleMask, WscaleReply: c.tcp[1].wscale & wscaleMask,
			FlagsOrig: peerFlags(&c.tcp[0]), FlagsReply: peerFlags(&c.tcp[1]),
		}
	}
	return e
}

func peerFlags(p *tcpPeer) uint8 {
	var f uint8
	if p.wscale&wscaleFlag != 0 {
		f |= TCPFlagWindowScale
	}
	if p.wscale&wscaleUnknown != 0 {
		f |= TCPFlagBeLiberal
	}
	return f
}

// protoName is how ct-dpif names an IP protocol.
func protoName(p uint8) string {
	switch p {
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoSCTP:
		return "sctp"
	case ProtoUDPLite:
		return "udplite"
	case ProtoDCCP:
		return "dccp"
	case ProtoIGMP:
		return "igmp"
	}
	return strconv.Itoa(int(p))
}

func formatTuple(b *strings.Builder, k *Key) {
	fmt.Fprintf(b, "src=%s,dst=%s", k.Addr(&k.Src), k.Addr(&k.Dst))
	if k.isICMP() {
		fmt.Fprintf(b, ",id=%d,type=%d,code=%d", k.Src.Port, k.Src.ICMPType, k.Src.ICMPCode)
	} else if hasPorts(k.Proto) {
		fmt.Fprintf(b, ",sport=%d,dport=%d", k.Src.Port, k.Dst.Port)
	}
}

func hasPorts(p uint8) bool {
	return p == ProtoTCP || p == ProtoUDP || p == ProtoSCTP || p == ProtoUDPLite || p == ProtoDCCP
}

// String renders the label as ct-dpif does: hex without leading zeros.
func (l Label) String() string {
	if l.Hi != 0 {
		return fmt.Sprintf("0x%x%016x", l.Hi, l.Lo)
	}
	return fmt.Sprintf("0x%x", l.Lo)
}

func formatFlags(f uint8) string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for i, n := range tcpFlagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "|")
}

// Format renders the entry exactly as `ovs-appctl dpctl/dump-conntrack`
// does, with -m (verbose) and -s (stats). Offloaded connections add what
// OVS prints for kernel connections: status=OFFLOAD with -m, and the
// provider's packets=N,bytes=M inside orig=(...) and reply=(...) with -s.
func (e *Entry) Format(verbose, stats bool) string {
	var b strings.Builder
	b.WriteString(protoName(e.Orig.Proto))
	b.WriteString(",orig=(")
	formatTuple(&b, &e.Orig)
	if stats {
		formatCounters(&b, e.OrigCounters)
	}
	b.WriteString("),reply=(")
	formatTuple(&b, &e.Reply)
	if stats {
		formatCounters(&b, e.ReplyCounters)
	}
	b.WriteString(")")
	if verbose {
		b.WriteString(",id=0")
	}
	if e.Zone != 0 {
		fmt.Fprintf(&b, ",zone=%d", e.Zone)
	}
	if verbose {
		b.WriteString(",status=" + formatStatus(e.Status))
	}
	if stats {
		fmt.Fprintf(&b, ",timeout=%d", e.Timeout)
	}
	if e.Mark != 0 {
		fmt.Fprintf(&b, ",mark=%d", e.Mark)
	}
	if !e.Label.IsZero() {
		b.WriteString(",labels=" + e.Label.String())
	}
	if tcp := e.TCP; tcp != nil {
		if verbose {
			fmt.Fprintf(&b, ",protoinfo=(state_orig=%s,state_reply=%s", tcp.StateOrig, tcp.StateReply)
			if tcp.WscaleOrig != 0 || tcp.WscaleReply != 0 {
				fmt.Fprintf(&b, ",wscale_orig=%d,wscale_reply=%d", tcp.WscaleOrig, tcp.WscaleReply)
			}
			fmt.Fprintf(&b, ",flags_orig=%s,flags_reply=%s)", formatFlags(tcp.FlagsOrig), formatFlags(tcp.FlagsReply))
		} else {
			fmt.Fprintf(&b, ",protoinfo=(state=%s)", tcp.summaryState())
		}
	}
	if e.Helper != "" {
		b.WriteString(",helper=" + e.Helper)
	}
	if verbose && e.Parent != nil {
		b.WriteString(",parent=(")
		formatTuple(&b, e.Parent)
		b.WriteString(")")
	}
	return b.String()
}

func formatCounters(b *strings.Builder, c Counters) {
	if !c.IsZero() {
		fmt.Fprintf(b, ",packets=%d,bytes=%d", c.Packets, c.Bytes)
	}
}

// summaryState is the one state non-verbose output shows.
func (i *TCPInfo) summaryState() TCPState {
	return max(i.StateOrig, i.StateReply).coalesced()
}
