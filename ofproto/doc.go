// Package ofproto is the OpenFlow agent of one bridge: its flow tables,
// groups and meters, its OpenFlow connections (management and snoop
// sockets, controllers) and the OpenFlow semantics of every request it
// serves; and the translation of a packet's trip through the tables into
// datapath actions (Backer, the datapath's UpcallHandler, and ofproto/trace).
// It imports dpif, conntrack, maclearn, ofp and ofactions, never bridge or cmd.
package ofproto
