package ofproto

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/govswitchd/govswitchd/dpif"
)

// traceBackers are the live Backers, for ofproto/trace's datapath-flow
// form, which names a datapath rather than a bridge.
var traceBackers struct {
	mu  sync.Mutex
	all []*Backer
}

// registerTraceBacker and unregisterTraceBacker keep traceBackers.
func registerTraceBacker(k *Backer) {
	traceBackers.mu.Lock()
	traceBackers.all = append(traceBackers.all, k)
	traceBackers.mu.Unlock()
}

func unregisterTraceBacker(k *Backer) {
	traceBackers.mu.Lock()
	defer traceBackers.mu.Unlock()
	for i, b := range traceBackers.all {
		if b == k {
			traceBackers.all = append(traceBackers.all[:i], traceBackers.all[i+1:]...)
			return
		}
	}
}

// traceBacker finds the Backer of datapath type dpName ("ovs-" prefix
// allowed), or with dpName "" the only one there is.
func traceBacker(dpName string) *Backer {
	traceBackers.mu.Lock()
	defer traceBackers.mu.Unlock()
	if dpName == "" {
		if len(traceBackers.all) == 1 {
			return traceBackers.all[0]
		}
		return nil
	}
	typ := strings.TrimPrefix(dpName, "ovs-")
	for _, k := range traceBackers.all {
		if k.dp.Type() == typ {
			return k
		}
	}
	return nil
}

var odpInPortNameRE = regexp.MustCompile(`in_port\(([^)/0-9][^)/]*)\)`)

// odpFlowWithPortNumbers replaces a port name in in_port(NAME) by its
// datapath port number, as OVS reads names in a traced datapath flow.
func odpFlowWithPortNumbers(flow string, k *Backer) string {
	if k == nil {
		return flow
	}
	return odpInPortNameRE.ReplaceAllStringFunc(flow, func(s string) string {
		name := odpInPortNameRE.FindStringSubmatch(s)[1]
		if p, ok := k.dp.PortByName(name); ok {
			return "in_port(" + strconv.FormatUint(uint64(p.Number), 10) + ")"
		}
		return s
	})
}

// traceODP is ofproto/trace's "[dp_name] odp_flow" form: the flow is a
// datapath flow, and its in_port picks the bridge. ok is false when the
// last word is not a datapath flow (then it is the bridge form).
func traceODP(ta *traceArgs) (out string, ok bool, err error) {
	words := ta.words
	dpName := ""
	if len(words) == 2 {
		dpName = words[0]
	}
	k := traceBacker(dpName)
	key, perr := dpif.ParseODPFlow(odpFlowWithPortNumbers(words[len(words)-1], k))
	if perr != nil {
		return "", false, nil
	}
	if k == nil {
		return "", true, errors.New("Cannot find the datapath")
	}
	bb, ofport, found := k.bridgeOf(key.InPort())
	if !found {
		return "", true, fmt.Errorf("no OpenFlow port for datapath port %d", key.InPort())
	}
	flow := keyToFlow(&key, ofport)
	if ta.packet != nil {
		flow = tracePacketFlow(&flow, ta.packet)
	}
	_ = ta.tracePacket(&flow)
	out, err = k.traceFlow(bb.br, flow, ta.ctNext)
	return out, true, err
}
