package dpif

import (
	"sync"
	"time"
)

// pktRef is one packet being executed: the frame and its metadata.
type pktRef struct {
	p *Packet
	m *PacketMeta
}

// txPort is a port's transmit side as the executor sees it; mu serializes
// Send from the several poll goroutines that may output to one port.
type txPort struct {
	io PacketIO
	mu sync.Mutex
}

// outBatch collects the packets a batch sends to one port.
type outBatch struct {
	port uint32
	b    Batch
}

// Sizes of the executor's scratch space.
const (
	maxOutPorts = 16      // distinct output ports pending before a flush
	arenaSize   = 1 << 18 // copies of packets output before the last action
	cloneBufLen = 1 << 16 // one packet copy per clone nesting level
	maxRecirc   = 6       // recirculation depth, as OVS's MAX_RECIRC_DEPTH
	maxFrameLen = 1<<16 - 1
)

// executor applies action lists to batches. One belongs to each poll
// goroutine; it allocates nothing per packet: outputs are gathered per port
// (one Send per port per received batch), packets that must outlive a
// later rewrite are copied into a reusable arena, clones into per-depth
// buffers.
type executor struct {
	dp  *Datapath
	pmd *pmd // for recirculation and its counters
	txq int

	out  []outBatch
	nout int

	arena    []byte
	arenaOff int

	clones [maxCloneDepth]struct {
		buf  []byte
		pkt  Packet
		meta PacketMeta
		ref  [1]pktRef
	}
}

func newExecutor(dp *Datapath, p *pmd, txq int) *executor {
	e := &executor{dp: dp, pmd: p, txq: txq, out: make([]outBatch, maxOutPorts), arena: make([]byte, arenaSize)}
	for i := range e.clones {
		e.clones[i].buf = make([]byte, Headroom+cloneBufLen)
	}
	return e
}

// execute runs acts on every packet of refs at recirculation depth depth.
// cloneDepth > 0 says the packets are copies that die when the enclosing
// clone returns, so outputs must copy them.
func (e *executor) execute(refs []pktRef, acts []Action, depth, cloneDepth int) {
	for i := range acts {
		a := &acts[i]
		last := i == len(acts)-1
		switch a.Type {
		case ActDrop:
			return
		case ActOutput:
			for _, r := range refs {
				e.output(a.Port, r, last && cloneDepth == 0)
			}
		case ActSet:
			for _, r := range refs {
				applySet(r, a.Set)
			}
		case ActPushVLAN:
			refs = e.keep(refs, func(r pktRef) bool { return pushVLAN(r.p, r.m, a.TPID, a.TCI) })
		case ActPopVLAN:
			for _, r := range refs {
				popVLAN(r.p, r.m)
			}
		case ActPushMPLS:
			refs = e.keep(refs, func(r pktRef) bool { return pushMPLS(r.p, r.m, a.LSE, a.EthType) })
		case ActPopMPLS:
			for _, r := range refs {
				popMPLS(r.p, r.m, a.EthType)
			}
		case ActPushNSH:
			refs = e.keep(refs, func(r pktRef) bool { return pushNSH(r.p, r.m, a.Encap.Header) })
		case ActPushEth:
			refs = e.keep(refs, func(r pktRef) bool { return pushEth(r.p, r.m, a.Encap, a.EthType) })
		case ActPopEth:
			refs = e.keep(refs, func(r pktRef) bool { return popEth(r.p, r.m) })
		case ActPopNSH:
			refs = e.keep(refs, func(r pktRef) bool { return popNSH(r.p, r.m) })
		case ActCT:
			refs = e.reassemble(refs, a.CT, acts[i+1:], depth, cloneDepth)
			for _, r := range refs {
				e.conntrack(r, a.CT)
			}
		case ActCTClear:
			for _, r := range refs {
				r.m.ct.MD.Clear()
			}
		case ActRecirc:
			if !last {
				// The packets go on after this action: recirculate copies.
				for _, r := range refs {
					e.clone(r, acts[i:i+1], depth, cloneDepth)
				}
				continue
			}
			e.recirculate(refs, a.Arg, depth, cloneDepth)
		case ActUserspace:
			for _, r := range refs {
				e.dp.userspaceUpcall(r, a.Userspace)
			}
		case ActClone:
			for _, r := range refs {
				e.clone(r, a.Nested, depth, cloneDepth)
			}
		case ActTrunc:
			for _, r := range refs {
				r.m.cutlen = a.Arg
			}
		case ActMeter:
			refs = e.runMeter(refs, a.Arg, time.Now())
		case ActCheckPktLen:
			e.checkPktLen(refs, a.CheckPktLen, last, depth, cloneDepth)
		case ActHash:
			for _, r := range refs {
				r.m.DpHash = packetHash(r, a.HashAlg == HashSymL4, a.Arg)
			}
		}
	}
}

