package daemon

import (
	"os"
	"path/filepath"
)

// Debian's compile-time defaults, used when the environment says nothing.
const (
	DefaultRunDir = "/var/run/openvswitch"
	DefaultLogDir = "/var/log/openvswitch"
)

// RunDir is where sockets and pidfiles live: $OVS_RUNDIR, an empty value
// counting as unset, as in every OVS tool.
func RunDir() string { return envDir("OVS_RUNDIR", DefaultRunDir) }

// LogDir is where log files live: $OVS_LOGDIR or the Debian default.
func LogDir() string { return envDir("OVS_LOGDIR", DefaultLogDir) }

func envDir(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// AbsPath resolves name the way OVS's abs_file_name does: an absolute name is
// kept, a relative one is taken relative to dir (not to the working
// directory, which a detached daemon leaves for "/").
func AbsPath(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}
