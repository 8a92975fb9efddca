package ofproto

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// traceArgs are ofproto/trace's arguments after the options are taken out.
type traceArgs struct {
	words    []string // bridge and flow
	ctNext   []uint8  // --ct-next states in order
	generate bool     // -generate: compose a packet from the flow
	packet   []byte   // a trailing packet in hex; nil if none
	l7       []byte   // --l7 payload; nil: l7Len bytes counting up
	l7Len    int
}

// maxTraceL7 bounds --l7-len, as OVS does.
const maxTraceL7 = 64000

// parseTraceArgs separates ofproto/trace's options ("-generate",
// "--l7 HEX", "--l7-len N", "--ct-next FLAGS") from its words, and takes a
// final hex packet off the words as OVS does: a last word that reads as a
// frame is the packet unless -generate was given.
func parseTraceArgs(args []string) (*traceArgs, error) {
	ta := &traceArgs{l7Len: dpif.ComposeL7Len}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		needArg := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("Missing argument for option %s", arg)
			}
			i++
			return args[i], nil
		}
		switch arg {
		case "-generate", "--generate":
			ta.generate = true
		case "--l7":
			s, err := needArg()
			if err != nil {
				return nil, err
			}
			b, ok := hexBytes(s)
			if !ok {
				return nil, errors.New("Trailing garbage in packet data")
			}
			ta.l7, ta.l7Len = b, len(b)
		case "--l7-len":
			s, err := needArg()
			if err != nil {
				return nil, err
			}
			ta.l7 = nil
			ta.l7Len = cAtoi(s)
			if ta.l7Len > maxTraceL7 {
				return nil, fmt.Errorf("%s: too much L7 data", s)
			}
			if ta.l7Len < 0 {
				ta.l7Len = 0
			}
		case "--ct-next":
			s, err := needArg()
			if err != nil {
				return nil, err
			}
			st, err := parseCtState(s)
			if err != nil {
				return nil, err
			}
			ta.ctNext = append(ta.ctNext, st)
		default:
			if strings.HasPrefix(arg, "-") {
				return nil, fmt.Errorf("%s: unknown option", arg)
			}
			if len(ta.words) >= 3 {
				return nil, errors.New("too many arguments")
			}
			ta.words = append(ta.words, arg)
		}
	}
	if !ta.generate && len(ta.words) > 1 {
		if pkt, ok := hexBytes(ta.words[len(ta.words)-1]); ok && len(pkt) >= 14 {
			ta.packet = pkt
			ta.words = ta.words[:len(ta.words)-1]
		} else if len(ta.words) > 2 {
			return nil, errors.New("Trailing garbage in packet data")
		}
	}
	return ta, nil
}

// hexBytes reads hex digit pairs, blanks allowed between pairs.
func hexBytes(s string) ([]byte, bool) {
	var out []byte
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			return out, true
		}
		if len(s) < 2 {
			return nil, false
		}
		v, err := strconv.ParseUint(s[:2], 16, 8)
		if err != nil {
			return nil, false
		}
		out = append(out, byte(v))
		s = s[2:]
	}
}

// cAtoi is C's atoi: leading digits with an optional sign, else 0.
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	for end < len(s) && end < 10 && '0' <= s[end] && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

// tracePacketFlow is the flow ofproto/trace follows for a packet given in
// hex: the packet's headers, with the metadata (in_port, recirc_id,
// dp_hash, skb_priority, pkt_mark, conntrack state) of the flow written on
// the command line, as OVS re-extracts the flow from the packet.
// Registers and OpenFlow metadata start at zero.
func tracePacketFlow(flow *mf.Flow, pkt []byte) mf.Flow {
	meta := flowToKey(flow, 0)
	var k dpif.FlowKey
	dpif.Extract(pkt, 0, &k)
	copy(k[:traceMetaWords], meta[:traceMetaWords])
	return keyToFlow(&k, uint16(fieldUint(flow, mf.InPort)))
}

// traceMetaWords are the FlowKey words before the packet headers (in_port
// to the conntrack tuple, see dpif.FlowKey's layout).
const traceMetaWords = 11

// tracePacket is the packet a trace works on: the one given, or with
// -generate one composed from flow. nil without either.
func (ta *traceArgs) tracePacket(flow *mf.Flow) []byte {
	if ta.packet != nil {
		return ta.packet
	}
	if !ta.generate {
		return nil
	}
	k := flowToKey(flow, 0)
	return dpif.ComposePacket(&k, ta.l7, ta.l7Len)
}

// ComposeFlow is the flow composer govswitchd installs for
// netdev-dummy/receive (a dpif.DummyFlowComposer): flow is a datapath flow
// as in OVS, or, beyond OVS, an OpenFlow match ("tcp,nw_src=10.0.0.1,
// tp_dst=80") whose unset fields stay zero. packetLen 0 gives the packet
// OVS's default 64-byte payload; otherwise the packet without payload is
// padded to packetLen bytes. Errors are the datapath flow parser's, as in
// OVS.
func ComposeFlow(flow string, packetLen int) ([]byte, error) {
	pkt, err := dpif.ComposeODPFlow(flow, packetLen)
	if err == nil || strings.Contains(flow, "(") {
		return pkt, err
	}
	m, merr := mf.Parse(flow)
	if merr != nil {
		return nil, err
	}
	k := flowToKey(&m.Flow, 0)
	if packetLen == 0 {
		return dpif.ComposePacket(&k, nil, dpif.ComposeL7Len), nil
	}
	pkt = dpif.ComposePacket(&k, nil, 0)
	if len(pkt) > packetLen {
		return nil, fmt.Errorf("packet of %d bytes does not fit in --len %d", len(pkt), packetLen)
	}
	return dpif.ExpandPacket(pkt, &k, packetLen), nil
}
