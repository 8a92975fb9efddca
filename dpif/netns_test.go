package dpif

import (
	"encoding/json"
	"net"
	"os/exec"
	"runtime"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// enterPrivateNetns moves the test goroutine into a new network namespace
// for good. Its OS thread is never unlocked, so when the test ends Go
// discards the thread and the namespace, with every device made in it, goes
// too. Tests using it must not start sub-tests or do namespace work in other
// goroutines.
func enterPrivateNetns(t *testing.T) {
	t.Helper()
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Fatalf("unshare network namespace (tests need root): %v", err)
	}
}

// addVeth creates a veth pair, both ends down, with fixed MACs.
func addVeth(t *testing.T, name, peer, mac, peerMAC string) {
	t.Helper()
	v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name, HardwareAddr: mustMAC(t, mac)},
		PeerName: peer, PeerHardwareAddr: mustMAC(t, peerMAC)}
	if err := netlink.LinkAdd(v); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
}

// ipLink is what "ip -j -d -s link show" says about a device: the
// independent view the providers are checked against.
type ipLink struct {
	Ifindex     int      `json:"ifindex"`
	Flags       []string `json:"flags"`
	MTU         int      `json:"mtu"`
	Address     string   `json:"address"`
	Promiscuity int      `json:"promiscuity"`
	LinkInfo    struct {
		Kind string `json:"info_kind"`
		Data struct {
			Type    string `json:"type"`
			Persist bool   `json:"persist"`
		} `json:"info_data"`
	} `json:"linkinfo"`
	Stats struct {
		RX struct{ Packets, Bytes uint64 } `json:"rx"`
		TX struct{ Packets, Bytes uint64 } `json:"tx"`
	} `json:"stats64"`
}

// showLink runs ip in the test's namespace (the child inherits the locked
// thread's namespace); ok is false if the device does not exist.
func showLink(t *testing.T, name string) (l ipLink, ok bool) {
	t.Helper()
	out, err := exec.Command("ip", "-j", "-d", "-s", "link", "show", "dev", name).Output()
	if err != nil {
		return ipLink{}, false
	}
	var links []ipLink
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("parse ip output %q: %v", out, err)
	}
	return links[0], true
}

func (l ipLink) hasFlag(f string) bool {
	for _, x := range l.Flags {
		if x == f {
			return true
		}
	}
	return false
}

func mustMAC(t *testing.T, s string) []byte {
	t.Helper()
	m, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
