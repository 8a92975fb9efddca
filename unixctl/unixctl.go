// Package unixctl is the ovs-appctl control channel: a JSON-RPC server on a
// Unix socket and a registry of commands that other packages register into.
// It imports nothing from this module but vlog-free standard library code.
package unixctl

// Handler runs one command. A nil error makes a success reply carrying the
// returned text; a non-nil error makes an error reply carrying err.Error().
// The server appends the trailing newline OVS adds to non-empty texts.
type Handler func(args []string) (string, error)

// Server listens on one Unix socket and dispatches requests to registered
// commands. (CONTRACT STUB: implementation in progress.)
type Server struct{}

// Listen creates the socket at path (removing a stale one) and returns a
// server that already answers list-commands and version (the version text is
// the reply of the "version" command, without trailing newline).
func Listen(path, version string) (*Server, error) { panic("unimplemented") }

// Register adds a command. usage "" hides it from list-commands, as in OVS.
// minArgs/maxArgs bound len(args); maxArgs < 0 means unbounded.
func (s *Server) Register(name, usage string, minArgs, maxArgs int, h Handler) {}

// Serve accepts connections until Close; it returns nil after Close.
func (s *Server) Serve() error { return nil }

// Path is the socket path.
func (s *Server) Path() string { return "" }

// Close stops accepting, lets replies in flight finish, and removes the socket.
func (s *Server) Close() error { return nil }
