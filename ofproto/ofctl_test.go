package ofproto

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The scenarios below drive the real ovs-ofctl against a Bridge and compare
// its full output with golden files recorded against the real ovs-vswitchd
// 3.1. To re-record, start a reference switch (see testdata/golden/README)
// and run
//
//	OFPROTO_RECORD=/tmp/h7ref go test ./ofproto -run TestOfctlGolden
//
// where /tmp/h7ref is its OVS_RUNDIR holding db.sock.

// ofctlStep is one ovs-ofctl invocation; "BR" in args is the switch target.
type ofctlStep struct {
	args []string
	// sorted sorts the output lines after the first, as OVS's own tests
	// do for dumps whose order is the classifier's.
	sorted bool
	// blocks sorts the blank-line separated entries after the first line
	// (meters, listed in hash order by OVS).
	blocks bool
}

type ofctlScenario struct {
	name  string
	steps []ofctlStep
}

func step(args ...string) ofctlStep       { return ofctlStep{args: args} }
func sortedStep(args ...string) ofctlStep { return ofctlStep{args: args, sorted: true} }
func blockStep(args ...string) ofctlStep  { return ofctlStep{args: args, blocks: true} }

// ofctlModes are the protocol options each scenario runs with.
var ofctlModes = []struct{ name, opt string }{
	{"of10", ""},
	{"of13", "-O OpenFlow13"},
	{"of15", "-O OpenFlow15"},
}

