/* The few pieces of the kernel's BPF ABI that xsk.c needs, written out so
 * that the program builds with nothing but clang: no libbpf-dev, no
 * architecture-specific kernel headers. Values are fixed by the kernel's
 * UAPI (include/uapi/linux/bpf.h) and never change. */
#ifndef GOVSWITCHD_KERNEL_ABI_H
#define GOVSWITCHD_KERNEL_ABI_H

typedef unsigned int __u32;
typedef unsigned long long __u64;

/* struct xdp_md is the context of an XDP program. */
struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

enum xdp_action {
	XDP_ABORTED = 0,
	XDP_DROP,
	XDP_PASS,
	XDP_TX,
	XDP_REDIRECT,
};

#define BPF_MAP_TYPE_XSKMAP 17

/* BTF-style map definitions, as cilium/ebpf and libbpf read them. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) typeof(val) *name
#define __always_inline inline __attribute__((always_inline))

/* Helper 51: redirect to the map entry key; the low bits of flags are the
 * action returned when the entry is empty. */
static long (*bpf_redirect_map)(void *map, __u32 key, __u64 flags) = (void *)51;

#endif
