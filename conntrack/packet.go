package conntrack

// CsumFlags tell the tracker what the NIC already checked, so it can skip
// (or trust the failure of) the software checksum verification.
type CsumFlags uint8

// Checksum status flags for Packet.Csum.
const (
	IPCsumGood CsumFlags = 1 << iota
	IPCsumBad
	L4CsumGood
	L4CsumBad
)

// Packet is one packet handed to the tracker: the frame bytes, where the IP
// header starts, its ethertype, and the metadata the tracker reads and writes.
// NAT rewrites Data in place. An ALG rewrite that changes the payload length
// (FTP with NAT) re-slices Data, dropping any link-layer padding, and when
// Data's capacity is too small replaces it with a new buffer.
type Packet struct {
	Data     []byte
	L3Offset int
	EthType  uint16
	Csum     CsumFlags
	MD       Metadata
}

// Label is the 128-bit ct_label.
type Label struct{ Hi, Lo uint64 }

// IsZero reports whether no bit is set.
func (l Label) IsZero() bool { return l.Hi == 0 && l.Lo == 0 }

// masked returns v | (cur & ^mask), the ct()-exec write rule.
func (l Label) masked(cur, mask Label) Label {
	return Label{l.Hi | cur.Hi&^mask.Hi, l.Lo | cur.Lo&^mask.Lo}
}

// OrigTuple is the original-direction tuple (ct_nw_src, ct_tp_src, ...).
// For ICMP SrcPort holds the type and DstPort the code.
type OrigTuple struct {
	Src, Dst         [16]byte // IPv4 uses the first 4 bytes
	SrcPort, DstPort uint16
	Proto            uint8
	IPv6             bool
}

// Metadata is the per-packet conntrack state a datapath carries between
// actions: what ct() matched on, and a cache of the matched connection so a
// second ct() in the same zone skips the lookup.
type Metadata struct {
	State State
	Zone  uint16
	Mark  uint32
	Label Label
	Orig  OrigTuple

	conn        *Conn // cached by a ct() without nat
	reply       bool
	icmpRelated bool
}

// Clear is ct_clear: it forgets the tracking state and the cached connection.
func (m *Metadata) Clear() { *m = Metadata{} }

// Conn returns the connection cached by the last ct() (nil after a ct() with
// nat, after Clear, or if the packet matched nothing committed).
func (m *Metadata) Conn() *Conn { return m.conn }