// keep runs f on each packet and drops those it fails on (a push without
// headroom), compacting refs in place.
func (e *executor) keep(refs []pktRef, f func(pktRef) bool) []pktRef {
	n := 0
	for _, r := range refs {
		if f(r) {
			refs[n] = r
			n++
		}
	}
	return refs[:n]
}

// applySet runs one set action on one packet.
func applySet(r pktRef, s *SetAction) {
	data := r.p.Data()
	switch s.Header {
	case SetEth:
		setEth(data, s)
	case SetIPv4:
		setIPv4(data, r.m, s)
	case SetIPv6:
		setIPv6(data, r.m, s)
	case SetTCP:
		if l4Proto(data, r.m) == ipProtoTCP {
			setPorts(data, r.m, s, ipProtoTCP)
		}
	case SetUDP:
		if l4Proto(data, r.m) == ipProtoUDP {
			setPorts(data, r.m, s, ipProtoUDP)
		}
	case SetSCTP:
		if l4Proto(data, r.m) == ipProtoSCTP {
			setPorts(data, r.m, s, ipProtoSCTP)
		}
	case SetVLAN:
		setVLAN(data, s)
	case SetMPLS:
		setMPLS(data, r.m, s)
	case SetNSH:
		setNSH(data, r.m, s)
	case SetSkbMark:
		m := s.Mask.Fields().PktMark()
		r.m.PktMark = r.m.PktMark&^m | s.Value.PktMark()&m
	case SetSkbPriority:
		m := s.Mask.Fields().SkbPriority()
		r.m.SkbPriority = r.m.SkbPriority&^m | s.Value.SkbPriority()&m
	}
}

// conntrack runs one ct() on one packet through the datapath's tracker,
// pointing the packet's conntrack view at the frame (no copy).
func (e *executor) conntrack(r pktRef, a *CTAction) {
	if a == nil {
		return
	}
	ctp := &r.m.ct
	data := r.p.Data()
	ctp.Data = data
	ctp.L3Offset = r.m.off.L3
	ctp.EthType = r.m.ethType
	e.dp.tracker.Execute(ctp, &a.Action)
	// An ALG rewrite may have changed the frame's length or buffer.
	if nd := ctp.Data; len(nd) != len(data) || len(nd) > 0 && &nd[0] != &data[0] {
		if len(nd) > 0 && len(data) > 0 && &nd[0] == &data[0] {
			r.p.end = r.p.off + len(nd)
		} else {
			r.p.Reset(nd[:cap(nd)], 0, len(nd))
		}
	}
	ctp.Data = nil
}

// recirculate sends packets through the lookup again with recirc_id id;
// beyond maxRecirc passes they are dropped, as in OVS.
func (e *executor) recirculate(refs []pktRef, id uint32, depth, cloneDepth int) {
	if depth >= maxRecirc {
		e.pmd.ctr.recircDrops.Add(uint64(len(refs)))
		return
	}
	for _, r := range refs {
		r.m.RecircID = id
	}
	e.pmd.ctr.recirc.Add(uint64(len(refs)))
	e.pmd.process(refs, depth+1, cloneDepth)
}

