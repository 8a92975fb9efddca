// Package conntrack is the in-process connection tracker behind the ct()
// action: connection state per zone, NAT, limits, ALG helpers, and the hook
// dispatcher and observer list that ALG helpers and offload providers
// register into. It imports nothing from this module but its own
// subpackage ipf.
//
// The datapath hands each packet over as a Packet (frame bytes, L3 offset,
// ethertype, Metadata) with an Action describing the ct() it executes;
// Tracker.Execute validates and parses the headers, finds or creates the
// connection, runs the TCP / UDP-and-other / ICMP state machines and writes
// ct_state, zone, mark, label and the original tuple back into Metadata,
// rewriting the packet in place for NAT. The dpctl/* inspection commands are
// methods taking unixctl arguments and returning the exact OVS 3.1 reply text
// (see Tracker.Commands).
//
// Extension points: every state update of an existing connection goes
// through the hook chain (RegisterHook; priority order, first claim wins,
// default update otherwise); connection events (committed, established,
// updated, deleted, flushed) go to observers (RegisterObserver). Both lists
// are copy-on-write snapshots, so registration is safe under traffic and the
// packet path takes no lock. Modules keep per-connection state in private
// slots (AllocSlot, Conn.Slot/SetSlot) whose destructors run once when the
// connection is removed. The FTP and TFTP ALGs are ordinary hooks that New
// registers at PriorityNormal; the core only knows helper names, generic
// expectations (expect.go) and how a data connection inherits from one.
//
// Layout: extract.go (header parsing), key.go (keys, symmetric hash),
// table.go (sharded, lock-free-read hash table), conn.go (the connection and
// its lock discipline), update.go (the default state update), hooks.go (hook
// dispatcher, observers, conntrack/show-hooks), slots.go (private slots),
// expect.go (ALG expectations), ftp.go / ftp_parse.go and tftp.go (the ALGs),
// tcp.go / other.go (protocol trackers), timeout.go, limits.go, expiry.go
// (expiry lists and sweeper), nat.go, dump.go and dpctl.go (inspection),
// flush.go, offload.go (what the offload manager needs beyond observing:
// the offloaded mark, RefreshOffloaded, Delete), zone_tp.go (OVSDB zone
// timeout policies), ipf_dpctl.go (the dpctl/ipf-* commands; the
// reassembler itself is package conntrack/ipf).
//
// Offload: package offload observes the tracker at PriorityLow. A connection
// it marks offloaded (Conn.SetOffloaded) skips TCP window checks, shows
// status=OFFLOAD in dump-conntrack -m (the kernel's IPS_OFFLOAD name, in
// ct-dpif's status field) and, with -s, the provider's packets=,bytes= per
// direction; RefreshOffloaded extends its expiry from the provider's
// last-used time.
//
// Fragments: the tracker owns an IP fragment reassembler (package
// conntrack/ipf, Tracker.IPF) with its dpctl/ipf-* commands; the datapath
// hands fragments to it before ct() and runs the reassembled packet through
// Execute. Fragments that reach Execute itself are invalid.
package conntrack
