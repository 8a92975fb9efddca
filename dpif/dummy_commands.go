package dpif

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/govswitchd/govswitchd/vlog"
)

var dummyLog = vlog.New("netdev_dummy")

// DummyCommand is one of the unixctl commands OVS's netdev-dummy registers,
// with its name, usage and argument bounds as OVS 3.1 has them, for the
// daemon to register (Handler has unixctl's handler shape).
type DummyCommand struct {
	Name, Usage      string
	MinArgs, MaxArgs int // MaxArgs -1: unbounded
	Handler          func(args []string) (string, error)
}

// DummyCommands returns the netdev-dummy/* commands in OVS's order.
func DummyCommands() []DummyCommand {
	return []DummyCommand{
		{"netdev-dummy/receive", "name [--qid queue_id] packet|flow [--len packet_len]", 2, -1, NetdevDummyReceive},
		{"netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2, NetdevDummySetAdminState},
		{"netdev-dummy/conn-state", "[netdev]", 0, 1, NetdevDummyConnState},
		{"netdev-dummy/ip4addr", "[netdev] ipaddr/mask-prefix-len", 2, 2, NetdevDummyIP4Addr},
		{"netdev-dummy/ip6addr", "[netdev] ip6addr", 2, 2, NetdevDummyIP6Addr},
	}
}

// dummies are the open dummy ports in the order they were opened, which
// the commands find by name as OVS finds netdevs.
var dummies dummyList

type dummyList struct {
	mu    sync.Mutex
	ports []*DummyPort
}

func (l *dummyList) add(p *DummyPort) {
	l.mu.Lock()
	l.ports = append(l.ports, p)
	l.mu.Unlock()
}

func (l *dummyList) remove(p *DummyPort) {
	l.mu.Lock()
	if i := slices.Index(l.ports, p); i >= 0 {
		l.ports = slices.Delete(l.ports, i, i+1)
	}
	l.mu.Unlock()
}

// find returns the open dummy port called name (the newest if a name was
// reused before the older port closed).
func (l *dummyList) find(name string) *DummyPort {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.ports) - 1; i >= 0; i-- {
		if l.ports[i].name == name {
			return l.ports[i]
		}
	}
	return nil
}

func (l *dummyList) all() []*DummyPort {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ports)
}

// DummyFlowComposer builds the frame for a netdev-dummy/receive argument
// that is not hex: OVS reads it as a datapath flow
// ("in_port(1),eth(src=...,dst=...),eth_type(0x0800),ipv4(...)") and
// composes a packet of packetLen bytes (0: the natural length). The
// returned error text is the command's reply (OVS: "syntax error at ...").
type DummyFlowComposer func(flow string, packetLen int) ([]byte, error)

var dummyFlowComposer atomic.Pointer[DummyFlowComposer]

// SetDummyFlowComposer installs the flow parser for netdev-dummy/receive;
// dpif has none of its own. nil removes it.
func SetDummyFlowComposer(f DummyFlowComposer) {
	if f == nil {
		dummyFlowComposer.Store(nil)
		return
	}
	dummyFlowComposer.Store(&f)
}

// ethTotalMin is the shortest Ethernet frame without the FCS; --len may not
// ask for less.
const ethTotalMin = 60

// NetdevDummyReceive is "netdev-dummy/receive name [--qid queue_id]
// packet|flow [--len packet_len]": it queues each packet (hex bytes, or a
// flow when a DummyFlowComposer is installed) on the dummy port as if it
// had arrived from the wire. Packets before a bad argument stay queued.
func NetdevDummyReceive(args []string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("no such dummy netdev")
	}
	p := dummies.find(args[0])
	if p == nil {
		return "", errors.New("no such dummy netdev")
	}
	k, qid := 1, 0
	if len(args) > k+1 && args[k] == "--qid" {
		qid = cStrtol(args[k+1])
		if qid < 0 || qid >= p.RxQueues() {
			return "", errors.New("bad rx queue id.")
		}
		k += 2
	}
	for i := k; i < len(args); i++ {
		frame, ok := ethFromHex(args[i])
		if !ok {
			flow, size := args[i], 0
			if i+1 < len(args) && args[i+1] == "--len" {
				if i+2 < len(args) {
					size = cStrtol(args[i+2])
				}
				if size < ethTotalMin {
					return "", errors.New("too small packet len")
				}
				i += 2
			}
			var err error
			if frame, err = composeDummyFlow(flow, size); err != nil {
				return "", err
			}
		}
		// A full queue drops the frame silently, as in OVS.
		_ = p.Receive(qid, frame)
	}
	return "", nil
}

