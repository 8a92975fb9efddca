// Package daemon turns the switch process into an OVS-style daemon: OVS's
// directory defaults, the fcntl-locked pidfile that ovs-appctl checks,
// --detach (re-exec with setsid and a readiness pipe, since Go cannot fork)
// and --monitor (a supervisor that restarts a crashed daemon).
// It imports only vlog from this module, never bridge, unixctl or cmd.
package daemon
