package ofproto

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/govswitchd/govswitchd/ofp"
)

func TestSocketsReplaceStaleAndCleanUp(t *testing.T) {
	dir := t.TempDir()
	// A stale socket from an earlier run must be replaced.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: MgmtPath(dir, "br0"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()

	b, err := NewBridge("br0", dir, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{MgmtPath(dir, "br0"), SnoopPath(dir, "br0")} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm()&^0o750 != 0 {
			t.Errorf("%s: mode %v, want a socket with at most 0750", path, fi.Mode())
		}
	}
	// An open connection is dropped by Close.
	tc := dial(t, MgmtPath(dir, "br0"), ofp.Version10)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	tc.expectEOF()
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 0 {
		t.Errorf("files left after Close: %v", left)
	}
}

func TestNewBridgeRefusesBadNameAndLiveSocket(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewBridge("../x", dir, nil, Config{}); err == nil {
		t.Error("NewBridge accepted a name with a path separator")
	}
	b, err := NewBridge("br0", dir, nil, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := NewBridge("br0", dir, nil, Config{}); err == nil {
		t.Error("second NewBridge on a live socket succeeded")
	}
	// The failed attempt must not have removed the live bridge's sockets.
	if _, err := os.Stat(MgmtPath(dir, "br0")); err != nil {
		t.Error(err)
	}
}

func TestParseVersions(t *testing.T) {
	vb, err := ParseVersions([]string{"OpenFlow10", "OpenFlow13"})
	if err != nil || vb != 1<<ofp.Version10|1<<ofp.Version13 {
		t.Errorf("got %#x %v", vb, err)
	}
	if vb, _ := ParseVersions(nil); vb != DefaultVersions {
		t.Errorf("empty: %#x", vb)
	}
	if _, err := ParseVersions([]string{"OpenFlow99"}); err == nil {
		t.Error("accepted OpenFlow99")
	}
}
