package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The differential OpenFlow corpus (issue 3). Goldens come from the real
// ovs-vswitchd:
//
//	go test ./tests -run TestOfctl -real-ovs -update   # record
//	go test ./tests -run TestOfctl -real-ovs           # check OVS reproduces them
//	go test ./tests -run TestOfctl                     # compare govswitchd

// minCorpusFlows is what issue 3 asks of every mode.
const minCorpusFlows = 300

// ofctlPhases are the golden files of one mode, in the order they run.
var ofctlPhases = []string{"load.txt", "bad.txt", "modify.txt", "delete.txt", "ports.txt", "packet-out.txt", "other-modes.txt", "monitor.txt"}

// Packets for packet-out: a UDP datagram 10.0.0.1:1234 -> 10.0.0.2:5678
// and an ARP request for 10.0.0.2, both from 02:00:00:00:00:aa to a
// destination no kernel in the namespace answers.
const (
	udpPacket = "0200000000bb0200000000aa08004500001c0001000040117ccc0a0000010a00000204d2162e00080000"
	arpPacket = "ffffffffffff0200000000aa08060001080006040001" + "0200000000aa0a000001" + "0000000000000a000002"
)

func TestOfctlCorpus(t *testing.T) {
	checkCorpusFiles(t)
	if *update && !*realOVS {
		t.Fatal("-update rewrites goldens only from the real ovs-vswitchd: add -real-ovs")
	}
	for _, m := range ofModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			runOfctlMode(t, m)
		})
	}
}

// checkCorpusFiles checks what the corpus promises without running
// anything: enough flows per mode, no line repeated (a repeated match
// would replace a flow and the dump would come up short), and a golden for
// every phase of every mode.
func checkCorpusFiles(t *testing.T) {
	for _, m := range ofModes {
		seen := map[string]string{}
		n := 0
		for _, f := range m.flows {
			for _, l := range dataLines(t, f) {
				if prev, dup := seen[l]; dup {
					t.Errorf("%s: flow %q repeats a line of %s", f, l, prev)
				}
				seen[l] = f
				n++
			}
		}
		if n < minCorpusFlows {
			t.Errorf("mode %s: corpus has %d flows, want at least %d", m.name, n, minCorpusFlows)
		}
		if !*update {
			for _, p := range ofctlPhases {
				if _, err := os.Stat(filepath.Join(ofctlDir, "golden", m.name, p)); err != nil {
					t.Errorf("mode %s: %v (record with -real-ovs -update)", m.name, err)
				}
			}
		}
	}
	for _, l := range dataLines(t, "bad.flows") {
		if f := strings.Fields(l); len(f) < 2 || len(f) > 3 {
			t.Errorf("bad.flows: %q is not \"[OPTION] COMMAND ARGUMENT\"", l)
		}
	}
}

