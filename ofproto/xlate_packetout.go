package ofproto

import (
	"errors"
	"fmt"
	"sync"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp/mf"
)

// backers maps each attached bridge to its Backer, so the OpenFlow agent
// can reach the datapath side (packet-out) without holding a pointer of
// its own.
var backers sync.Map // *Bridge -> *Backer

// errPacketOutExecute marks a packet-out the datapath failed to execute
// (as opposed to one whose actions failed to translate).
var errPacketOutExecute = errors.New("datapath execute")

// BackerOf returns the Backer a bridge is attached to, if any.
func BackerOf(b *Bridge) (*Backer, bool) {
	v, ok := backers.Load(b)
	if !ok {
		return nil, false
	}
	return v.(*Backer), true
}

// PacketOut runs an OpenFlow packet-out: it translates actions for frame
// as if it had arrived on OpenFlow port inPort (mf.PortController or
// mf.PortNone for none; output:TABLE runs it through table 0) and executes
// the result on the datapath.
func (k *Backer) PacketOut(b *Bridge, frame []byte, inPort uint16, actions ofactions.List) error {
	bb := k.stateOf(b)
	if bb == nil {
		return fmt.Errorf("packet-out on bridge %s: not attached to %s", b.Name(), k.dp.FullName())
	}
	odpIn, ok := k.portMap(bb)[inPort]
	if !ok {
		odpIn = 0 // the datapath's own port stands for "no port"
	}
	var key dpif.FlowKey
	dpif.Extract(frame, odpIn, &key)
	flow := keyToFlow(&key, inPort)
	x := k.newXlate(bb, &flow)
	x.learning.packetOut = true
	x.where.packetOut = true
	for i, a := range actions {
		if x.exit || x.err != nil {
			break
		}
		if x.doNXTail(a, actions[i+1:]) {
			break // check_pkt_larger translated the rest, per branch
		}
		if o, ok := a.(*ofactions.Output); ok && o.Port == mf.PortTable {
			x.resubmit(0)
		} else {
			x.doAction(a)
		}
		if x.pause != nil {
			x.freezeTail(actions, i)
			break
		}
	}
	x.finishPause()
	x.finish()
	if x.err != nil {
		return fmt.Errorf("packet-out on bridge %s: %w", b.Name(), x.err)
	}
	// The rules output:TABLE went through count the packet, as in OVS.
	creditRules(x.rules, 1, uint64(len(frame)))
	x.applyLearn(key.TCPFlags())
	if len(x.acts) == 0 {
		return nil
	}
	if err := k.dp.Execute(frame, odpIn, x.acts); err != nil {
		return fmt.Errorf("packet-out on bridge %s: %w: %w", b.Name(), errPacketOutExecute, err)
	}
	return nil
}
