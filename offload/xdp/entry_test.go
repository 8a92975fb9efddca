package xdp

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/dpif/bpf"
)

var (
	macA = [6]byte{2, 0, 0, 0, 0, 0xa}
	macB = [6]byte{2, 0, 0, 0, 0, 0xb}
	macR = [6]byte{2, 0, 0, 0, 0, 0xee}
)

func addr(s string) (a [16]byte) {
	ip := netip.MustParseAddr(s)
	copy(a[:], ip.AsSlice())
	return a
}

func tcpHeaders(src, dst string, sport, dport uint16) dpif.PathHeaders {
	return dpif.PathHeaders{EthSrc: macA, EthDst: macB, Src: addr(src), Dst: addr(dst), SrcPort: sport, DstPort: dport, Proto: 6}
}

func plainPath() dpif.ConnPath {
	h := tcpHeaders("10.0.0.1", "10.0.0.2", 40000, 8000)
	return dpif.ConnPath{InPort: 1, OutPort: 2, InIfindex: 11, OutIfindex: 12, In: h, Out: h}
}

func TestBuildEntry(t *testing.T) {
	plainKey := bpf.CTFlowKey{Ifindex: 11, Src: addr("10.0.0.1"), Dst: addr("10.0.0.2"), Sport: be16(40000), Dport: be16(8000), Proto: 6}
	for _, c := range []struct {
		name    string
		path    func(p *dpif.ConnPath)
		key     func(k *bpf.CTFlowKey)
		val     bpf.CTFlowVal
		wantErr bool
	}{
		{name: "plain output", val: bpf.CTFlowVal{OutIfindex: 12}},
		{name: "macs consulted", path: func(p *dpif.ConnPath) { p.In.EthSrcMatter, p.In.EthDstMatter = true, true },
			val: bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFMatchSrc | bpf.CTFMatchDst, MatchSrc: macA, MatchDst: macB}},
		{name: "router rewrite", path: func(p *dpif.ConnPath) { p.Out.EthSrc, p.Out.EthDst = macR, macA },
			val: bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFSetEthSrc | bpf.CTFSetEthDst, EthSrc: macR, EthDst: macA}},
		{name: "snat", path: func(p *dpif.ConnPath) { p.Out.Src, p.Out.SrcPort = addr("192.0.2.1"), 1024 },
			val: func() bpf.CTFlowVal {
				v := bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFNATSrc | bpf.CTFNATSport, NatSport: be16(1024)}
				copy(v.NatSrc[:], []byte{192, 0, 2, 1})
				return v
			}()},
		{name: "dnat", path: func(p *dpif.ConnPath) { p.Out.Dst, p.Out.DstPort = addr("10.0.0.9"), 80 },
			val: func() bpf.CTFlowVal {
				v := bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFNATDst | bpf.CTFNATDport, NatDport: be16(80)}
				copy(v.NatDst[:], []byte{10, 0, 0, 9})
				return v
			}()},
		{name: "vlan push", path: func(p *dpif.ConnPath) { p.Out.VLANTPID, p.Out.VLANTCI = 0x8100, 0x1064 },
			val: bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFVLANPush, VlanTpid: be16(0x8100), VlanTci: 0x64}},
		{name: "vlan pop", path: func(p *dpif.ConnPath) { p.In.VLANTPID, p.In.VLANTCI = 0x8100, 0x3064 },
			key: func(k *bpf.CTFlowKey) { k.Vlan = 0x3064 },
			val: bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFVLANPop}},
		{name: "vlan set", path: func(p *dpif.ConnPath) {
			p.In.VLANTPID, p.In.VLANTCI = 0x8100, 0x1064
			p.Out.VLANTPID, p.Out.VLANTCI = 0x8100, 0x1065
		}, key: func(k *bpf.CTFlowKey) { k.Vlan = 0x1064 },
			val: bpf.CTFlowVal{OutIfindex: 12, Flags: bpf.CTFVLANSet, VlanTci: 0x65}},
		{name: "vlan tpid change", path: func(p *dpif.ConnPath) {
			p.In.VLANTPID, p.In.VLANTCI = 0x8100, 0x1064
			p.Out.VLANTPID, p.Out.VLANTCI = 0x88a8, 0x1064
		}, wantErr: true},
		{name: "ipv6 nat", path: func(p *dpif.ConnPath) {
			p.In.IPv6, p.Out.IPv6 = true, true
			p.In.Src, p.In.Dst = addr("fd00::1"), addr("fd00::2")
			p.Out.Src, p.Out.Dst = addr("fd00::9"), addr("fd00::2")
		}, wantErr: true},
		{name: "ipv6 plain", path: func(p *dpif.ConnPath) {
			p.In.IPv6, p.Out.IPv6 = true, true
			p.In.Src, p.In.Dst = addr("fd00::1"), addr("fd00::2")
			p.Out.Src, p.Out.Dst = p.In.Src, p.In.Dst
		}, key: func(k *bpf.CTFlowKey) { k.Ipv6, k.Src, k.Dst = 1, addr("fd00::1"), addr("fd00::2") },
			val: bpf.CTFlowVal{OutIfindex: 12}},
		{name: "no egress device", path: func(p *dpif.ConnPath) { p.OutIfindex = 0 }, wantErr: true},
		{name: "protocol change", path: func(p *dpif.ConnPath) { p.Out.Proto = 17 }, wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := plainPath()
			if c.path != nil {
				c.path(&p)
			}
			k, v, err := BuildEntry(&p)
			if c.wantErr {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("err = %v, want ErrUnsupported", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantKey := plainKey
			if c.key != nil {
				c.key(&wantKey)
			}
			if k != wantKey {
				t.Errorf("key\n got %+v\nwant %+v", k, wantKey)
			}
			if v != c.val {
				t.Errorf("value\n got %+v\nwant %+v", v, c.val)
			}
		})
	}
}
