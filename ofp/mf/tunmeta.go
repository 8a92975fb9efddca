package mf

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// Tunnel metadata: tun_metadata0..63 carry Geneve option values. Which
// option a field carries, and its length, come from the TLV map that a
// controller sets with NXT_TLV_TABLE_MOD (ovs-ofctl add-tlv-map); until a
// field is mapped it cannot be matched or set (NXFMFC_INVALID_TLV_FIELD).
//
// A Flow keeps the mapped values packed in one area, each field at the
// offset it got when it was mapped (as OVS allocates them), so the area
// only needs room for what is mapped. In the Match API (Get, Set,
// ValueMask) a field is TunMetadataMaxLen bytes wide, the mapped bytes
// right-aligned; on the wire and in text it has its mapped length.
//
// The map is process-wide: every bridge of this switch shares it (OVS
// keeps one per bridge).

// NumTunMetadata is the number of tun_metadata fields.
const NumTunMetadata = 64

// TunMetadataMaxLen is the widest option value a field can be mapped to
// here (OVS allows 124 bytes).
const TunMetadataMaxLen = 16

// TunMetadataSpace is the room for mapped values in a Flow (OVS has 256
// bytes).
const TunMetadataSpace = 64

// viewTunMeta marks tun_metadata fields: their slot offset and length
// come from the map.
const viewTunMeta view = 100

var slotTunMetadata = newSlot(TunMetadataSpace)

// tunMetaLoc is where a mapped field lives in the area; n 0 is unmapped.
type tunMetaLoc struct{ off, n uint8 }

type tunMetaLayout [NumTunMetadata]tunMetaLoc

var (
	tunLayoutMu sync.Mutex // serializes SetTunMetadataMap
	tunLayout   atomic.Pointer[tunMetaLayout]
)

func init() { tunLayout.Store(&tunMetaLayout{}) }

var _ = registerTunMetadata()

// registerTunMetadata fills in the table entries and NXM names of
// tun_metadata0..63. It runs as a variable initializer so that the
// fields exist before the table's init indexes them.
func registerTunMetadata() bool {
	for i := 0; i < NumTunMetadata; i++ {
		id := TunMetadata0 + FieldID(i)
		h := nxmHeader(0x0001, uint8(40+i))
		fieldTable[id] = Field{
			ID: id, Name: "tun_metadata" + strconv.Itoa(i),
			Bytes: TunMetadataMaxLen, Bits: 8 * TunMetadataMaxLen, Maskable: true,
			Format: FormatHex, Prereq: PrereqNone, Writable: true,
			headers: []fieldHeader{{h, 0x01}},
			slot:    slotTunMetadata, view: viewTunMeta,
		}
		headerNames = append(headerNames, struct {
			h    Header
			name string
		}{h, "NXM_NX_TUN_METADATA" + strconv.Itoa(i)})
	}
	return true
}

// SetTunMetadataMap installs the TLV map: lens[i] is the option length
// tun_metadata<i> is mapped to, 0 for none. Fields whose length did not
// change keep their place (and so the values installed flows hold); new
// ones take the first free room. It fails, changing nothing, when a
// length exceeds TunMetadataMaxLen or the mapped lengths do not fit.
func SetTunMetadataMap(lens [NumTunMetadata]uint8) error {
	tunLayoutMu.Lock()
	defer tunLayoutMu.Unlock()
	old := tunLayout.Load()
	var next tunMetaLayout
	var used [TunMetadataSpace]bool
	for i, n := range lens {
		if n > TunMetadataMaxLen {
			return ofperr.NXTTMFC_BAD_OPT_LEN
		}
		if l := old[i]; n != 0 && l.n == n {
			next[i] = l
			for j := range int(n) {
				used[int(l.off)+j] = true
			}
		}
	}
	for i, n := range lens {
		if n == 0 || next[i].n != 0 {
			continue
		}
		off := -1
		for o := 0; o+int(n) <= TunMetadataSpace && off < 0; o++ {
			free := true
			for j := range int(n) {
				free = free && !used[o+j]
			}
			if free {
				off = o
			}
		}
		if off < 0 {
			return ofperr.NXTTMFC_TABLE_FULL
		}
		for j := range int(n) {
			used[off+j] = true
		}
		next[i] = tunMetaLoc{off: uint8(off), n: n}
	}
	tunLayout.Store(&next)
	return nil
}

// IsTunMetadata reports whether f is one of tun_metadata0..63.
func (f *Field) IsTunMetadata() bool { return f.view == viewTunMeta }

// TunMetadataLen is the mapped option length of a tun_metadata field (0
// if unmapped or not such a field).
func (f *Field) TunMetadataLen() int {
	if !f.IsTunMetadata() {
		return 0
	}
	return int(tunLayout.Load()[f.ID-TunMetadata0].n)
}