// runOfctlMode runs every phase of one mode on a fresh switch.
func runOfctlMode(t *testing.T, m ofMode) {
	e := newOfctlSwitch(t)
	br := ofctlBridge

	// load: the whole corpus, then every way of reading it back.
	load := []ofctlStep{
		step(plainOutput, "add-tlv-map", br, tlvMap),
		step(plainOutput, "add-groups", br, corpusFile(t, "groups.txt")),
	}
	if m.meters {
		for _, l := range dataLines(t, "meters.txt") {
			load = append(load, step(plainOutput, "add-meter", br, l))
		}
	}
	want := 0
	for _, f := range m.flows {
		load = append(load, step(plainOutput, "add-flows", br, corpusFile(t, f)))
		want += len(dataLines(t, f))
	}
	got := e.ofctlTranscript(m, load)
	dump := e.ofctlRun(m, step(listOutput, "dump-flows", br))
	if n := strings.Count(dump, "\n cookie="); n != want {
		t.Errorf("dump-flows shows %d flows, the corpus has %d", n, want)
	}
	got += dump
	reads := []ofctlStep{
		step(plainOutput, "dump-aggregate", br),
		step(listOutput, "dump-flows", br, "table=11"),
		step(listOutput, "dump-flows", br, "cookie=0x20/-1"),
		step(listOutput, "dump-flows", br, "table=30,cookie=0x20/0xf0"),
		step(listOutput, "dump-flows", br, "out_port=3"),
		step(listOutput, "dump-flows", br, "table=2,ip,nw_src=172.16.1.0/24"),
		step(plainOutput, "dump-aggregate", br, "table=30"),
		step(plainOutput, "dump-tables", br),
		step(listOutput, "dump-groups", br),
		step(listOutput, "dump-group-stats", br),
		step(plainOutput, "dump-tlv-map", br),
	}
	if m.meters {
		reads = append(reads, step(plainOutput, "dump-meters", br))
	}
	e.ofctlGolden(m, "load.txt", got+e.ofctlTranscript(m, reads))

	// bad: every bad flow-mod, answered with an error.
	var bad []ofctlStep
	for _, l := range dataLines(t, "bad.flows") {
		f := strings.Fields(l)
		args := append(append(f[:len(f)-1:len(f)-1], br), f[len(f)-1])
		bad = append(bad, step(plainOutput, args...))
	}
	e.ofctlGolden(m, "bad.txt", e.ofctlTranscript(m, bad))

	// modify: loose and strict mod-flows on tables 30, 31, 50 and 51.
	e.ofctlGolden(m, "modify.txt", e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "mod-flows", br, "table=50,cookie=0x50/-1,actions=output:3"),
		step(plainOutput, "mod-flows", br, "table=50,ip,nw_src=10.50.1.3,actions=LOCAL"),
		step(plainOutput, "--strict", "mod-flows", br, "table=50,priority=51,ip,nw_src=10.50.1.4,actions=output:1,output:2"),
		step(plainOutput, "--strict", "mod-flows", br, "table=50,priority=99,ip,nw_src=10.50.1.4,actions=drop"),
		step(plainOutput, "mod-flows", br, "table=51,in_port=1,actions=mod_dl_dst:00:00:00:00:51:01,output:2"),
		step(plainOutput, "mod-flows", br, "table=31,cookie=0x31/0xff,actions=drop"),
		step(plainOutput, "mod-flows", br, "table=52,ip,actions=output:1"),
		step(listOutput, "dump-flows", br, "table=50"),
		step(listOutput, "dump-flows", br, "table=51"),
		step(listOutput, "dump-flows", br, "table=52"),
		step(listOutput, "dump-flows", br, "table=31"),
	}))

	// delete: strict and loose del-flows, then everything.
	e.ofctlGolden(m, "delete.txt", e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "--strict", "del-flows", br, "table=50,priority=52,tcp,nw_src=10.50.1.5"),
		step(plainOutput, "--strict", "del-flows", br, "table=50,priority=52,ip,nw_src=10.50.1.6"),
		step(plainOutput, "del-flows", br, "table=50,cookie=0x53/-1"),
		step(plainOutput, "del-flows", br, "table=51,in_port=2"),
		step(plainOutput, "del-flows", br, "out_port=3"),
		step(plainOutput, "del-flows", br, "table=31,tcp"),
		step(listOutput, "dump-flows", br, "table=50"),
		step(listOutput, "dump-flows", br, "table=51"),
		step(listOutput, "dump-flows", br, "table=31"),
		step(plainOutput, "dump-aggregate", br),
		step(plainOutput, "del-flows", br),
		step(plainOutput, "dump-aggregate", br),
		step(listOutput, "dump-flows", br),
	}))

	// ports: the switch's description of itself and its ports; groups go.
	e.ofctlGolden(m, "ports.txt", e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "show", br),
		step(listOutput, "dump-ports-desc", br),
		step(listOutput, "dump-ports", br),
		step(listOutput, "dump-ports", br, "1"),
		step(plainOutput, "del-groups", br),
		step(listOutput, "dump-groups", br),
	}))

	// packet-out: straight to a port, and through the tables.
	e.ofctlGolden(m, "packet-out.txt", e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "add-flow", br, "table=0,priority=10,udp,actions=output:2"),
		step(plainOutput, "add-flow", br, "table=0,priority=0,actions=drop"),
		step(plainOutput, "packet-out", br, "in_port=LOCAL packet="+udpPacket+" actions=output:1"),
		step(plainOutput, "packet-out", br, "in_port=1 packet="+udpPacket+" actions=table"),
		step(plainOutput, "packet-out", br, "in_port=1 packet="+arpPacket+" actions=table"),
		step(plainOutput, "packet-out", br, "in_port=LOCAL packet="+arpPacket+" actions=output:9"),
		step(listOutput, "dump-flows", br),
		step(listOutput, "dump-ports", br),
	}))

	// other-modes: the flows of the other modes' corpus files, one by one,
	// showing why they are not in this mode's corpus.
	var others []ofctlStep
	for _, f := range otherModesFlows(m) {
		for _, l := range dataLines(t, f) {
			others = append(others, step(plainOutput, "add-flow", br, l))
		}
	}
	e.ofctlGolden(m, "other-modes.txt", e.ofctlTranscript(m, others))

	// monitor: flow changes and a packet-in, as a monitor sees them.
	pre := e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "del-flows", br),
		step(plainOutput, "add-flow", br, "table=1,cookie=0x11,priority=5,ip,actions=drop"),
	})
	mon := e.startMonitor(m, "monitor", br, "65534", "watch:")
	during := e.ofctlTranscript(m, []ofctlStep{
		step(plainOutput, "add-flow", br, "table=5,cookie=0x77,priority=10,udp,actions=output:1"),
		step(plainOutput, "mod-flows", br, "table=5,udp,actions=output:2"),
		step(plainOutput, "packet-out", br, "in_port=LOCAL packet="+udpPacket+" actions=controller"),
		step(plainOutput, "del-flows", br, "table=5"),
		step(plainOutput, "add-flow", br, "table=6,cookie=0xfeed,actions=drop"),
	})
	seen := mon.stop(func(s string) bool { return strings.Contains(s, "cookie=0xfeed") && strings.Contains(s, "PACKET_IN") })
	e.ofctlGolden(m, "monitor.txt", pre+mon.header()+during+"--- output of the monitor\n"+seen)
}

// otherModesFlows lists the corpus files other modes load and m does not.
func otherModesFlows(m ofMode) []string {
	mine := map[string]bool{}
	for _, f := range m.flows {
		mine[f] = true
	}
	var files []string
	for _, o := range ofModes {
		for _, f := range o.flows {
			if !mine[f] {
				mine[f] = true
				files = append(files, f)
			}
		}
	}
	return files
}
