/* The conntrack offload fast path of the afxdp ports' XDP program.
 *
 * govswitchd's XDP conntrack offload provider (offload/xdp) writes one
 * ct_flows entry per direction of an established connection and ingress
 * port: the entry's key is what the parser below extracts from a frame, its
 * value says how the datapath would rewrite and forward such a frame. A hit
 * is rewritten and redirected through tx_ports (a devmap of the datapath's
 * afxdp ports) without ever reaching the AF_XDP socket; the entry counts
 * what it forwarded and when, so the provider can keep conntrack timeouts,
 * conntrack counters and flow statistics true.
 *
 * Anything the parser does not fully understand returns XSK_NEXT and goes to
 * userspace exactly as before: TCP segments with SYN, FIN or RST (the tracker
 * must see the handshake and the close), IP fragments, IPv4 options, IPv6
 * extension headers, more than one VLAN tag, other protocols.
 *
 * The layouts below are mirrored by dpif/bpf/offload.go; change both. */
#ifndef GOVSWITCHD_CT_OFFLOAD_H
#define GOVSWITCHD_CT_OFFLOAD_H

#include "kernel_abi.h"

/* Set by the loader (LoadXSKOffload); when 0 the verifier prunes the whole
 * fast path and the program is the plain socket redirect. */
volatile const __u32 ct_offload_enabled = 0;

#define CT_FLOWS_MAX 65536
#define TX_PORTS_MAX 256

struct ct_flow_key {
	__u32 ifindex;   /* ingress device */
	__u8 src[16];    /* IPv4 in the first 4 bytes, rest zero */
	__u8 dst[16];
	__u16 sport;     /* network order */
	__u16 dport;     /* network order */
	__u16 vlan;      /* host order: TCI | VLAN_PRESENT, 0 if untagged */
	__u8 proto;
	__u8 ipv6;
};

/* ct_flow_val.flags */
#define CTF_SET_ETH_SRC  0x0001
#define CTF_SET_ETH_DST  0x0002
#define CTF_MATCH_SRC    0x0004 /* forward only if eth src == match_src */
#define CTF_MATCH_DST    0x0008 /* forward only if eth dst == match_dst */
#define CTF_VLAN_POP     0x0010
#define CTF_VLAN_PUSH    0x0020
#define CTF_VLAN_SET     0x0040 /* rewrite the present tag's TCI */
#define CTF_NAT_SRC      0x0080 /* IPv4 source address */
#define CTF_NAT_DST      0x0100
#define CTF_NAT_SPORT    0x0200
#define CTF_NAT_DPORT    0x0400

struct ct_flow_val {
	__u64 packets;   /* frames forwarded */
	__u64 bytes;     /* their length as received, Ethernet header included */
	__u64 last_used; /* bpf_ktime_get_ns() of the last one, 0 never */
	__u32 out_ifindex;
	__u32 flags;
	__u8 nat_src[16];
	__u8 nat_dst[16];
	__u16 nat_sport; /* network order */
	__u16 nat_dport;
	__u16 vlan_tci;  /* host order, for push and set */
	__u16 vlan_tpid; /* network order, for push */
	__u8 eth_src[6];
	__u8 eth_dst[6];
	__u8 match_src[6];
	__u8 match_dst[6];
};

/* Indexes of xdp_stats. */
enum {
	CTS_HIT = 0,   /* forwarded in the kernel */
	CTS_MISS,      /* parsed, no entry */
	CTS_TCP_CTL,   /* SYN, FIN or RST: to userspace */
	CTS_UNPARSED,  /* not plain Ethernet/IP/TCP|UDP */
	CTS_L2_MISMATCH,
	CTS_NO_PORT,   /* egress port not in tx_ports */
	CTS_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_FLOWS_MAX);
	__type(key, struct ct_flow_key);
	__type(value, struct ct_flow_val);
} ct_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, TX_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CTS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xdp_stats SEC(".maps");

static __always_inline void ct_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&xdp_stats, &idx);
	if (v)
		*v += 1;
}

