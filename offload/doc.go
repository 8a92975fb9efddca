// Package offload mirrors committed conntrack connections into an offload
// provider (a fast path that forwards established connections without the
// software tracker) and keeps the tracker's view of them true. It imports
// conntrack only; never dpif, ofproto or bridge (a provider that needs the
// datapath gets what it needs through its own constructor).
//
// Providers implement Provider and register by name (Register, as
// database/sql drivers do): "dummy" (dummy.go) holds connections in memory
// and is steered through ovs-appctl for tests; "xdp" (offload/xdp) writes
// established connections into the afxdp ports' XDP program, which then
// forwards them in the kernel. A Manager attaches one provider to a Tracker as an
// observer at PriorityLow, after the ALG hooks, and:
//
//   - offers a connection to the provider once it is eligible: never with a
//     ct(alg=...) helper, TCP only once both directions are ESTABLISHED,
//     other protocols when committed; the provider's CanOffload may refuse,
//     and a refused connection stays in software;
//   - tells the provider Established on the first established reply (once),
//     Delete when the connection is removed or a TCP connection starts to
//     close (it then finishes in software), Flush on a full flush;
//   - polls Update periodically and hands the provider's last-used time and
//     counters to Tracker.RefreshOffloaded, so a connection the provider
//     keeps forwarding outlives its software timeout; an Update error
//     deletes the connection;
//   - does all provider calls on one worker goroutine in batches (Batcher),
//     fed by a bounded queue, so the packet path never waits: when the
//     queue is full a connection simply stays in software for now.
//
// Configuration (config.go) follows OVS: other_config:hw-offload=true read
// once at start, other_config:ct-offload-provider names the provider.
// Visibility: ct-offload/show, dpctl/offload-stats-show lines, and the
// tracker's dump-conntrack -m status=OFFLOAD and -s packets=,bytes=.
package offload
