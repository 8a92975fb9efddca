package main

import (
	"testing"

	"github.com/govswitchd/govswitchd/dpif"
)

func TestEnableDummyOption(t *testing.T) {
	for _, c := range []struct {
		args  []string
		level dpif.DummyLevel
		err   bool
	}{
		{nil, dpif.DummyOff, false},
		{[]string{"--enable-dummy"}, dpif.DummyAdd, false},
		{[]string{"--enable-dummy="}, dpif.DummyAdd, false},
		{[]string{"--enable-dummy=system"}, dpif.DummySystem, false},
		{[]string{"--enable-dummy=override"}, dpif.DummyOverride, false},
		{[]string{"--enable-dummy=bogus"}, dpif.DummyOff, true},
	} {
		o, err := parseOptions(c.args, "/run", "/log")
		if err != nil {
			t.Fatalf("parseOptions(%q): %v", c.args, err)
		}
		level, err := dummyLevel(o)
		if level != c.level || (err != nil) != c.err {
			t.Errorf("%q: level %v, error %v; want %v, error %v", c.args, level, err, c.level, c.err)
		}
	}
}
