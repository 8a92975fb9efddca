package tests

import (
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Pipeline continuations (issue 3): controller(pause) sends an
// NXT_PACKET_IN2 carrying the frozen pipeline, and the real ovs-ofctl's
// "monitor br0 resume" answers every one with NXT_RESUME, so the packet
// goes through the whole pipeline one pause at a time. The monitor's
// transcript (packet-ins with their continuations, the resumes it sends)
// is compared with what the real ovs-vswitchd produced:
//
//	go test ./tests -run TestResume -real-ovs -update   # record
//	go test ./tests -run TestResume                     # compare govswitchd

// resumeScenario is one set of flows and the packet-outs run through it.
type resumeScenario struct {
	name  string
	proto string // the monitor's and add-flows' protocol
	flows string
	// pauses is how many NXT_RESUMEs the monitor sends in all.
	pauses int
	// final is how many plain packet-ins (no continuation) end the run.
	final int
}

var resumeScenarios = []resumeScenario{
	{
		// Actions after the pause, registers, metadata, the stack and the
		// action set survive; nested resubmits unwind to their callers,
		// with the table and cookie of each level. The pause that ends
		// table 3 leaves nothing to run at its own level, so OVS freezes
		// table 2's goto_table itself, which runs again on resume and
		// now finds the lower-priority flow.
		name: "nested", proto: "OpenFlow13", pauses: 6, final: 1,
		flows: `table=0,cookie=0x10,in_port=1,udp,actions=set_field:0x11->reg0,controller(pause),push:NXM_NX_REG0[],resubmit(,1),controller(userdata=aa.bb)
table=1,cookie=0x21,actions=pop:NXM_NX_REG1[],controller(pause),resubmit(,2),controller(pause),set_field:0x22->reg2
table=2,cookie=0x32,actions=controller(pause),note:00.01,write_metadata:0x7/0xff,goto_table:3
table=3,cookie=0x43,priority=20,ip,metadata=0x7,reg6=0,actions=controller(pause),dec_ttl,set_field:0x1->reg6,resubmit(,4),controller(pause)
table=3,cookie=0x44,priority=10,metadata=0x7,actions=set_field:0x33->reg3
table=4,cookie=0x54,actions=set_field:0x44->reg4,write_actions(output:2)
`,
	},
	{
		// A pause inside a clone freezes only the clone's actions, as
		// OVS's test "continuation after clone": the resumed copy has
		// the clone's registers, and what follows the clone is gone.
		name: "clone", proto: "OpenFlow13", pauses: 1, final: 1,
		flows: `table=0,in_port=1,actions=set_field:0x1->reg1,resubmit(,2),controller(userdata=0f)
table=1,reg1=0x5,actions=controller(pause),resubmit(,3)
table=1,reg1=0x1,actions=output:2
table=2,in_port=1,actions=clone(set_field:0x5->reg1,resubmit(,1)),controller(userdata=0e)
table=3,reg1=0x1,actions=controller(userdata=01)
table=3,reg1=0x5,actions=controller(userdata=05)
`,
	},
	{
		// A pause as the pipeline's last action continues with nothing;
		// OpenFlow 1.0 carries the same continuation.
		name: "end", proto: "OpenFlow10", pauses: 1, final: 0,
		flows: "in_port=1,actions=output:2,controller(pause)\n",
	},
}

func TestResume(t *testing.T) {
	for _, sc := range resumeScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runResumeScenario(t, sc)
		})
	}
}

func runResumeScenario(t *testing.T, sc resumeScenario) {
	e := newOfctlSwitch(t)
	flows := sc.flows
	r := e.command("ovs-ofctl", "-O", "OpenFlow13", "add-flows", ofctlBridge, "-")
	r.Stdin = strings.NewReader(flows)
	if out, err := r.CombinedOutput(); err != nil {
		t.Fatalf("add-flows: %v: %s", err, out)
	}

	log := e.path("resume-monitor.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	pidfile := e.path("ovs-ofctl-resume.pid")
	mon := e.command("ovs-ofctl", "-O", sc.proto, "monitor", ofctlBridge, "resume",
		"--detach", "--no-chdir", "--pidfile="+pidfile)
	mon.Stdout, mon.Stderr = f, f
	err = mon.Run()
	f.Close()
	if err != nil {
		b, _ := os.ReadFile(log)
		t.Fatalf("ovs-ofctl monitor: %v: %s", err, b)
	}
	pid, err := readPid(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	e.daemonPids = append(e.daemonPids, pid) // killed at cleanup whatever happens

	// A frame from the wire: a packet-out's own action list would take
	// part in the freezing (see the package comment of this test).
	frame, err := hex.DecodeString(udpPacket)
	if err != nil {
		t.Fatal(err)
	}
	e.injectFrame("p1peer", frame)
	output := func() string { b, _ := os.ReadFile(log); return string(b) }
	done := func() bool {
		s := output()
		return strings.Count(s, "send: NXT_RESUME") >= sc.pauses &&
			strings.Count(s, "NXT_PACKET_IN2")+strings.Count(s, "OFPT_PACKET_IN") >= sc.pauses+sc.final
	}
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the monitor to resume every pause; it printed:\n%s", output())
		}
	}
	// A barrier through the monitor orders after everything the switch
	// sent before it.
	e.must("ovs-appctl", "-t", fmt.Sprintf("%s/ovs-ofctl.%d.ctl", e.dir, pid), "ofctl/barrier")
	e.must("ovs-appctl", "-t", fmt.Sprintf("%s/ovs-ofctl.%d.ctl", e.dir, pid), "exit")
	e.waitFor("the monitor to exit", func() bool { return processGone(pid) })

	got := "### flows\n" + flows + "### ovs-ofctl -O " + sc.proto + " monitor br0 resume\n" + normalizeResume(output())
	e.golden("resume/"+sc.name+".txt", got)
}

