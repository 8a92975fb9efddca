package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Tunnel metadata (Geneve option) mapping limits, as OVS's: 256 bytes of
// option space shared by tun_metadata0..63, options up to 124 bytes.
const (
	tlvMaxOptionSpace = 256
	tlvMaxFields      = 64
	tlvMaxOptLen      = 124
)

// NXT_TLV_TABLE_MOD commands.
const (
	tlvAdd    = 0
	tlvDelete = 1
	tlvClear  = 2
)

// tlvMapping maps a Geneve option to field tun_metadata<index>.
type tlvMapping struct {
	class uint16
	typ   uint8
	len   uint8
}

// tlvTable is the bridge's mapping table, by field index. Guarded by
// Bridge.mu.
type tlvTable [tlvMaxFields]*tlvMapping

func (t *tlvTable) used() int {
	n := 0
	for _, m := range t {
		if m != nil {
			n += int(m.len)
		}
	}
	return n
}

func handleTLVTableMod(c *conn, r *request) error {
	body := r.body()
	if len(body) < 8 || (len(body)-8)%8 != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	cmd := binary.BigEndian.Uint16(body)
	if cmd > tlvClear {
		return ofperr.NXTTMFC_BAD_COMMAND
	}
	type entry struct {
		idx int
		m   tlvMapping
	}
	var entries []entry
	for b := body[8:]; len(b) > 0; b = b[8:] {
		e := entry{idx: int(binary.BigEndian.Uint16(b[4:])), m: tlvMapping{class: binary.BigEndian.Uint16(b), typ: b[2], len: b[3]}}
		if e.m.len%4 != 0 || e.m.len > tlvMaxOptLen {
			return ofperr.NXTTMFC_BAD_OPT_LEN
		}
		if e.idx >= tlvMaxFields {
			return ofperr.NXTTMFC_BAD_FIELD_IDX
		}
		entries = append(entries, e)
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	// Changes apply all or nothing.
	next := b.tlv
	switch cmd {
	case tlvAdd:
		for _, e := range entries {
			if next[e.idx] != nil {
				return ofperr.NXTTMFC_ALREADY_MAPPED
			}
			for _, m := range next {
				if m != nil && m.class == e.m.class && m.typ == e.m.typ {
					return ofperr.NXTTMFC_DUP_ENTRY
				}
			}
			if next.used()+int(e.m.len) > tlvMaxOptionSpace {
				return ofperr.NXTTMFC_TABLE_FULL
			}
			m := e.m
			next[e.idx] = &m
		}
	case tlvDelete:
		for _, e := range entries {
			next[e.idx] = nil
		}
	case tlvClear:
		next = tlvTable{}
	}
	if err := setTunMetadataMap(&next); err != nil {
		return err
	}
	b.tlv = next
	return nil
}

// handleTLVTableRequest reports the Geneve option mapping table.
func handleTLVTableRequest(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	out := reply(ofp.RawNXTTlvTableReply, r)
	out = binary.BigEndian.AppendUint32(out, tlvMaxOptionSpace)
	out = binary.BigEndian.AppendUint16(out, tlvMaxFields)
	out = append(out, make([]byte, 10)...)
	c.b.mu.RLock()
	for i, m := range c.b.tlv {
		if m == nil {
			continue
		}
		out = binary.BigEndian.AppendUint16(out, m.class)
		out = append(out, m.typ, m.len)
		out = binary.BigEndian.AppendUint16(out, uint16(i))
		out = append(out, 0, 0)
	}
	c.b.mu.RUnlock()
	c.send(finish(out))
	return nil
}
