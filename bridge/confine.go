package bridge

import (
	"path/filepath"
	"strings"
)

// confineControllers drops the Controller targets that would let a
// database user make the daemon touch arbitrary unix sockets, as
// ovs-vswitchd does when self-confined (its default): an active "unix:"
// target given as a path must be in RUNDIR, and a "punix:" target must be
// named RUNDIR/<bridge>.<something>, since binding it replaces whatever
// stale socket is there.
func confineControllers(rundir, bridge string, targets []string) []string {
	out := make([]string, 0, len(targets))
	for _, t := range targets {
		if why := confinement(rundir, bridge, t); why != "" {
			log.Err("bridge %s: %s", bridge, why)
			continue
		}
		out = append(out, t)
	}
	return out
}

// confinement says why target is refused, or "" if it is allowed.
func confinement(rundir, bridge, target string) string {
	mgmt := "unix:" + filepath.Join(rundir, bridge+".mgmt")
	if path, ok := strings.CutPrefix(target, "unix:"); ok {
		if !strings.Contains(path, "/") || inDir(rundir, path) {
			return ""
		}
		return `Not connecting to socket controller "` + target + `" due to possibility for remote exploit.  Instead, specify socket in permitted directory "unix:` + rundir + `/" or connect to "` + mgmt + `" (which is always available without special configuration).`
	}
	if path, ok := strings.CutPrefix(target, "punix:"); ok {
		prefix := filepath.Join(rundir, bridge) + "."
		clean := filepath.Clean(path)
		if strings.HasPrefix(clean, prefix) && !strings.Contains(clean[len(prefix):], "/") {
			return ""
		}
		return `Not adding Unix domain socket controller "` + target + `" due to possibility of overwriting local files. Instead, specify path in permitted format "punix:` + prefix + `*" or connect to "` + mgmt + `" (which is always available without special configuration).`
	}
	return ""
}

// inDir reports whether path names a file directly or indirectly under dir
// once "." and ".." are resolved.
func inDir(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}
