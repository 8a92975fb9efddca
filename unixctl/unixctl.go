// Package unixctl is the ovs-appctl control channel: a JSON-RPC server on a
// Unix socket, a registry of commands that other packages register into, and
// a small client. It must not import other packages of this module (vlog,
// coverage and memory import it), so it logs through the Logger interface.
package unixctl

// Handler runs one command. A nil error makes a success reply carrying the
// returned text; a non-nil error makes an error reply carrying err.Error().
// The server appends the trailing newline OVS adds to non-empty texts.
type Handler func(args []string) (string, error)

// Hidden is a usage string that keeps a command out of list-commands, like a
// NULL usage in OVS. An empty usage is listed (with trailing spaces), as OVS
// lists the many commands registered with "".
const Hidden = "\x00hidden"

// Logger receives the server's diagnostics. *vlog.Module satisfies it.
type Logger interface {
	Warn(format string, args ...any)
	Dbg(format string, args ...any)
}

// nopLogger discards everything; it is the default Logger.
type nopLogger struct{}

func (nopLogger) Warn(string, ...any) {}
func (nopLogger) Dbg(string, ...any)  {}
