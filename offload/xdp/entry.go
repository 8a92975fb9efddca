package xdp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/dpif/bpf"
)

// ErrUnsupported says a path needs a rewrite the XDP program cannot do.
var ErrUnsupported = errors.New("not supported by the XDP fast path")

// be16 stores v so that its bytes in memory are in network order, as the
// program compares and writes them.
func be16(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// BuildEntry turns what the datapath does with one direction's packets on
// one ingress port into the flow map's key and value: the key is the
// packets' headers on arrival, the value the difference between their
// headers on arrival and on departure plus the egress device.
func BuildEntry(p *dpif.ConnPath) (bpf.CTFlowKey, bpf.CTFlowVal, error) {
	in, out := &p.In, &p.Out
	var k bpf.CTFlowKey
	var v bpf.CTFlowVal
	if p.InIfindex <= 0 || p.OutIfindex <= 0 {
		return k, v, fmt.Errorf("path from port %d to port %d: no device: %w", p.InPort, p.OutPort, ErrUnsupported)
	}
	if in.Proto != out.Proto || in.IPv6 != out.IPv6 {
		return k, v, fmt.Errorf("protocol changes on the way: %w", ErrUnsupported)
	}
	k.Ifindex = uint32(p.InIfindex)
	k.Src, k.Dst = in.Src, in.Dst
	k.Sport, k.Dport = be16(in.SrcPort), be16(in.DstPort)
	k.Proto = in.Proto
	if in.IPv6 {
		k.Ipv6 = 1
	}
	if in.VLANTCI != 0 {
		k.Vlan = in.VLANTCI | bpf.VLANPresent
	}

	v.OutIfindex = uint32(p.OutIfindex)
	if in.EthSrcMatter {
		v.Flags |= bpf.CTFMatchSrc
		v.MatchSrc = in.EthSrc
	}
	if in.EthDstMatter {
		v.Flags |= bpf.CTFMatchDst
		v.MatchDst = in.EthDst
	}
	if out.EthSrc != in.EthSrc {
		v.Flags |= bpf.CTFSetEthSrc
		v.EthSrc = out.EthSrc
	}
	if out.EthDst != in.EthDst {
		v.Flags |= bpf.CTFSetEthDst
		v.EthDst = out.EthDst
	}
	const noCFI = 0xffff &^ dpif.VLANCFI
	switch {
	case in.VLANTCI == 0 && out.VLANTCI != 0:
		v.Flags |= bpf.CTFVLANPush
		v.VlanTpid = be16(out.VLANTPID)
		v.VlanTci = out.VLANTCI & noCFI
	case in.VLANTCI != 0 && out.VLANTCI == 0:
		v.Flags |= bpf.CTFVLANPop
	case in.VLANTCI != 0 && in.VLANTPID != out.VLANTPID:
		return k, v, fmt.Errorf("VLAN TPID rewrite: %w", ErrUnsupported)
	case in.VLANTCI != out.VLANTCI:
		v.Flags |= bpf.CTFVLANSet
		v.VlanTci = out.VLANTCI & noCFI
	}
	if out.Src != in.Src || out.Dst != in.Dst {
		if in.IPv6 {
			return k, v, fmt.Errorf("IPv6 address rewrite: %w", ErrUnsupported)
		}
		if out.Src != in.Src {
			v.Flags |= bpf.CTFNATSrc
			copy(v.NatSrc[:4], out.Src[:4])
		}
		if out.Dst != in.Dst {
			v.Flags |= bpf.CTFNATDst
			copy(v.NatDst[:4], out.Dst[:4])
		}
	}
	if out.SrcPort != in.SrcPort || out.DstPort != in.DstPort {
		if in.IPv6 {
			return k, v, fmt.Errorf("IPv6 port rewrite: %w", ErrUnsupported)
		}
		if out.SrcPort != in.SrcPort {
			v.Flags |= bpf.CTFNATSport
			v.NatSport = be16(out.SrcPort)
		}
		if out.DstPort != in.DstPort {
			v.Flags |= bpf.CTFNATDport
			v.NatDport = be16(out.DstPort)
		}
	}
	return k, v, nil
}
