package offload

import (
	"fmt"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/conntrack"
)

// TestObserverRunsAfterALGs: the Manager observes at low priority, after
// the FTP and TFTP hooks, as conntrack/show-hooks reports.
func TestObserverRunsAfterALGs(t *testing.T) {
	tr, _, _, _ := setup(t, Config{})
	mustEqual(t, "show-hooks", run(t, tr.ShowHooks), "State update hooks (in call order):\n"+
		"  ftp: priority=100, helper=ftp\n"+
		"  tftp: priority=100, helper=tftp, on commit\n"+
		"Observers (in call order):\n"+
		"  ct-offload: priority=150, events=committed,established,updated,deleted,flushed\n")
}

// TestFTPOrdering follows an active FTP session: the control connection
// (helper ftp) is never offloaded; every event the Manager sees for it comes
// after the ALG acted (the PORT command's expectation already exists); the
// data connection it creates is offloaded once established.
func TestFTPOrdering(t *testing.T) {
	tr, m, d, _ := setup(t, Config{})
	var log []string
	m.testNotify = func(ev conntrack.Event) {
		if ev.Conn == nil {
			return
		}
		k := ev.Conn.Key()
		_, related := ev.Conn.Parent()
		log = append(log, fmt.Sprintf("%v %d>%d helper=%q related=%v expectations=%d",
			ev.Kind, k.Src.Port, k.Dst.Port, tr.HelperName(ev.Conn), related, len(tr.Expectations(nil))))
	}
	ctl := &tcpConv{tr: tr, act: conntrack.Action{Commit: true, Helper: "ftp"},
		cli: "10.0.0.1", srv: "20.0.0.2", cport: 40000, sport: 21, cseq: 100, sseq: 500}
	ctl.send(true, tcpSYN, "")
	ctl.send(false, tcpSYN|tcpACK, "")
	ctl.send(true, tcpACK, "")
	if _, st := ctl.send(true, tcpACK|tcpPSH, "PORT 10,0,0,1,156,65\r\n"); st&conntrack.StateInvalid != 0 {
		t.Fatalf("PORT: %v", st)
	}
	ctl.send(false, tcpACK|tcpPSH, "200 PORT command successful.\r\n")
	// Active mode: the server opens the data connection to port 40001.
	data := &tcpConv{tr: tr, act: commit, cli: "20.0.0.2", srv: "10.0.0.1", cport: 20, sport: 40001, cseq: 7000, sseq: 9000}
	if _, st := data.send(true, tcpSYN, ""); st != conntrack.StateTracked|conntrack.StateNew|conntrack.StateRelated {
		t.Fatalf("data SYN: %v", st)
	}
	data.send(false, tcpSYN|tcpACK, "")
	dc, _ := data.send(true, tcpACK, "")
	m.Sync()
	want := []string{
		`committed 40000>21 helper="ftp" related=false expectations=0`,
		`established 40000>21 helper="ftp" related=false expectations=0`,
		`updated 40000>21 helper="ftp" related=false expectations=0`,
		`updated 40000>21 helper="ftp" related=false expectations=0`,
		`updated 40000>21 helper="ftp" related=false expectations=1`, // PORT: the ALG ran first
		`updated 40000>21 helper="ftp" related=false expectations=1`,
		`committed 20>40001 helper="" related=true expectations=1`,
		`established 20>40001 helper="" related=true expectations=1`,
		`updated 20>40001 helper="" related=true expectations=1`,
		`updated 20>40001 helper="" related=true expectations=1`,
	}
	mustEqual(t, "events", strings.Join(log, "\n"), strings.Join(want, "\n"))
	if !dc.Offloaded() || len(d.Conns()) != 1 {
		t.Fatalf("data connection offloaded %v, dummy %v", dc.Offloaded(), d.Conns())
	}
	mustEqual(t, "show", run(t, m.Show), "ct-offload provider: dummy\n"+
		"  offloaded connections: 1\n  added: 1\n  refused: 0\n  removed: 0\n  errors: 0\n  dropped (queue full): 0\n  batches: 2\n"+
		"Offloaded connections:\n"+
		"  1: tcp,orig=(src=20.0.0.2,dst=10.0.0.1,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),established\n")
	mustEqual(t, "dump -m", dump(t, tr, "-m"),
		"tcp,orig=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21),reply=(src=20.0.0.2,dst=10.0.0.1,sport=21,dport=40000),id=0,status=0,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0),helper=ftp\n"+
			"tcp,orig=(src=20.0.0.2,dst=10.0.0.1,sport=20,dport=40001),reply=(src=10.0.0.1,dst=20.0.0.2,sport=40001,dport=20),id=0,status=OFFLOAD,protoinfo=(state_orig=ESTABLISHED,state_reply=ESTABLISHED,flags_orig=0,flags_reply=0),parent=(src=10.0.0.1,dst=20.0.0.2,sport=40000,dport=21)")
}
