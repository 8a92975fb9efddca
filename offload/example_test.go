package offload_test

import (
	"encoding/binary"
	"fmt"

	"github.com/govswitchd/govswitchd/conntrack"
	"github.com/govswitchd/govswitchd/offload"
)

// udpFrame builds an Ethernet+IPv4+UDP packet whose checksums the tracker
// trusts.
func udpFrame(src, dst byte, sport, dport uint16) *conntrack.Packet {
	b := make([]byte, 14+20+8)
	binary.BigEndian.PutUint16(b[12:], conntrack.EthTypeIPv4)
	ip := b[14:]
	ip[0], ip[8], ip[9] = 0x45, 64, conntrack.ProtoUDP
	binary.BigEndian.PutUint16(ip[2:], 28)
	copy(ip[12:], []byte{10, 0, 0, src, 10, 0, 0, dst})
	binary.BigEndian.PutUint16(ip[20:], sport)
	binary.BigEndian.PutUint16(ip[22:], dport)
	binary.BigEndian.PutUint16(ip[24:], 8)
	return &conntrack.Packet{Data: b, L3Offset: 14, EthType: conntrack.EthTypeIPv4,
		Csum: conntrack.IPCsumGood | conntrack.L4CsumGood}
}

// Offload is switched on from other_config, a committed connection reaches
// the provider, and dump-conntrack -m marks it.
func Example() {
	tr := conntrack.New(conntrack.Config{NoSweeper: true})
	defer tr.Close()
	cfg, enabled, err := offload.ConfigFromOtherConfig(map[string]string{
		"hw-offload": "true", "ct-offload-provider": "dummy"})
	if err != nil || !enabled {
		panic(err)
	}
	m, err := offload.New(tr, cfg)
	if err != nil {
		panic(err)
	}
	defer m.Close()

	tr.Execute(udpFrame(1, 2, 1000, 53), &conntrack.Action{Commit: true})
	tr.Execute(udpFrame(2, 1, 53, 1000), &conntrack.Action{})
	m.Sync()

	show, _ := m.Show(nil)
	fmt.Print(show)
	dump, _ := tr.DumpConntrack([]string{"-m"})
	fmt.Print(dump)
	// Output:
	// ct-offload provider: dummy
	//   offloaded connections: 1
	//   added: 1
	//   refused: 0
	//   removed: 0
	//   errors: 0
	//   dropped (queue full): 0
	//   batches: 2
	// Offloaded connections:
	//   1: udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1000,dport=53),reply=(src=10.0.0.2,dst=10.0.0.1,sport=53,dport=1000),established
	// udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=1000,dport=53),reply=(src=10.0.0.2,dst=10.0.0.1,sport=53,dport=1000),id=0,status=OFFLOAD
}
