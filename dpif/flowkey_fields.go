package dpif

import "fmt"

// KeyField locates one field of a FlowKey: Bits starting at bit Shift of
// word Word, or for 128-bit fields the whole words Word and Word+1. Fields
// that share storage (arp_spa with nw_src, icmp_type with tp_src, ...) are
// listed under their primary name only.
type KeyField struct {
	Name  string
	Word  int
	Shift uint
	Bits  uint
}

// KeyFields lists every field of the key layout, in layout order; formatters
// and tests walk it instead of naming fields one by one.
var KeyFields = []KeyField{
	{"in_port", 0, 32, 32},
	{"recirc_id", 0, 0, 32},
	{"dp_hash", 1, 32, 32},
	{"skb_priority", 1, 0, 32},
	{"pkt_mark", 2, 32, 32},
	{"ct_state", 2, 24, 8},
	{"ct_nw_proto", 2, 16, 8},
	{"ct_zone", 2, 0, 16},
	{"ct_mark", 3, 32, 32},
	{"ct_tp_src", 3, 16, 16},
	{"ct_tp_dst", 3, 0, 16},
	{"ct_label", 4, 0, 128},
	{"ct_nw_src", 6, 32, 32},
	{"ct_nw_dst", 6, 0, 32},
	{"ct_ipv6_src", 7, 0, 128},
	{"ct_ipv6_dst", 9, 0, 128},
	{"eth_dst", 11, 16, 48},
	{"eth_type", 11, 0, 16},
	{"eth_src", 12, 16, 48},
	{"vlan0", 13, 32, 32},
	{"vlan1", 13, 0, 32},
	{"mpls_lse", 14, 32, 32},
	{"ipv6_label", 14, 0, 32},
	{"nw_src", 15, 32, 32},
	{"nw_dst", 15, 0, 32},
	{"ipv6_src", 16, 0, 128},
	{"ipv6_dst", 18, 0, 128},
	{"nw_proto", 20, 56, 8},
	{"nw_tos", 20, 48, 8},
	{"nw_ttl", 20, 40, 8},
	{"nw_frag", 20, 32, 8},
	{"tp_src", 20, 16, 16},
	{"tp_dst", 20, 0, 16},
	{"arp_sha", 21, 16, 48},
	{"tcp_flags", 21, 0, 16},
	{"arp_tha", 22, 16, 48},
	{"nd_target", 23, 0, 128},
}

// Get returns the field's value in k; hi is nonzero only for 128-bit fields.
func (f KeyField) Get(k *FlowKey) (hi, lo uint64) {
	if f.Bits == 128 {
		return k[f.Word], k[f.Word+1]
	}
	return 0, k.keyGet(f.Word, f.Shift, f.Bits)
}

// Format prints the field's value in hex.
func (f KeyField) Format(k *FlowKey) string {
	hi, lo := f.Get(k)
	if f.Bits == 128 {
		return fmt.Sprintf("%s=%#016x%016x", f.Name, hi, lo)
	}
	return fmt.Sprintf("%s=%#x", f.Name, lo)
}

// String lists the nonzero fields of the key, for logs and test failures.
func (k *FlowKey) String() string {
	s := ""
	for _, f := range KeyFields {
		if hi, lo := f.Get(k); hi == 0 && lo == 0 {
			continue
		}
		if s != "" {
			s += ","
		}
		s += f.Format(k)
	}
	return s
}
