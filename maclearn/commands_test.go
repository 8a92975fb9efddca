package maclearn

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/unixctl"
)

// transcriptStep is one ovs-appctl call captured from OVS 3.1 with cat -A.
type transcriptStep struct {
	args   []string
	stdout string
	errMsg string // server error text, without the ovs-appctl line
	failed bool
}

func parseTranscript(t *testing.T, text string) []transcriptStep {
	t.Helper()
	var steps []transcriptStep
	var cur *transcriptStep
	inErr := false
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			steps = append(steps, transcriptStep{args: strings.Fields(line[4:])})
			cur, inErr = &steps[len(steps)-1], false
		case line == "--- stderr:":
			inErr = true
		case strings.HasPrefix(line, "--- rc="):
			rc, err := strconv.Atoi(line[len("--- rc="):])
			if err != nil {
				t.Fatal(err)
			}
			cur.failed = rc != 0
		case inErr && strings.HasPrefix(line, "ovs-appctl: "):
		case inErr:
			cur.errMsg += strings.TrimSuffix(line, "$") + "\n"
		default:
			cur.stdout += strings.TrimSuffix(line, "$") + "\n"
		}
	}
	return steps
}

// testBridges is a name → bridge registry like the daemon's.
type testBridges struct{ list []*Bridge }

func (b *testBridges) lookup(name string) (*Bridge, bool) {
	for _, br := range b.list {
		if br.Name == name {
			return br, true
		}
	}
	return nil, false
}

func (b *testBridges) all() []*Bridge { return b.list }

func portsByName(m map[string]Port) func(string) (Port, bool) {
	return func(name string) (Port, bool) {
		p, ok := m[name]
		return p, ok
	}
}

// serve runs the fdb/* commands on a real unixctl server in a temporary
// directory, so argument-count errors and newline handling are covered too.
func serve(t *testing.T, bridges *testBridges) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ctl")
	srv, err := unixctl.Listen(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	RegisterCommands(srv, bridges.lookup, bridges.all)
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return srv.Path()
}

// TestFDBTranscript replays an ovs-appctl session against OVS 3.1 (a netdev
// bridge learning from two veth ports and its LOCAL port) and expects the
// same bytes back.
func TestFDBTranscript(t *testing.T) {
	clk := newFakeClock()
	br0 := &Bridge{Name: "br0", Table: NewTable(Config{Clock: clk.Now}),
		PortByName: portsByName(map[string]Port{"h15a0": 1, "h15b0": 2, "br0": PortLocal})}
	br1 := &Bridge{Name: "br1", Table: NewTable(Config{Clock: clk.Now}),
		PortByName: portsByName(map[string]Port{"br1": PortLocal})}
	path := serve(t, &testBridges{[]*Bridge{br0, br1}})

	localMAC := mustMAC(t, "f6:e2:85:3c:c4:47")
	// The traffic before the capture: A and B talk, then the host pings
	// from br0 five seconds later.
	br0.Table.Learn(macA, 0, 1, 0)
	br0.Table.Learn(macB, 0, 2, 0)
	clk.Advance(5 * time.Second)
	br0.Table.Learn(localMAC, 0, PortLocal, 0)
	br0.Table.Learn(macA, 0, 1, 0)
	clk.Advance(time.Second)
	// Traffic that arrived between the captured commands.
	before := map[int]func(){
		7: func() { br0.Table.Learn(localMAC, 0, PortLocal, 0) },
	}

	steps := parseTranscript(t, readTestdata(t, "ovs-3.1-fdb-transcript.txt"))
	if len(steps) != 34 {
		t.Fatalf("parsed %d steps", len(steps))
	}
	for i, st := range steps {
		if f := before[i]; f != nil {
			f()
		}
		got, err := unixctl.Call(path, st.args[0], st.args[1:]...)
		var se *unixctl.ServerError
		switch {
		case st.failed && errors.As(err, &se):
			checkText(t, "step "+strconv.Itoa(i)+" "+strings.Join(st.args, " ")+" error", se.Text, st.errMsg)
		case st.failed:
			t.Errorf("step %d %v: want error %q, got %q, %v", i, st.args, st.errMsg, got, err)
		case err != nil:
			t.Errorf("step %d %v: %v", i, st.args, err)
		default:
			checkText(t, "step "+strconv.Itoa(i)+" "+strings.Join(st.args, " "), got, st.stdout)
		}
	}
}

func TestCommandsDirect(t *testing.T) {
	tb, _ := newTestTable(Config{})
	br := &Bridge{Name: "br0", Table: tb}
	lookup := (&testBridges{[]*Bridge{br}}).lookup
	if _, err := AddCommand(lookup)([]string{"br0", "p1", "1", "02:00:00:00:00:01"}); err == nil ||
		err.Error() != "software error, odp port is present but no ofp port" {
		t.Fatalf("add without PortByName: %v", err)
	}
	if _, err := ShowCommand(lookup)(nil); err == nil || err.Error() != "no such bridge" {
		t.Fatalf("show without args: %v", err)
	}
	if _, err := DelCommand(lookup)([]string{"br0"}); err == nil {
		t.Fatal("del with one arg succeeded")
	}
	got, err := FlushCommand(lookup, nil)(nil)
	if err != nil || got != "table successfully flushed" {
		t.Fatalf("flush all with nil list: %q %v", got, err)
	}
}

func TestAtoi16(t *testing.T) {
	for in, want := range map[string]uint16{
		"10": 10, "abc": 0, "-1": 65535, "5000": 5000, " 7x": 7, "+3": 3, "70000": 4464, "": 0,
	} {
		if got := atoi16(in); got != want {
			t.Errorf("atoi16(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseMAC(t *testing.T) {
	for in, want := range map[string]string{
		"02:15:00:00:00:aa": "02:15:00:00:00:aa",
		"2:15:0:0:0:A":      "02:15:00:00:00:0a",
	} {
		m, err := ParseMAC(in)
		if err != nil || m.String() != want {
			t.Errorf("ParseMAC(%q) = %v, %v", in, m, err)
		}
	}
	for _, bad := range []string{"", "zz", "02:15:00:00:00", "02:15:00:00:00:aa:", "02:15:00:00:00:aaa", "02-15-00-00-00-aa"} {
		if _, err := ParseMAC(bad); err == nil {
			t.Errorf("ParseMAC(%q) succeeded", bad)
		}
	}
}

func TestPortString(t *testing.T) {
	for p, want := range map[Port]string{1: "1", 65279: "65279", PortLocal: "LOCAL", 0xfffd: "CONTROLLER", PortNone: "NONE"} {
		if got := p.String(); got != want {
			t.Errorf("Port(%d) = %q, want %q", uint16(p), got, want)
		}
	}
}