func composeDummyFlow(flow string, size int) ([]byte, error) {
	if f := dummyFlowComposer.Load(); f != nil {
		return (*f)(flow, size)
	}
	if strings.Contains(flow, "(") {
		return nil, errors.New("flow syntax is not supported yet (give the packet in hex): " + flow)
	}
	return nil, errors.New("syntax error at " + flow)
}

// ethFromHex reads a frame written as hex digit pairs, blanks allowed
// between pairs. Trailing garbage or fewer than 14 bytes mean it is not a
// frame (the argument may then be a flow).
func ethFromHex(s string) ([]byte, bool) {
	frame := make([]byte, 0, len(s)/2)
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if len(s) < 2 {
			break
		}
		hi, lo := unhex(s[0]), unhex(s[1])
		if hi < 0 || lo < 0 {
			break
		}
		frame = append(frame, byte(hi<<4|lo))
		s = s[2:]
	}
	return frame, s == "" && len(frame) >= 14
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// cStrtol is C's strtol(s, NULL, 10) as OVS uses it here: leading blanks,
// an optional sign, the digits that follow; anything unparsable is 0.
func cStrtol(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	for end < len(s) && '0' <= s[end] && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(s, "-") {
				return int(^uint(0)>>1) * -1
			}
			return int(^uint(0) >> 1)
		}
		return 0
	}
	return int(n)
}

// NetdevDummySetAdminState is "netdev-dummy/set-admin-state [netdev]
// up|down": it sets the administrative state of one dummy port, or of all.
func NetdevDummySetAdminState(args []string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("Invalid Admin State")
	}
	var up bool
	switch state := args[len(args)-1]; {
	case strings.EqualFold(state, "up"):
		up = true
	case strings.EqualFold(state, "down"):
		up = false
	default:
		return "", errors.New("Invalid Admin State")
	}
	if len(args) > 1 {
		p := dummies.find(args[0])
		if p == nil {
			return "", errors.New("Unknown Dummy Interface")
		}
		p.SetAdminUp(up)
		return "OK", nil
	}
	for _, p := range dummies.all() {
		p.SetAdminUp(up)
	}
	return "OK", nil
}

// NetdevDummyConnState is "netdev-dummy/conn-state [netdev]". Dummy ports
// here have no stream connections (options:stream/pstream), so every state
// is unknown: the named port is reported so, and listing all prints
// nothing, as OVS prints only known states.
func NetdevDummyConnState(args []string) (string, error) {
	if len(args) > 0 {
		return args[0] + ": unknown\n", nil
	}
	return "", nil
}

// NetdevDummyIP4Addr is "netdev-dummy/ip4addr netdev ipaddr/mask-prefix-len":
// the port then answers ARP requests for that address.
func NetdevDummyIP4Addr(args []string) (string, error) {
	if len(args) != 2 {
		return "", errors.New("Unknown Dummy Interface")
	}
	p := dummies.find(args[0])
	if p == nil {
		return "", errors.New("Unknown Dummy Interface")
	}
	ip, mask, err := parseIPv4Masked(args[1])
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.ip4, p.ip4Mask = ip, mask
	p.mu.Unlock()
	return "OK", nil
}

