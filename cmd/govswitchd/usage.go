package main

import (
	"fmt"
	"io"
	"path/filepath"
)

// Version is govswitchd's release, settable at link time with
// -ldflags "-X main.Version=...".
var Version = "0.1.0"

// versionText is the first line of --version and the reply of
// "ovs-appctl version".
func versionText() string {
	return "govswitchd (Open vSwitch compatible) " + Version
}

// printUsage writes --help in the layout of ovs-vswitchd's.
func printUsage(w io.Writer, program, runDir, logDir string) {
	fmt.Fprintf(w, `%[1]s: Open vSwitch compatible switch daemon (userspace datapath)
usage: %[1]s [OPTIONS] [DATABASE]
where DATABASE is a socket on which ovsdb-server is listening
      (default: "unix:%[2]s").

Active DATABASE connection methods:
  tcp:HOST:PORT           PORT at remote HOST
  unix:FILE               Unix domain socket named FILE
PKI configuration (required to use SSL):
  -p, --private-key=FILE  file with private key
  -c, --certificate=FILE  file with certificate for private key
  -C, --ca-cert=FILE      file with peer CA certificate
  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create
  --peer-ca-cert=FILE     CA certificate to send to peers with our own
SSL options:
  --ssl-protocols=PROTOS  list of SSL protocols to enable
  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable

Daemon options:
  --detach                run in background as daemon
  --monitor               creates a process to monitor this daemon
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile (default: %[3]s)

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE
                           (default: %[4]s)

Other options:
  --unixctl=SOCKET          override default control socket name
  --mlockall                lock all present and future memory into RAM
  -h, --help                display this help message
  -V, --version             display version information
`, program,
		filepath.Join(runDir, defaultDBSocket),
		filepath.Join(runDir, programFileName+".pid"),
		filepath.Join(logDir, programFileName+".log"))
}
