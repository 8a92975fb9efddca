package ofproto

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Meter flags, commands, band types and ids (OpenFlow 1.3).
const (
	meterKbps  = 1 << 0
	meterPktps = 1 << 1
	meterBurst = 1 << 2
	meterStats = 1 << 3

	meterAdd    = 0
	meterModify = 1
	meterDelete = 2

	bandDrop         = 1
	bandDSCPRemark   = 2
	bandExperimenter = 0xffff

	meterMax        = 0xffff0000
	meterSlowpath   = 0xfffffffd
	meterController = 0xfffffffe
	meterAll        = 0xffffffff
)

// The userspace datapath's meter limits, as OVS reports them.
const (
	maxMeters     = 262144
	maxMeterBands = 8
)

// removedMeterDelete is the flow removed reason of a flow deleted with
// its meter.
const removedMeterDelete = 4

// meterBand is one band of a meter; arg is prec_level or experimenter.
type meterBand struct {
	typ         uint16
	rate, burst uint32
	arg         uint32
}

// meter is one OpenFlow meter. Guarded by Bridge.mu.
type meter struct {
	id      uint32
	flags   uint16
	bands   []meterBand
	created time.Time

	dp   *dpif.Datapath // where it is enforced; nil when not attached
	dpID uint32         // its datapath meter id on dp
}

// meterMod is a decoded OFPT_METER_MOD.
type meterMod struct {
	command uint16
	flags   uint16
	id      uint32
	bands   []meterBand
}

func decodeMeterMod(body []byte) (*meterMod, error) {
	if len(body) < 8 {
		return nil, ofperr.OFPBRC_BAD_LEN
	}
	mm := &meterMod{
		command: binary.BigEndian.Uint16(body),
		flags:   binary.BigEndian.Uint16(body[2:]),
		id:      binary.BigEndian.Uint32(body[4:]),
	}
	if mm.command == meterDelete {
		return mm, nil
	}
	if mm.flags&^(meterKbps|meterPktps|meterBurst|meterStats) != 0 ||
		mm.flags&(meterKbps|meterPktps) == meterKbps|meterPktps {
		return nil, ofperr.OFPMMFC_BAD_FLAGS
	}
	for b := body[8:]; len(b) > 0; b = b[16:] {
		if len(b) < 16 || binary.BigEndian.Uint16(b[2:]) != 16 {
			return nil, ofperr.OFPMMFC_BAD_BAND
		}
		band := meterBand{
			typ:   binary.BigEndian.Uint16(b),
			rate:  binary.BigEndian.Uint32(b[4:]),
			burst: binary.BigEndian.Uint32(b[8:]),
		}
		switch band.typ {
		case bandDrop:
		case bandDSCPRemark:
			band.arg = uint32(b[12])
		case bandExperimenter:
			band.arg = binary.BigEndian.Uint32(b[12:])
		default:
			return nil, ofperr.OFPMMFC_BAD_BAND
		}
		if band.rate == 0 {
			return nil, ofperr.OFPMMFC_BAD_RATE
		}
		mm.bands = append(mm.bands, band)
	}
	return mm, nil
}

func handleMeterMod(c *conn, r *request) error {
	mm, err := decodeMeterMod(r.body())
	if err != nil {
		return err
	}
	return c.b.applyMeterMod(mm)
}

// applyMeterMod adds, modifies or deletes a meter; flows using a deleted
// meter are deleted with it.
func (b *Bridge) applyMeterMod(mm *meterMod) error {
	validID := mm.id != 0 && (mm.id <= meterMax || mm.id == meterSlowpath || mm.id == meterController)
	b.mu.Lock()
	var removed []*Rule
	err := func() error {
		switch mm.command {
		case meterAdd, meterModify:
			if !validID {
				return ofperr.OFPMMFC_INVALID_METER
			}
			if mm.id <= meterMax && mm.id > maxMeters {
				return ofperr.OFPMMFC_OUT_OF_METERS
			}
			if len(mm.bands) > maxMeterBands {
				return ofperr.OFPMMFC_OUT_OF_BANDS
			}
			// The userspace datapath implements drop bands only.
			for _, band := range mm.bands {
				if band.typ != bandDrop {
					return ofperr.OFPMMFC_BAD_BAND
				}
			}
			old := b.meters[mm.id]
			if mm.command == meterAdd && old != nil {
				return ofperr.OFPMMFC_METER_EXISTS
			}
			if mm.command == meterModify && old == nil {
				return ofperr.OFPMMFC_UNKNOWN_METER
			}
			m := &meter{id: mm.id, flags: mm.flags, bands: mm.bands, created: time.Now()}
			if old != nil {
				m.created = old.created
			}
			b.installMeter(m, old)
			b.meters[mm.id] = m
		case meterDelete:
			for id, m := range b.meters {
				if mm.id == meterAll || mm.id == id {
					m.uninstall()
					delete(b.meters, id)
					removed = append(removed, b.deleteRulesUsingMeter(id)...)
				}
			}
		default:
			return ofperr.OFPMMFC_BAD_COMMAND
		}
		return nil
	}()
	events := b.takeEvents()
	b.mu.Unlock()
	b.notifyRemoved(removed, removedMeterDelete)
	b.reportEvents(events)
	return err
}