/* One's complement helpers for incremental checksum updates (RFC 1624):
 * all values are raw network-order halfwords, which the sum does not mind. */
static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

static __always_inline __u16 csum_replace2(__u16 sum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~sum;
	s += (__u16)~old;
	s += new;
	return (__u16)~csum_fold(s);
}

static __always_inline __u16 csum_replace4(__u16 sum, const __u8 *old, const __u8 *new)
{
	const __u16 *o = (const __u16 *)old, *n = (const __u16 *)new;
	sum = csum_replace2(sum, o[0], n[0]);
	return csum_replace2(sum, o[1], n[1]);
}

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define VLAN_PRESENT 0x1000
#define TCP_CTL_FLAGS 0x07 /* FIN | SYN | RST */

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	return ((const __u16 *)a)[0] == ((const __u16 *)b)[0] &&
	       ((const __u16 *)a)[1] == ((const __u16 *)b)[1] &&
	       ((const __u16 *)a)[2] == ((const __u16 *)b)[2];
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	((__u16 *)dst)[0] = ((const __u16 *)src)[0];
	((__u16 *)dst)[1] = ((const __u16 *)src)[1];
	((__u16 *)dst)[2] = ((const __u16 *)src)[2];
}

/* ct_offload_step forwards a frame of an offloaded connection, or returns
 * XSK_NEXT for everything else. */
