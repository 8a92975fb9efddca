package ofactions

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/govswitchd/govswitchd/ofp/mf"
)

// TestWriteFuzzSeeds regenerates testdata/fuzz when GOVSWITCHD_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GOVSWITCHD_WRITE_SEEDS") == "" {
		t.Skip("set GOVSWITCHD_WRITE_SEEDS=1 to regenerate fuzz seeds")
	}
	n := 0
	for _, c := range actionCases {
		l, err := Parse(c.text)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := mf.Parse(c.match)
		_ = Check(l, &m, version15)
		for vi, v := range []uint8{version10, version13, version15} {
			if b, err := AppendActions(nil, l, v); err == nil {
				write(t, "FuzzDecodeActions", n, fmt.Sprintf("[]byte(%q)\nbyte(%d)\n", b, vi))
			}
			if v != version10 {
				if b, err := AppendInstructions(nil, l, v); err == nil {
					write(t, "FuzzDecodeInstructions", n, fmt.Sprintf("[]byte(%q)\nbyte(%d)\n", b, vi-1))
				}
			}
			n++
		}
	}
}

func write(t *testing.T, fuzz string, n int, body string) {
	dir := filepath.Join("testdata", "fuzz", fuzz)
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%03d", n)), []byte("go test fuzz v1\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
}
