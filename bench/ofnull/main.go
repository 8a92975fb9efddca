// Command ofnull is the fastest OpenFlow 1.0 switch possible for
// bench/flowload.sh: it answers what `ovs-ofctl add-flows` asks before it
// sends flows (hello, table stats, features), answers every barrier at
// once and drops every other message unread past its header. Its socket
// read never sleeps: it polls without pause, so a reply leaves as soon as
// the request is in. The time ovs-ofctl takes to load a flow file into it
// is therefore the least any switch can give on the machine, the floor to
// read govswitchd's and ovs-vswitchd's times against.
//
//	ofnull /path/to/socket
//
// It serves one connection at a time and prints, when each closes, how
// many flow_mods it saw.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// OpenFlow 1.0 message types ofnull answers or counts.
const (
	typeHello          = 0
	typeEchoRequest    = 2
	typeEchoReply      = 3
	typeFeaturesReq    = 5
	typeFeaturesReply  = 6
	typeFlowMod        = 14
	typeStatsRequest   = 16
	typeStatsReply     = 17
	typeBarrierRequest = 18
	typeBarrierReply   = 19
	typeVendor         = 4
	version10          = 1
	nxFlowModSubtype   = 13 // NXT_FLOW_MOD, if the flows need NXM
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ofnull SOCKET")
		os.Exit(2)
	}
	os.Remove(os.Args[1])
	l, err := net.Listen("unix", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		n, err := serve(c.(*net.UnixConn))
		c.Close()
		if err != nil && err != io.EOF {
			log.Printf("connection: %v", err)
		}
		fmt.Printf("flow_mods %d\n", n)
	}
}

// serve answers one connection until the peer closes it and returns the
// number of flow_mods received.
func serve(c *net.UnixConn) (flowMods int, err error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	if _, err := c.Write(header(typeHello, 8, 0)); err != nil {
		return 0, err
	}
	buf := make([]byte, 1<<16)
	var out []byte
	have := 0
	for {
		var n int
		var rerr error
		// Poll without ever sleeping: the callback returns only once the
		// read has data, an error or the end of the stream.
		if err := rc.Read(func(fd uintptr) bool {
			for {
				n, rerr = unix.Read(int(fd), buf[have:])
				if rerr != unix.EAGAIN && rerr != unix.EINTR {
					return true
				}
			}
		}); err != nil {
			return flowMods, err
		}
		if rerr != nil {
			return flowMods, rerr
		}
		if n == 0 {
			return flowMods, io.EOF
		}
		have += n
		off := 0
		out = out[:0]
		for have-off >= 8 {
			h := buf[off:]
			length := int(binary.BigEndian.Uint16(h[2:]))
			if length < 8 {
				return flowMods, fmt.Errorf("message length %d", length)
			}
			if have-off < length {
				break
			}
			xid := binary.BigEndian.Uint32(h[4:])
			switch h[1] {
			case typeBarrierRequest:
				out = append(out, header(typeBarrierReply, 8, xid)...)
			case typeEchoRequest:
				out = append(out, header(typeEchoReply, 8, xid)...)
			case typeFeaturesReq:
				// datapath_id, n_buffers, n_tables=255, capabilities, actions.
				r := append(header(typeFeaturesReply, 32, xid), make([]byte, 24)...)
				r[20] = 255
				out = append(out, r...)
			case typeStatsRequest:
				// An empty reply of the requested statistics type.
				out = append(out, header(typeStatsReply, 12, xid)...)
				out = append(out, h[8], h[9], 0, 0)
			case typeFlowMod:
				flowMods++
			case typeVendor:
				if length >= 16 && binary.BigEndian.Uint32(h[12:]) == nxFlowModSubtype {
					flowMods++
				}
			}
			off += length
		}
		if off == 0 && have == len(buf) {
			return flowMods, fmt.Errorf("message longer than %d bytes", len(buf))
		}
		have = copy(buf, buf[off:have])
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return flowMods, err
			}
		}
	}
}

func header(typ byte, length uint16, xid uint32) []byte {
	h := []byte{version10, typ, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(h[2:], length)
	binary.BigEndian.PutUint32(h[4:], xid)
	return h
}
