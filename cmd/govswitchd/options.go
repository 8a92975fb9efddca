package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/govswitchd/govswitchd/daemon"
	"github.com/govswitchd/govswitchd/ofproto"
)

// options is the parsed command line.
type options struct {
	database string   // OVSDB remote
	pidfile  string   // absolute; "" without --pidfile
	logFile  string   // absolute; "" without --log-file
	unixctl  string   // absolute; "" for the default RUNDIR/ovs-vswitchd.PID.ctl
	verbose  []string // -v/--verbose specs in order; "" is a bare -v
	detach   bool
	noChdir  bool
	monitor  bool
	mlockall bool
	help     bool
	version  bool
	ssl      ofproto.SSLConfig // PKI options; the database's SSL row overrides
	dummy    *string           // --enable-dummy's argument ("" if none); nil without it
}

// Names of the files ovs-appctl, ovs-vsctl and ovs-ctl expect by default.
const (
	programFileName = "ovs-vswitchd"
	defaultDBSocket = "db.sock"
)

type argKind int

const (
	noArg argKind = iota
	optionalArg
	requiredArg
)

// longOption is one entry of the getopt_long table.
type longOption struct {
	name  string
	short byte // 0 if none
	kind  argKind
	set   func(o *options, arg string, given bool)
}

var longOptions = []longOption{
	{"help", 'h', noArg, func(o *options, _ string, _ bool) { o.help = true }},
	{"version", 'V', noArg, func(o *options, _ string, _ bool) { o.version = true }},
	{"detach", 0, noArg, func(o *options, _ string, _ bool) { o.detach = true }},
	{"monitor", 0, noArg, func(o *options, _ string, _ bool) { o.monitor = true }},
	{"no-chdir", 0, noArg, func(o *options, _ string, _ bool) { o.noChdir = true }},
	{"mlockall", 0, noArg, func(o *options, _ string, _ bool) { o.mlockall = true }},
	{"pidfile", 0, optionalArg, func(o *options, arg string, given bool) {
		o.pidfile = orDefault(arg, given, programFileName+".pid")
	}},
	{"log-file", 0, optionalArg, func(o *options, arg string, given bool) {
		o.logFile = orDefault(arg, given, programFileName+".log")
	}},
	{"unixctl", 0, requiredArg, func(o *options, arg string, _ bool) { o.unixctl = arg }},
	{"verbose", 'v', optionalArg, func(o *options, arg string, _ bool) { o.verbose = append(o.verbose, arg) }},
	// PKI options, as OVS's stream-ssl names them. --ca-cert and
	// --bootstrap-ca-cert set the same file; the last one given wins.
	{"private-key", 'p', requiredArg, func(o *options, arg string, _ bool) { o.ssl.PrivateKey = arg }},
	{"certificate", 'c', requiredArg, func(o *options, arg string, _ bool) { o.ssl.Certificate = arg }},
	{"ca-cert", 'C', requiredArg, func(o *options, arg string, _ bool) {
		o.ssl.CACert, o.ssl.BootstrapCACert = arg, false
	}},
	{"bootstrap-ca-cert", 0, requiredArg, func(o *options, arg string, _ bool) {
		o.ssl.CACert, o.ssl.BootstrapCACert = arg, true
	}},
	{"peer-ca-cert", 0, requiredArg, func(o *options, arg string, _ bool) { o.ssl.PeerCACert = arg }},
	{"ssl-protocols", 0, requiredArg, func(o *options, arg string, _ bool) { o.ssl.Protocols = arg }},
	{"ssl-ciphers", 0, requiredArg, func(o *options, arg string, _ bool) { o.ssl.Ciphers = arg }},
	{"enable-dummy", 0, optionalArg, func(o *options, arg string, _ bool) { o.dummy = &arg }},
}

func orDefault(arg string, given bool, def string) string {
	if given {
		return arg
	}
	return def
}