// usesMeter reports whether the actions apply meter id.
func usesMeter(l ofactions.List, id uint32) bool {
	for _, a := range l {
		if m, ok := a.(*ofactions.Meter); ok && m.ID == id {
			return true
		}
	}
	return false
}

// rulesUsingMeter lists the rules that apply meter id. Caller holds mu.
func (b *Bridge) rulesUsingMeter(id uint32) []*Rule {
	var out []*Rule
	for i := range b.tables {
		for _, r := range b.tables[i].cls.ordered() {
			if usesMeter(r.Actions, id) {
				out = append(out, r)
			}
		}
	}
	return out
}

// deleteRulesUsingMeter removes the rules using meter id. Caller holds mu.
func (b *Bridge) deleteRulesUsingMeter(id uint32) []*Rule {
	rules := b.rulesUsingMeter(id)
	for _, r := range rules {
		b.removeRule(r)
	}
	b.noteRemoved(rules, removedMeterDelete)
	rules = append(rules, b.deleteLearnedBy(rules)...)
	return rules
}

// sortedMeters returns the meters selected by id (meterAll = every one).
// Caller holds mu.
func (b *Bridge) sortedMeters(id uint32) []*meter {
	var out []*meter
	for _, m := range b.meters {
		if id == meterAll || id == m.id {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y *meter) int {
		switch {
		case x.id < y.id:
			return -1
		case x.id > y.id:
			return 1
		}
		return 0
	})
	return out
}

func meterRequestID(r *request) (uint32, error) {
	b := r.body()
	if len(b) != 8 {
		return 0, ofperr.OFPBRC_BAD_LEN
	}
	return binary.BigEndian.Uint32(b), nil
}

func handleMeterConfig(c *conn, r *request) error {
	id, err := meterRequestID(r)
	if err != nil {
		return err
	}
	c.b.mu.RLock()
	meters := c.b.sortedMeters(id)
	c.b.mu.RUnlock()
	mp := newMultipart(ofp.RawOFPST13MeterConfigReply, r)
	for _, m := range meters {
		e := binary.BigEndian.AppendUint16(nil, uint16(8+16*len(m.bands)))
		e = binary.BigEndian.AppendUint16(e, m.flags)
		e = binary.BigEndian.AppendUint32(e, m.id)
		for _, band := range m.bands {
			e = binary.BigEndian.AppendUint16(e, band.typ)
			e = binary.BigEndian.AppendUint16(e, 16)
			e = binary.BigEndian.AppendUint32(e, band.rate)
			e = binary.BigEndian.AppendUint32(e, band.burst)
			if band.typ == bandDSCPRemark {
				e = append(e, uint8(band.arg), 0, 0, 0)
			} else {
				e = binary.BigEndian.AppendUint32(e, band.arg)
			}
		}
		mp.add(e)
	}
	mp.send(c)
	return nil
}

func handleMeterStats(c *conn, r *request) error {
	id, err := meterRequestID(r)
	if err != nil {
		return err
	}
	now := time.Now()
	mp := newMultipart(ofp.RawOFPST13MeterReply, r)
	c.b.mu.RLock()
	var entries [][]byte
	for _, m := range c.b.sortedMeters(id) {
		d := now.Sub(m.created)
		e := binary.BigEndian.AppendUint32(nil, m.id)
		e = binary.BigEndian.AppendUint16(e, uint16(40+16*len(m.bands)))
		e = append(e, 0, 0, 0, 0, 0, 0)
		e = binary.BigEndian.AppendUint32(e, uint32(len(c.b.rulesUsingMeter(m.id))))
		s := m.counters()
		e = binary.BigEndian.AppendUint64(e, s.Packets)
		e = binary.BigEndian.AppendUint64(e, s.Bytes)
		e = binary.BigEndian.AppendUint32(e, uint32(d/time.Second))
		e = binary.BigEndian.AppendUint32(e, uint32(d%time.Second))
		for i := range m.bands {
			var band dpif.MeterBandStats
			if i < len(s.Bands) {
				band = s.Bands[i]
			}
			e = binary.BigEndian.AppendUint64(e, band.Packets)
			e = binary.BigEndian.AppendUint64(e, band.Bytes)
		}
		entries = append(entries, e)
	}
	c.b.mu.RUnlock()
	for _, e := range entries {
		mp.add(e)
	}
	mp.send(c)
	return nil
}

func handleMeterFeatures(c *conn, r *request) error {
	if len(r.body()) != 0 {
		return ofperr.OFPBRC_BAD_LEN
	}
	b := reply(ofp.RawOFPST13MeterFeaturesReply, r)
	b = binary.BigEndian.AppendUint32(b, maxMeters)
	b = binary.BigEndian.AppendUint32(b, 1<<bandDrop)
	b = binary.BigEndian.AppendUint32(b, meterKbps|meterPktps|meterBurst|meterStats)
	b = append(b, maxMeterBands, 0, 0, 0)
	c.send(finish(b))
	return nil
}