// NetdevDummyIP6Addr is "netdev-dummy/ip6addr netdev ip6addr/prefix-len".
func NetdevDummyIP6Addr(args []string) (string, error) {
	if len(args) != 2 {
		return "", errors.New("Unknown Dummy Interface")
	}
	p := dummies.find(args[0])
	if p == nil {
		return "", errors.New("Unknown Dummy Interface")
	}
	addr, plen, err := parseIPv6CIDR(args[1])
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.ip6 = append(p.ip6, net.IPNet{IP: addr.AsSlice(), Mask: net.CIDRMask(plen, 128)})
	p.mu.Unlock()
	return "OK", nil
}

// Addresses lists the addresses set with netdev-dummy/ip4addr and ip6addr.
func (p *DummyPort) Addresses() []net.IPNet {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []net.IPNet
	if p.ip4 != [4]byte{} {
		out = append(out, net.IPNet{IP: net.IP(p.ip4[:]).To16(), Mask: net.IPMask(p.ip4Mask[:])})
	}
	for _, a := range p.ip6 {
		out = append(out, net.IPNet{IP: slices.Clone(a.IP), Mask: slices.Clone(a.Mask)})
	}
	return out
}

// parseIPv4Masked reads "a.b.c.d", "a.b.c.d/len" or "a.b.c.d/m.m.m.m",
// with OVS's error texts.
func parseIPv4Masked(s string) (ip, mask [4]byte, err error) {
	bad := errors.New(s + ": invalid IP address")
	addr, rest, slash := strings.Cut(s, "/")
	a, perr := netip.ParseAddr(addr)
	if perr != nil || !a.Is4() {
		return ip, mask, bad
	}
	ip = a.As4()
	if !slash {
		return ip, [4]byte{255, 255, 255, 255}, nil
	}
	if m, merr := netip.ParseAddr(rest); merr == nil && m.Is4() {
		return ip, m.As4(), nil
	}
	n, nerr := strconv.Atoi(rest)
	if nerr != nil {
		return ip, mask, bad
	}
	if n < 0 || n > 32 {
		return ip, mask, errors.New(s + ": IPv4 network prefix bits not between 0 and 32, inclusive")
	}
	copy(mask[:], net.CIDRMask(n, 32))
	return ip, mask, nil
}

// parseIPv6CIDR reads "addr" or "addr/len", with OVS's error texts.
func parseIPv6CIDR(s string) (netip.Addr, int, error) {
	addr, rest, slash := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return netip.Addr{}, 0, errors.New(s + ": invalid IPv6 address")
	}
	if !slash {
		return a, 128, nil
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return netip.Addr{}, 0, errors.New(s + ": invalid IPv6 address")
	}
	if n < 0 || n > 128 {
		return netip.Addr{}, 0, errors.New(s + ": IPv6 network prefix bits not between 0 and 128, inclusive")
	}
	return a, n, nil
}

// answerARP queues a reply when f is an ARP request for the port's IPv4
// address, as netdev-dummy does for addresses set with ip4addr. Called
// with p.mu held.
func (p *DummyPort) answerARP(f []byte) {
	off := 12
	for off+2 <= len(f) {
		t := uint16(f[off])<<8 | uint16(f[off+1])
		if t != 0x8100 && t != 0x88a8 {
			break
		}
		off += 4
	}
	arp := f[min(off+2, len(f)):]
	if off+2 > len(f) || f[off] != 0x08 || f[off+1] != 0x06 || len(arp) < 28 ||
		arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 || arp[4] != 6 || arp[5] != 4 ||
		arp[6] != 0 || arp[7] != 1 || [4]byte(arp[24:28]) != p.ip4 {
		return
	}
	reqMAC, reqIP := f[6:12], arp[14:18] // Ethernet source, ARP sender IP
	reply := make([]byte, 0, 42)
	reply = append(reply, reqMAC...)
	reply = append(reply, p.mac...)
	reply = append(reply, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2)
	reply = append(reply, p.mac...)
	reply = append(reply, p.ip4[:]...)
	reply = append(reply, reqMAC...)
	reply = append(reply, reqIP...)
	if p.rxPcap != nil {
		p.rxPcap.write(reply)
	}
	if p.rx.push(reply, false) && p.rx.n == 1 {
		p.signalWake()
	}
}
