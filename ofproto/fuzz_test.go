package ofproto

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofactions"
	"github.com/govswitchd/govswitchd/ofp"
)

// fuzzBridge is one bridge on a dummy datapath shared by the fuzz inputs
// of a process: state left by earlier inputs (flows, groups, meters,
// bundles of the connection) only widens what later inputs reach.
var fuzzBridge = sync.OnceValue(func() *Bridge {
	dp, err := dpif.NewDatapath("dummy", "")
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "fuzz-ofproto")
	if err != nil {
		panic(err)
	}
	b, err := NewBridge("br0", dir, dp, Config{})
	if err != nil {
		panic(err)
	}
	k := NewBacker(dp)
	k.AddBridge(b)
	for i := 1; i <= 2; i++ {
		p, err := dp.OpenPort("dummy", "p"+uitoa(uint64(i)), nil)
		if err != nil {
			panic(err)
		}
		b.SetPort(Port{PortNo: uint16(i), Name: p.Name()})
		if err := k.SetPort(b, uint16(i), dp.AddPort(p)); err != nil {
			panic(err)
		}
	}
	return b
})

// discardConn is the switch side of a connection whose peer reads and
// drops everything.
func discardConn() net.Conn {
	sw, peer := net.Pipe()
	go io.Copy(io.Discard, peer)
	return sw
}

// FuzzHandleMessage feeds any message to the agent's dispatcher, in every
// version, so that every decoder and handler behind it sees hostile input:
// none may panic (handle recovers, and counts it in internalErrors).
func FuzzHandleMessage(f *testing.F) {
	versions := []uint8{ofp.Version10, ofp.Version13, ofp.Version15}
	for vi, v := range versions {
		for _, text := range []string{
			"table=1,priority=5,ip,nw_src=10.0.0.1,actions=ct(commit,table=2,nat(src=10.1.0.1)),output:2",
			"in_port=1,actions=learn(table=3,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,3)",
			"udp,actions=multipath(symmetric_l4,1024,hrw,4,0,NXM_NX_REG2[0..15]),clone(push:NXM_NX_REG0[],output:1)",
		} {
			fm, err := ofp.ParseFlow(text, ofp.FlowAdd)
			if err != nil {
				f.Fatal(err)
			}
			msg, err := ofp.EncodeFlowMod(fm, protoFor(v), 7)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(byte(vi), msg)
		}
		l, _ := ofactions.Parse("mod_dl_dst:00:00:00:00:00:02,output:2")
		po, err := ofp.EncodePacketOut(&ofp.PacketOut{BufferID: ofp.NoBuffer, InPort: 1, Actions: l, Data: udpFrame(9)}, v, 8)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(vi), po)
		f.Add(byte(vi), ofp.EncodeHello(1<<v, 1))
		f.Add(byte(vi), ofp.EncodeEchoRequest(v, 9, []byte("x")))
		fs, err := ofp.EncodeFlowStatsRequest(&ofp.FlowStatsRequest{TableID: ofp.TableAll, OutPort: 0xffff, OutGroup: ofp.GroupAny}, protoFor(v), 10)
		if err == nil {
			f.Add(byte(vi), fs)
		}
	}
	f.Fuzz(func(t *testing.T, vi byte, msg []byte) {
		if len(msg) < 8 || len(msg) > 1<<16-1 {
			return
		}
		v := versions[int(vi)%len(versions)]
		msg = append([]byte(nil), msg...)
		msg[0] = v // a connection only sees its own version past HELLO
		binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
		c := newConn(fuzzBridge(), discardConn(), connService, false)
		defer c.close()
		c.version = v
		before := internalErrors.Load()
		c.handle(msg)
		if internalErrors.Load() != before {
			t.Fatalf("handler panicked on % x (see the log)", msg)
		}
	})
}

// protoFor is the flow format ovs-ofctl uses with version v.
func protoFor(v uint8) ofp.Protocol {
	switch v {
	case ofp.Version10:
		return ofp.ProtoNXM
	case ofp.Version15:
		return ofp.ProtoOF15
	}
	return ofp.ProtoOF13
}
