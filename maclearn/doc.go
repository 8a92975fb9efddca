// Package maclearn is the L2 learning switch behind OpenFlow's NORMAL action:
// a MAC learning table with OVS's aging, size limit, fair eviction, static
// entries and statistics; per-port VLAN settings (access, trunk, native and
// dot1q-tunnel modes); the NORMAL forwarding decision; and the fdb/* unixctl
// commands with OVS 3.1's exact texts.
//
// It must not import other packages of this module except coverage and
// unixctl: ofproto asks it for decisions and dpif executes them, never the
// other way round.
package maclearn
