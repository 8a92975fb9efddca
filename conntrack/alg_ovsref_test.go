package conntrack

import (
	"strings"
	"testing"
)

// The FTP/TFTP reference runs below were captured from a real OVS 3.1
// ovs-vswitchd: the FTP ones on a netdev (userspace) bridge whose two ports
// were veth pairs, with the frames injected and captured through AF_PACKET
// sockets on the peers (netdev-dummy/receive buffers are too small for OVS to
// rewrite FTP payloads: it logs "Unsupported effective MTU"), the TFTP one on
// a dummy datapath with netdev-dummy/receive. The flows were:
//
//	table=0,priority=1,actions=drop
//	table=0,priority=100,in_port=1,tcp,actions=ct(table=1,nat)
//	table=0,priority=100,in_port=2,tcp,actions=ct(table=1,nat)
//	table=1,priority=100,in_port=1,tcp,ct_state=+trk+new-rel,actions=ct(commit,alg=ftp,NAT,exec(set_field:7->ct_mark)),2
//	table=1,priority=100,in_port=1,tcp,ct_state=+trk+est,actions=2
//	table=1,priority=100,in_port=2,tcp,ct_state=+trk+est,actions=1
//	table=1,priority=100,in_port=2,tcp,ct_state=+trk+new+rel,actions=ct(commit,nat),1
//	table=1,priority=100,in_port=1,tcp,ct_state=+trk+new+rel,actions=ct(commit,nat),2
//	table=1,priority=50,actions=drop
//
// with NAT = nat(src=1.1.1.100), nat(dst=20.0.0.2) or nat(src=fd02::100)
// (tcp6 for the latter). The packets are those of TestFTPActiveSNAT,
// TestFTPPassiveDNAT and TestFTPIPv6; "out" lists every frame OVS sent, in
// order, with the port it left on (captured addresses printed as
// netip.AddrPort does).

// ftpPipeline replays the flow table above for one packet and returns the
// output port (0: dropped).
func ftpPipeline(tr *Tracker, p *Packet, inPort int, nat *NATAction) int {
	tr.Execute(p, &Action{NAT: &NATAction{}})
	st := p.MD.State
	other := 3 - inPort
	switch {
	case st&StateTracked == 0:
		return 0
	case inPort == 1 && st&StateNew != 0 && st&StateRelated == 0:
		tr.Execute(p, &Action{Commit: true, Helper: "ftp", NAT: nat, SetMark: true, Mark: 7, MarkMask: ^uint32(0)})
		return 2
	case st&StateEstablished != 0:
		return other
	case st&(StateNew|StateRelated) == StateNew|StateRelated:
		tr.Execute(p, &Action{Commit: true, NAT: &NATAction{}})
		return other
	}
	return 0
}

type refPkt struct {
	inPort int
	p      *Packet
}

func replayFTP(t *testing.T, tr *Tracker, nat *NATAction, pkts []refPkt, want string) {
	t.Helper()
	var got []string
	for _, r := range pkts {
		if out := ftpPipeline(tr, r.p, r.inPort, nat); out != 0 {
			got = append(got, "p"+itoa(out)+" "+segOut(t, r.p))
		}
	}
	if g := strings.Join(got, "\n"); g != want {
		t.Fatalf("frames sent:\n%s\nwant (OVS 3.1):\n%s", g, want)
	}
}

