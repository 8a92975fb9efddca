package conntrack

import (
	"strings"
	"testing"
)

// referenceTracker reproduces the traffic behind the OVS 3.1 captures in
// ovs-interfaces.md section 3.3: a closed and a live TCP session (zone 0,
// mark 1, label 0xabcdef, window scale 10), a ping in zone 7 and a UDP
// exchange in zone 5 with mark 5, dumped 4 seconds after the last packet.
func referenceTracker(t *testing.T) *Tracker {
	tr, clk := newTestTracker(t)
	tcpCommit := Action{Commit: true, SetMark: true, Mark: 1, MarkMask: ^uint32(0),
		SetLabel: true, Label: Label{Lo: 0xabcdef}, LabelMask: Label{Hi: ^uint64(0), Lo: ^uint64(0)}}
	closed := newConv(t, tr, "10.1.1.1", "10.1.1.2", 55694, 8000, 10)
	closed.act = tcpCommit
	closed.handshake()
	closed.send(true, tcpACK|tcpPSH, 6)
	closed.send(false, tcpACK, 0)
	closed.send(true, tcpFIN|tcpACK, 0)
	closed.send(false, tcpFIN|tcpACK, 0)
	closed.send(true, tcpACK, 0)
	live := newConv(t, tr, "10.1.1.1", "10.1.1.2", 57888, 8001, 10)
	live.act = tcpCommit
	live.handshake()
	ct(tr, icmpEcho("10.1.1.1", "10.1.1.2", icmp4EchoRequest, 4660, 1), Action{Commit: true, Zone: 7})
	ct(tr, icmpEcho("10.1.1.2", "10.1.1.1", icmp4EchoReply, 4660, 1), Action{Zone: 7})
	ct(tr, udpPkt("10.1.1.1", "10.1.1.2", 48033, 9999, 4), Action{Commit: true, Zone: 5, SetMark: true, Mark: 5, MarkMask: ^uint32(0)})
	ct(tr, udpPkt("10.1.1.2", "10.1.1.1", 9999, 48033, 4), Action{Zone: 5})
	clk.advance(4)
	return tr
}

func TestDumpMatchesReference(t *testing.T) {
	tr := referenceTracker(t)
	cases := []struct {
		args []string
		want []string
	}{
		{nil, []string{
			"icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),zone=7",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=55694,dport=8000),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8000,dport=55694),mark=1,labels=0xabcdef,protoinfo=(state=TIME_WAIT)",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=57888,dport=8001),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8001,dport=57888),mark=1,labels=0xabcdef,protoinfo=(state=ESTABLISHED)",
			"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,mark=5",
		}},
		{[]string{"-m"}, []string{
			"icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),id=0,zone=7,status=0",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=55694,dport=8000),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8000,dport=55694),id=0,status=0,mark=1,labels=0xabcdef,protoinfo=(state_orig=FIN_WAIT_2,state_reply=FIN_WAIT_2,wscale_orig=10,wscale_reply=10,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=57888,dport=8001),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8001,dport=57888),id=0,status=0,mark=1,labels=0xabcdef,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,wscale_orig=10,wscale_reply=10,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)",
			"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),id=0,zone=5,status=0,mark=5",
		}},
		{[]string{"-s"}, []string{
			"icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),zone=7,timeout=26",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=55694,dport=8000),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8000,dport=55694),timeout=26,mark=1,labels=0xabcdef,protoinfo=(state=TIME_WAIT)",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=57888,dport=8001),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8001,dport=57888),timeout=86396,mark=1,labels=0xabcdef,protoinfo=(state=ESTABLISHED)",
			"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,timeout=26,mark=5",
		}},
		{[]string{"-m", "-s"}, []string{
			"icmp,orig=(src=10.1.1.1,dst=10.1.1.2,id=4660,type=8,code=0),reply=(src=10.1.1.2,dst=10.1.1.1,id=4660,type=0,code=0),id=0,zone=7,status=0,timeout=26",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=55694,dport=8000),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8000,dport=55694),id=0,status=0,timeout=26,mark=1,labels=0xabcdef,protoinfo=(state_orig=FIN_WAIT_2,state_reply=FIN_WAIT_2,wscale_orig=10,wscale_reply=10,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)",
			"tcp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=57888,dport=8001),reply=(src=10.1.1.2,dst=10.1.1.1,sport=8001,dport=57888),id=0,status=0,timeout=86396,mark=1,labels=0xabcdef,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,wscale_orig=10,wscale_reply=10,flags_orig=WINDOW_SCALE,flags_reply=WINDOW_SCALE)",
			"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),id=0,zone=5,status=0,timeout=26,mark=5",
		}},
		{[]string{"zone=5"}, []string{"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,mark=5"}},
		{[]string{"-m", "zone=5"}, []string{"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),id=0,zone=5,status=0,mark=5"}},
		{[]string{"-s", "zone=5"}, []string{"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),zone=5,timeout=26,mark=5"}},
		{[]string{"-ms", "netdev@ovs-netdev", "zone=5"}, []string{"udp,orig=(src=10.1.1.1,dst=10.1.1.2,sport=48033,dport=9999),reply=(src=10.1.1.2,dst=10.1.1.1,sport=9999,dport=48033),id=0,zone=5,status=0,timeout=26,mark=5"}},
	}
	for _, c := range cases {
		mustDump(t, tr, strings.Join(c.want, "\n"), c.args...)
	}
	if out, err := tr.DumpConntrack([]string{"zone=99"}); out != "" || err != nil {
		t.Fatalf("zone=99: %q %v", out, err)
	}
}