// bridgeUUIDRE is the continuation's bridge, a random UUID, and
// odpPortRE the input port's datapath number, which depends on the order
// the datapath happened to add the ports in.
var (
	bridgeUUIDRE = regexp.MustCompile(`continuation\.bridge=[0-9a-f-]+`)
	odpPortRE    = regexp.MustCompile(`continuation\.odp_port=[0-9]+`)
)

// normalizeResume keeps what the monitor printed about the packet-ins
// and resumes, without timestamps, log lines, the bridge's UUID or datapath port
// numbers.
func normalizeResume(s string) string {
	s = normalizeOfctl(s, plainOutput)
	s = bridgeUUIDRE.ReplaceAllString(s, "continuation.bridge=<uuid>")
	s = odpPortRE.ReplaceAllString(s, "continuation.odp_port=<odp>")
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "LOG|") || strings.HasPrefix(l, "OFPT_BARRIER_REPLY") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// TestResumeErrors sends malformed and stale NXT_RESUMEs through a
// monitor's connection (ofctl/send) and compares the errors the switch
// answers with those of the real ovs-vswitchd.
func TestResumeErrors(t *testing.T) {
	t.Parallel()
	e := newOfctlSwitch(t)
	log := e.path("resume-errors.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	pidfile := e.path("ovs-ofctl-errors.pid")
	mon := e.command("ovs-ofctl", "monitor", ofctlBridge, "--detach", "--no-chdir", "--pidfile="+pidfile)
	mon.Stdout, mon.Stderr = f, f
	err = mon.Run()
	f.Close()
	if err != nil {
		b, _ := os.ReadFile(log)
		t.Fatalf("ovs-ofctl monitor: %v: %s", err, b)
	}
	pid, err := readPid(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	e.daemonPids = append(e.daemonPids, pid)
	ctl := fmt.Sprintf("%s/ovs-ofctl.%d.ctl", e.dir, pid)

	frame, err := hex.DecodeString(udpPacket)
	if err != nil {
		t.Fatal(err)
	}
	packet := resumeProp(0, frame)
	zeroUUID := resumeProp(0x8000, make([]byte, 16))
	cases := []struct {
		what  string
		props []byte
	}{
		{"no packet", resumeProp(5, []byte{1})},
		{"unknown property", cat(packet, resumeProp(0x55, []byte{1, 2}))},
		{"full_len below the packet's", cat(packet, resumeProp(1, []byte{0, 0, 0, 1}))},
		{"no continuation", packet},
		{"unknown bridge", cat(packet, resumeNested(8, zeroUUID))},
		{"unknown continuation property", cat(packet, resumeNested(8, cat(zeroUUID, resumeProp(0x8055, nil))))},
		{"bad table_id length", cat(packet, resumeNested(8, resumeProp(0x8004, []byte{1, 2})))},
		{"bad actions", cat(packet, resumeNested(8, resumeNested(0x8006, []byte{0, 0xfe, 0, 8, 0, 0, 0, 0})))},
		{"oversized stack value", cat(packet, resumeNested(8, resumeProp(0x8001, make([]byte, 17))))},
	}
	var got strings.Builder
	for i, c := range cases {
		msg := cat([]byte{1, 4, 0, 0, 0, 0, 0, byte(i + 1), 0, 0, 0x23, 0x20, 0, 0, 0, 28}, c.props)
		msg[2], msg[3] = byte(len(msg)>>8), byte(len(msg))
		fmt.Fprintf(&got, "### %s\n", c.what)
		e.must("ovs-appctl", "-t", ctl, "ofctl/send", hex.EncodeToString(msg))
		e.must("ovs-appctl", "-t", ctl, "ofctl/barrier")
	}
	e.must("ovs-appctl", "-t", ctl, "exit")
	e.waitFor("the monitor to exit", func() bool { return processGone(pid) })
	b, _ := os.ReadFile(log)
	e.golden("resume/errors.txt", got.String()+"### monitor\n"+normalizeResume(string(b)))
}

// resumeProp is one NXT_PACKET_IN2/NXT_RESUME property, padded to 8.
func resumeProp(typ uint16, payload []byte) []byte {
	n := 4 + len(payload)
	b := cat([]byte{byte(typ >> 8), byte(typ), byte(n >> 8), byte(n)}, payload)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// resumeNested is a property holding nested data after 4 bytes of
// padding.
func resumeNested(typ uint16, inner []byte) []byte {
	return resumeProp(typ, cat([]byte{0, 0, 0, 0}, inner))
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}
