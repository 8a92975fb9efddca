//go:build !amd64

package dpif

import "time"

var tscEpoch = time.Now()

// readTSC stands in for the time-stamp counter where there is none: the
// monotonic clock in nanoseconds, so cycle figures are nanoseconds there.
func readTSC() uint64 { return uint64(time.Since(tscEpoch)) }
