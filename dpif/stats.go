package dpif

// StatField names one counter of PortStats.
type StatField uint32

// StatSet is a set of StatFields (bit i is StatField i).
type StatSet uint32

// The counters of PortStats, in struct order.
const (
	StatRxPackets StatField = iota
	StatRxBytes
	StatRxDropped
	StatRxErrors
	StatTxPackets
	StatTxBytes
	StatTxDropped
	StatTxErrors
	StatRxFrameErr
	StatRxOverErr
	StatRxCRCErr
	StatRxMissedErrors
	StatRxMulticast
	StatCollisions
	StatTxAbortedErrors
	StatTxCarrierErrors
	numStatFields
)

// AllStats is every counter.
const AllStats StatSet = 1<<numStatFields - 1

// Set returns the set holding just f.
func (f StatField) Set() StatSet { return 1 << f }

// Has reports whether f is in s.
func (s StatSet) Has(f StatField) bool { return s&f.Set() != 0 }

// statColumn ties a counter to its key in OVSDB Interface.statistics;
// key "" means OVS does not write it there.
type statColumn struct {
	field StatField
	key   string
	value func(*PortStats) *uint64
}

// statColumns is sorted by OVSDB key so Map and tests see OVS's order.
var statColumns = []statColumn{
	{StatCollisions, "collisions", func(s *PortStats) *uint64 { return &s.Collisions }},
	{StatRxBytes, "rx_bytes", func(s *PortStats) *uint64 { return &s.RxBytes }},
	{StatRxCRCErr, "rx_crc_err", func(s *PortStats) *uint64 { return &s.RxCRCErr }},
	{StatRxDropped, "rx_dropped", func(s *PortStats) *uint64 { return &s.RxDropped }},
	{StatRxErrors, "rx_errors", func(s *PortStats) *uint64 { return &s.RxErrors }},
	{StatRxFrameErr, "rx_frame_err", func(s *PortStats) *uint64 { return &s.RxFrameErr }},
	{StatRxMissedErrors, "rx_missed_errors", func(s *PortStats) *uint64 { return &s.RxMissedErrors }},
	{StatRxMulticast, "rx_multicast_packets", func(s *PortStats) *uint64 { return &s.RxMulticast }},
	{StatRxOverErr, "rx_over_err", func(s *PortStats) *uint64 { return &s.RxOverErr }},
	{StatRxPackets, "rx_packets", func(s *PortStats) *uint64 { return &s.RxPackets }},
	{StatTxBytes, "tx_bytes", func(s *PortStats) *uint64 { return &s.TxBytes }},
	{StatTxDropped, "tx_dropped", func(s *PortStats) *uint64 { return &s.TxDropped }},
	{StatTxErrors, "tx_errors", func(s *PortStats) *uint64 { return &s.TxErrors }},
	{StatTxPackets, "tx_packets", func(s *PortStats) *uint64 { return &s.TxPackets }},
	{StatTxAbortedErrors, "", func(s *PortStats) *uint64 { return &s.TxAbortedErrors }},
	{StatTxCarrierErrors, "", func(s *PortStats) *uint64 { return &s.TxCarrierErrors }},
}

// Get returns counter f and whether the device provides it.
func (s PortStats) Get(f StatField) (uint64, bool) {
	for _, c := range statColumns {
		if c.field == f {
			return *c.value(&s), !s.Unsupported.Has(f)
		}
	}
	return 0, false
}

// Map is the Interface.statistics column: every supported counter OVS
// writes there, keyed as OVS keys it.
func (s PortStats) Map() map[string]uint64 {
	m := make(map[string]uint64, len(statColumns))
	for _, c := range statColumns {
		if c.key != "" && !s.Unsupported.Has(c.field) {
			m[c.key] = *c.value(&s)
		}
	}
	return m
}
