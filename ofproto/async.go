package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Asynchronous message kinds, in the order of the OpenFlow 1.4 async
// configuration properties.
const (
	asyncPacketIn = iota
	asyncPortStatus
	asyncFlowRemoved
	asyncRoleStatus
	asyncTableStatus
	asyncRequestForward
	numAsync
)

// Flow removed reasons (bits of the flow_removed masks).
const (
	removedIdle        = 0
	removedHard        = 1
	removedDelete      = 2
	removedGroupDelete = 3
)

// asyncConfig holds, per message kind, the reasons a primary (or equal)
// and a secondary connection receive.
type asyncConfig struct {
	primary, secondary [numAsync]uint32
}

// Reason bits each version can express (OVS's allowed10/allowed14).
var asyncAllowed10 = [numAsync]uint32{0x07, 0x07, 0x3f, 0x07, 0x18, 0x03}
var asyncAllowed14 = [numAsync]uint32{0x3f, 0x07, 0x3f, 0x07, 0x18, 0x03}

// Internal packet-in reasons beyond OpenFlow's: explicit and implicit
// table misses, reported as no_match.
const (
	pinNoMatch      = 0
	pinExplicitMiss = 6
	pinImplicitMiss = 7
)

// defaultAsyncConfig is OVS's default for a connection of version v.
func defaultAsyncConfig(v uint8) asyncConfig {
	pin := uint32(0x3f &^ (1 << 2))
	pin |= 1 << pinExplicitMiss
	if v <= ofp.Version12 {
		pin |= 1 << pinImplicitMiss
	}
	var ac asyncConfig
	ac.primary[asyncPacketIn] = pin
	ac.primary[asyncPortStatus] = 0x7
	ac.secondary[asyncPortStatus] = 0x7
	switch {
	case v >= ofp.Version14:
		ac.primary[asyncFlowRemoved] = 0x3f
	case v == ofp.Version13:
		ac.primary[asyncFlowRemoved] = 0x0f
	default:
		ac.primary[asyncFlowRemoved] = 0x07
	}
	return ac
}

func allowedMask(kind int, v uint8) uint32 {
	if v >= ofp.Version14 {
		return asyncAllowed14[kind]
	}
	return asyncAllowed10[kind]
}

// setMask stores a received mask, as OVS's decode_async_mask: a no_match
// packet-in bit also enables the internal miss reasons.
func (ac *asyncConfig) setMask(kind int, primary bool, mask uint32, v uint8, strict bool) error {
	allowed := allowedMask(kind, v)
	if mask&^allowed != 0 {
		if strict {
			return ofperr.OFPACFC_INVALID
		}
		mask &= allowed
	}
	if kind == asyncPacketIn && mask&(1<<pinNoMatch) != 0 {
		mask |= 1 << pinExplicitMiss
		if v < ofp.Version13 {
			mask |= 1 << pinImplicitMiss
		}
	}
	if primary {
		ac.primary[kind] = mask
	} else {
		ac.secondary[kind] = mask
	}
	return nil
}

func (ac *asyncConfig) mask(kind int, primary bool, v uint8) uint32 {
	m := ac.secondary[kind]
	if primary {
		m = ac.primary[kind]
	}
	return m & allowedMask(kind, v)
}

func handleGetAsync(c *conn, r *request) error {
	c.mu.Lock()
	ac := c.async
	c.mu.Unlock()
	raw, err := rawFor(r, ofp.RawOFPT13GetAsyncReply, ofp.RawOFPT14GetAsyncReply)
	if err != nil {
		return err
	}
	b := reply(raw, r)
	if raw == ofp.RawOFPT13GetAsyncReply {
		b = appendLegacyAsync(b, &ac, r.Version)
	} else {
		for kind := 0; kind < numAsync; kind++ {
			for _, primary := range []bool{false, true} {
				typ := uint16(2 * kind)
				if primary {
					typ++
				}
				b = binary.BigEndian.AppendUint16(b, typ)
				b = binary.BigEndian.AppendUint16(b, 8)
				b = binary.BigEndian.AppendUint32(b, ac.mask(kind, primary, r.Version))
			}
		}
	}
	c.send(finish(b))
	return nil
}

// appendLegacyAsync appends the 24-byte OpenFlow 1.3 / NX async config:
// packet_in, port_status, flow_removed masks, primary then secondary.
func appendLegacyAsync(b []byte, ac *asyncConfig, v uint8) []byte {
	for kind := asyncPacketIn; kind <= asyncFlowRemoved; kind++ {
		b = binary.BigEndian.AppendUint32(b, ac.mask(kind, true, v))
		b = binary.BigEndian.AppendUint32(b, ac.mask(kind, false, v))
	}
	return b
}

func handleSetAsync(c *conn, r *request) error {
	body := r.body()
	c.mu.Lock()
	ac := c.async
	c.mu.Unlock()
	switch r.Raw {
	case ofp.RawOFPT13SetAsync, ofp.RawNXTSetAsyncConfig:
		if len(body) != 24 {
			return ofperr.OFPBRC_BAD_LEN
		}
		ac = asyncConfig{}
		for kind := asyncPacketIn; kind <= asyncFlowRemoved; kind++ {
			off := 8 * kind
			_ = ac.setMask(kind, true, binary.BigEndian.Uint32(body[off:]), r.Version, false)
			_ = ac.setMask(kind, false, binary.BigEndian.Uint32(body[off+4:]), r.Version, false)
		}
	default:
		for len(body) > 0 {
			if len(body) < 4 {
				return ofperr.OFPBPC_BAD_LEN
			}
			typ, n := binary.BigEndian.Uint16(body), int(binary.BigEndian.Uint16(body[2:]))
			if n < 4 || n > len(body) {
				return ofperr.OFPBPC_BAD_LEN
			}
			if typ >= 2*numAsync {
				return ofperr.OFPACFC_UNSUPPORTED
			}
			if n != 8 {
				return ofperr.OFPBPC_BAD_LEN
			}
			kind, primary := int(typ/2), typ%2 == 1
			if err := ac.setMask(kind, primary, binary.BigEndian.Uint32(body[4:]), r.Version, true); err != nil {
				return err
			}
			body = body[min(len(body), (n+7)&^7):]
		}
	}
	c.mu.Lock()
	c.async = ac
	c.mu.Unlock()
	return nil
}

// wantsAsync reports whether c receives an asynchronous message of kind
// for reason, following OVS: service connections only after asking for
// packet-ins with a nonzero miss_send_len.
func (c *conn) wantsAsync(kind int, reason uint) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == 0 || c.snoop {
		return false
	}
	if c.kind == connService && c.missSendLen == 0 {
		return false
	}
	m := c.async.primary[kind]
	if c.role == roleSecondary {
		m = c.async.secondary[kind]
	}
	return m&(1<<reason) != 0
}
