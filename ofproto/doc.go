// Package ofproto is the OpenFlow agent of one bridge: its flow tables, its
// OpenFlow connections (management socket, controllers) and the translation of
// a packet's trip through the tables into datapath actions. It imports dpif and
// ofactions, never bridge or cmd.
package ofproto
