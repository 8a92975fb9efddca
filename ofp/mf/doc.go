// Package mf ("meta-flow") is the table of OpenFlow match fields the
// userspace datapath supports and the Match type built on it: NXM/OXM and
// OpenFlow 1.0 ofp_match codecs, prerequisite checks and ovs-ofctl text.
// It imports only ofp/ofperr, so both ofp and ofactions can use it.
package mf
