package conntrack

import "github.com/govswitchd/govswitchd/coverage"

// fullRefused counts commits refused because the tracker held maxconns
// connections, under OVS's coverage name: the packet goes on as new and
// untracked, established connections are unaffected.
var fullRefused = coverage.New("conntrack_full")
