// Package bridge is the OVSDB-facing configuration layer of the switch, the
// counterpart of OVS's vswitchd/bridge.c: it follows the Open_vSwitch
// database, opens datapaths, bridges and ports to match it, and writes the
// results (ofport, status, statistics, cur_cfg) back under the ovs_vswitchd
// lock. It imports dpif, ofproto, vswitchdb, vlog, unixctl, coverage and
// memory from this module, never cmd.
package bridge
