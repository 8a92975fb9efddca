// Package vlog is OVS-style logging on top of logrus: named modules, three
// destinations (console, syslog, file) with a level each, OVS's line format,
// and the -v / vlog/set spec syntax. It imports only unixctl from this module.
package vlog

// Module is one named log source, like OVS's VLOG_DEFINE_THIS_MODULE.
// (CONTRACT STUB: implementation in progress.)
type Module struct{ name string }

// New registers (or returns the existing) module with this name.
func New(name string) *Module { return &Module{name: name} }

func (m *Module) Emer(format string, args ...any) {}
func (m *Module) Err(format string, args ...any)  {}
func (m *Module) Warn(format string, args ...any) {}
func (m *Module) Info(format string, args ...any) {}
func (m *Module) Dbg(format string, args ...any)  {}
