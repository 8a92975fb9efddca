package conntrack

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
)

// seg builds a TCP segment carrying payload.
func seg(src, dst string, sport, dport uint16, flags uint8, seq, ack uint32, payload string) *Packet {
	l4 := make([]byte, 20+len(payload))
	binary.BigEndian.PutUint16(l4[0:], sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint32(l4[4:], seq)
	binary.BigEndian.PutUint32(l4[8:], ack)
	l4[12] = 5 << 4
	l4[13] = flags
	binary.BigEndian.PutUint16(l4[14:], 65535)
	copy(l4[20:], payload)
	return ipPacket(src, dst, ProtoTCP, l4)
}

// segOut renders a TCP packet after the tracker, checking its IP length
// and checksums: "src:port>dst:port seq=S ack=A "payload"".
func segOut(t *testing.T, p *Packet) string {
	t.Helper()
	var k Key
	var l3, l4 []byte
	var ok bool
	if p.EthType == EthTypeIPv6 {
		k.IPv6 = true
		l3, l4, ok = parseIPv6(&k, p.Data[p.L3Offset:], true)
	} else {
		l3, l4, ok = parseIPv4(&k, p.Data[p.L3Offset:], true, true)
	}
	if !ok || len(l3) != len(p.Data)-p.L3Offset {
		t.Fatalf("bad IP header or length (ok=%v, ip %d bytes, frame has %d)", ok, len(l3), len(p.Data)-p.L3Offset)
	}
	if !l4CsumValid(l3, k.IPv6, ProtoTCP, l4) {
		t.Fatalf("bad TCP checksum")
	}
	src, dst := k.Addr(&k.Src), k.Addr(&k.Dst)
	return fmt.Sprintf("%s>%s seq=%d ack=%d %q",
		netip.AddrPortFrom(src, binary.BigEndian.Uint16(l4)), netip.AddrPortFrom(dst, binary.BigEndian.Uint16(l4[2:])),
		binary.BigEndian.Uint32(l4[4:]), binary.BigEndian.Uint32(l4[8:]), l4[20:])
}

type ftpStep struct {
	name  string
	p     *Packet
	act   *Action // nil: the control action
	state State
	out   string
}

func runFTP(t *testing.T, tr *Tracker, ctl Action, steps []ftpStep) {
	t.Helper()
	for _, s := range steps {
		a := ctl
		if s.act != nil {
			a = *s.act
		}
		mustState(t, s.name, ct(tr, s.p, a), s.state)
		if got := segOut(t, s.p); got != s.out {
			t.Fatalf("%s: packet\n got %s\nwant %s", s.name, got, s.out)
		}
	}
}

func natTo(flags uint8, addr string) *NATAction {
	a := addr16(addr)
	if netip.MustParseAddr(addr).Is4() {
		a = [16]byte{}
		copy(a[:], netip.MustParseAddr(addr).AsSlice())
	}
	return &NATAction{Flags: flags, MinAddr: a, MaxAddr: a}
}

var dataAct = &Action{Commit: true, NAT: &NATAction{}}

const (
	snat = StateSrcNAT
	dnat = StateDstNAT
	rel  = StateRelated
)

// TestFTPActiveSNAT: the client's PORT commands are rewritten to the SNAT
// address (one byte longer each), the skew accumulates over two commands,
// and the server's data connection follows the NAT back to the client.
func TestFTPActiveSNAT(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", SetMark: true, Mark: 7, MarkMask: ^uint32(0),
		NAT: natTo(NATSrc, "1.1.1.100")}
	const C, S, N = "10.0.0.1", "20.0.0.2", "1.1.1.100"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, S, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | snat, `1.1.1.100:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | dnat, `20.0.0.2:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"ACK", seg(C, S, 40000, 21, tcpACK, 101, 501, ""), nil, trkEst | snat, `1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 ""`},
		{"PORT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,156,65\r\n"), nil, trkEst | snat,
			`1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,100,156,65\r\n"`},
		{"200", seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 124, "200 PORT command successful.\r\n"), nil, trkEstRpl | dnat,
			`20.0.0.2:21>10.0.0.1:40000 seq=501 ack=123 "200 PORT command successful.\r\n"`},
		{"LIST", seg(C, S, 40000, 21, tcpACK|tcpPSH, 123, 531, "LIST\r\n"), nil, trkEst | snat,
			`1.1.1.100:40000>20.0.0.2:21 seq=124 ack=531 "LIST\r\n"`},
		{"data SYN", seg(S, N, 20, 40001, tcpSYN, 9000, 0, ""), dataAct, trkNew | rel | dnat, `20.0.0.2:20>10.0.0.1:40001 seq=9000 ack=0 ""`},
		{"data SYN-ACK", seg(C, S, 40001, 20, tcpSYN|tcpACK, 7000, 9001, ""), dataAct, trkEstRpl | rel | snat, `1.1.1.100:40001>20.0.0.2:20 seq=7000 ack=9001 ""`},
		{"PORT 2", seg(C, S, 40000, 21, tcpACK|tcpPSH, 129, 531, "port 10,0,0,1,156,66\r\n"), nil, trkEst | snat,
			`1.1.1.100:40000>20.0.0.2:21 seq=130 ack=531 "port 1,1,1,100,156,66\r\n"`},
		{"200 2", seg(S, N, 21, 40000, tcpACK|tcpPSH, 531, 153, "200 OK\r\n"), nil, trkEstRpl | dnat,
			`20.0.0.2:21>10.0.0.1:40000 seq=531 ack=151 "200 OK\r\n"`},
		{"QUIT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 151, 539, "QUIT\r\n"), nil, trkEst | snat,
			`1.1.1.100:40000>20.0.0.2:21 seq=153 ack=539 "QUIT\r\n"`},
		{"data 2 SYN", seg(S, N, 20, 40002, tcpSYN, 9100, 0, ""), dataAct, trkNew | rel | dnat, `20.0.0.2:20>10.0.0.1:40002 seq=9100 ack=0 ""`},
	})
	p := seg(S, N, 20, 40001, tcpACK, 9001, 7001, "")
	ct(tr, p, *dataAct)
	if p.MD.Mark != 7 || p.MD.Orig.SrcPort != 40000 || p.MD.Orig.DstPort != 21 {
		t.Fatalf("data connection metadata: mark %d orig %+v", p.MD.Mark, p.MD.Orig)
	}
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=1.1.1.100,sport=21,dport=40000),mark=7,protoinfo=(state=ESTABLISHED),helper=ftp\n"+
		"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),mark=7,protoinfo=(state=ESTABLISHED)\n"+
		"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40002),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40002,dport=20),mark=7,protoinfo=(state=SYN_SENT)")
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=1.1.1.100,sport=21,dport=40000),id=0,status=0,mark=7,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0),helper=ftp\n"+
		"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),id=0,status=0,mark=7,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0),parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)\n"+
		"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40002),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40002,dport=20),id=0,status=0,mark=7,protoinfo=(state_orig=SYN_SENT,state_reply=CLOSED,flags_orig=0,flags_reply=0),parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)", "-m")
}

