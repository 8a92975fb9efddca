package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Capabilities advertised in FEATURES_REPLY, as OVS's userspace datapath.
const (
	capsOF10    = 0x000000c7 // FLOW TABLE PORT QUEUE_STATS ARP_MATCH_IP
	capsOF13    = 0x0000004f // FLOW TABLE PORT GROUP QUEUE_STATS
	capsOF14    = 0x0000024f // ... and BUNDLES
	actionsOF10 = 0x00000fff
)

// numVisibleTables is n_tables: OVS hides its last table.
const numVisibleTables = 254

func handleEcho(c *conn, r *request) error {
	rep, err := ofp.EncodeEchoReply(r.msg)
	if err != nil {
		return err
	}
	c.send(rep)
	return nil
}

func handleFeatures(c *conn, r *request) error {
	if r.Version == ofp.Version11 || r.Version == ofp.Version12 {
		rep, err := encodeFeaturesReply11(c.b, r.Version, r.Xid) // features11.go
		if err != nil {
			return err
		}
		c.send(rep)
		return nil
	}
	f := &ofp.FeaturesReply{
		DatapathID: c.b.DatapathID(),
		NTables:    numVisibleTables,
	}
	switch {
	case r.Version == ofp.Version10:
		f.Capabilities, f.Actions = capsOF10, actionsOF10
		for _, p := range c.b.Ports() {
			f.Ports = append(f.Ports, p.phyPort10())
		}
	case r.Version == ofp.Version13:
		f.Capabilities = capsOF13
	default:
		f.Capabilities = capsOF14
	}
	rep, err := ofp.EncodeFeaturesReply(r.Version, r.Xid, f)
	if err != nil {
		return err
	}
	c.send(rep)
	return nil
}

// Fragment handling modes of SET_CONFIG.
const (
	fragNormal  = 0
	fragDrop    = 1
	fragReasm   = 2
	fragNXMatch = 3
	fragMask    = 3
)

func handleGetConfig(c *conn, r *request) error {
	b := reply(ofp.RawOFPTGetConfigReply, r)
	c.b.mu.RLock()
	frag := c.b.fragMode
	c.b.mu.RUnlock()
	c.mu.Lock()
	msl := c.missSendLen
	c.mu.Unlock()
	b = binary.BigEndian.AppendUint16(b, frag)
	b = binary.BigEndian.AppendUint16(b, msl)
	c.send(finish(b))
	return nil
}

func handleSetConfig(c *conn, r *request) error {
	body := r.body()
	if len(body) != 4 {
		return ofperr.OFPBRC_BAD_LEN
	}
	flags := binary.BigEndian.Uint16(body)
	c.mu.Lock()
	c.missSendLen = binary.BigEndian.Uint16(body[2:])
	c.mu.Unlock()
	// OVS cannot reassemble fragments; it ignores that mode (with a log).
	if mode := flags & fragMask; mode != fragReasm {
		c.b.mu.Lock()
		c.b.fragMode = mode
		c.b.mu.Unlock()
	} else {
		log.Warn("%s: unsupported fragment handling mode reassemble", c.b.name)
	}
	return nil
}

func handleBarrier(c *conn, r *request) error {
	raw, err := rawFor(r, ofp.RawOFPT10BarrierReply, ofp.RawOFPT11BarrierReply)
	if err != nil {
		return err
	}
	c.send(finish(reply(raw, r)))
	return nil
}

// NXT_SET_FLOW_FORMAT formats.
const (
	nxffOpenFlow10 = 0
	nxffNXM        = 2
)

func handleSetFlowFormat(c *conn, r *request) error {
	body := r.body()
	if len(body) != 4 {
		return ofperr.OFPBRC_BAD_LEN
	}
	switch binary.BigEndian.Uint32(body) {
	case nxffOpenFlow10:
		c.mu.Lock()
		c.nxm = false
		c.mu.Unlock()
	case nxffNXM:
		c.mu.Lock()
		c.nxm = true
		c.mu.Unlock()
	default:
		return ofperr.OFPBRC_EPERM
	}
	return nil
}

func handleFlowModTableID(c *conn, r *request) error {
	body := r.body()
	if len(body) != 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	c.mu.Lock()
	c.tid = body[0] != 0
	c.mu.Unlock()
	return nil
}

// Packet-in formats of NXT_SET_PACKET_IN_FORMAT.
const (
	packetInStandard = 0
	packetInNXT      = 1
	packetInNXT2     = 2
)

func handleSetPacketInFormat(c *conn, r *request) error {
	body := r.body()
	if len(body) != 4 {
		return ofperr.OFPBRC_BAD_LEN
	}
	f := binary.BigEndian.Uint32(body)
	if f > packetInNXT2 {
		return ofperr.OFPBRC_EPERM
	}
	c.mu.Lock()
	c.packetInFormat = f
	c.mu.Unlock()
	return nil
}

func handleRoleRequest(c *conn, r *request) error {
	body := r.body()
	var role uint32
	var genID uint64
	haveGen := false
	if r.Raw == ofp.RawNXTRoleRequest {
		if len(body) != 4 {
			return ofperr.OFPBRC_BAD_LEN
		}
		nx := binary.BigEndian.Uint32(body)
		if nx > 2 {
			return ofperr.OFPRRFC_BAD_ROLE
		}
		role = nx + 1
	} else {
		if len(body) != 16 {
			return ofperr.OFPBRC_BAD_LEN
		}
		role = binary.BigEndian.Uint32(body)
		if role > roleSecondary {
			return ofperr.OFPRRFC_BAD_ROLE
		}
		genID = binary.BigEndian.Uint64(body[8:])
		haveGen = role == rolePrimary || role == roleSecondary
	}
	b := c.b
	if role != roleNoChange {
		if role != roleEqual && haveGen && !b.setElectionID(genID) {
			return ofperr.OFPRRFC_STALE
		}
		if role == rolePrimary {
			// There is only one primary: the others become secondaries.
			b.eachConn(func(o *conn) {
				if o == c {
					return
				}
				o.mu.Lock()
				if o.role == rolePrimary {
					o.role = roleSecondary
				}
				o.mu.Unlock()
			})
		}
		c.mu.Lock()
		c.role = role
		c.mu.Unlock()
	}
	c.mu.Lock()
	cur := c.role
	c.mu.Unlock()
	if r.Raw == ofp.RawNXTRoleRequest {
		out := reply(ofp.RawNXTRoleReply, r)
		out = binary.BigEndian.AppendUint32(out, cur-1)
		c.send(finish(out))
		return nil
	}
	out := reply(ofp.RawOFPT12RoleReply, r)
	out = binary.BigEndian.AppendUint32(out, cur)
	out = append(out, 0, 0, 0, 0)
	gen, ok := b.electionID()
	if !ok {
		gen = ^uint64(0)
	}
	out = binary.BigEndian.AppendUint64(out, gen)
	c.send(finish(out))
	return nil
}

// setElectionID records a primary election generation id, refusing a
// stale one (older than the current, in serial-number arithmetic).
func (b *Bridge) setElectionID(id uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.electionSet && int64(id-b.election) < 0 {
		return false
	}
	b.election, b.electionSet = id, true
	return true
}

func (b *Bridge) electionID() (uint64, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.election, b.electionSet
}

// handleSetControllerID accepts a controller id; it only labels
// packet-ins, which this switch does not send yet.
func handleSetControllerID(c *conn, r *request) error {
	if len(r.body()) != 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	return nil
}