func TestStatsAndBuckets(t *testing.T) {
	tr := referenceTracker(t)
	cv := newConv(t, tr, "10.1.1.1", "10.1.1.77", 40000, 5555, -1)
	cv.send(true, tcpSYN, 0)
	check := func(cmd func([]string) (string, error), args []string, want string) {
		t.Helper()
		got, err := cmd(args)
		if err != nil || got != want {
			t.Fatalf("%v: got %q, %v\nwant %q", args, got, err, want)
		}
	}
	check(tr.CTStatsShow, nil, "Connections Stats:\n    Total: 5\n  TCP: 3\n  UDP: 1\n  ICMP: 1\n")
	check(tr.CTStatsShow, []string{"-m"}, "Connections Stats:\n    Total: 5\n  TCP: 3\n    Conn per TCP states:\n"+
		"\t  [SYN_SENT]=1\n\t  [ESTABLISHED]=1\n\t  [TIME_WAIT]=1\n  UDP: 1\n  ICMP: 1\n")
	check(tr.CTStatsShow, []string{"zone=5", "verbose"}, "Connections Stats:\n    Total: 1\n  UDP: 1\n")
	check(tr.CTBkts, nil, "Total Buckets: 1\nCurrent Connections: 5\n\n"+
		"+-----------+-----------------------------------------+\n"+
		"|  Buckets  |         Connections per Buckets         |\n"+
		"+-----------+-----------------------------------------+\n"+
		"   0..  7   |     5\n\n")
	check(tr.CTBkts, []string{"gt=9"}, "Total Buckets: 1\nCurrent Connections: 5\n\n"+
		"+-----------+-----------------------------------------+\n"+
		"|  Buckets  |         Connections per Buckets         |\n"+
		"+-----------+-----------------------------------------+\n"+
		"   0..  7   |     .\n\n")
	check(tr.CTGetNconns, nil, "5\n")
	tr2, _ := newTestTracker(t)
	ct(tr2, tcpPkt("10.1.1.1", "10.1.1.77", 40000, 5555, tcpSYN, tcpOpt{seq: 9, wscale: -1}), Action{Commit: true})
	mustDump(t, tr2, "tcp,orig=(src=10.1.1.1,dst=10.1.1.77,sport=40000,dport=5555),reply=(src=10.1.1.77,dst=10.1.1.1,sport=5555,dport=40000),id=0,status=0,protoinfo=(state_orig=SYN_SENT,state_reply=CLOSED,flags_orig=0,flags_reply=0)", "-m", "netdev@ovs-netdev", "zone=0")
}
