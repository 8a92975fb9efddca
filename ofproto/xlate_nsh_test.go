package ofproto

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
)

// nshFrame is an Ethernet NSH packet, MD type 1, next protocol IPv4.
func nshFrame(ttl uint8, spi uint32, si uint8, c1 uint32) []byte {
	f := make([]byte, 14+24+20)
	copy(f, []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x89, 0x4f})
	n := f[14:]
	binary.BigEndian.PutUint16(n, uint16(ttl)<<6|6) // length: 6 words
	n[2], n[3] = 1, 1
	binary.BigEndian.PutUint32(n[4:], spi<<8|uint32(si))
	binary.BigEndian.PutUint32(n[8:], c1)
	copy(f[38:], []byte{0x45, 0, 0, 20, 0, 1, 0, 0, 64, 253, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	return f
}

func nshKey(in uint32, frame []byte) *dpif.FlowKey {
	var k dpif.FlowKey
	dpif.Extract(frame, in, &k)
	return &k
}

// The megaflows and datapath actions are what ovs-vswitchd 3.1 installs
// for the same flows and packets.
func TestXlateNSH(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,dl_type=0x894f,nsh_spi=0x5,actions=set_field:254->nsh_si,dec_nsh_ttl,output:2",
		"table=0,in_port=2,dl_type=0x894f,nsh_mdtype=1,nsh_c1=0x11,actions=set_field:0x22->nsh_c2,output:1",
		"table=0,in_port=3,dl_type=0x894f,actions=output:1",
	)
	for _, c := range []struct {
		in   uint32
		want string
	}{
		{1, "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x894f),nsh(ttl=63,spi=0x5,si=255), actions:set(nsh(ttl=62,spi=0x5,si=254)),2"},
		{2, "recirc_id(0),in_port(2),packet_type(ns=0,id=0),eth_type(0x894f),nsh(mdtype=1,c1=0x11,c2=0x0), actions:set(nsh(c1=0x11,c2=0x22)),1"},
		{3, "recirc_id(0),in_port(3),packet_type(ns=0,id=0),eth_type(0x894f), actions:1"},
	} {
		if got := r.miss(t, nshKey(c.in, nshFrame(63, 5, 255, 0x11))); got != c.want {
			t.Errorf("port %d:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// TestDatapathNSHRewrite runs an NSH packet through the datapath: the SI
// and TTL of its header change, nothing else does.
func TestDatapathNSHRewrite(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,dl_type=0x894f,nsh_spi=0x5,actions=set_field:254->nsh_si,dec_nsh_ttl,output:2")
	in := nshFrame(63, 5, 255, 0x11)
	r.input(1, in)
	p, _ := r.dp.Port(2)
	sent := p.(*dpif.DummyPort).Sent()
	if len(sent) != 1 {
		t.Fatalf("port 2 sent %d packets, want 1", len(sent))
	}
	if want := nshFrame(62, 5, 254, 0x11); hex.EncodeToString(sent[0]) != hex.EncodeToString(want) {
		t.Errorf("sent\n %x\nwant\n %x", sent[0], want)
	}
}

// encap(nsh) and encap(ethernet) become push_nsh and push_eth carrying
// the fields set after them; a packet left without Ethernet is not
// output. (Datapath actions as ovs-vswitchd 3.1 installs them.)
func TestXlateEncap(t *testing.T) {
	r := newXlateRig(t, 3,
		"table=0,in_port=1,ip,actions=encap(nsh(md_type=1)),set_field:0x10->nsh_spi,set_field:255->nsh_si,encap(ethernet),set_field:00:00:00:00:62:01->eth_dst,output:2",
		"table=0,in_port=2,ip,actions=encap(nsh(md_type=2,tlv(0x1000,10,0x12345678))),set_field:0x11->nsh_spi,encap(ethernet),output:1",
		"table=0,in_port=3,ip,actions=encap(nsh),output:1",
	)
	for _, c := range []struct {
		in   uint32
		want string
	}{
		{1, "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x10,si=255,c1=0x0,c2=0x0,c3=0x0,c4=0x0),push_eth(src=00:00:00:00:00:00,dst=00:00:00:00:62:01),2"},
		{2, "push_nsh(flags=0,ttl=63,mdtype=2,np=3,spi=0x11,si=255,md2=0x10000a0412345678),push_eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),1"},
		{3, "drop"},
	} {
		if got := actionsOf(r.miss(t, tcpKey(c.in, 1000, 80))); got != c.want {
			t.Errorf("port %d:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// TestDatapathEncapNSH: the frame leaves as Ethernet + NSH (MD type 1,
// next protocol Ethernet) + the original frame.
func TestDatapathEncapNSH(t *testing.T) {
	r := newXlateRig(t, 2, "in_port=1,ip,actions=encap(nsh(md_type=1)),set_field:0x10->nsh_spi,encap(ethernet),set_field:00:00:00:00:62:01->eth_dst,output:2")
	in := udpFrame(1000)
	r.input(1, in)
	p, _ := r.dp.Port(2)
	sent := p.(*dpif.DummyPort).Sent()
	if len(sent) != 1 {
		t.Fatalf("port 2 sent %d packets, want 1", len(sent))
	}
	want := []byte{0, 0, 0, 0, 0x62, 1, 0, 0, 0, 0, 0, 0, 0x89, 0x4f,
		0x0f, 0xc6, 1, 3, 0, 0, 0x10, 255}
	want = append(want, make([]byte, 16)...)
	want = append(want, in...)
	if hex.EncodeToString(sent[0]) != hex.EncodeToString(want) {
		t.Errorf("sent\n %x\nwant\n %x", sent[0], want)
	}
}

// decap() twice takes an Ethernet NSH packet back to the frame it
// carries, which recirculates to be parsed (OVS: pop_eth,pop_nsh(),
// recirc); the datapath removes both headers.
func TestXlateDecap(t *testing.T) {
	r := newXlateRig(t, 2,
		"table=0,in_port=1,dl_type=0x894f,actions=decap(),resubmit(,62)",
		"table=62,packet_type=(1,0x894f),nsh_spi=0x5,actions=decap(),resubmit(,63)",
		"table=63,in_port=1,actions=output:2",
	)
	inner := udpFrame(1000)
	frame := append(nshFrame(63, 5, 255, 0)[:38], inner...)
	frame[14+3] = 3 // next protocol: Ethernet
	got := r.miss(t, nshKey(1, frame))
	if want := "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x894f),nsh(np=3,spi=0x5), actions:pop_eth,pop_nsh(),recirc(0x1)"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	r.input(1, frame)
	p, _ := r.dp.Port(2)
	sent := p.(*dpif.DummyPort).Sent()
	if len(sent) != 1 || hex.EncodeToString(sent[0]) != hex.EncodeToString(inner) {
		t.Errorf("port 2 sent %x, want [%x]", sent, inner)
	}
}
