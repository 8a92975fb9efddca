package ofproto

import (
	"crypto/rand"
	"fmt"
	"sync"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// NXT_RESUME: a controller sends back a paused packet's NXT_PACKET_IN2
// (the packet and its metadata, possibly modified, and the continuation
// verbatim) and the switch runs the frozen actions from where the pause
// left off (resume_freeze.go builds them).

// bridgeUUIDs names each bridge in continuations with a random UUID, as
// OVS names an ofproto; a continuation naming no live bridge is stale.
var bridgeUUIDs = struct {
	sync.Mutex
	byBridge map[*Bridge][16]byte
	byUUID   map[[16]byte]*Bridge
}{byBridge: map[*Bridge][16]byte{}, byUUID: map[[16]byte]*Bridge{}}

// continuationUUID returns b's UUID, choosing it the first time.
func (b *Bridge) continuationUUID() [16]byte {
	bridgeUUIDs.Lock()
	defer bridgeUUIDs.Unlock()
	if u, ok := bridgeUUIDs.byBridge[b]; ok {
		return u
	}
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	bridgeUUIDs.byBridge[b] = u
	bridgeUUIDs.byUUID[u] = b
	return u
}

// bridgeByUUID finds the bridge a continuation names, if it still runs
// on a datapath.
func bridgeByUUID(u [16]byte) (*Bridge, *Backer) {
	bridgeUUIDs.Lock()
	b := bridgeUUIDs.byUUID[u]
	bridgeUUIDs.Unlock()
	if b == nil {
		return nil, nil
	}
	k, ok := BackerOf(b)
	if !ok || k.stateOf(b) == nil {
		return nil, nil
	}
	return b, k
}

// appendPacketInContinuation adds the continuation property of a paused
// packet's NXT_PACKET_IN2 in version v: the frozen state's pipeline with
// its actions re-encoded for v, and the bridge's UUID.
func appendPacketInContinuation(b []byte, br *Bridge, cont string, v uint8) []byte {
	c := &ofp.Continuation{}
	if len(cont) >= 8 {
		dc, err := ofp.DecodeContinuation([]byte(cont)[8:])
		if err == nil {
			if pp, err := decodePausedPipeline(dc, contVersion); err == nil {
				c = pp.continuation(v)
			}
		}
	}
	c.Bridge = br.continuationUUID()
	return ofp.AppendContinuation(b, c)
}

// handleResume serves NXT_RESUME with OVS's errors: the codec's for a
// malformed message or continuation, NXR_STALE for a continuation whose
// bridge is gone (or that names none).
func handleResume(c *conn, r *request) error {
	pi, err := ofp.DecodePacketIn2(r.body())
	if err != nil {
		return err
	}
	cont, err := ofp.DecodeContinuation(pi.Continuation)
	if err != nil {
		return err
	}
	pp, err := decodePausedPipeline(cont, r.msg[0])
	if err != nil {
		return err
	}
	var meta mf.Match
	if _, _, err := mf.DecodeNXM(pi.Metadata, mf.DecodeOptions{}, &meta); err != nil {
		return err
	}
	b, k := bridgeByUUID(cont.Bridge)
	if b == nil {
		return ofperr.NXR_STALE
	}
	// Execution failures are the datapath's business, as in OVS: the
	// controller hears nothing of them.
	if err := k.resume(b, append([]byte(nil), pi.Packet...), &meta, pp); err != nil {
		connLog.Dbg("%s: resume: %v", c.b.name, err)
	}
	return nil
}

// resume translates a paused pipeline's frozen actions for frame, whose
// metadata (input port, registers, ...) meta gives, and executes the
// result on the datapath.
func (k *Backer) resume(b *Bridge, frame []byte, meta *mf.Match, pp *pausedPipeline) error {
	bb := k.stateOf(b)
	if bb == nil {
		return fmt.Errorf("resume on bridge %s: not attached to %s", b.Name(), k.dp.FullName())
	}
	inPort := uint16(fieldUint(&meta.Flow, mf.InPort))
	odpIn := pp.odpPort
	var key dpif.FlowKey
	dpif.Extract(frame, odpIn, &key)
	flow := keyToFlow(&key, inPort)
	overlay(&flow, meta)
	x := k.newXlate(bb, &flow)
	x.table, x.cookie = 0, ofp.NoCookie
	x.runPaused(pp)
	if x.err != nil {
		return fmt.Errorf("resume on bridge %s: %w", b.Name(), x.err)
	}
	x.applyLearn(key.TCPFlags())
	if len(x.acts) == 0 {
		return nil
	}
	if err := k.dp.Execute(frame, odpIn, x.acts); err != nil {
		return fmt.Errorf("resume on bridge %s: %w", b.Name(), err)
	}
	return nil
}

// runFrozen runs a frozen action list as the top level of a translation:
// an unroll marker restores its table and cookie, and a pause freezes
// whatever the list still holds.
func (x *xlate) runFrozen(items []frozenItem) {
	for i := 0; i < len(items); {
		if x.exit || x.err != nil {
			return
		}
		if items[i].act == nil {
			x.table, x.cookie = items[i].table, items[i].cookie
			i++
			continue
		}
		j := i
		var run ofactions.List
		for ; j < len(items) && items[j].act != nil; j++ {
			run = append(run, items[j].act)
		}
		x.doActions(run)
		if x.pause != nil {
			x.freezeItems(items[j:])
			return
		}
		i = j
	}
}

// overlay sets in flow every field bit meta matches.
func overlay(flow *mf.Flow, meta *mf.Match) {
	f, v, m := flow.Bytes(), meta.Flow.Bytes(), meta.Mask.Bytes()
	for i := range f {
		f[i] = f[i]&^m[i] | v[i]&m[i]
	}
}