// TestFTPSameLengthRewrite: an SNAT address as long in text as the client's
// changes the PORT payload but not its length; the checksum must still be
// recomputed and no skew appears (OVS's "FTP SNAT orig tuple" tests use
// such an address). The fuzzer found it: segOut checks the checksum.
func TestFTPSameLengthRewrite(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATSrc, "10.0.0.9")}
	const C, S, N = "10.0.0.1", "20.0.0.2", "10.0.0.9"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, S, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | snat, `10.0.0.9:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | dnat, `20.0.0.2:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"PORT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,156,65\r\n"), nil, trkEst | snat,
			`10.0.0.9:40000>20.0.0.2:21 seq=101 ack=501 "PORT 10,0,0,9,156,65\r\n"`},
		{"200", seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 123, "200 OK\r\n"), nil, trkEstRpl | dnat,
			`20.0.0.2:21>10.0.0.1:40000 seq=501 ack=123 "200 OK\r\n"`},
		{"leading zeros", seg(C, S, 40000, 21, tcpACK|tcpPSH, 123, 509, "PORT 10,00,0,1,0,1"), nil, trkEst | snat,
			`10.0.0.9:40000>20.0.0.2:21 seq=123 ack=509 "PORT 10,0,0,9,0,1"`},
	})
}

