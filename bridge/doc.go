// Package bridge is the OVSDB-facing configuration layer of the switch, the
// counterpart of OVS's vswitchd/bridge.c: it follows the Open_vSwitch
// database, opens datapaths, bridges and ports to match it, and writes the
// results (ofport, status, statistics, cur_cfg) back under the ovs_vswitchd
// lock. It also puts each datapath to work: its ofproto.Backer translates
// upcalls, its poll loops move packets, and its dpctl, ofproto/trace and
// fdb commands are registered, and with other_config:hw-offload its
// trackers get a conntrack offload Manager. It imports dpif, ofproto,
// offload, maclearn, conntrack, vswitchdb, vlog, unixctl, coverage and
// memory from this module, never cmd.
package bridge
