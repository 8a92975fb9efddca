package ofproto

import (
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
)

// A packet meter with a burst of 5 lets 5 of 20 simultaneous packets
// through; the meter's stats count all 20 in and 15 dropped by its band,
// and deleting the meter deletes the flow that used it.
func TestMeterDropsAboveRate(t *testing.T) {
	r := newXlateRig(t, 3)
	if err := r.br.applyMeterMod(&meterMod{command: meterAdd, flags: meterPktps | meterBurst | meterStats, id: 1,
		bands: []meterBand{{typ: bandDrop, rate: 1, burst: 5}}}); err != nil {
		t.Fatal(err)
	}
	r.addFlows(t, "in_port=1,udp,actions=meter:1,output:2")
	if got, want := r.miss(t, tcpKeyUDP()), "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(proto=17,frag=no), actions:meter(0),2"; got != want {
		t.Errorf("datapath actions\n got  %s\n want %s", got, want)
	}

	frames := make([][]byte, 20)
	for i := range frames {
		frames[i] = udpFrame(uint16(1000 + i%2))
	}
	r.input(1, frames...)
	if n := r.sent(t, 2); n != 5 {
		t.Errorf("port 2 sent %d packets, want 5 (the burst)", n)
	}
	r.br.mu.RLock()
	s := r.br.meters[1].counters()
	r.br.mu.RUnlock()
	want := dpif.MeterStats{Packets: 20, Bytes: 20 * 46, Bands: []dpif.MeterBandStats{{Packets: 15, Bytes: 15 * 46}}}
	if s.Packets != want.Packets || s.Bytes != want.Bytes || len(s.Bands) != 1 || s.Bands[0] != want.Bands[0] {
		t.Errorf("meter stats %+v, want %+v", s, want)
	}

	if err := r.br.applyMeterMod(&meterMod{command: meterDelete, id: meterAll}); err != nil {
		t.Fatal(err)
	}
	r.br.mu.RLock()
	n := len(r.br.rulesUsingMeter(1))
	r.br.mu.RUnlock()
	if n != 0 {
		t.Errorf("%d flows still use the deleted meter", n)
	}
	if _, err := r.dp.MeterStats(0); err == nil {
		t.Error("datapath meter 0 still there after the OpenFlow meter was deleted")
	}
}

// tcpKeyUDP is tcpKey's packet as UDP, what udpFrame sends.
func tcpKeyUDP() *dpif.FlowKey {
	k := tcpKey(1, 1000, 53)
	k.SetNwProto(17)
	return k
}