// TestFTPPassiveDNAT: the server's 227 reply is rewritten from the real
// server address to the virtual one (reply-direction skew), and the client's
// data connection to the virtual address is DNATed to the server.
func TestFTPPassiveDNAT(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATDst, "20.0.0.2")}
	const C, V, S = "10.0.0.1", "1.1.1.200", "20.0.0.2"
	const pasv = "227 Entering Passive Mode (20,0,0,2,117,48).\r\n" // 47 bytes, 48 after
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, V, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | dnat, `10.0.0.1:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, C, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | snat, `1.1.1.200:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"PASV", seg(C, V, 40000, 21, tcpACK|tcpPSH, 101, 501, "PASV\r\n"), nil, trkEst | dnat, `10.0.0.1:40000>20.0.0.2:21 seq=101 ack=501 "PASV\r\n"`},
		{"227", seg(S, C, 21, 40000, tcpACK|tcpPSH, 501, 107, pasv), nil, trkEstRpl | snat,
			`1.1.1.200:21>10.0.0.1:40000 seq=501 ack=107 "227 Entering Passive Mode (1,1,1,200,117,48).\r\n"`},
		{"LIST", seg(C, V, 40000, 21, tcpACK|tcpPSH, 107, 549, "LIST\r\n"), nil, trkEst | dnat, `10.0.0.1:40000>20.0.0.2:21 seq=107 ack=548 "LIST\r\n"`},
		{"150", seg(S, C, 21, 40000, tcpACK|tcpPSH, 548, 113, "150 Here.\r\n"), nil, trkEstRpl | snat, `1.1.1.200:21>10.0.0.1:40000 seq=549 ack=113 "150 Here.\r\n"`},
		{"data SYN", seg(C, V, 40002, 30000, tcpSYN, 7000, 0, ""), dataAct, trkNew | rel | dnat, `10.0.0.1:40002>20.0.0.2:30000 seq=7000 ack=0 ""`},
		{"data SYN-ACK", seg(S, C, 30000, 40002, tcpSYN|tcpACK, 9000, 7001, ""), dataAct, trkEstRpl | rel | snat, `1.1.1.200:30000>10.0.0.1:40002 seq=9000 ack=7001 ""`},
		{"226", seg(S, C, 21, 40000, tcpACK|tcpPSH, 559, 113, "226 Done.\r\n"), nil, trkEstRpl | snat, `1.1.1.200:21>10.0.0.1:40000 seq=560 ack=113 "226 Done.\r\n"`},
		{"ACK", seg(C, V, 40000, 21, tcpACK, 113, 571, ""), nil, trkEst | dnat, `10.0.0.1:40000>20.0.0.2:21 seq=113 ack=570 ""`},
	})
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=1.1.1.200,sport=40000,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40000),protoinfo=(state=ESTABLISHED),helper=ftp\n"+
		"tcp,orig=(src=10.0.0.1,dst=1.1.1.200,sport=40002,dport=30000),reply=(src=20.0.0.2,dst=10.0.0.1,sport=30000,dport=40002),protoinfo=(state=ESTABLISHED)")
}

