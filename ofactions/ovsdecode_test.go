package ofactions

import (
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// actionCase is an action text, the match it is checked against, and
// what OVS prints after decoding each version ("" = the text itself,
// "-" = not encodable in that version).
type actionCase struct {
	text, match            string
	want10, want13, want15 string
}

// want is what OVS prints for c decoded from version v ("-" if none).
func (c actionCase) want(v uint8) string {
	w := map[uint8]string{version10: c.want10, version13: c.want13, version15: c.want15}[v]
	if w == "" {
		return c.text
	}
	return w
}

// checkTextRoundTrips parses each case, encodes it in every version and
// requires the decoded text to be what OVS prints.
func checkTextRoundTrips(t *testing.T, cases []actionCase) {
	t.Helper()
	for _, c := range cases {
		l, err := Parse(c.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.text, err)
			continue
		}
		for _, v := range []uint8{version10, version13, version15} {
			want := c.want(v)
			if want == "-" {
				continue
			}
			if got := roundTrip(t, l, c.match, v); got != want {
				t.Errorf("%s %q: decoded text %q, want %q", versionNames[v], c.text, got, want)
			}
		}
	}
}

// checkCasesWithOVS encodes each case in version v, after checking it
// against its match in checkVersion (its errors are the business of
// other tests), and requires ovs-ofctl to decode the encodings to what
// our decoder prints.
func checkCasesWithOVS(t *testing.T, cases []actionCase, v, checkVersion uint8) {
	t.Helper()
	var texts, want []string
	var encs [][]byte
	for _, c := range cases {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := mf.Parse(c.match)
		_ = Check(l, &m, checkVersion)
		b, err := AppendActions(nil, l, v)
		if err != nil {
			t.Fatalf("%s: %v", c.text, err)
		}
		back, err := DecodeActions(b, v)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", c.text, b, err)
		}
		texts, encs, want = append(texts, c.text), append(encs, b), append(want, "actions="+back.String())
	}
	checkOVSDecodes(t, v, texts, encs, want)
}

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
