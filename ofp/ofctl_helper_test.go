package ofp

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
)

// ofctl runs the real ovs-ofctl offline (no switch) for differential
// tests; the test is skipped when it is not installed.
func ofctl(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("ovs-ofctl")
	if err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	var stderr strings.Builder
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ovs-ofctl %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "|", "").Replace(s))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// hexDump parses the "00000000  04 00 ..." dump ovs-ofctl prints.
func hexDump(t *testing.T, dump string) []byte {
	t.Helper()
	var sb strings.Builder
	for _, line := range strings.Split(dump, "\n") {
		if len(line) < 10 || line[8] != ' ' || strings.Trim(line[:8], "0123456789abcdef") != "" {
			continue
		}
		body := line[10:]
		if i := strings.Index(body, "|"); i >= 0 {
			body = body[:i]
		}
		sb.WriteString(strings.NewReplacer(" ", "", "-", "").Replace(body))
	}
	return mustHex(t, sb.String())
}
