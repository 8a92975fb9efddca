// Package tests holds the end-to-end tests: they build govswitchd, run it
// in its own network namespace against a real ovsdb-server, and drive it
// with the unmodified Open vSwitch tools (ovs-vsctl, ovs-appctl). Only the
// test files matter; nothing imports this package.
package tests