var ofctlScenarios = []ofctlScenario{
	{"show", []ofctlStep{
		step("show", "BR"),
		step("dump-ports-desc", "BR"),
		step("mod-port", "BR", "p1", "no-flood"),
		step("mod-port", "BR", "p2", "no-forward"),
		step("mod-port", "BR", "p2", "no-packet-in"),
		step("mod-port", "BR", "p1", "no-receive"),
		step("mod-port", "BR", "LOCAL", "no-forward"),
		step("dump-ports-desc", "BR"),
		step("mod-port", "BR", "p1", "flood"),
		step("mod-port", "BR", "p2", "forward"),
		step("mod-port", "BR", "p9", "forward"),
		step("show", "BR"),
	}},
	{"flows", []ofctlStep{
		step("add-flows", "BR", "testdata/flows.txt"),
		sortedStep("dump-flows", "BR"),
		sortedStep("dump-flows", "BR", "table=1"),
		sortedStep("dump-flows", "BR", "cookie=0x10/-1"),
		step("dump-aggregate", "BR"),
		step("dump-aggregate", "BR", "table=0"),
		step("mod-flows", "BR", "table=1,ip,actions=drop"),
		step("--strict", "mod-flows", "BR", "table=0,priority=5,in_port=1,actions=output:3"),
		step("mod-flows", "BR", "cookie=0x10/-1,actions=output:4"),
		sortedStep("dump-flows", "BR"),
		step("--strict", "del-flows", "BR", "table=4,priority=7,ip,in_port=1,nw_src=10.0.0.0/8"),
		step("--strict", "del-flows", "BR", "table=0,priority=6,in_port=2"),
		step("del-flows", "BR", "table=1"),
		step("del-flows", "BR", "cookie=0x77/-1"),
		step("del-flows", "BR", "out_port=1"),
		sortedStep("dump-flows", "BR"),
		step("add-flow", "BR", "table=0,priority=10,check_overlap,ip,ct_state=-trk,actions=drop"),
		step("add-flow", "BR", "table=0,priority=10,ip,ct_state=-trk,actions=drop"),
		step("add-flow", "BR", "ipv6,ct_state=+trk,ct_ipv6_src=fd00::1,actions=drop"),
		sortedStep("dump-flows", "BR"),
		step("del-flows", "BR"),
		step("dump-flows", "BR"),
		step("dump-aggregate", "BR"),
	}},
	{"corpus", []ofctlStep{
		step("add-flows", "BR", "testdata/corpus.txt"),
		sortedStep("dump-flows", "BR"),
		sortedStep("dump-flows", "BR", "ip"),
		sortedStep("dump-flows", "BR", "out_port=1"),
		step("dump-aggregate", "BR", "tcp"),
		step("--strict", "del-flows", "BR", "priority=26,ipv6,ipv6_src=fd00::/64,ipv6_dst=fd00::1"),
		step("del-flows", "BR", "ip"),
		sortedStep("dump-flows", "BR"),
	}},
	{"rejects", []ofctlStep{
		step("add-flow", "BR", "priority=112,dp_hash=0x5/0xf,actions=output:1"),
		step("add-flow", "BR", "priority=113,recirc_id=5,actions=output:1"),
		step("add-flow", "BR", "priority=113,recirc_id=0,actions=output:1"),
		step("add-flow", "BR", "priority=201,actions=group:4294967040"),
		step("add-flow", "BR", "table=7,priority=375,arp,actions=group:9"),
		step("add-flow", "BR", "priority=0,table=254,actions=drop"),
		step("add-flow", "BR", "table=2,actions=goto_table:1"),
		sortedStep("dump-flows", "BR"),
	}},
	{"bundle", []ofctlStep{
		step("--bundle", "add-flows", "BR", "testdata/flows.txt"),
		sortedStep("dump-flows", "BR"),
		step("--bundle", "add-flows", "BR", "testdata/bundle-bad.txt"),
		step("--bundle", "del-flows", "BR", "table=1"),
		step("--bundle", "add-group", "BR", "group_id=5,type=all,bucket=output:1"),
		step("--bundle", "mod-flows", "BR", "table=0,priority=5,in_port=2,actions=group:5"),
		sortedStep("dump-flows", "BR"),
		sortedStep("dump-groups", "BR"),
	}},
	{"meters", []ofctlStep{
		step("add-meter", "BR", "meter=1,pktps,band=type=drop,rate=1000"),
		step("add-meter", "BR", "meter=2,kbps,burst,stats,band=type=drop,rate=10000,burst_size=2000"),
		step("add-meter", "BR", "meter=1,pktps,band=type=drop,rate=1"),
		step("add-meter", "BR", "meter=90,pktps,band=type=dscp_remark,rate=100,prec_level=1"),
		step("add-meter", "BR", "meter=3,pktps,kbps,band=type=drop,rate=1"),
		step("add-meter", "BR", "meter=3,pktps,band=type=drop,rate=1,type=drop,rate=2"),
		step("add-meter", "BR", "meter=controller,pktps,band=type=drop,rate=1"),
		step("mod-meter", "BR", "meter=99,pktps,band=type=drop,rate=10"),
		step("mod-meter", "BR", "meter=3,kbps,band=type=drop,rate=5"),
		step("add-flow", "BR", "priority=5,actions=meter:1,output:1"),
		step("add-flow", "BR", "priority=6,actions=meter:99,output:1"),
		blockStep("dump-meters", "BR"),
		step("dump-meter", "BR", "meter=2"),
		blockStep("meter-stats", "BR"),
		step("meter-features", "BR"),
		step("del-meter", "BR", "meter=1"),
		sortedStep("dump-flows", "BR"),
		step("del-meters", "BR"),
		step("dump-meters", "BR"),
	}},
	{"replace", []ofctlStep{
		step("add-flows", "BR", "testdata/flows.txt"),
		sortedStep("diff-flows", "BR", "testdata/replace.txt"),
		step("replace-flows", "BR", "testdata/replace.txt"),
		sortedStep("dump-flows", "BR"),
		step("diff-flows", "BR", "testdata/replace.txt"),
		step("--bundle", "replace-flows", "BR", "testdata/flows.txt"),
		sortedStep("dump-flows", "BR"),
	}},
	{"tables", []ofctlStep{
		step("add-flow", "BR", "table=1,priority=1,actions=drop"),
		step("add-flow", "BR", "table=1,priority=2,ip,actions=drop"),
		step("add-flow", "BR", "table=3,priority=2,ip,actions=drop"),
		step("dump-tables", "BR"),
		step("mod-table", "BR", "1", "evict"),
		step("mod-table", "BR", "2", "vacancy:20,80"),
		step("mod-table", "BR", "3", "vacancy:90,80"),
		step("dump-table-desc", "BR"),
		step("mod-table", "BR", "1", "noevict"),
		step("mod-table", "BR", "2", "novacancy"),
		step("dump-table-desc", "BR"),
	}},
	{"misc", []ofctlStep{
		step("dump-desc", "BR"),
		sortedStep("dump-ports", "BR"),
		step("dump-ports", "BR", "1"),
		step("dump-ports", "BR", "7"),
		step("queue-stats", "BR"),
		step("queue-stats", "BR", "1"),
		step("dump-group-features", "BR"),
		step("queue-get-config", "BR", "1"),
		step("queue-get-config", "BR"),
		step("dump-tlv-map", "BR"),
		step("add-tlv-map", "BR", "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1"),
		step("add-tlv-map", "BR", "{class=0xffff,type=2,len=4}->tun_metadata1"),
		step("add-tlv-map", "BR", "{class=0xffff,type=1,len=4}->tun_metadata5"),
		step("add-tlv-map", "BR", "{class=0xffff,type=3,len=124}->tun_metadata2,{class=0xffff,type=4,len=124}->tun_metadata3"),
		step("dump-tlv-map", "BR"),
		step("del-tlv-map", "BR", "{class=0xffff,type=0,len=4}->tun_metadata0"),
		step("dump-tlv-map", "BR"),
		step("del-tlv-map", "BR"),
		step("dump-tlv-map", "BR"),
		step("get-frags", "BR"),
		step("set-frags", "BR", "drop"),
		step("get-frags", "BR"),
		step("probe", "BR"),
		step("dump-ipfix-bridge", "BR"),
		step("dump-ipfix-flow", "BR"),
		step("ct-flush-zone", "BR", "5"),
		step("ct-flush", "BR", "zone=5", "ct_nw_src=10.1.1.1,ct_nw_dst=10.1.1.2,ct_nw_proto=6,ct_tp_src=1000,ct_tp_dst=80"),
		step("add-flow", "BR", "table=254,actions=drop"),
		step("add-flow", "BR", "table=3,actions=goto_table:2"),
		step("add-flow", "BR", "table=3,actions=output:2,goto_table:4"),
		step("dump-flows", "BR", "table=3"),
	}},
	{"groups", []ofctlStep{
		step("add-group", "BR", "group_id=1,type=all,bucket=output:1,bucket=output:2"),
		step("add-group", "BR", "group_id=2,type=select,bucket=weight:10,output:1,bucket=weight:20,output:2"),
		step("add-group", "BR", "group_id=3,type=indirect,bucket=output:1"),
		step("add-group", "BR", "group_id=4,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2"),
		step("add-group", "BR", "group_id=5,type=select,selection_method=hash,fields(ip_src,ip_dst),bucket=output:1,bucket=output:2"),
		step("add-group", "BR", "group_id=6,type=select,selection_method=bogus,bucket=output:1"),
		step("add-group", "BR", "group_id=93,type=all,bucket=actions=group:93"),
		sortedStep("dump-groups", "BR"),
		step("add-group", "BR", "group_id=1,type=all,bucket=output:3"),
		step("mod-group", "BR", "group_id=1,type=all,bucket=output:3"),
		step("mod-group", "BR", "group_id=9,type=all,bucket=output:3"),
		step("add-flow", "BR", "priority=9,actions=group:1"),
		step("add-flow", "BR", "priority=8,actions=group:7"),
		sortedStep("dump-group-stats", "BR"),
		step("del-groups", "BR", "group_id=2"),
		sortedStep("dump-groups", "BR"),
		step("del-groups", "BR", "group_id=1"),
		sortedStep("dump-flows", "BR"),
		step("del-groups", "BR"),
		step("dump-groups", "BR"),
	}},
}

