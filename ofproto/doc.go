// Package ofproto is the OpenFlow agent of one bridge: its flow tables,
// groups and meters, its OpenFlow connections (management and snoop
// sockets, controllers) and the OpenFlow semantics of every request it
// serves. The datapath's translation looks rules up through Bridge.Lookup.
// It imports dpif, conntrack, ofp and ofactions, never bridge or cmd.
package ofproto