// parseOptions parses args (without the program name) with getopt_long's
// rules as OVS uses them: options and operands may mix, "--" ends options,
// long options take "=ARG" (a required argument may also be the next word),
// "-vSPEC" takes its optional argument attached. Relative file names are
// resolved as OVS does: pidfile and control socket against runDir, log file
// against logDir.
func parseOptions(args []string, runDir, logDir string) (*options, error) {
	o := &options{}
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, arg, given := strings.Cut(a[2:], "=")
			opt := findLong(name)
			if opt == nil {
				return nil, fmt.Errorf("unrecognized option '--%s'", name)
			}
			switch {
			case opt.kind == noArg && given:
				return nil, fmt.Errorf("option '--%s' doesn't allow an argument", name)
			case opt.kind == requiredArg && !given:
				if i+1 >= len(args) {
					return nil, fmt.Errorf("option '--%s' requires an argument", name)
				}
				i++
				arg, given = args[i], true
			}
			opt.set(o, arg, given)
		case len(a) > 1 && a[0] == '-':
			next := func() (string, bool) {
				if i+1 >= len(args) {
					return "", false
				}
				i++
				return args[i], true
			}
			if err := parseShort(o, a[1:], next); err != nil {
				return nil, err
			}
		default:
			operands = append(operands, a)
		}
	}
	switch len(operands) {
	case 0:
		o.database = "unix:" + filepath.Join(runDir, defaultDBSocket)
	case 1:
		o.database = absUnixRemote(operands[0])
	default:
		return nil, fmt.Errorf("at most one non-option argument accepted; use --help for usage")
	}
	if o.pidfile != "" {
		o.pidfile = daemon.AbsPath(runDir, o.pidfile)
	}
	if o.logFile != "" {
		o.logFile = daemon.AbsPath(logDir, o.logFile)
	}
	if o.unixctl != "" {
		o.unixctl = daemon.AbsPath(runDir, o.unixctl)
	}
	absPKIFiles(&o.ssl)
	return o, nil
}

// parseShort handles a cluster of short options such as "hV", "vdbg" or
// "-pFILE"; next takes the following word for a required argument given
// separately ("-p FILE").
func parseShort(o *options, cluster string, next func() (string, bool)) error {
	for j := 0; j < len(cluster); j++ {
		opt := findShort(cluster[j])
		if opt == nil {
			return fmt.Errorf("invalid option -- '%c'", cluster[j])
		}
		switch {
		case opt.kind == optionalArg:
			// -v takes its argument only attached.
			opt.set(o, cluster[j+1:], j+1 < len(cluster))
			return nil
		case opt.kind == requiredArg && j+1 < len(cluster):
			opt.set(o, cluster[j+1:], true)
			return nil
		case opt.kind == requiredArg:
			arg, ok := next()
			if !ok {
				return fmt.Errorf("option requires an argument -- '%c'", cluster[j])
			}
			opt.set(o, arg, true)
			return nil
		}
		opt.set(o, "", false)
	}
	return nil
}

func findLong(name string) *longOption {
	for i := range longOptions {
		if longOptions[i].name == name {
			return &longOptions[i]
		}
	}
	return nil
}

func findShort(c byte) *longOption {
	for i := range longOptions {
		if longOptions[i].short == c {
			return &longOptions[i]
		}
	}
	return nil
}

// absPKIFiles makes the PKI file names absolute against the starting
// directory: OVS reads them while parsing options, we read them at the
// first SSL connection, after --detach may have changed to "/".
func absPKIFiles(c *ofproto.SSLConfig) {
	for _, f := range []*string{&c.PrivateKey, &c.Certificate, &c.CACert, &c.PeerCACert} {
		if *f == "" || *f == "none" || filepath.IsAbs(*f) {
			continue
		}
		if abs, err := filepath.Abs(*f); err == nil {
			*f = abs
		}
	}
}

// absUnixRemote makes a relative "unix:" socket name absolute, so that
// reconnecting still works after a detached daemon has changed to "/".
func absUnixRemote(remote string) string {
	path, ok := strings.CutPrefix(remote, "unix:")
	if !ok || path == "" || filepath.IsAbs(path) {
		return remote
	}
	if abs, err := filepath.Abs(path); err == nil {
		return "unix:" + abs
	}
	return remote
}