// TestFTPIPv6 covers EPRT with SNAT (address rewritten, two bytes longer)
// and an Extended Passive reply (nothing to rewrite).
func TestFTPIPv6(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATSrc, "fd02::100")}
	const C, S, N = "fd00::1", "fd01::2", "fd02::100"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, S, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | snat, `[fd02::100]:40000>[fd01::2]:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | dnat, `[fd01::2]:21>[fd00::1]:40000 seq=500 ack=101 ""`},
		{"EPRT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "EPRT |2|fd00::1|40001|\r\n"), nil, trkEst | snat,
			`[fd02::100]:40000>[fd01::2]:21 seq=101 ack=501 "EPRT |2|fd02::100|40001|\r\n"`},
		{"200", seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 128, "200 EPRT command successful.\r\n"), nil, trkEstRpl | dnat,
			`[fd01::2]:21>[fd00::1]:40000 seq=501 ack=126 "200 EPRT command successful.\r\n"`},
		{"data SYN", seg(S, N, 20, 40001, tcpSYN, 9000, 0, ""), dataAct, trkNew | rel | dnat, `[fd01::2]:20>[fd00::1]:40001 seq=9000 ack=0 ""`},
		{"EPSV", seg(C, S, 40000, 21, tcpACK|tcpPSH, 126, 531, "EPSV\r\n"), nil, trkEst | snat, `[fd02::100]:40000>[fd01::2]:21 seq=128 ack=531 "EPSV\r\n"`},
		{"229", seg(S, N, 21, 40000, tcpACK|tcpPSH, 531, 134, "229 Entering Extended Passive Mode (|||30000|)\r\n"), nil, trkEstRpl | dnat,
			`[fd01::2]:21>[fd00::1]:40000 seq=531 ack=132 "229 Entering Extended Passive Mode (|||30000|)\r\n"`},
		{"data 2 SYN", seg(C, S, 40003, 30000, tcpSYN, 7000, 0, ""), dataAct, trkNew | rel | snat, `[fd02::100]:40003>[fd01::2]:30000 seq=7000 ack=0 ""`},
	})
	mustDump(t, tr, "tcp,orig=(src=fd00::1,dst=fd01::2,sport=40000,dport=21),reply=(src=fd01::2,dst=fd02::100,sport=21,dport=40000),protoinfo=(state=ESTABLISHED),helper=ftp\n"+
		"tcp,orig=(src=fd00::1,dst=fd01::2,sport=40003,dport=30000),reply=(src=fd01::2,dst=fd02::100,sport=30000,dport=40003),protoinfo=(state=SYN_SENT)\n"+
		"tcp,orig=(src=fd01::2,dst=fd02::100,sport=20,dport=40001),reply=(src=fd00::1,dst=fd01::2,sport=40001,dport=20),protoinfo=(state=SYN_SENT)")
}

// TestFTPNoNAT: IPv4 EPRT and 229 without NAT create expectations and leave
// the packets alone; a PORT naming a third host is invalid; uncommitted data
// packets are new+rel with the control connection's mark and tuple.
func TestFTPNoNAT(t *testing.T) {
	var warnings []string
	clk := &fakeClock{}
	clk.ms.Store(1000000)
	tr := New(Config{Clock: clk.now, NoSweeper: true, Warnf: func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) }})
	t.Cleanup(tr.Close)
	ctl := Action{Commit: true, Helper: "ftp", SetLabel: true, Label: Label{Lo: 0xab}, LabelMask: Label{^uint64(0), ^uint64(0)}}
	const C, S = "10.0.0.1", "20.0.0.2"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, S, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew, `10.0.0.1:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, C, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl, `20.0.0.2:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"EPRT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "EPRT |1|10.0.0.1|40001|\r\n"), nil, trkEst,
			`10.0.0.1:40000>20.0.0.2:21 seq=101 ack=501 "EPRT |1|10.0.0.1|40001|\r\n"`},
		{"229", seg(S, C, 21, 40000, tcpACK|tcpPSH, 501, 126, "229 Entering Extended Passive Mode (|||30000|)\r\n"), nil, trkEstRpl,
			`20.0.0.2:21>10.0.0.1:40000 seq=501 ack=126 "229 Entering Extended Passive Mode (|||30000|)\r\n"`},
		{"bounce", seg(C, S, 40000, 21, tcpACK|tcpPSH, 126, 549, "PORT 6,6,6,6,1,1\r\n"), nil, trkEst | StateInvalid,
			`10.0.0.1:40000>20.0.0.2:21 seq=126 ack=549 "PORT 6,6,6,6,1,1\r\n"`},
		{"garbage", seg(C, S, 40000, 21, tcpACK|tcpPSH, 144, 549, "PORT 10,0,0,1,999,1\r\n"), nil, trkEst | StateInvalid,
			`10.0.0.1:40000>20.0.0.2:21 seq=144 ack=549 "PORT 10,0,0,1,999,1\r\n"`},
		{"active data", seg(S, C, 20, 40001, tcpSYN, 9000, 0, ""), &Action{}, trkNew | rel, `20.0.0.2:20>10.0.0.1:40001 seq=9000 ack=0 ""`},
		{"passive data", seg(C, S, 40003, 30000, tcpSYN, 7000, 0, ""), &Action{Commit: true}, trkNew | rel, `10.0.0.1:40003>20.0.0.2:30000 seq=7000 ack=0 ""`},
		{"unexpected", seg(C, S, 40004, 30001, tcpSYN, 7000, 0, ""), &Action{}, trkNew, `10.0.0.1:40004>20.0.0.2:30001 seq=7000 ack=0 ""`},
	})
	if want := "Invalid FTP control packet format"; len(warnings) != 2 || warnings[0] != want || warnings[1] != want {
		t.Fatalf("warnings %q", warnings)
	}
	p := seg(S, C, 20, 40001, tcpSYN, 9000, 0, "")
	ct(tr, p, Action{})
	if p.MD.Label != (Label{Lo: 0xab}) || p.MD.Orig.SrcPort != 40000 || p.MD.Orig.DstPort != 21 {
		t.Fatalf("uncommitted related metadata: label %v orig %+v", p.MD.Label, p.MD.Orig)
	}
	// The data connection keeps the inherited label whatever it is told.
	ctl.Label = Label{Lo: 0xcd}
	ct(tr, seg(C, S, 40003, 30000, tcpACK, 7001, 0, ""), Action{Commit: true, SetLabel: true, Label: Label{Lo: 1}, LabelMask: Label{Lo: 0xff}})
	mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40000),labels=0xab,protoinfo=(state=ESTABLISHED),helper=ftp\n"+
		"tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40003,dport=30000),reply=(src=20.0.0.2,dst=10.0.0.1,sport=30000,dport=40003),labels=0xab,protoinfo=(state=SYN_SENT)")
	// Removing the control connection drops its expectations.
	if n := len(tr.Expectations(nil)); n != 2 {
		t.Fatalf("%d expectations", n)
	}
	if err := tr.Flush(nil, &FlushMatch{Proto: ProtoTCP, Orig: FlushTuple{DstPort: 21}}); err != nil {
		t.Fatal(err)
	}
	if n := len(tr.Expectations(nil)); n != 0 {
		t.Fatalf("%d expectations after the parent went", n)
	}
	mustState(t, "orphan data", ct(tr, seg(S, C, 20, 40001, tcpSYN, 9000, 0, ""), Action{}), trkNew)
}

// TestExpectationExpiryAndBounds: expectations time out, one control
// connection keeps at most MaxExpectationsPerConn (oldest go first), and the
// table refuses new ones when full.
func TestExpectationExpiryAndBounds(t *testing.T) {
	var warnings []string
	clk := &fakeClock{}
	clk.ms.Store(1000000)
	tr := New(Config{Clock: clk.now, NoSweeper: true, MaxExpectations: 3, MaxExpectationsPerConn: 2, ExpectationTimeout: 5000,
		Warnf: func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) }})
	t.Cleanup(tr.Close)
	ctl := Action{Commit: true, Helper: "ftp"}
	const C, S = "10.0.0.1", "20.0.0.2"
	session := func(cport uint16, ports ...uint16) {
		ct(tr, seg(C, S, cport, 21, tcpSYN, 100, 0, ""), ctl)
		ct(tr, seg(S, C, 21, cport, tcpSYN|tcpACK, 500, 101, ""), ctl)
		seq := uint32(101)
		for _, port := range ports {
			cmd := fmt.Sprintf("PORT 10,0,0,1,%d,%d\r\n", port>>8, port&0xff)
			ct(tr, seg(C, S, cport, 21, tcpACK|tcpPSH, seq, 501, cmd), ctl)
			seq += uint32(len(cmd))
		}
	}
	expected := func() string {
		var ports []string
		for _, e := range tr.Expectations(nil) {
			ports = append(ports, itoa(int(e.Key.Dst.Port)))
		}
		sortStrings(ports)
		return fmt.Sprint(ports)
	}
	session(40000, 1001, 1002, 1003)
	if got := expected(); got != "[1002 1003]" {
		t.Fatalf("per-connection bound: %s", got)
	}
	clk.advance(3)
	session(40001, 2001, 2002)
	if got := expected(); got != "[1002 1003 2001]" || len(warnings) != 1 ||
		warnings[0] != "Too many pending ALG expectations (3); not expecting data connection" {
		t.Fatalf("table bound: %s %q", got, warnings)
	}
	clk.advance(2.5) // the first session's expectations are now 5.5 s old
	mustState(t, "expired", ct(tr, seg(S, C, 20, 1002, tcpSYN, 1, 0, ""), Action{}), trkNew)
	mustState(t, "live", ct(tr, seg(S, C, 20, 2001, tcpSYN, 1, 0, ""), Action{}), trkNew|rel)
	tr.Sweep()
	if got := expected(); got != "[2001]" {
		t.Fatalf("after sweep: %s", got)
	}
	if e := tr.Expectations(nil)[0]; e.Timeout != 2 || e.Parent.Src.Port != 40001 {
		t.Fatalf("%+v", e)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// udpPayload builds a UDP datagram carrying payload.
func udpPayload(src, dst string, sport, dport uint16, payload string) *Packet {
	l4 := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(l4, sport)
	binary.BigEndian.PutUint16(l4[2:], dport)
	binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
	copy(l4[8:], payload)
	return ipPacket(src, dst, ProtoUDP, l4)
}

func TestTFTP(t *testing.T) {
	tr, _ := newTestTracker(t)
	req := udpPayload("10.0.0.1", "10.0.0.2", 5000, 69, "\x00\x01file\x00octet\x00")
	mustState(t, "RRQ", ct(tr, req, Action{Commit: true, Helper: "tftp", SetMark: true, Mark: 3, MarkMask: 3}), trkNew)
	mustState(t, "DATA from new port", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 6000, 5000, 20), Action{Commit: true}), trkNew|rel)
	mustState(t, "ACK", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 5000, 6000, 4), Action{}), trkEstRpl|rel)
	mustState(t, "other port", ct(tr, udpPkt("10.0.0.2", "10.0.0.1", 6000, 5001, 20), Action{}), trkNew)
	// A retransmitted request updates the control connection: still expected.
	mustState(t, "WRQ", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 5000, 69, 20), Action{Commit: true}), trkNew)
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=69),reply=(src=10.0.0.2,dst=10.0.0.1,sport=69,dport=5000),id=0,status=0,mark=3,helper=tftp\n"+
		"udp,orig=(src=10.0.0.2,dst=10.0.0.1,sport=6000,dport=5000),reply=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=6000),id=0,status=0,mark=3,parent=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=69)", "-m")
	if n := len(tr.Expectations(nil)); n != 1 {
		t.Fatalf("%d expectations", n)
	}
}

func TestDumpConntrackExp(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", Zone: 4, SetMark: true, Mark: 9, MarkMask: ^uint32(0)}
	ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpSYN, 100, 0, ""), ctl)
	ct(tr, seg("20.0.0.2", "10.0.0.1", 21, 40000, tcpSYN|tcpACK, 500, 101, ""), ctl)
	ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,156,65\r\n"), ctl)
	want := "tcp,orig=(src=20.0.0.2,dst=10.0.0.1,sport=0,dport=40001),zone=4,mark=9,parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)\n"
	for _, args := range [][]string{nil, {"zone=4"}, {"netdev@ovs-netdev", "zone=4"}} {
		if got, err := tr.DumpConntrackExp(args); got != want || err != nil {
			t.Fatalf("%v: %q %v", args, got, err)
		}
	}
	if got, err := tr.DumpConntrackExp([]string{"zone=5"}); got != "" || err != nil {
		t.Fatalf("zone=5: %q %v", got, err)
	}
	if _, err := tr.DumpConntrackExp([]string{"ovs-netdev"}); err == nil || err.Error() != "ovs-vswitchd: datapath not found (Invalid argument)\n" {
		t.Fatalf("bad dp: %v", err)
	}
}

// FuzzFTPControl pushes arbitrary payloads through a NATed FTP control
// connection in both directions: nothing panics, every packet leaves with a
// consistent IP length and valid checksums, and the payload only changes
// where an address was.
func FuzzFTPControl(f *testing.F) {
	for _, s := range []string{"PORT 10,0,0,1,156,65\r\n", "227 Entering Passive Mode (20,0,0,2,117,48).\r\n",
		"EPRT |1|10.0.0.1|5000|\r\n", "229 (|||1|)", "PORT 10,0,0,1,1", "hello"} {
		f.Add([]byte(s), false, uint8(0))
		f.Add([]byte(s), true, uint8(1))
	}
	f.Fuzz(func(t *testing.T, payload []byte, fromServer bool, mode uint8) {
		tr := New(Config{NoSweeper: true})
		defer tr.Close()
		nat := natTo(NATSrc, "1.1.1.100")
		if mode&1 != 0 {
			nat = natTo(NATDst, "20.0.0.2")
		}
		ctl := Action{Commit: true, Helper: "ftp", NAT: nat}
		ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpSYN, 100, 0, ""), ctl)
		replyDst := "1.1.1.100"
		if mode&1 != 0 {
			replyDst = "10.0.0.1"
		}
		ct(tr, seg("20.0.0.2", replyDst, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), ctl)
		for i := 0; i < 2; i++ {
			var p *Packet
			if fromServer {
				p = seg("20.0.0.2", replyDst, 21, 40000, tcpACK|tcpPSH, 501, 101, string(payload))
			} else {
				dst := "20.0.0.2"
				if mode&1 != 0 {
					dst = "1.1.1.200"
				}
				p = seg("10.0.0.1", dst, 40000, 21, tcpACK|tcpPSH, 101, 501, string(payload))
			}
			ct(tr, p, ctl)
			segOut(t, p) // checks lengths and checksums
		}
	})
}

// TestFTPConcurrentDirections drives both directions of one NATed control
// connection from two goroutines (meaningful under -race).
func TestFTPConcurrentDirections(t *testing.T) {
	tr, _ := newTestTracker(t)
	tr.SetTCPSeqCheck(false)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATSrc, "1.1.1.100")}
	ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpSYN, 100, 0, ""), ctl)
	ct(tr, seg("20.0.0.2", "1.1.1.100", 21, 40000, tcpSYN|tcpACK, 500, 101, ""), ctl)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			ct(tr, seg("20.0.0.2", "1.1.1.100", 21, 40000, tcpACK|tcpPSH, 501, 101, "200 OK\r\n"), ctl)
		}
	}()
	for i := 0; i < 200; i++ {
		cmd := fmt.Sprintf("PORT 10,0,0,1,%d,%d\r\n", 100+i%100, i%256)
		p := seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpACK|tcpPSH, 101, 501, cmd)
		ct(tr, p, ctl)
		segOut(t, p)
	}
	<-done
	if n := len(tr.Expectations(nil)); n != DefaultMaxExpectationsPerConn {
		t.Fatalf("%d expectations", n)
	}
}

// TestFTPDataConnectionNotParsed: flows that put alg=ftp on every commit
// also give it to data connections; their payload is file data and must not
// be parsed or rewritten.
func TestFTPDataConnectionNotParsed(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATDst, "20.0.0.2")}
	const C, V, S = "10.0.0.1", "1.1.1.200", "20.0.0.2"
	const file = "227 Entering Passive Mode (20,0,0,2,1,1).\r\n"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, V, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | dnat, `10.0.0.1:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, C, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | snat, `1.1.1.200:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"227", seg(S, C, 21, 40000, tcpACK|tcpPSH, 501, 101, "227 Entering Passive Mode (20,0,0,2,117,48).\r\n"), nil, trkEstRpl | snat,
			`1.1.1.200:21>10.0.0.1:40000 seq=501 ack=101 "227 Entering Passive Mode (1,1,1,200,117,48).\r\n"`},
		{"data SYN", seg(C, V, 40002, 30000, tcpSYN, 7000, 0, ""), nil, trkNew | rel | dnat, `10.0.0.1:40002>20.0.0.2:30000 seq=7000 ack=0 ""`},
		{"data SYN-ACK", seg(S, C, 30000, 40002, tcpSYN|tcpACK, 9000, 7001, ""), nil, trkEstRpl | rel | snat, `1.1.1.200:30000>10.0.0.1:40002 seq=9000 ack=7001 ""`},
		{"file data", seg(S, C, 30000, 40002, tcpACK|tcpPSH, 9001, 7001, file), nil, trkEstRpl | rel | snat,
			`1.1.1.200:30000>10.0.0.1:40002 seq=9001 ack=7001 "227 Entering Passive Mode (20,0,0,2,1,1).\r\n"`},
	})
	if n := len(tr.Expectations(nil)); n != 1 {
		t.Fatalf("%d expectations", n)
	}
}

// TestFTPEPRTv4SNAT: IPv4 EPRT keeps RFC 2428's dotted address when
// rewritten (OVS main formats it with commas, which clients reject).
func TestFTPEPRTv4SNAT(t *testing.T) {
	tr, _ := newTestTracker(t)
	ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATSrc, "1.1.1.100")}
	const C, S, N = "10.0.0.1", "20.0.0.2", "1.1.1.100"
	runFTP(t, tr, ctl, []ftpStep{
		{"SYN", seg(C, S, 40000, 21, tcpSYN, 100, 0, ""), nil, trkNew | snat, `1.1.1.100:40000>20.0.0.2:21 seq=100 ack=0 ""`},
		{"SYN-ACK", seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), nil, trkEstRpl | dnat, `20.0.0.2:21>10.0.0.1:40000 seq=500 ack=101 ""`},
		{"EPRT", seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "EPRT |1|10.0.0.1|40001|\r\n"), nil, trkEst | snat,
			`1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "EPRT |1|1.1.1.100|40001|\r\n"`},
		{"200", seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 127, "200 OK\r\n"), nil, trkEstRpl | dnat, `20.0.0.2:21>10.0.0.1:40000 seq=501 ack=126 "200 OK\r\n"`},
		{"data SYN", seg(S, N, 20, 40001, tcpSYN, 9000, 0, ""), dataAct, trkNew | rel | dnat, `20.0.0.2:20>10.0.0.1:40001 seq=9000 ack=0 ""`},
	})
}

// TestFTPRewriteBuffers: the rewrite grows the packet in place when the
// buffer has room, shrinks it, and drops link-layer padding either way.
func TestFTPRewriteBuffers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		natAddr  string
		pad, cap int
		inPlace  bool
		want     string
	}{
		{"grow in place", "1.1.1.100", 0, 64, true, `1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,100,156,65\r\n"`},
		{"grow into padding", "1.1.1.100", 6, 0, true, `1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,100,156,65\r\n"`},
		{"grow, no room", "1.1.1.100", 0, 0, false, `1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,100,156,65\r\n"`},
		{"shrink, padded", "1.1.1.1", 6, 0, true, `1.1.1.1:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,1,156,65\r\n"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := newTestTracker(t)
			ctl := Action{Commit: true, Helper: "ftp", NAT: natTo(NATSrc, tc.natAddr)}
			ct(tr, seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpSYN, 100, 0, ""), ctl)
			ct(tr, seg("20.0.0.2", tc.natAddr, 21, 40000, tcpSYN|tcpACK, 500, 101, ""), ctl)
			p := seg("10.0.0.1", "20.0.0.2", 40000, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,156,65\r\n")
			data := make([]byte, len(p.Data)+tc.pad, len(p.Data)+tc.pad+tc.cap)
			copy(data, p.Data)
			p.Data = data
			mustState(t, "PORT", ct(tr, p, ctl), trkEst|snat)
			if got := segOut(t, p); got != tc.want {
				t.Fatalf("got %s\nwant %s", got, tc.want)
			}
			if inPlace := &p.Data[0] == &data[0]; inPlace != tc.inPlace {
				t.Fatalf("in place: %v", inPlace)
			}
		})
	}
}
