/* The few pieces of the kernel's BPF ABI that xsk.c needs, written out so
 * that the program builds with nothing but clang: no libbpf-dev, no
 * architecture-specific kernel headers. Values are fixed by the kernel's
 * UAPI (include/uapi/linux/bpf.h) and never change. */
#ifndef GOVSWITCHD_KERNEL_ABI_H
#define GOVSWITCHD_KERNEL_ABI_H

typedef unsigned char __u8;
typedef unsigned short __u16;
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

#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_PERCPU_ARRAY 6
#define BPF_MAP_TYPE_XSKMAP 17
#define BPF_MAP_TYPE_DEVMAP_HASH 25

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define bpf_ntohs(x) __builtin_bswap16(x)
#define bpf_htons(x) __builtin_bswap16(x)
#else
#define bpf_ntohs(x) (x)
#define bpf_htons(x) (x)
#endif

/* BTF-style map definitions, as cilium/ebpf and libbpf read them. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) typeof(val) *name
#define __always_inline inline __attribute__((always_inline))

/* Helper 51: redirect to the map entry key; the low bits of flags are the
 * action returned when the entry is empty. */
/* Helper 1: the value of key in map, or NULL. */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
/* Helper 5: CLOCK_MONOTONIC in nanoseconds. */
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
/* Helper 44: move the frame's start by delta bytes (negative grows it). */
static long (*bpf_xdp_adjust_head)(struct xdp_md *ctx, int delta) = (void *)44;

static long (*bpf_redirect_map)(void *map, __u32 key, __u64 flags) = (void *)51;

#endif
