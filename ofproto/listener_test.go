package ofproto

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestBridgeSocketsGreetAndClose(t *testing.T) {
	dir := t.TempDir()
	// A stale socket from an earlier run must be replaced.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: MgmtPath(dir, "br0"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()

	b, err := NewBridge("br0", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	for i, path := range []string{MgmtPath(dir, "br0"), SnoopPath(dir, "br0")} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm()&^0o750 != 0 {
			t.Errorf("%s: mode %v, want a socket with at most 0750", path, fi.Mode())
		}
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := []byte{0x06, 0x00, 0x00, 0x08, 0, 0, 0, byte(i + 1)}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: got % x, want % x", path, got, want)
		}
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
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
	if _, err := NewBridge("../x", dir, nil); err == nil {
		t.Error("NewBridge accepted a name with a path separator")
	}
	b, err := NewBridge("br0", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := NewBridge("br0", dir, nil); err == nil {
		t.Error("second NewBridge on a live socket succeeded")
	}
	// The failed attempt must not have removed the live bridge's sockets.
	if _, err := os.Stat(MgmtPath(dir, "br0")); err != nil {
		t.Error(err)
	}
}
