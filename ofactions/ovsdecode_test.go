package ofactions

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// checkOVSDecodes has ovs-ofctl parse-actions decode encs (OpenFlow
// version v) and requires it to print want[i] for encs[i] and to re-encode
// the same bytes; texts name the cases in failures. It skips t without
// ovs-ofctl.
func checkOVSDecodes(t *testing.T, v uint8, texts []string, encs [][]byte, want []string) {
	t.Helper()
	path, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	var input strings.Builder
	for _, b := range encs {
		input.WriteString(hex.EncodeToString(b) + "\n")
	}
	cmd := exec.Command(path, "parse-actions", versionNames[v])
	cmd.Stdin = strings.NewReader(input.String())
	var stderr strings.Builder
	cmd.Stderr = &stderr // informational log lines, and errors
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ovs-ofctl: %v\n%s", err, stderr.String())
	}
	// One block per input: the decoded text, then (if OVS's own
	// re-encoding differs from ours) lines " off: ours -> OVS's".
	var got []string
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, " "):
			t.Errorf("%s %q: OVS re-encodes differently: %s", versionNames[v], texts[len(got)-1], line)
		default:
			got = append(got, line)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d results, want %d:\n%s", versionNames[v], len(got), len(want), out)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s %q: OVS printed %q, we print %q", versionNames[v], texts[i], got[i], want[i])
		}
	}
}
