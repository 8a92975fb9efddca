// Package xdp is the "xdp" conntrack offload provider: it forwards
// established connections in the afxdp ports' XDP program, in front of the
// AF_XDP sockets, by writing one entry per direction and ingress port into
// the program's flow map (dpif/bpf, ct_offload.h).
//
// What an entry does comes from the datapath (the Datapath interface, which
// *dpif.Datapath implements): for each direction of the connection the
// megaflows its packets hit, recirculations and ct() included, must end in
// one output to an afxdp port with nothing but MAC, VLAN, IPv4 address and
// L4 port rewrites on the way (BuildEntry); anything else is refused and
// the connection stays in software.
//
// The provider keeps the tracker's view true: Update reads the entries'
// counters and last-used times back (conntrack timeouts, dump-conntrack -s)
// and credits the megaflows the packets bypassed (dpctl/dump-flows,
// OpenFlow statistics through revalidation, idle expiry). A revalidator
// goroutine watches the megaflows each entry was computed from: when the
// datapath's revalidation changes or deletes one (the OpenFlow tables or
// the ports changed), the connection's entries are pulled out at once, so
// its packets take the software path and the new tables, and re-installed
// when its paths resolve again. Connections whose paths are not in the
// megaflow cache when offered (their last packet's flow is still being
// installed) are retried the same way.
//
// The package imports dpif (for the datapath's answer and the BPF map
// types) and offload; neither imports it. The bridge constructs the
// provider with New and attaches it with offload.Attach; the registered
// factory only serves the command list.
package xdp
