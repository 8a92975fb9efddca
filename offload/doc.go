// Package offload holds the conntrack offload providers that observe the
// tracker through its hook dispatcher. It imports conntrack and dpif, never
// ofproto or bridge.
package offload
