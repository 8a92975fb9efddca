package ofp

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// captureOfctl runs ovs-ofctl against a minimal in-process switch on a
// unix socket and returns every message the tool sent except HELLO,
// BARRIER and ECHO, which the switch answers. args are ovs-ofctl arguments
// with "TARGET" standing for the socket.
func captureOfctl(t *testing.T, args ...string) [][]byte {
	t.Helper()
	path, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "sw.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var msgs [][]byte
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serveFake(c, func(m []byte) {
					mu.Lock()
					msgs = append(msgs, m)
					mu.Unlock()
				})
			}()
		}
	}()
	for i, a := range args {
		if a == "TARGET" {
			args[i] = "unix:" + sock
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir)
	out, err := cmd.CombinedOutput()
	ln.Close()
	wg.Wait()
	if err != nil {
		t.Fatalf("ovs-ofctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return msgs
}

func serveFake(c net.Conn, record func([]byte)) {
	c.Write(EncodeHello(BitmapRange(Version10, Version15), 0xabc))
	for {
		hdr := make([]byte, HeaderLen)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(hdr[2:]))
		if n < HeaderLen {
			return
		}
		msg := make([]byte, n)
		copy(msg, hdr)
		if _, err := io.ReadFull(c, msg[HeaderLen:]); err != nil {
			return
		}
		v, typ := msg[0], msg[1]
		switch {
		case typ == typeHello:
		case typ == typeEchoRequest:
			rep, _ := EncodeEchoReply(msg)
			c.Write(rep)
		case (v == Version10 && typ == 18) || (v != Version10 && typ == 20):
			rep := append([]byte(nil), msg[:HeaderLen]...)
			rep[1]++
			binary.BigEndian.PutUint16(rep[2:], HeaderLen)
			c.Write(rep)
		default:
			record(msg)
			// Stats requests need a reply or ovs-ofctl waits forever.
			if r, err := DecodeFlowStatsRequest(msg); err == nil {
				var rep []byte
				if r.Aggregate {
					rep, _ = EncodeAggregateReply(msg, AggregateStats{})
				} else {
					rep = emptyFlowStatsReply(msg)
				}
				c.Write(rep)
			}
		}
	}
}

// emptyFlowStatsReply answers a flow stats request with no flows.
func emptyFlowStatsReply(req []byte) []byte {
	mh, _ := DecodeRaw(req)
	raw := map[Raw]Raw{RawNXSTFlowRequest: RawNXSTFlowReply, RawOFPST10FlowRequest: RawOFPST10FlowReply}[mh.Raw]
	if raw == 0 {
		raw = RawOFPST13FlowReply
		if mh.Version >= Version15 {
			raw = RawOFPST15FlowReply
		}
	}
	b, _ := AppendRawHeader(nil, raw, mh.Version, mh.Xid, 0)
	return FinishMessage(b, 0)
}
