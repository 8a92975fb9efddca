package ofproto

import (
	"bytes"
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// PortConfigNoFlood is OpenFlow 1.0's OFPPC_NO_FLOOD; later versions have
// no such bit, so it is only reported to 1.0 connections.
const PortConfigNoFlood = 1 << 4

// Config bits a port_mod may change, per version.
const (
	portModBits10 = PortConfigDown | PortConfigNoRecv | PortConfigNoFlood | PortConfigNoFwd | PortConfigNoPacketIn
	portModBits11 = PortConfigDown | PortConfigNoRecv | PortConfigNoFwd | PortConfigNoPacketIn
)

// PortAdminFunc brings a port's device (by port name) up or down for a
// port_mod that toggles OFPPC_PORT_DOWN.
type PortAdminFunc func(name string, up bool) error

// SetPortAdmin installs the function that changes a port's device state.
// Without one, port_mods cannot change PORT_DOWN (as when OVS fails to).
func (b *Bridge) SetPortAdmin(f PortAdminFunc) {
	b.mu.Lock()
	b.portAdmin = f
	b.mu.Unlock()
}

type portMod struct {
	portNo       uint16
	hwAddr       []byte
	config, mask uint32
}

func decodePortMod(r *request) (*portMod, error) {
	b := r.body()
	pm := &portMod{}
	switch r.Raw {
	case ofp.RawOFPT10PortMod:
		if len(b) != 24 {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		pm.portNo = binary.BigEndian.Uint16(b)
		pm.hwAddr = b[2:8]
		pm.config, pm.mask = binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:])
		pm.mask &= portModBits10
	default:
		if len(b) < 24 || (r.Raw == ofp.RawOFPT11PortMod && len(b) != 32) {
			return nil, ofperr.OFPBRC_BAD_LEN
		}
		p, err := mf.Port16(binary.BigEndian.Uint32(b))
		if err != nil {
			return nil, ofperr.OFPPMFC_BAD_PORT
		}
		pm.portNo = p
		pm.hwAddr = b[8:14]
		pm.config, pm.mask = binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])
		pm.mask &= portModBits11
	}
	pm.config &= pm.mask
	return pm, nil
}

func handlePortMod(c *conn, r *request) error {
	pm, err := decodePortMod(r)
	if err != nil {
		return err
	}
	b := c.b
	b.mu.Lock()
	p := b.ports[pm.portNo]
	if p == nil {
		b.mu.Unlock()
		return ofperr.OFPPMFC_BAD_PORT
	}
	if !bytes.Equal(p.HWAddr, pm.hwAddr) {
		b.mu.Unlock()
		return ofperr.OFPPMFC_BAD_HW_ADDR
	}
	toggle := (pm.config ^ p.Config) & pm.mask
	admin, name := b.portAdmin, p.Name
	b.mu.Unlock()
	if toggle&PortConfigDown != 0 {
		// Only claim the new state if the device took it.
		if admin == nil || admin(name, pm.config&PortConfigDown == 0) != nil {
			toggle &^= PortConfigDown
		}
	}
	if toggle == 0 {
		return nil
	}
	b.mu.Lock()
	p = b.ports[pm.portNo]
	if p == nil {
		b.mu.Unlock()
		return nil
	}
	np := *p
	// Set, not flip: the device change may already have been reported
	// (a link notification re-reads PORT_DOWN from the device).
	np.Config = np.Config&^toggle | pm.config&toggle
	b.ports[pm.portNo] = &np
	b.mu.Unlock()
	// Before OpenFlow 1.5 the requester does not hear about its own change.
	b.eachConn(func(o *conn) {
		if o == c && r.Version < ofp.Version15 {
			return
		}
		o.sendPortStatus(&np, portModified)
	})
	return nil
}
