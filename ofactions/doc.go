// Package ofactions is the single internal representation of OpenFlow
// actions: decoded from and encoded to every OpenFlow version and the Nicira
// extensions, parsed from and printed as ovs-ofctl text. It imports only
// ofp/mf (the match field table, for set_field/load/move and subfields) and
// ofp/ofperr; it must not import ofp, ofproto or anything doing I/O.
//
// A flow's actions are a List: plain actions in order, followed by the
// OpenFlow 1.1+ instructions expressed as actions (Meter, ClearActions,
// WriteActions, WriteMetadata, GotoTable), exactly like OVS's ofpacts.
package ofactions
