package dpif

// readTSC is the CPU's time-stamp counter, what OVS's PMD threads count
// their cycles in (pmd-stats-show, pmd-rxq-show). Implemented in
// tsc_amd64.s: one RDTSC, no serialisation, as OVS reads it.
func readTSC() uint64
