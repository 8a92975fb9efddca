//go:build ignore

/* XDP program for govswitchd's afxdp ports: every frame received on queue q
 * goes to the AF_XDP socket in xsks[q]; a queue without a socket passes the
 * frame to the kernel stack unchanged.
 *
 * The program is a list of steps, each returning a verdict or XSK_NEXT to
 * hand the frame to the next one. Fast paths that answer in the kernel
 * (such as the conntrack offload lookup) go before the final redirect. */
#include "kernel_abi.h"

/* MAX_QUEUES is only the compiled default; the loader sizes the map to the
 * port's n_rxq. */
#define MAX_QUEUES 16

/* XSK_NEXT means "this step has no verdict for the frame". */
#define XSK_NEXT -1

/* GPL-compatible, so later fast paths may use GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "ct_offload.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* to_userspace is the last step: the frame goes to the queue's socket, or
 * to the kernel stack if no socket is bound there. */
static __always_inline int to_userspace(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	/* Kernel fast paths, each answering or handing on with XSK_NEXT. */
	int verdict = ct_offload_step(ctx);
	if (verdict != XSK_NEXT)
		return verdict;
	return to_userspace(ctx);
}
