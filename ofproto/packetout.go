package ofproto

import (
	"errors"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/mf"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// handlePacketOut serves OFPT_PACKET_OUT in every version the codec
// decodes (1.0 through 1.5).
func handlePacketOut(c *conn, r *request) error {
	po, err := ofp.DecodePacketOut(r.msg)
	if err != nil {
		return err
	}
	// OpenFlow 1.5 carries in_port in a match, where it is mandatory.
	if r.Raw == ofp.RawOFPT15PacketOut && po.Metadata.IsWildcard(mf.InPort) {
		return ofperr.OFPBRC_BAD_PORT
	}
	return c.b.packetOut(po, r.msg[0])
}

// PacketOut runs a decoded packet-out with OpenFlow semantics: the error
// is the OpenFlow error OVS would send for it. Its actions are checked as
// OpenFlow 1.5 ones.
func (b *Bridge) PacketOut(po *ofp.PacketOut) error { return b.packetOut(po, ofp.Version15) }

// packetOut is PacketOut for a message of the given OpenFlow version.
func (b *Bridge) packetOut(po *ofp.PacketOut, version uint8) error {
	in := po.InPort
	if in >= mf.PortMax && in != mf.PortLocal && in != mf.PortNone && in != mf.PortController {
		return ofperr.OFPBRC_BAD_PORT
	}
	// No packets are buffered (n_buffers is 0): any buffer id is unknown.
	if po.BufferID != ofp.NoBuffer {
		return ofperr.OFPBRC_BUFFER_UNKNOWN
	}
	// Actions are checked against the packet's own headers, as an exact
	// match, the way flow_mod actions are checked against their match.
	var key dpif.FlowKey
	dpif.Extract(po.Data, 0, &key)
	m := keyToMatch(&key, in)
	if err := ofactions.Check(po.Actions, &m, version); err != nil {
		return err
	}
	k, ok := BackerOf(b)
	if !ok {
		// Without a datapath there is nowhere to send the packet; OVS
		// always has one, so there is no error to mirror here.
		log.Dbg("%s: packet-out dropped: bridge has no datapath", b.name)
		return nil
	}
	// The backer owns its copy: Data aliases the received message.
	frame := append([]byte(nil), po.Data...)
	if err := k.PacketOut(b, frame, in, po.Actions); err != nil {
		if errors.Is(err, errPacketOutExecute) {
			// OVS sends nothing back when the datapath fails to
			// execute; the packet is just lost.
			log.Warn("%s: %v", b.name, err)
			return nil
		}
		log.Warn("%s: %v", b.name, err)
		return ofperr.OFPFMFC_UNKNOWN // OVS's answer to failed translation
	}
	return nil
}
