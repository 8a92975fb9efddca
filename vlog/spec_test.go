package vlog

import (
	"testing"
)

// levels is a module's (console, syslog, file) levels.
type levels [3]Level

func levelsOf(name string) levels {
	m := lookup(name)
	return levels{m.Level(DestConsole), m.Level(DestSyslog), m.Level(DestFile)}
}

func TestSetSpec(t *testing.T) {
	const (
		O = LevelOff
		M = LevelEmer
		E = LevelErr
		W = LevelWarn
		I = LevelInfo
		D = LevelDbg
	)
	tests := []struct {
		spec    string
		wantErr string
		bridge  levels // console, syslog, file of "bridge" afterwards
		vlog    levels // and of "vlog", an unnamed other module
	}{
		{spec: "", bridge: levels{D, D, D}, vlog: levels{D, D, D}},
		{spec: "ANY", bridge: levels{D, D, D}, vlog: levels{D, D, D}},
		{spec: "ANY:ANY:ANY", bridge: levels{D, D, D}, vlog: levels{D, D, D}},
		{spec: "bridge", bridge: levels{D, D, D}, vlog: levels{I, I, I}},
		{spec: "bridge:file", bridge: levels{I, I, D}, vlog: levels{I, I, I}},
		{spec: "bridge:file:warn", bridge: levels{I, I, W}, vlog: levels{I, I, I}},
		{spec: "warn:file:bridge", bridge: levels{I, I, W}, vlog: levels{I, I, I}},
		{spec: "BRIDGE:FILE:WARN", bridge: levels{I, I, W}, vlog: levels{I, I, I}},
		{spec: "bridge file,warn", bridge: levels{I, I, W}, vlog: levels{I, I, I}},
		{spec: "\tbridge::emer:", bridge: levels{M, M, M}, vlog: levels{I, I, I}},
		{spec: "console:off", bridge: levels{O, I, I}, vlog: levels{O, I, I}},
		{spec: "syslog:err", bridge: levels{I, E, I}, vlog: levels{I, E, I}},
		{spec: "ANY:syslog:err", bridge: levels{I, E, I}, vlog: levels{I, E, I}},
		{spec: "bridge:ANY:err", bridge: levels{E, E, E}, vlog: levels{I, I, I}},
		{spec: "off", bridge: levels{O, O, O}, vlog: levels{O, O, O}},
		{spec: "bogus", wantErr: `no destination, level, or module "bogus"`},
		{spec: "bridge:file:bogus", wantErr: `no destination, level, or module "bogus"`},
		{spec: "console:syslog", wantErr: "cannot specify multiple destinations"},
		{spec: "info:dbg", wantErr: "cannot specify multiple levels"},
		{spec: "bridge:vlog", wantErr: "cannot specify multiple modules"},
		{spec: "PATTERN", wantErr: "missing destination"},
		{spec: "PATTERN:foo:x", wantErr: `unknown destination "foo"`},
		{spec: "FACILITY:bad", wantErr: "invalid facility"},
		{spec: "FACILITY", wantErr: "invalid facility"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			reset(t)
			err := SetSpec(tc.spec)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("SetSpec(%q) = %v, want %q", tc.spec, err, tc.wantErr)
				}
				if got := levelsOf("bridge"); got != (levels{I, I, I}) {
					t.Fatalf("failed spec changed levels: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetSpec(%q) = %v", tc.spec, err)
			}
			if got := levelsOf("bridge"); got != tc.bridge {
				t.Errorf("bridge levels = %v, want %v", got, tc.bridge)
			}
			if got := levelsOf("vlog"); got != tc.vlog {
				t.Errorf("vlog levels = %v, want %v", got, tc.vlog)
			}
		})
	}
}

func TestSetSpecPatternAndFacility(t *testing.T) {
	reset(t)
	for _, tc := range []struct{ spec, console, file string }{
		{"PATTERN:console:%c|%p|%m", "%c|%p|%m", defaultPatterns[DestFile]},
		{"pattern:FILE:%m: with, delims", "%c|%p|%m", "%m: with, delims"},
		{"PATTERN:ANY:%m", "%m", "%m"},
		{"PATTERN:console:", "", "%m"},
	} {
		if err := SetSpec(tc.spec); err != nil {
			t.Fatalf("SetSpec(%q): %v", tc.spec, err)
		}
		if got := state.patterns[DestConsole].Load().text; got != tc.console {
			t.Errorf("%q: console pattern %q, want %q", tc.spec, got, tc.console)
		}
		if got := state.patterns[DestFile].Load().text; got != tc.file {
			t.Errorf("%q: file pattern %q, want %q", tc.spec, got, tc.file)
		}
	}
	if err := SetSpec("FACILITY:local7"); err != nil {
		t.Fatal(err)
	}
	if f := currentFacility(); f != 23<<3 {
		t.Fatalf("facility = %d", f)
	}
}

func TestNewModuleInheritsAllModuleLevels(t *testing.T) {
	reset(t)
	if err := SetSpec("console:off"); err != nil {
		t.Fatal(err)
	}
	m := New("test_late_module")
	if got := m.Level(DestConsole); got != LevelOff {
		t.Fatalf("late module console level = %v, want OFF", got)
	}
	if New("TEST_LATE_MODULE") != m {
		t.Fatal("New is not idempotent (case-insensitively) per name")
	}
}

func TestEnabledCountsFileOnlyWhenOpen(t *testing.T) {
	reset(t)
	m := New("bridge")
	if err := SetSpec("bridge:file:dbg"); err != nil {
		t.Fatal(err)
	}
	if m.Enabled(LevelDbg) {
		t.Fatal("DBG enabled with no log file open")
	}
	if err := SetLogFile(t.TempDir() + "/x.log"); err != nil {
		t.Fatal(err)
	}
	if !m.Enabled(LevelDbg) {
		t.Fatal("DBG disabled with log file open")
	}
	if !m.Enabled(LevelInfo) || m.Enabled(LevelOff+numLevels) {
		t.Fatal("Enabled boundaries wrong")
	}
}
