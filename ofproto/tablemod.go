package ofproto

import (
	"encoding/binary"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Table configuration (OpenFlow 1.4 ofp_table_config) and properties.
const (
	tableConfigEviction = 1 << 2
	tableConfigVacancy  = 1 << 3

	tablePropEviction = 2
	tablePropVacancy  = 3

	// OVS's eviction flags: OTHER|IMPORTANCE|LIFETIME.
	tableEvictionFlags = 0x7
)

// tableConfig is what OFPT_TABLE_MOD sets on a table. Guarded by
// Bridge.mu. Eviction is recorded and reported; rules are not evicted yet.
type tableConfig struct {
	eviction               bool
	vacancy                bool
	vacancyDown, vacancyUp uint8
}

func handleTableMod(c *conn, r *request) error {
	b := r.body()
	if len(b) < 8 {
		return ofperr.OFPBRC_BAD_LEN
	}
	id := b[0]
	if id != ofp.TableAll && int(id) >= numVisibleTables {
		return ofperr.OFPTMFC_BAD_TABLE
	}
	if r.Raw == ofp.RawOFPT11TableMod {
		// OpenFlow 1.1-1.3 only had the (deprecated) table-miss bits,
		// which OVS accepts and ignores.
		return nil
	}
	config := binary.BigEndian.Uint32(b[4:])
	tc := tableConfig{eviction: config&tableConfigEviction != 0, vacancy: config&tableConfigVacancy != 0}
	haveVacancy := false
	for props := b[8:]; len(props) > 0; {
		typ, val, rest, err := pullProp(props)
		if err != nil {
			return err
		}
		props = rest
		switch typ {
		case tablePropEviction:
			if len(val) != 4 {
				return ofperr.OFPBPC_BAD_LEN
			}
		case tablePropVacancy:
			if len(val) != 4 {
				return ofperr.OFPBPC_BAD_LEN
			}
			tc.vacancyDown, tc.vacancyUp = val[0], val[1]
			if tc.vacancyDown > tc.vacancyUp || tc.vacancyUp > 100 {
				return ofperr.OFPBPC_BAD_VALUE
			}
			haveVacancy = true
		default:
			return ofperr.OFPBPC_BAD_TYPE
		}
	}
	if tc.vacancy && !haveVacancy {
		return ofperr.OFPBPC_BAD_VALUE
	}
	c.b.mu.Lock()
	for i := range c.b.tables[:numVisibleTables] {
		if id == ofp.TableAll || int(id) == i {
			c.b.tables[i].config = tc
		}
	}
	c.b.mu.Unlock()
	return nil
}

// pullProp splits the first property off b: its type, value and the rest
// (properties are padded to 8 bytes).
func pullProp(b []byte) (typ uint16, value, rest []byte, err error) {
	if len(b) < 4 {
		return 0, nil, nil, ofperr.OFPBPC_BAD_LEN
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < 4 || n > len(b) {
		return 0, nil, nil, ofperr.OFPBPC_BAD_LEN
	}
	return binary.BigEndian.Uint16(b), b[4:n], b[min(len(b), (n+7)&^7):], nil
}

// handleTableDesc describes each table's eviction and vacancy settings.
func handleTableDesc(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	mp := newMultipart(ofp.RawOFPST14TableDescReply, r)
	c.b.mu.RLock()
	var entries [][]byte
	for i := 0; i < numVisibleTables; i++ {
		tc := c.b.tables[i].config
		var config uint32
		if tc.eviction {
			config |= tableConfigEviction
		}
		if tc.vacancy {
			config |= tableConfigVacancy
		}
		e := binary.BigEndian.AppendUint16(nil, 0)
		e = append(e, uint8(i), 0)
		e = binary.BigEndian.AppendUint32(e, config)
		e = binary.BigEndian.AppendUint16(e, tablePropEviction)
		e = binary.BigEndian.AppendUint16(e, 8)
		e = binary.BigEndian.AppendUint32(e, tableEvictionFlags)
		if tc.vacancy {
			free := 100 - c.b.ruleCount(i)*100/maxFlowsPerTable
			e = binary.BigEndian.AppendUint16(e, tablePropVacancy)
			e = binary.BigEndian.AppendUint16(e, 8)
			e = append(e, tc.vacancyDown, tc.vacancyUp, uint8(free), 0)
		}
		binary.BigEndian.PutUint16(e, uint16(len(e)))
		entries = append(entries, e)
	}
	c.b.mu.RUnlock()
	for _, e := range entries {
		mp.add(e)
	}
	mp.send(c)
	return nil
}

// handleIPFIXStats answers the IPFIX statistics requests: IPFIX is not
// configured on this switch.
func handleIPFIXStats(c *conn, r *request) error { return ofperr.NXST_NOT_CONFIGURED }
