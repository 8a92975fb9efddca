package ofproto

import (
	"encoding/binary"
	"fmt"
	"net"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
)

// BenchmarkFlowLoad is add-flows over a connection: 20,000 flow_mods of
// five kinds in five tables, written back to back, then a barrier; one
// iteration ends with the barrier's reply. It covers the decode, the
// checks and the table insert (the 100,000-flow load, scaled down).
func BenchmarkFlowLoad(b *testing.B) {
	const n = 20000
	var stream []byte
	for _, msg := range manyFlowMods(b, n) {
		stream = append(stream, msg...)
	}
	barrier := []byte{ofp.Version13, 20, 0, 8, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(barrier[4:], 0xbabe)
	stream = append(stream, barrier...)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		br, err := NewBridge("br0", b.TempDir(), nil, Config{FailSecure: true})
		if err != nil {
			b.Fatal(err)
		}
		c, err := net.Dial("unix", MgmtPath(br.rundir, "br0"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := readMsg(c); err != nil { // the switch's hello
			b.Fatal(err)
		}
		if _, err := c.Write(ofp.EncodeHello(1<<ofp.Version13, 1)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := c.Write(stream); err != nil {
			b.Fatal(err)
		}
		for {
			msg, err := readMsg(c)
			if err != nil {
				b.Fatal(err)
			}
			if msg[1] == 1 {
				b.Fatalf("error reply: %x", msg)
			}
			if msg[1] == 21 && binary.BigEndian.Uint32(msg[4:]) == 0xbabe {
				break
			}
		}
		b.StopTimer()
		c.Close()
		if got := br.ruleCount(4); got != n/5 {
			b.Fatalf("table 4 has %d rules", got)
		}
		br.Close()
		b.StartTimer()
	}
}

// manyFlowMods encodes the first n flows of the load as OpenFlow 1.3
// flow_mods, with xids 0 to n-1.
func manyFlowMods(b *testing.B, n int) [][]byte {
	b.Helper()
	msgs := make([][]byte, n)
	for j := range msgs {
		text := manyFlowText(j)
		fm, err := ofp.ParseFlow(text, ofp.FlowAdd)
		if err != nil {
			b.Fatalf("%s: %v", text, err)
		}
		if msgs[j], err = ofp.EncodeFlowMod(fm, ofp.ProtoOF13, uint32(j)); err != nil {
			b.Fatalf("%s: %v", text, err)
		}
	}
	return msgs
}

// manyFlowText is flow j of the load: five kinds, one table each,
// as tests/manyflows_test.go and bench/flowload.sh generate them (with
// set_field and pop_vlan for the OpenFlow 1.3 encoding).
func manyFlowText(j int) string {
	i := j / 5
	switch j % 5 {
	case 0:
		return fmt.Sprintf("table=0,priority=300,ip,in_port=%d,nw_src=10.%d.%d.%d,actions=output:%d", 1+i%2, i>>16&255, i>>8&255, i&255, 1+i%3)
	case 1:
		return fmt.Sprintf("table=1,cookie=%#x,priority=200,tcp,nw_dst=172.16.%d.%d,tp_dst=%d,actions=set_field:%d->vlan_vid,output:2", 0x1000+i, i>>8&255, i&255, 1000+i%50000, 0x1000|(1+i%4094))
	case 2:
		return fmt.Sprintf("table=2,priority=100,dl_vlan=%d,dl_src=02:00:00:%02x:%02x:%02x,actions=pop_vlan,resubmit(,3)", 1+i%4094, i>>16&255, i>>8&255, i&255)
	case 3:
		return fmt.Sprintf("table=3,priority=50,ipv6,ipv6_src=2001:db8::%x:%x,actions=dec_ttl,output:3", 1+i>>16, i&0xffff)
	default:
		return fmt.Sprintf("table=4,priority=%d,arp,arp_tpa=192.168.%d.%d,actions=load:%#x->NXM_NX_REG0[],resubmit(,5)", 10+i%100, i>>8&255, i&255, i+1)
	}
}
