// Package ofp is the OpenFlow wire codec: message header and version
// negotiation (HELLO), the message-type table for OpenFlow 1.0-1.5 and the
// Nicira/ONF extensions ovs-ofctl uses, OFPT_ERROR, ECHO, FEATURES, and the
// flow messages (FLOW_MOD / NXT_FLOW_MOD and flow stats replies) with
// ovs-ofctl's flow text. Match fields live in ofp/mf, error codes in
// ofp/ofperr, actions in ofactions.
//
// It is a pure library: it imports only those three packages and the
// standard library, never ofproto, dpif, bridge or anything doing I/O.
package ofp
