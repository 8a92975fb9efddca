package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The differential OpenFlow harness: the same ovs-ofctl commands, run
// against a bridge set up identically on the real ovs-vswitchd and on
// govswitchd, must print the same thing once run-dependent details
// (durations, ages, orders the protocol leaves open) are normalised.

// ofctlDir holds the corpus, the bad flow-mods and the goldens.
const ofctlDir = "testdata/ofctl"

// ofMode is one way of running ovs-ofctl: its protocol options, and the
// corpus files that mode can express, loaded in order.
type ofMode struct {
	name   string   // directory of the mode's goldens
	opts   []string // ovs-ofctl options selecting the protocol
	flows  []string // corpus files under ofctlDir
	meters bool     // meters exist only from OpenFlow 1.3 on
}

var ofModes = []ofMode{
	{name: "default", flows: []string{"corpus.flows", "corpus-nx.flows"}},
	{name: "of12", opts: []string{"-O", "OpenFlow12"}, flows: []string{"corpus.flows"}},
	{name: "of13", opts: []string{"-O", "OpenFlow13"}, flows: []string{"corpus.flows", "corpus-oxm.flows"}, meters: true},
	{name: "of15", opts: []string{"-O", "OpenFlow15"}, flows: []string{"corpus.flows", "corpus-oxm.flows", "corpus-of15.flows"}, meters: true},
}

// ofctlBridge and the ports below are the bridge every mode runs on. MACs
// and the datapath id are fixed so that show and port listings need no
// placeholders.
const (
	ofctlBridge = "br0"
	ofctlDPID   = "0000020000000a10"
	ofctlHWAddr = "02:00:00:00:0a:10"
	// tlvMap gives tun_metadata0..2 the sizes corpus.flows assumes.
	tlvMap = "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1,{class=0xffff,type=2,len=4}->tun_metadata2"
)

// newOfctlSwitch starts the daemon under test (govswitchd, or the real
// ovs-vswitchd with -real-ovs) with br0: a netdev bridge with veth ports
// p1 (ofport 1) and p2 (ofport 2), an internal port p3 (ofport 3) and
// LOCAL. IPv6 is off in the namespace so that the kernel sends nothing
// into the ports and every counter is deterministic.
func newOfctlSwitch(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.disableIPv6()
	for i := 1; i <= 2; i++ {
		name, peer := fmt.Sprintf("p%d", i), fmt.Sprintf("p%dpeer", i)
		for _, args := range [][]string{
			{"link", "add", name, "address", fmt.Sprintf("02:00:00:00:00:0%d", i), "type", "veth",
				"peer", "name", peer, "address", fmt.Sprintf("02:00:00:00:01:0%d", i)},
			{"link", "set", name, "up"},
			{"link", "set", peer, "up"},
		} {
			if r := e.inNS("ip", args...); r.code != 0 {
				t.Fatalf("ip %s: %s", strings.Join(args, " "), r)
			}
		}
	}
	e.startDaemon()
	e.mustVsctl("add-br", ofctlBridge, "--", "set", "bridge", ofctlBridge, "datapath_type=netdev",
		"other_config:hwaddr="+ofctlHWAddr, "other_config:datapath-id="+ofctlDPID,
		"--", "add-port", ofctlBridge, "p1", "--", "set", "interface", "p1", "ofport_request=1",
		"--", "add-port", ofctlBridge, "p2", "--", "set", "interface", "p2", "ofport_request=2",
		"--", "add-port", ofctlBridge, "p3", "--", "set", "interface", "p3", "type=internal",
		"ofport_request=3", `mac="02:00:00:00:00:03"`)
	return e
}

// ofctlStep is one ovs-ofctl invocation of a scenario.
type ofctlStep struct {
	args []string   // after the mode's options
	norm outputKind // how its stdout is normalised
}

// outputKind says which parts of a command's output have no defined order.
type outputKind int

const (
	plainOutput outputKind = iota // order is defined: compare as printed
	listOutput                    // entries under reply headers (flows, groups, ports): merge the replies, sort the entries
)

func step(kind outputKind, args ...string) ofctlStep { return ofctlStep{args: args, norm: kind} }

// ofctlTranscript runs steps with the mode's options against the env's
// switch and returns the normalised transcript: for each command its line
// as a user would type it, its stdout, its stderr and a non-zero exit
// status.
func (e *env) ofctlTranscript(m ofMode, steps []ofctlStep) string {
	e.t.Helper()
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(e.ofctlRun(m, s))
	}
	return b.String()
}