func TestFTPMatchesOVS31(t *testing.T) {
	t.Run("active SNAT", func(t *testing.T) {
		tr, _ := newTestTracker(t)
		const C, S, N = "10.0.0.1", "20.0.0.2", "1.1.1.100"
		replayFTP(t, tr, natTo(NATSrc, N), []refPkt{
			{1, seg(C, S, 40000, 21, tcpSYN, 100, 0, "")},
			{2, seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, "")},
			{1, seg(C, S, 40000, 21, tcpACK, 101, 501, "")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "PORT 10,0,0,1,156,65\r\n")},
			{2, seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 124, "200 PORT command successful.\r\n")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 123, 531, "LIST\r\n")},
			{2, seg(S, N, 20, 40001, tcpSYN, 9000, 0, "")},
			{1, seg(C, S, 40001, 20, tcpSYN|tcpACK, 7000, 9001, "")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 129, 531, "port 10,0,0,1,156,66\r\n")},
			{2, seg(S, N, 21, 40000, tcpACK|tcpPSH, 531, 153, "200 OK\r\n")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 151, 539, "QUIT\r\n")},
			{2, seg(S, N, 20, 40002, tcpSYN, 9100, 0, "")},
		}, `p2 1.1.1.100:40000>20.0.0.2:21 seq=100 ack=0 ""
p1 20.0.0.2:21>10.0.0.1:40000 seq=500 ack=101 ""
p2 1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 ""
p2 1.1.1.100:40000>20.0.0.2:21 seq=101 ack=501 "PORT 1,1,1,100,156,65\r\n"
p1 20.0.0.2:21>10.0.0.1:40000 seq=501 ack=123 "200 PORT command successful.\r\n"
p2 1.1.1.100:40000>20.0.0.2:21 seq=124 ack=531 "LIST\r\n"
p1 20.0.0.2:20>10.0.0.1:40001 seq=9000 ack=0 ""
p2 1.1.1.100:40001>20.0.0.2:20 seq=7000 ack=9001 ""
p2 1.1.1.100:40000>20.0.0.2:21 seq=130 ack=531 "port 1,1,1,100,156,66\r\n"
p1 20.0.0.2:21>10.0.0.1:40000 seq=531 ack=151 "200 OK\r\n"
p2 1.1.1.100:40000>20.0.0.2:21 seq=153 ack=539 "QUIT\r\n"
p1 20.0.0.2:20>10.0.0.1:40002 seq=9100 ack=0 ""`)
		mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=1.1.1.100,sport=21,dport=40000),mark=7,protoinfo=(state=ESTABLISHED),helper=ftp\n"+
			"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),mark=7,protoinfo=(state=ESTABLISHED)\n"+
			"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40002),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40002,dport=20),mark=7,protoinfo=(state=SYN_SENT)")
		// The same run, dumped with -m.
		mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=1.1.1.100,sport=21,dport=40000),id=0,status=0,mark=7,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0),helper=ftp\n"+
			"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),id=0,status=0,mark=7,protoinfo=(state_orig=ESTABLISHED,state_reply=SYN_SENT,flags_orig=0,flags_reply=0),parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)\n"+
			"tcp,orig=(src=20.0.0.2,dst=1.1.1.100,sport=20,dport=40002),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40002,dport=20),id=0,status=0,mark=7,protoinfo=(state_orig=SYN_SENT,state_reply=CLOSED,flags_orig=0,flags_reply=0),parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)", "-m")
	})
	t.Run("passive DNAT", func(t *testing.T) {
		tr, _ := newTestTracker(t)
		const C, V, S = "10.0.0.1", "1.1.1.200", "20.0.0.2"
		replayFTP(t, tr, natTo(NATDst, S), []refPkt{
			{1, seg(C, V, 40000, 21, tcpSYN, 100, 0, "")},
			{2, seg(S, C, 21, 40000, tcpSYN|tcpACK, 500, 101, "")},
			{1, seg(C, V, 40000, 21, tcpACK|tcpPSH, 101, 501, "PASV\r\n")},
			{2, seg(S, C, 21, 40000, tcpACK|tcpPSH, 501, 107, "227 Entering Passive Mode (20,0,0,2,117,48).\r\n")},
			{1, seg(C, V, 40000, 21, tcpACK|tcpPSH, 107, 549, "LIST\r\n")},
			{2, seg(S, C, 21, 40000, tcpACK|tcpPSH, 548, 113, "150 Here.\r\n")},
			{1, seg(C, V, 40002, 30000, tcpSYN, 7000, 0, "")},
			{2, seg(S, C, 30000, 40002, tcpSYN|tcpACK, 9000, 7001, "")},
			{2, seg(S, C, 21, 40000, tcpACK|tcpPSH, 559, 113, "226 Done.\r\n")},
			{1, seg(C, V, 40000, 21, tcpACK, 113, 571, "")},
		}, `p2 10.0.0.1:40000>20.0.0.2:21 seq=100 ack=0 ""
p1 1.1.1.200:21>10.0.0.1:40000 seq=500 ack=101 ""
p2 10.0.0.1:40000>20.0.0.2:21 seq=101 ack=501 "PASV\r\n"
p1 1.1.1.200:21>10.0.0.1:40000 seq=501 ack=107 "227 Entering Passive Mode (1,1,1,200,117,48).\r\n"
p2 10.0.0.1:40000>20.0.0.2:21 seq=107 ack=548 "LIST\r\n"
p1 1.1.1.200:21>10.0.0.1:40000 seq=549 ack=113 "150 Here.\r\n"
p2 10.0.0.1:40002>20.0.0.2:30000 seq=7000 ack=0 ""
p1 1.1.1.200:30000>10.0.0.1:40002 seq=9000 ack=7001 ""
p1 1.1.1.200:21>10.0.0.1:40000 seq=560 ack=113 "226 Done.\r\n"
p2 10.0.0.1:40000>20.0.0.2:21 seq=113 ack=570 ""`)
		mustDump(t, tr, "tcp,orig=(src=10.0.0.1,dst=1.1.1.200,sport=40000,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40000),mark=7,protoinfo=(state=ESTABLISHED),helper=ftp\n"+
			"tcp,orig=(src=10.0.0.1,dst=1.1.1.200,sport=40002,dport=30000),reply=(src=20.0.0.2,dst=10.0.0.1,sport=30000,dport=40002),mark=7,protoinfo=(state=ESTABLISHED)")
	})
	t.Run("IPv6 EPRT and EPSV with SNAT", func(t *testing.T) {
		tr, _ := newTestTracker(t)
		const C, S, N = "fd00::1", "fd01::2", "fd02::100"
		replayFTP(t, tr, natTo(NATSrc, N), []refPkt{
			{1, seg(C, S, 40000, 21, tcpSYN, 100, 0, "")},
			{2, seg(S, N, 21, 40000, tcpSYN|tcpACK, 500, 101, "")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 101, 501, "EPRT |2|fd00::1|40001|\r\n")},
			{2, seg(S, N, 21, 40000, tcpACK|tcpPSH, 501, 128, "200 EPRT command successful.\r\n")},
			{2, seg(S, N, 20, 40001, tcpSYN, 9000, 0, "")},
			{1, seg(C, S, 40000, 21, tcpACK|tcpPSH, 126, 531, "EPSV\r\n")},
			{2, seg(S, N, 21, 40000, tcpACK|tcpPSH, 531, 134, "229 Entering Extended Passive Mode (|||30000|)\r\n")},
			{1, seg(C, S, 40003, 30000, tcpSYN, 7000, 0, "")},
		}, `p2 [fd02::100]:40000>[fd01::2]:21 seq=100 ack=0 ""
p1 [fd01::2]:21>[fd00::1]:40000 seq=500 ack=101 ""
p2 [fd02::100]:40000>[fd01::2]:21 seq=101 ack=501 "EPRT |2|fd02::100|40001|\r\n"
p1 [fd01::2]:21>[fd00::1]:40000 seq=501 ack=126 "200 EPRT command successful.\r\n"
p1 [fd01::2]:20>[fd00::1]:40001 seq=9000 ack=0 ""
p2 [fd02::100]:40000>[fd01::2]:21 seq=128 ack=531 "EPSV\r\n"
p1 [fd01::2]:21>[fd00::1]:40000 seq=531 ack=132 "229 Entering Extended Passive Mode (|||30000|)\r\n"
p2 [fd02::100]:40003>[fd01::2]:30000 seq=7000 ack=0 ""`)
		mustDump(t, tr, "tcp,orig=(src=fd00::1,dst=fd01::2,sport=40000,dport=21),reply=(src=fd01::2,dst=fd02::100,sport=21,dport=40000),mark=7,protoinfo=(state=ESTABLISHED),helper=ftp\n"+
			"tcp,orig=(src=fd00::1,dst=fd01::2,sport=40003,dport=30000),reply=(src=fd01::2,dst=fd02::100,sport=30000,dport=40003),mark=7,protoinfo=(state=SYN_SENT)\n"+
			"tcp,orig=(src=fd01::2,dst=fd02::100,sport=20,dport=40001),reply=(src=fd00::1,dst=fd01::2,sport=40001,dport=20),mark=7,protoinfo=(state=SYN_SENT)")
	})
}