static __always_inline int ct_offload_step(struct xdp_md *ctx)
{
	if (!ct_offload_enabled)
		return XSK_NEXT;

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = (__u64)(data_end - data);
	struct ct_flow_key key = {};
	__u8 *eth = data;
	__u32 l3off = ETH_HLEN;

	if (data + ETH_HLEN + 4 > data_end)
		goto unparsed;
	__u16 proto = bpf_ntohs(*(__u16 *)(eth + 12));
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		key.vlan = (bpf_ntohs(*(__u16 *)(eth + 14)) & ~VLAN_PRESENT) | VLAN_PRESENT;
		proto = bpf_ntohs(*(__u16 *)(eth + 16));
		l3off = ETH_HLEN + 4;
	}
	__u8 *l3 = data + l3off;
	__u8 *l4;
	__u16 *ip_csum = 0;
	if (proto == ETH_P_IP) {
		if ((void *)(l3 + 20) > data_end)
			goto unparsed;
		/* Version 4, no options, not a fragment. */
		if (l3[0] != 0x45 || (bpf_ntohs(*(__u16 *)(l3 + 6)) & 0x3fff))
			goto unparsed;
		key.proto = l3[9];
		__builtin_memcpy(key.src, l3 + 12, 4);
		__builtin_memcpy(key.dst, l3 + 16, 4);
		ip_csum = (__u16 *)(l3 + 10);
		l4 = l3 + 20;
	} else if (proto == ETH_P_IPV6) {
		if ((void *)(l3 + 40) > data_end)
			goto unparsed;
		key.proto = l3[6]; /* an extension header is "unknown" below */
		key.ipv6 = 1;
		__builtin_memcpy(key.src, l3 + 8, 16);
		__builtin_memcpy(key.dst, l3 + 24, 16);
		l4 = l3 + 40;
	} else {
		goto unparsed;
	}
	__u16 *l4_csum;
	if (key.proto == IPPROTO_TCP) {
		if ((void *)(l4 + 20) > data_end)
			goto unparsed;
		if (l4[13] & TCP_CTL_FLAGS) {
			ct_count(CTS_TCP_CTL);
			return XSK_NEXT;
		}
		l4_csum = (__u16 *)(l4 + 16);
	} else if (key.proto == IPPROTO_UDP) {
		if ((void *)(l4 + 8) > data_end)
			goto unparsed;
		l4_csum = (__u16 *)(l4 + 6);
	} else {
		goto unparsed;
	}
	key.sport = *(__u16 *)l4;
	key.dport = *(__u16 *)(l4 + 2);
	key.ifindex = ctx->ingress_ifindex;

	struct ct_flow_val *v = bpf_map_lookup_elem(&ct_flows, &key);
	if (!v) {
		ct_count(CTS_MISS);
		return XSK_NEXT;
	}
	__u32 flags = v->flags;
	if (((flags & CTF_MATCH_SRC) && !mac_eq(eth + 6, v->match_src)) ||
	    ((flags & CTF_MATCH_DST) && !mac_eq(eth, v->match_dst))) {
		ct_count(CTS_L2_MISMATCH);
		return XSK_NEXT;
	}
	__u32 out = v->out_ifindex;
	if (!bpf_map_lookup_elem(&tx_ports, &out)) {
		ct_count(CTS_NO_PORT);
		return XSK_NEXT;
	}

	/* NAT (IPv4 only: the provider never asks for it on IPv6). */
	if (ip_csum && (flags & (CTF_NAT_SRC | CTF_NAT_DST | CTF_NAT_SPORT | CTF_NAT_DPORT))) {
		int udp0 = key.proto == IPPROTO_UDP && *l4_csum == 0;
		__u16 l4sum = *l4_csum;
		__u16 ipsum = *ip_csum;
		if (flags & CTF_NAT_SRC) {
			ipsum = csum_replace4(ipsum, l3 + 12, v->nat_src);
			l4sum = csum_replace4(l4sum, l3 + 12, v->nat_src);
			__builtin_memcpy(l3 + 12, v->nat_src, 4);
		}
		if (flags & CTF_NAT_DST) {
			ipsum = csum_replace4(ipsum, l3 + 16, v->nat_dst);
			l4sum = csum_replace4(l4sum, l3 + 16, v->nat_dst);
			__builtin_memcpy(l3 + 16, v->nat_dst, 4);
		}
		if (flags & CTF_NAT_SPORT) {
			l4sum = csum_replace2(l4sum, *(__u16 *)l4, v->nat_sport);
			*(__u16 *)l4 = v->nat_sport;
		}
		if (flags & CTF_NAT_DPORT) {
			l4sum = csum_replace2(l4sum, *(__u16 *)(l4 + 2), v->nat_dport);
			*(__u16 *)(l4 + 2) = v->nat_dport;
		}
		*ip_csum = ipsum;
		if (!udp0)
			*l4_csum = (key.proto == IPPROTO_UDP && l4sum == 0) ? 0xffff : l4sum;
	}

	if ((flags & CTF_VLAN_SET) && key.vlan)
		*(__u16 *)(eth + 14) = bpf_htons(v->vlan_tci);

	if ((flags & CTF_VLAN_POP) && key.vlan) {
		__u8 macs[12];
		__builtin_memcpy(macs, eth, 12);
		if (bpf_xdp_adjust_head(ctx, 4))
			return XDP_DROP; /* the frame is half rewritten */
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (data + 12 > data_end)
			return XDP_DROP;
		__builtin_memcpy(data, macs, 12);
	} else if ((flags & CTF_VLAN_PUSH) && !key.vlan) {
		if (bpf_xdp_adjust_head(ctx, -4))
			return XDP_DROP;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (data + 18 > data_end)
			return XDP_DROP;
		__u8 *e = data;
		__u8 macs[12];
		__builtin_memcpy(macs, e + 4, 12);
		__builtin_memcpy(e, macs, 12);
		*(__u16 *)(e + 12) = v->vlan_tpid;
		*(__u16 *)(e + 14) = bpf_htons(v->vlan_tci);
	}

	eth = data;
	if (data + ETH_HLEN > data_end)
		return XDP_DROP;
	if (flags & CTF_SET_ETH_SRC)
		mac_copy(eth + 6, v->eth_src);
	if (flags & CTF_SET_ETH_DST)
		mac_copy(eth, v->eth_dst);

	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, len);
	v->last_used = bpf_ktime_get_ns();
	ct_count(CTS_HIT);
	return bpf_redirect_map(&tx_ports, out, 0);

unparsed:
	ct_count(CTS_UNPARSED);
	return XSK_NEXT;
}

#endif
