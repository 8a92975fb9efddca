package conntrack

import (
	"encoding/binary"
	"testing"
)

// FuzzExecute feeds arbitrary bytes to the tracker as IPv4 and IPv6 packets
// under several ct() actions (with and without ALG helpers); nothing may panic, and an invalid verdict
// carries no new/est/rel/rpl (OVS still NATs invalid packets of a NATed
// connection, so snat/dnat may accompany inv).
func FuzzExecute(f *testing.F) {
	seeds := []*Packet{
		tcpPkt("10.0.0.1", "10.0.0.2", 1, 2, tcpSYN, tcpOpt{seq: 1, wscale: 3}),
		udpPkt("fd00::1", "fd00::2", 1, 2, 3),
		icmpEcho("10.0.0.1", "10.0.0.2", icmp4EchoRequest, 1, 1),
		icmpError("10.0.0.9", "10.0.0.1", icmp4DstUnreach, 1, udpPkt("10.0.0.1", "10.0.0.2", 1, 2, 0)),
		icmpError("fd00::9", "fd00::1", icmp6TimeExceeded, 0, tcpPkt("fd00::1", "fd00::2", 1, 2, tcpACK, tcpOpt{wscale: -1})),
	}
	for _, p := range seeds {
		f.Add(p.Data[p.L3Offset:], p.EthType == EthTypeIPv6, uint8(1))
	}
	tr := New(Config{NoSweeper: true})
	defer tr.Close()
	snat := &NATAction{Flags: NATSrc, MinAddr: addr16("10.9.9.9"), MaxAddr: addr16("10.9.9.10"), MinPort: 1000, MaxPort: 1003}
	f.Fuzz(func(t *testing.T, l3 []byte, v6 bool, mode uint8) {
		p := &Packet{Data: append([]byte(nil), l3...), EthType: EthTypeIPv4}
		if v6 {
			p.EthType = EthTypeIPv6
		}
		// Valid checksums make the deeper code reachable: fix the IPv4
		// header checksum when asked.
		if mode&2 != 0 && !v6 && len(p.Data) >= 20 {
			if hl := int(p.Data[0]&0xf) * 4; hl >= 20 && hl <= len(p.Data) {
				binary.BigEndian.PutUint16(p.Data[10:], 0)
				binary.BigEndian.PutUint16(p.Data[10:], csumFold(csumAdd(0, p.Data[:hl])))
			}
		}
		if mode&4 != 0 {
			p.Csum = L4CsumGood
		}
		a := Action{Commit: mode&1 != 0, Force: mode&8 != 0, Zone: uint16(mode >> 6)}
		if mode&16 != 0 {
			a.NAT = snat
		}
		if mode&32 != 0 {
			a.Helper = "ftp"
		}
		tr.Execute(p, &a)
		// OVS ORs inv onto the state of an FTP control packet it cannot parse.
		if a.Helper == "" && p.MD.State&StateInvalid != 0 && p.MD.State&(StateNew|StateEstablished|StateRelated|StateReply) != 0 {
			t.Fatalf("invalid with other bits: %v", p.MD.State)
		}
		a.NAT = &NATAction{}
		if mode&32 != 0 {
			a.Helper = "tftp"
		}
		tr.Execute(p, &a) // a second ct() on the same (maybe rewritten) packet
		tr.Execute(p, &Action{Zone: a.Zone + 1})
		for _, e := range tr.Dump(nil) {
			_ = e.Format(true, true)
		}
		if tr.NConns() > 4096 {
			_ = tr.Flush(nil, nil)
		}
	})
}
