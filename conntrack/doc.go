// Package conntrack is the in-process connection tracker behind the ct()
// action: connection state per zone, NAT, limits, and the hook dispatcher that
// ALG helpers and offload providers register into. It imports nothing from this
// module.
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
// Layout: extract.go (header parsing), key.go (keys, symmetric hash),
// table.go (sharded, lock-free-read hash table), conn.go (the connection and
// its lock discipline), update.go (the single state-update entry point the
// hook dispatcher will wrap), tcp.go / other.go (protocol trackers),
// timeout.go, limits.go, expiry.go (expiry lists and sweeper), nat.go,
// dump.go and dpctl.go (inspection), flush.go.
//
// Not implemented yet: IP fragment reassembly (fragments are invalid), ALG
// helpers and expectations (FTP/TFTP), the hook dispatcher, per-connection
// private slots and offload observers (issue 5's next step).
package conntrack