// clone runs acts on a copy of r, leaving r as it was.
func (e *executor) clone(r pktRef, acts []Action, depth, cloneDepth int) {
	if cloneDepth >= maxCloneDepth {
		return
	}
	c := &e.clones[cloneDepth]
	n := r.p.Len()
	if n > cloneBufLen {
		return
	}
	copy(c.buf[Headroom:], r.p.Data())
	c.pkt.Reset(c.buf, Headroom, n)
	c.meta = *r.m
	c.ref[0] = pktRef{&c.pkt, &c.meta}
	e.execute(c.ref[:], acts, depth, cloneDepth+1)
}

// output queues r for port. steal means the packet is not touched again
// before the flush, so its own buffer is queued; otherwise a copy is.
func (e *executor) output(port uint32, r pktRef, steal bool) {
	n := r.p.Len()
	if c := r.m.cutlen; c != 0 {
		n = min(n, int(c))
		r.m.cutlen = 0
	}
	ob := e.outFor(port)
	if ob == nil {
		return
	}
	if ob.b.N == BatchSize {
		e.flushOne(ob)
	}
	dst := &ob.b.Pkts[ob.b.N]
	if steal {
		*dst = *r.p
		dst.Truncate(n)
	} else {
		if n > len(e.arena) {
			return
		}
		if e.arenaOff+n > len(e.arena) {
			e.flush()
			ob = e.outFor(port)
			dst = &ob.b.Pkts[ob.b.N]
		}
		buf := e.arena[e.arenaOff : e.arenaOff+n : e.arenaOff+n]
		copy(buf, r.p.Data())
		e.arenaOff += n
		dst.Reset(buf, 0, n)
	}
	ob.b.N++
}

// outFor returns the pending batch of port, flushing everything when all
// slots are taken.
func (e *executor) outFor(port uint32) *outBatch {
	for i := range e.nout {
		if e.out[i].port == port {
			return &e.out[i]
		}
	}
	if e.nout == len(e.out) {
		e.flush()
	}
	ob := &e.out[e.nout]
	e.nout++
	ob.port, ob.b.N = port, 0
	return ob
}

// flush sends every pending batch, one Send per port.
func (e *executor) flush() {
	for i := range e.nout {
		e.flushOne(&e.out[i])
	}
	e.nout = 0
	e.arenaOff = 0
}

func (e *executor) flushOne(ob *outBatch) {
	if ob.b.N == 0 {
		return
	}
	if tx := e.dp.txPort(ob.port); tx != nil {
		tx.mu.Lock()
		_ = tx.io.Send(e.txq, &ob.b) // the port counts its own drops
		tx.mu.Unlock()
		if e.pmd != nil {
			e.pmd.ctr.sentPkts.Add(uint64(ob.b.N))
			e.pmd.ctr.sentBatches.Add(1)
		}
	}
	ob.b.N = 0
}

// packetHash is the hash() action: a hash of the 5-tuple (symmetric in
// the endpoints for sym_l4), never 0.
func packetHash(r pktRef, sym bool, basis uint32) uint32 {
	d := r.p.Data()
	m := r.m
	h := uint64(basis)*keyHashPrime1 + keyHashSeed
	if m.off.L3 >= 0 && m.ethType == ethTypeIPv4 && len(d) >= m.off.L3+20 {
		ip := d[m.off.L3:]
		a := uint64(ip[12])<<24 | uint64(ip[13])<<16 | uint64(ip[14])<<8 | uint64(ip[15])
		b := uint64(ip[16])<<24 | uint64(ip[17])<<16 | uint64(ip[18])<<8 | uint64(ip[19])
		var pa, pb uint64
		if m.off.L4 >= 0 && len(d) >= m.off.L4+4 && (ip[9] == ipProtoTCP || ip[9] == ipProtoUDP || ip[9] == ipProtoSCTP) {
			pa = uint64(d[m.off.L4])<<8 | uint64(d[m.off.L4+1])
			pb = uint64(d[m.off.L4+2])<<8 | uint64(d[m.off.L4+3])
		}
		if sym && (a > b || a == b && pa > pb) {
			a, b, pa, pb = b, a, pb, pa
		}
		h = keyHashWord(h, a<<32|b)
		h = keyHashWord(h, pa<<16|pb|uint64(ip[9])<<32)
	}
	v := uint32(keyHashFinish(h))
	if v == 0 {
		v = 1
	}
	return v
}
