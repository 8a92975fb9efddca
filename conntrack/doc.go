// Package conntrack is the in-process connection tracker behind the ct()
// action: connection state per zone, NAT, limits, and the hook dispatcher that
// ALG helpers and offload providers register into. It imports nothing from this
// module.
package conntrack
