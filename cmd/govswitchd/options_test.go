package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/govswitchd/govswitchd/ofproto"
)

func TestParseOptions(t *testing.T) {
	const run, logd = "/run/ovs", "/log/ovs"
	for _, c := range []struct {
		args string
		want options
	}{
		{"", options{database: "unix:/run/ovs/db.sock"}},
		{"unix:/x/db.sock --pidfile --detach --log-file", options{
			database: "unix:/x/db.sock", pidfile: "/run/ovs/ovs-vswitchd.pid",
			logFile: "/log/ovs/ovs-vswitchd.log", detach: true}},
		{"--pidfile=my.pid --log-file=/l/x.log --unixctl=ctl tcp:127.0.0.1:6640", options{
			database: "tcp:127.0.0.1:6640", pidfile: "/run/ovs/my.pid", logFile: "/l/x.log",
			unixctl: "/run/ovs/ctl"}},
		{"--unixctl /abs/sock --no-chdir --monitor --mlockall", options{
			database: "unix:/run/ovs/db.sock", unixctl: "/abs/sock", noChdir: true, monitor: true,
			mlockall: true}},
		{"-v -vconsole:off --verbose --verbose=file:dbg -vANY:syslog:warn", options{
			database: "unix:/run/ovs/db.sock",
			verbose:  []string{"", "console:off", "", "file:dbg", "ANY:syslog:warn"}}},
		{"-hV", options{database: "unix:/run/ovs/db.sock", help: true, version: true}},
		{"--version", options{database: "unix:/run/ovs/db.sock", version: true}},
		{"-- -notanoption", options{database: "-notanoption"}},
		{"-p /k.pem -c/c.pem -C /ca.pem --ssl-protocols=TLSv1.2 --ssl-ciphers HIGH", options{
			database: "unix:/run/ovs/db.sock",
			ssl: ofproto.SSLConfig{PrivateKey: "/k.pem", Certificate: "/c.pem", CACert: "/ca.pem",
				Protocols: "TLSv1.2", Ciphers: "HIGH"}}},
		{"--private-key=/k --certificate=/c --bootstrap-ca-cert=/ca --peer-ca-cert=/p", options{
			database: "unix:/run/ovs/db.sock",
			ssl: ofproto.SSLConfig{PrivateKey: "/k", Certificate: "/c", CACert: "/ca",
				BootstrapCACert: true, PeerCACert: "/p"}}},
		{"--bootstrap-ca-cert=/ca -C none", options{
			database: "unix:/run/ovs/db.sock", ssl: ofproto.SSLConfig{CACert: "none"}}},
	} {
		got, err := parseOptions(fields(c.args), run, logd)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.args, *got, c.want)
		}
	}
}

func TestParseOptionsRelativePKIFiles(t *testing.T) {
	t.Chdir("/tmp")
	got, err := parseOptions([]string{"--private-key=pki/k.pem", "-C", "none"}, "/run", "/log")
	if err != nil || got.ssl.PrivateKey != "/tmp/pki/k.pem" || got.ssl.CACert != "none" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestParseOptionsRelativeUnixRemote(t *testing.T) {
	t.Chdir("/tmp")
	got, err := parseOptions([]string{"unix:sub/db.sock"}, "/run", "/log")
	if err != nil || got.database != "unix:/tmp/sub/db.sock" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--bogus", "unrecognized option '--bogus'"},
		{"--bogus=1", "unrecognized option '--bogus'"},
		{"--detach=yes", "option '--detach' doesn't allow an argument"},
		{"--unixctl", "option '--unixctl' requires an argument"},
		{"-x", "invalid option -- 'x'"},
		{"-hx", "invalid option -- 'x'"},
		{"-p", "option requires an argument -- 'p'"},
		{"a b", "at most one non-option argument accepted; use --help for usage"},
	} {
		_, err := parseOptions(fields(c.args), "/run", "/log")
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestUsageMentionsDefaults(t *testing.T) {
	var b strings.Builder
	printUsage(&b, "govswitchd", "/r", "/l")
	lines := strings.Split(b.String(), "\n")
	for _, want := range []string{
		"usage: govswitchd [OPTIONS] [DATABASE]",
		`      (default: "unix:/r/db.sock").`,
		"  --pidfile[=FILE]        create pidfile (default: /r/ovs-vswitchd.pid)",
		"                           (default: /l/ovs-vswitchd.log)",
	} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("usage lacks line %q:\n%s", want, b.String())
		}
	}
}

func TestVersionText(t *testing.T) {
	if got, want := versionText(), "govswitchd (Open vSwitch compatible) "+Version; got != want {
		t.Errorf("versionText() = %q, want %q", got, want)
	}
}

func fields(s string) []string { return strings.Fields(s) }