// ofctlRun runs one step and returns its transcript entry.
func (e *env) ofctlRun(m ofMode, s ofctlStep) string {
	e.t.Helper()
	args := append(append([]string{}, m.opts...), s.args...)
	// The timeout keeps a switch that never answers from hanging the test;
	// it is not part of what the user typed.
	r := e.run("ovs-ofctl", append([]string{"--timeout=30"}, args...)...)
	// The real ovs-vswitchd now and then drops a new unix connection
	// before the HELLO exchange when ovs-ofctl connects many times in a
	// row. Nothing was sent on it, so trying again is safe; govswitchd
	// gets no such allowance.
	for try := 0; try < 3 && *realOVS && droppedConnRE.MatchString(r.stderr); try++ {
		r = e.run("ovs-ofctl", append([]string{"--timeout=30"}, args...)...)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### ovs-ofctl %s\n", shellWords(args))
	b.WriteString(normalizeOfctl(r.stdout, s.norm))
	if r.stderr != "" {
		b.WriteString("--- stderr\n")
		b.WriteString(normalizeOfctl(r.stderr, plainOutput))
	}
	if r.code != 0 {
		fmt.Fprintf(&b, "--- exit %d\n", r.code)
	}
	return e.hideTestdata(b.String())
}

// shellWords quotes the arguments that need it, for the transcript.
func shellWords(args []string) string {
	words := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'()*$;&|<>{}[]\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		words[i] = a
	}
	return strings.Join(words, " ")
}

// hideTestdata writes the absolute corpus directory as testdata/ofctl.
func (e *env) hideTestdata(s string) string {
	abs, err := filepath.Abs(ofctlDir)
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.ReplaceAll(s, abs, ofctlDir)
}