var (
	stripAges = regexp.MustCompile(`(duration[=:][0-9.]*s,? ?|idle_age=[0-9]*, |hard_age=[0-9]*, )`)
	// ovs-ofctl's own log lines start with a timestamp.
	logTime = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|`)
)

// runOfctlScenario runs sc in one mode against target and returns the
// transcript: each command, its combined output (target replaced by BR,
// ages stripped) and exit status.
func runOfctlScenario(t *testing.T, ofctl, target, opt string, sc ofctlScenario) string {
	t.Helper()
	var sb strings.Builder
	for _, st := range sc.steps {
		var args []string
		if opt != "" {
			args = append(args, strings.Fields(opt)...)
		}
		for _, a := range st.args {
			if a == "BR" {
				a = target
			}
			args = append(args, a)
		}
		cmd := exec.Command(ofctl, args...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("run ovs-ofctl: %v", err)
			}
			code = ee.ExitCode()
		}
		text := strings.ReplaceAll(string(out), target, "BR")
		text = stripAges.ReplaceAllString(text, "")
		text = logTime.ReplaceAllString(text, "TIME|")
		if st.sorted {
			lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
			if len(lines) > 1 {
				slices.Sort(lines[1:])
			}
			text = strings.Join(lines, "\n") + "\n"
		}
		if st.blocks {
			head, rest, _ := strings.Cut(strings.TrimRight(text, "\n"), "\n")
			blocks := strings.Split(rest, "\n\n")
			slices.Sort(blocks)
			text = head + "\n" + strings.Join(blocks, "\n\n") + "\n"
		}
		fmt.Fprintf(&sb, "### ovs-ofctl %s %s\n%s### exit=%d\n", opt, strings.Join(st.args, " "), text, code)
	}
	return sb.String()
}

func TestOfctlGolden(t *testing.T) {
	ofctl, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	record := os.Getenv("OFPROTO_RECORD")
	for _, sc := range ofctlScenarios {
		for _, mode := range ofctlModes {
			name := sc.name + "-" + mode.name
			t.Run(name, func(t *testing.T) {
				golden := filepath.Join("testdata", "golden", name+".txt")
				if record != "" {
					target := resetReference(t, record)
					got := runOfctlScenario(t, ofctl, target, mode.opt, sc)
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				b := newGoldenBridge(t)
				got := runOfctlScenario(t, ofctl, "unix:"+b.mgmt, mode.opt, sc)
				if got != string(want) {
					t.Errorf("output differs from %s:\n%s", golden, lineDiff(string(want), got))
				}
			})
		}
	}
}

// resetReference recreates the reference bridge h7br on the real switch
// whose run directory is rundir and returns its management target.
func resetReference(t *testing.T, rundir string) string {
	t.Helper()
	db := "--db=unix:" + filepath.Join(rundir, "db.sock")
	vsctl := func(args ...string) {
		if out, err := exec.Command("ovs-vsctl", append([]string{db}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ovs-vsctl %v: %v\n%s", args, err, out)
		}
	}
	vsctl("--if-exists", "del-br", "h7br")
	vsctl("add-br", "h7br", "--", "set", "bridge", "h7br", "datapath_type=netdev",
		"other-config:datapath-id=0000000000000042", "other-config:hwaddr=02:00:00:00:00:42",
		"--", "add-port", "h7br", "p1", "--", "set", "interface", "p1", "type=internal", "ofport_request=1", `mac="02:00:00:00:00:01"`,
		"--", "add-port", "h7br", "p2", "--", "set", "interface", "p2", "type=internal", "ofport_request=2", `mac="02:00:00:00:00:02"`)
	sock := filepath.Join(rundir, "h7br.mgmt")
	for i := 0; i < 100; i++ {
		if out, err := exec.Command("ovs-ofctl", "show", "unix:"+sock).CombinedOutput(); err == nil && strings.Contains(string(out), "2(p2)") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "unix:" + sock
}

// lineDiff shows the lines that differ between want and got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var sb strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			fmt.Fprintf(&sb, "line %d:\n  want %q\n  got  %q\n", i+1, a, b)
		}
	}
	return sb.String()
}
