package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
)

// OpenFlow 1.1 and 1.2 features replies list the ports in the reply
// itself (1.3 moved them to port description).

// Capabilities in OpenFlow 1.1 (FLOW, TABLE, PORT, GROUP and QUEUE
// stats, ARP_MATCH_IP) and 1.2 (no ARP_MATCH_IP bit any more).
const (
	capsOF11 = 0x000000cf
	capsOF12 = 0x0000004f
)

// encodeFeaturesReply11 builds an OpenFlow 1.1 or 1.2 features reply.
func encodeFeaturesReply11(b *Bridge, v uint8, xid uint32) ([]byte, error) {
	m, err := ofp.AppendRawHeader(nil, ofp.RawOFPT11FeaturesReply, v, xid, 0)
	if err != nil {
		return nil, err
	}
	m = binary.BigEndian.AppendUint64(m, b.DatapathID())
	m = binary.BigEndian.AppendUint32(m, 0) // n_buffers
	m = append(m, numVisibleTables, 0, 0, 0)
	caps := uint32(capsOF12)
	if v == ofp.Version11 {
		caps = capsOF11
	}
	m = binary.BigEndian.AppendUint32(m, caps)
	m = binary.BigEndian.AppendUint32(m, 0) // reserved
	for _, p := range b.Ports() {
		m = p.appendWire(m, v)
	}
	return ofp.FinishMessage(m, 0), nil
}
