package tests

import (
	"testing"
)

// TestTableFeatures compares ovs-ofctl dump-table-features (every
// property of all 254 visible tables, which ovs-ofctl prints compressed)
// with what the real ovs-vswitchd answers:
//
//	go test ./tests -run TestTableFeatures -real-ovs -update   # record
//	go test ./tests -run TestTableFeatures                     # compare govswitchd
func TestTableFeatures(t *testing.T) {
	t.Parallel()
	e := newOfctlSwitch(t)
	var got string
	for _, proto := range []string{"OpenFlow13", "OpenFlow14", "OpenFlow15"} {
		r := e.run("ovs-ofctl", "-O", proto, "dump-table-features", ofctlBridge)
		got += "### ovs-ofctl -O " + proto + " dump-table-features br0\n" + normalizeOfctl(r.String(), plainOutput)
	}
	e.golden("tablefeatures/dump-table-features.txt", got)
}
