package vlog

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestPatternFormat(t *testing.T) {
	reset(t)
	when := time.Date(2026, 11, 24, 5, 13, 12, 345_678_000, time.UTC)
	rec := &record{module: "bridge", level: LevelInfo, seq: 1, msg: "hello\n\n", time: when}
	host, _ := os.Hostname()
	tests := []struct{ pattern, want string }{
		{defaultPatterns[DestFile], "2026-11-24T05:13:12.345Z|00001|bridge|INFO|hello"},
		{defaultPatterns[DestConsole], "2026-11-24T05:13:12Z|00001|bridge|INFO|hello"},
		{defaultPatterns[DestSyslog], "ovs|00001|bridge|INFO|hello"},
		{"%D", "2026-11-24 05:13:12.345"},
		{"%D{%S.######}|%D{##}", "12.345000|34"},
		{"%D{%h %e %T %a %b %j %y %F %R %p %I %%}", "Nov 24 05:13:12 Tue Nov 328 26 2026-11-24 05:13 AM 05 %"},
		{"%D{%Q}", "%Q"},
		{"[%-10c][%10p][%-3N][%03N]", "[bridge    ][      INFO][1  ][001]"},
		{"%2c|%c{ignored}x", "bridge|bridgex"},
		{"%A %P %E %t%T %B", fmt.Sprintf("ovs-vswitchd %d %s main 133", os.Getpid(), host)},
		{"100%% %q %n", "100% q \n"},
		{"dangling %", "dangling "},
		{"%D{unterminated", "unterminated"},
		{"%99999999999c", ""}, // absurd widths are capped, not allocated
	}
	for _, tc := range tests {
		got := compilePattern(tc.pattern).format(rec)
		if tc.pattern == "%99999999999c" {
			if len(got) > 1<<17 {
				t.Errorf("%q: width not capped (%d bytes)", tc.pattern, len(got))
			}
			continue
		}
		if got != tc.want {
			t.Errorf("pattern %q:\n got %q\nwant %q", tc.pattern, got, tc.want)
		}
	}
	// %d is local time.
	local := when.Local()
	if got, want := compilePattern("%d{%H:%M}").format(rec), local.Format("15:04"); got != want {
		t.Errorf("%%d = %q, want %q", got, want)
	}
}

func TestSyslogSeverityInB(t *testing.T) {
	reset(t)
	rec := &record{module: "m", level: LevelErr, time: time.Now()}
	if got := compilePattern("%B").format(rec); got != "131" { // local0 + err
		t.Errorf("%%B = %q, want 131", got)
	}
	if err := SetSpec("FACILITY:daemon"); err != nil {
		t.Fatal(err)
	}
	if got := compilePattern("%B").format(rec); got != "27" {
		t.Errorf("%%B with daemon facility = %q, want 27", got)
	}
}
