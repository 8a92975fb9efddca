package ofproto

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/ofp/ofperr"
)

// fileOutput reads what a background command wrote to its output file.
// (ovs-ofctl flushes each message to a file; a pipe would be buffered.)
type fileOutput struct{ path string }

func (f fileOutput) String() string {
	b, _ := os.ReadFile(f.path)
	return string(b)
}

// waitOutput polls until out contains want; it waits for the monitor to
// print asynchronous updates and is no timing assertion.
func waitOutput(t *testing.T, out fileOutput, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q in monitor output:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// monitorSteps change the tables while ovs-ofctl monitor watches; the
// last flow is the marker that ends the watch.
var monitorSteps = [][]string{
	{"add-flow", "BR", "table=5,cookie=0x77,udp,actions=output:1"},
	{"mod-flows", "BR", "table=5,udp,actions=output:2"},
	{"add-flow", "BR", "table=5,cookie=0x78,udp,actions=output:3"},
	{"add-flow", "BR", "table=6,cookie=0xfeed,actions=drop"},
	{"--strict", "del-flows", "BR", "table=5,udp"},
	{"add-group", "BR", "group_id=1,type=all,bucket=output:1"},
	{"add-flow", "BR", "table=8,cookie=0x8,actions=group:1"},
	{"del-groups", "BR", "group_id=1"},
	{"add-flow", "BR", "table=250,cookie=0xdead,actions=drop"},
}

// runMonitor runs "ovs-ofctl monitor BR watch:" around monitorSteps and
// returns what the monitor printed.
func runMonitor(t *testing.T, ofctl, target string, opts []string) string {
	t.Helper()
	run := func(args ...string) {
		for i, a := range args {
			if a == "BR" {
				args[i] = target
			}
		}
		cmd := exec.Command(ofctl, append(append([]string{}, opts...), args...)...)
		cmd.Env = append(os.Environ(), "OVS_RUNDIR="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ovs-ofctl %v: %v\n%s", args, err, out)
		}
	}
	run("add-flow", "BR", "table=1,cookie=0x11,ip,actions=drop")
	out := fileOutput{filepath.Join(t.TempDir(), "monitor.out")}
	f, err := os.Create(out.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mon := exec.Command(ofctl, append(append([]string{}, opts...), "monitor", target, "watch:")...)
	mon.Env = append(os.Environ(), "OVS_RUNDIR="+t.TempDir())
	mon.Stdout = f
	mon.Stderr = f
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		mon.Process.Kill()
		mon.Wait()
	}()
	waitOutput(t, out, "cookie=0x11")
	// ovs-ofctl drops updates that arrive while it is still setting the
	// connection up, so wait until a probe flow's update gets through.
	for i := 0; ; i++ {
		cookie := fmt.Sprintf("cookie=0x%x", 0x5100+i)
		run("add-flow", "BR", "table=251,"+cookie+",actions=drop")
		if pollOutput(out, cookie) {
			break
		}
		if i == 50 {
			t.Fatalf("monitor never reported a change:\n%s", out.String())
		}
	}
	for _, s := range monitorSteps {
		run(append([]string(nil), s...)...)
	}
	waitOutput(t, out, "cookie=0xdead")
	return dropProbeUpdates(out.String())
}

// pollOutput waits briefly for want to show up in out.
func pollOutput(out fileOutput, want string) bool {
	for i := 0; i < 50; i++ {
		if strings.Contains(out.String(), want) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// dropProbeUpdates removes the updates about the probe flows (table 251)
// and the reply headers that carried only them.
func dropProbeUpdates(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		if strings.Contains(lines[i], " table=251 ") {
			continue
		}
		if strings.HasSuffix(lines[i], "(xid=0x0):") && i+1 < len(lines) && strings.Contains(lines[i+1], " table=251 ") {
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}

func TestOfctlMonitorGolden(t *testing.T) {
	ofctl, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	record := os.Getenv("OFPROTO_RECORD")
	for _, mode := range []struct {
		name string
		opts []string
	}{{"of10", nil}, {"of13", []string{"-O", "OpenFlow13"}}, {"of15", []string{"-O", "OpenFlow15"}}} {
		t.Run(mode.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "golden", "monitor-"+mode.name+".txt")
			if record != "" {
				got := runMonitor(t, ofctl, resetReference(t, record), mode.opts)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			g := newGoldenBridge(t)
			if got := runMonitor(t, ofctl, "unix:"+g.mgmt, mode.opts); got != string(want) {
				t.Errorf("monitor output differs from %s:\n%s", golden, lineDiff(string(want), got))
			}
		})
	}
}

func TestFlowMonitorErrors(t *testing.T) {
	b, path := newTestBridge(t, Config{FailSecure: true})
	tc := dial(t, path, ofp.Version15)
	req := func(id uint32, flags uint16, cmd uint8) []byte {
		body := binary.BigEndian.AppendUint32(nil, id)
		body = binary.BigEndian.AppendUint32(body, 0xffffffff)
		body = binary.BigEndian.AppendUint32(body, 0xffffffff)
		body = binary.BigEndian.AppendUint16(body, flags)
		body = append(body, 0xff, cmd)
		body = append(body, mustHex(t, "0001 0004 00000000")...)
		return tc.msg(ofp.RawOFPST14FlowMonitorRequest, body...)
	}
	if got := tc.barrier(req(1, monAdd|monActions, monCmdAdd)); len(got) != 1 {
		t.Fatalf("monitor: % x", got)
	}
	for _, c := range []struct {
		msg  []byte
		code ofperr.Code
	}{
		{req(1, monAdd, monCmdAdd), ofperr.OFPMOFC_MONITOR_EXISTS},
		{req(2, monAdd, monCmdModify), ofperr.OFPMOFC_UNKNOWN_MONITOR},
		{req(3, 0x100, monCmdAdd), ofperr.OFPMOFC_BAD_FLAGS},
		{req(3, monAdd, 7), ofperr.OFPMOFC_BAD_COMMAND},
	} {
		wantError(t, tc.barrier(c.msg), c.code, c.msg)
	}
	// An update for a flow added by another connection, with instructions.
	mustMod(t, b, ofp.FlowAdd, "table=3,priority=9,actions=drop")
	m := tc.recv()
	wantMsg(t, m, mustHex(t, "06130030 00000000 0010 0000 00000000"+
		"0020 0001 03 00 0000 0000 0009 00000000 0000000000000000 0001 0004 00000000"))
	// After deleting the monitor nothing more arrives.
	tc.barrier(req(1, 0, monCmdDelete))
	mustMod(t, b, ofp.FlowAdd, "table=3,priority=10,actions=drop")
	tc.send(ofp.EncodeEchoRequest(ofp.Version15, 5, nil))
	wantMsg(t, tc.recv(), mustHex(t, "06030008 00000005"))

	n := dial(t, path, ofp.Version10)
	cancel := n.msg(ofp.RawNXTFlowMonitorCancel, 0, 0, 0, 9)
	wantError(t, n.barrier(cancel), ofperr.OFPMOFC_UNKNOWN_MONITOR, cancel)
}