var (
	// logPrefixRE is the timestamp and sequence number of a log line
	// ovs-ofctl prints on stderr.
	logPrefixRE = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\|\d+\|`)
	// loadLogRE: what ovs-ofctl logs when the machine is slow (a long poll
	// interval and the coverage counters after it), and what a killed
	// monitor says as it goes.
	loadLogRE = regexp.MustCompile(`(?m)^LOG\|(timeval\|WARN\||coverage\|INFO\||fatal_signal\|WARN\|terminating with signal 15).*\n`)
	// durationRE, ageRE: how long a flow, group or port has existed.
	durationRE = regexp.MustCompile(`duration=[0-9.]+s`)
	ageRE      = regexp.MustCompile(` (idle|hard)_age=[0-9]+,`)
	// moreRE marks a reply that continues in the next message; where one
	// reply is split is the switch's business.
	moreRE = regexp.MustCompile(` flags=\[more\]`)
	// droppedConnRE is ovs-ofctl's complaint about a dropped connection.
	droppedConnRE = regexp.MustCompile(`failed to (connect to|open) socket \(Broken pipe\)`)
)

// normalizeOfctl makes output comparable the way OVS's own tests do:
// log prefixes and durations become placeholders, ages and the client's
// complaints about a slow machine go, and what the protocol does not order
// is sorted.
func normalizeOfctl(s string, kind outputKind) string {
	s = logPrefixRE.ReplaceAllString(s, "LOG|")
	s = loadLogRE.ReplaceAllString(s, "")
	s = durationRE.ReplaceAllString(s, "duration=?")
	s = ageRE.ReplaceAllString(s, "")
	if kind == listOutput && s != "" {
		return mergeReplies(s)
	}
	return s
}

// mergeReplies turns a listing split over several reply messages into
// one: the first reply header (without its "more" flag), the other
// unindented lines in order, then the entries sorted. An entry is an
// indented line with the more indented lines under it (a port and its
// counters), so entries move as a whole and keep their inner order.
func mergeReplies(s string) string {
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	var header string
	var other, entries []string
	entryIndent := -1
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		switch {
		case l == "":
			other = append(other, l)
		case indent(l) == 0 && strings.Contains(l, " reply ("):
			if header == "" {
				header = moreRE.ReplaceAllString(l, "")
			}
		case indent(l) == 0:
			other = append(other, l)
		case entryIndent < 0 || indent(l) <= entryIndent:
			entryIndent = indent(l)
			entries = append(entries, l+"\n")
		default:
			entries[len(entries)-1] += l + "\n"
		}
	}
	sort.Strings(entries)
	var b strings.Builder
	if header != "" {
		b.WriteString(header + "\n")
	}
	for _, l := range other {
		b.WriteString(l + "\n")
	}
	for _, e := range entries {
		b.WriteString(e)
	}
	return b.String()
}

// corpusFile is the absolute path of a file under ofctlDir.
func corpusFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(ofctlDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dataLines returns the lines of a corpus file that are not comments or
// blank, with trailing comments removed (ovs-ofctl's rule: "#" starts a
// comment anywhere).
func dataLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ofctlDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// ofctlGolden compares a transcript with testdata/ofctl/golden/MODE/NAME,
// or rewrites the file with -update. Goldens are only ever written from
// the real ovs-vswitchd (TestOfctlCorpus refuses -update without
// -real-ovs). A mismatch is reported as a line diff, the transcripts being
// long.
func (e *env) ofctlGolden(m ofMode, name, got string) {
	e.t.Helper()
	got = strings.ReplaceAll(got, e.dir, "RUNDIR")
	path := filepath.Join(ofctlDir, "golden", m.name, name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatalf("%v (record it with -real-ovs -update)", err)
	}
	if got != string(want) {
		e.t.Errorf("%s differs (-golden +got):\n%s", path, lineDiff(string(want), got, 60))
	}
}

// lineDiff is a plain longest-common-subsequence diff of two texts by
// line, showing at most max changed lines, each with its line number in
// the golden ("-") or in the new text ("+").
func lineDiff(want, got string, max int) string {
	a := strings.Split(want, "\n")
	b := strings.Split(got, "\n")
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max2(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	n := 0
	emit := func(format string, args ...any) {
		if n < max {
			fmt.Fprintf(&out, format, args...)
		}
		n++
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] > lcs[i+1][j]):
			emit("+%4d %s\n", j+1, b[j])
			j++
		default:
			emit("-%4d %s\n", i+1, a[i])
			i++
		}
	}
	if n > max {
		fmt.Fprintf(&out, "... and %d more changed lines\n", n-max)
	}
	return out.String()
}

func max2(x, y int) int {
	if x > y {
		return x
	}
	return y
}

// ofctlMonitor is a running "ovs-ofctl monitor" whose stdout goes to a
// file in the env directory.
type ofctlMonitor struct {
	e    *env
	pid  int
	out  string
	args []string
}

// startMonitor starts "ovs-ofctl monitor" with the mode's options and
// waits until it has printed the switch's answer to its flow monitor
// request: from then on the switch reports every flow change to it.
func (e *env) startMonitor(m ofMode, args ...string) *ofctlMonitor {
	e.t.Helper()
	all := append(append([]string{}, m.opts...), args...)
	out := e.path("monitor.out")
	f, err := os.Create(out)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	cmd := e.command("ovs-ofctl", all...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start monitor: %v", err)
	}
	mon := &ofctlMonitor{e: e, pid: cmd.Process.Pid, out: out, args: all}
	e.daemonPids = append(e.daemonPids, mon.pid) // killed at cleanup whatever happens
	go cmd.Wait()
	e.waitForOutput(mon, func(s string) bool {
		return strings.Contains(s, "FLOW_MONITOR reply") || strings.Contains(s, "ovs-ofctl:")
	})
	return mon
}

// waitForOutput polls the monitor's output until done says it is complete
// or a generous deadline passes (a liveness bound, not a timing
// assertion: the comparison afterwards reports what is missing).
func (e *env) waitForOutput(mon *ofctlMonitor, done func(string) bool) {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if done(mon.output()) || processGone(mon.pid) {
			return
		}
	}
}

func (mon *ofctlMonitor) output() string {
	b, _ := os.ReadFile(mon.out)
	return string(b)
}

// header is the monitor's transcript line.
func (mon *ofctlMonitor) header() string {
	return fmt.Sprintf("### ovs-ofctl %s &\n", shellWords(mon.args))
}

// stop waits until the monitor has printed what done expects, kills it
// and returns what it printed, normalised.
func (mon *ofctlMonitor) stop(done func(string) bool) string {
	mon.e.waitForOutput(mon, done)
	killAndWait(mon.pid)
	return mon.e.hideTestdata(normalizeOfctl(mon.output(), plainOutput))
}