// WireLen is the length of f's value on the wire and in text: the mapped
// length for tun_metadata fields, else f.Bytes.
func (f *Field) WireLen() int {
	if f.IsTunMetadata() {
		if n := f.TunMetadataLen(); n != 0 {
			return n
		}
	}
	return f.Bytes
}

// WireValue is the wire form of a value or mask of f (f.Bytes long): its
// last WireLen bytes.
func (f *Field) WireValue(v []byte) []byte { return v[len(v)-f.WireLen():] }

// CheckTLV reports NXFMFC_INVALID_TLV_FIELD if f is a tun_metadata field
// with no TLV mapping, as OVS answers flows that use one.
func (f *Field) CheckTLV() error {
	if f.IsTunMetadata() && f.TunMetadataLen() == 0 {
		return ofperr.NXFMFC_INVALID_TLV_FIELD
	}
	return nil
}

// getTunMeta reads the field right-aligned into dst (f.Bytes long).
func (f *Field) getTunMeta(fl *Flow, dst []byte) {
	clear(dst)
	l := tunLayout.Load()[f.ID-TunMetadata0]
	if l.n == 0 {
		return
	}
	base := slotTunMetadata.off + int(l.off)
	copy(dst[len(dst)-int(l.n):], fl.b[base:base+int(l.n)])
}

// setTunMeta stores the last mapped-length bytes of src. Setting an
// unmapped field to anything but zero fails.
func (f *Field) setTunMeta(fl *Flow, src []byte) error {
	l := tunLayout.Load()[f.ID-TunMetadata0]
	if l.n == 0 {
		if isZeroBytes(src) {
			return nil
		}
		return ofperr.NXFMFC_INVALID_TLV_FIELD
	}
	base := slotTunMetadata.off + int(l.off)
	copy(fl.b[base:base+int(l.n)], src[len(src)-int(l.n):])
	return nil
}

// tunMetadataWireMax is the longest tun_metadata value OVS accepts on
// the wire.
const tunMetadataWireMax = 124

// tunMetaWiden turns a wire value and mask (any length: ovs-ofctl sends
// the value's significant bytes only) into f.Bytes-wide ones: the last
// mapped-length bytes count, as in OVS, the rest is dropped. A nil mask
// stays nil.
func (f *Field) tunMetaWiden(value, mask []byte) ([]byte, []byte) {
	n := f.WireLen()
	widen := func(b []byte) []byte {
		var out ValueMask
		if len(b) > n {
			b = b[len(b)-n:]
		}
		copy(out[f.Bytes-len(b):f.Bytes], b)
		return out[:f.Bytes]
	}
	if mask != nil {
		mask = widen(mask)
	}
	return widen(value), mask
}

// TunMetaWiden is tunMetaWiden for the action codecs.
func (f *Field) TunMetaWiden(value, mask []byte) ([]byte, []byte) { return f.tunMetaWiden(value, mask) }

// tunMetaTrim cuts a value and mask of f to their mapped length for
// printing.
func (f *Field) tunMetaTrim(value, mask []byte) ([]byte, []byte) {
	n := f.WireLen()
	if len(value) >= n {
		value = value[len(value)-n:]
	}
	if len(mask) >= n {
		mask = mask[len(mask)-n:]
	}
	return value, mask
}

// formatTunMetadata prints the matched tun_metadata fields, in index
// order, as OVS does at the end of the tunnel fields.
func (p matchPrinter) tunMetadata() {
	for i := 0; i < NumTunMetadata; i++ {
		f := &fieldTable[TunMetadata0+FieldID(i)]
		if f.TunMetadataLen() == 0 {
			continue
		}
		var v, mk ValueMask
		f.getTunMeta(&p.m.Flow, v[:f.Bytes])
		f.getTunMeta(&p.m.Mask, mk[:f.Bytes])
		if isZeroBytes(mk[:f.Bytes]) {
			continue
		}
		p.sb.WriteString(f.Name + "=" + f.FormatValue(v[:f.Bytes], mk[:f.Bytes]) + ",")
	}
}

// putTunMetadata appends the matched tun_metadata fields with their
// mapped lengths.
func (w *nxmWriter) putTunMetadata(m *Match) {
	for i := 0; i < NumTunMetadata; i++ {
		f := &fieldTable[TunMetadata0+FieldID(i)]
		if f.TunMetadataLen() == 0 {
			continue
		}
		v, mk := m.Get(f.ID)
		vw, mw := f.WireValue(v[:f.Bytes]), f.WireValue(mk[:f.Bytes])
		if isZeroBytes(mw) {
			continue
		}
		exact := isOnesBytes(mw)
		w.header(f, !exact)
		w.b = append(w.b, vw...)
		if !exact {
			w.b = append(w.b, mw...)
		}
	}
}

// CopyTunMetadata copies every tun_metadata value of src into dst (what
// a frozen pipeline keeps across recirculation).
func CopyTunMetadata(dst, src *Flow) {
	s := slotTunMetadata
	copy(dst.b[s.off:s.off+s.n], src.b[s.off:s.off+s.n])
}
