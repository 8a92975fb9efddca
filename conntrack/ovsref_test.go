package conntrack

import "testing"

// TestMatchesOVS31 replays packets that were injected into a real OVS 3.1
// ovs-vswitchd (dummy datapath, ct(commit,table=1), netdev-dummy/receive)
// and checks the per-packet ct_state and the final dumps it produced.
func TestMatchesOVS31(t *testing.T) {
	tr, clk := newTestTracker(t)
	steps := []struct {
		name string
		p    *Packet
		want State
	}{
		{"SYN", tcpPkt("10.1.1.1", "10.1.1.2", 1001, 80, tcpSYN, tcpOpt{seq: 1000, win: 502, wscale: 7}), trkNew},
		{"RST+ACK", tcpPkt("10.1.1.2", "10.1.1.1", 80, 1001, tcpRST|tcpACK, tcpOpt{seq: 0, ack: 1001, win: 1, wscale: -1}), trkEstRpl},
		{"pickup ACK", tcpPkt("10.1.1.1", "10.1.1.2", 1002, 80, tcpACK, tcpOpt{seq: 77, ack: 99, win: 500, wscale: -1}), trkNew},
		{"pickup reply", tcpPkt("10.1.1.2", "10.1.1.1", 80, 1002, tcpACK, tcpOpt{seq: 99, ack: 77, win: 500, wscale: -1}), trkEstRpl},
		{"SYN ws2", tcpPkt("10.1.1.1", "10.1.1.2", 1003, 80, tcpSYN, tcpOpt{seq: 1000, win: 502, wscale: 2}), trkNew},
		{"SYN-ACK ws2", tcpPkt("10.1.1.2", "10.1.1.1", 80, 1003, tcpSYN|tcpACK, tcpOpt{seq: 5000, ack: 1001, win: 509, wscale: 2}), trkEstRpl},
		{"ACK", tcpPkt("10.1.1.1", "10.1.1.2", 1003, 80, tcpACK, tcpOpt{seq: 1001, ack: 5001, win: 502, wscale: -1}), trkEst},
		{"out of window", tcpPkt("10.1.1.1", "10.1.1.2", 1003, 80, tcpACK, tcpOpt{seq: 1001 + 10000000, ack: 5001, win: 502, payload: 10, wscale: -1}), trkInv},
		{"FIN", tcpPkt("10.1.1.1", "10.1.1.2", 1003, 80, tcpFIN|tcpACK, tcpOpt{seq: 1001, ack: 5001, win: 502, wscale: -1}), trkEst},
		{"UDP", udpPkt("10.1.1.1", "10.1.1.2", 5000, 53, 4), trkNew},
		{"ICMP error", icmpError("10.1.1.9", "10.1.1.1", icmp4DstUnreach, 3, udpPkt("10.1.1.1", "10.1.1.2", 5000, 53, 4)), StateTracked | StateRelated | StateReply},
	}
	for _, s := range steps {
		mustState(t, s.name, ct(tr, s.p, Action{Commit: true}), s.want)
	}
	clk.advance(0.5)
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1001,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1001),id=0,status=0,protoinfo=(state_orig=TIME_WAIT,state_reply=TIME_WAIT,wscale_orig=7,wscale_reply=0,flags_orig=WINDOW_SCALE,flags_reply=0)\n"+
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1002,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1002),id=0,status=0,protoinfo=(state_orig=ESTABLISHED,state_reply=SYN_SENT,flags_orig=BE_LIBERAL,flags_reply=BE_LIBERAL)\n"+
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1003,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1003),id=0,status=0,protoinfo=(state_orig=CLOSING,state_reply=ESTABLISHED,wscale_orig=2,wscale_reply=2,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)\n"+
		"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=5000,dport=53),reply=(src=10.1.1.2,dst=10.1.1.1,sport=53,dport=5000),id=0,status=0", "-m")
	mustDump(t, tr, "tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1001,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1001),timeout=29,protoinfo=(state=TIME_WAIT)\n"+
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1002,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1002),timeout=29,protoinfo=(state=ESTABLISHED)\n"+
		"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=1003,dport=80),reply=(src=10.1.1.2,dst=10.1.1.1,sport=80,dport=1003),timeout=899,protoinfo=(state=CLOSING)\n"+
		"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=5000,dport=53),reply=(src=10.1.1.2,dst=10.1.1.1,sport=53,dport=5000),timeout=59", "-s")
}