// TestTFTPMatchesOVS31 replays the dummy-datapath TFTP run: flows
// in_port=1 new-rel -> ct(commit,alg=tftp,exec(set_field:3->ct_mark)),2;
// in_port=2 new+rel -> ct(commit),1; est -> the other port; packets RRQ,
// DATA from port 6000, ACK, WRQ.
func TestTFTPMatchesOVS31(t *testing.T) {
	tr, _ := newTestTracker(t)
	rrq := udpPayload("10.0.0.1", "10.0.0.2", 5000, 69, "\x00\x01file\x00octet\x00")
	mustState(t, "RRQ", ct(tr, rrq, Action{}), trkNew)
	ct(tr, rrq, Action{Commit: true, Helper: "tftp", SetMark: true, Mark: 3, MarkMask: ^uint32(0)})
	data := udpPkt("10.0.0.2", "10.0.0.1", 6000, 5000, 20)
	mustState(t, "DATA", ct(tr, data, Action{}), trkNew|StateRelated)
	ct(tr, data, Action{Commit: true})
	mustState(t, "ACK", ct(tr, udpPkt("10.0.0.1", "10.0.0.2", 5000, 6000, 4), Action{}), trkEstRpl|StateRelated)
	mustState(t, "WRQ", ct(tr, udpPayload("10.0.0.1", "10.0.0.2", 5000, 69, "\x00\x02file\x00octet\x00"), Action{}), trkNew)
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=69),reply=(src=10.0.0.2,dst=10.0.0.1,sport=69,dport=5000),id=0,status=0,mark=3,helper=tftp\n"+
		"udp,orig=(src=10.0.0.2,dst=10.0.0.1,sport=6000,dport=5000),reply=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=6000),id=0,status=0,mark=3,parent=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=69)", "-m")
	mustDump(t, tr, "udp,orig=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=69),reply=(src=10.0.0.2,dst=10.0.0.1,sport=69,dport=5000),mark=3,helper=tftp\n"+
		"udp,orig=(src=10.0.0.2,dst=10.0.0.1,sport=6000,dport=5000),reply=(src=10.0.0.1,dst=10.0.0.2,sport=5000,dport=6000),mark=3")
}
