package maclearn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/unixctl"
)

// Bridge is what the fdb/* commands need from one bridge.
type Bridge struct {
	Name  string
	Table *Table
	// PortByName resolves an OpenFlow port name for fdb/add.
	PortByName func(name string) (Port, bool)
}

// LookupFunc finds a bridge by name.
type LookupFunc func(name string) (*Bridge, bool)

// ListFunc lists every bridge, for the commands whose bridge is optional.
type ListFunc func() []*Bridge

// Registrar is the part of *unixctl.Server the commands register into.
type Registrar interface {
	Register(name, usage string, minArgs, maxArgs int, h unixctl.Handler)
}

// Error texts of OVS 3.1's fdb/* commands.
var (
	errNoSuchBridge = errors.New("no such bridge")
	errBadMAC       = errors.New("bad MAC address")
	errNoPort       = errors.New("software error, odp port is present but no ofp port")
	// OVS ends this one with a newline of its own; keep the bytes.
	errNoStatic = errors.New("could not find static mac entry\n")
)

// RegisterCommands registers fdb/add, fdb/del, fdb/flush, fdb/show,
// fdb/stats-clear and fdb/stats-show with OVS's usage strings.
func RegisterCommands(r Registrar, lookup LookupFunc, list ListFunc) {
	r.Register("fdb/add", "bridge port vlan mac", 4, 4, AddCommand(lookup))
	r.Register("fdb/del", "bridge vlan mac", 3, 3, DelCommand(lookup))
	r.Register("fdb/flush", "[bridge]", 0, 1, FlushCommand(lookup, list))
	r.Register("fdb/show", "bridge", 1, 1, ShowCommand(lookup))
	r.Register("fdb/stats-clear", "[bridge]", 0, 1, StatsClearCommand(lookup, list))
	r.Register("fdb/stats-show", "bridge", 1, 1, StatsShowCommand(lookup))
}

func find(lookup LookupFunc, args []string) (*Bridge, error) {
	if len(args) < 1 {
		return nil, errNoSuchBridge
	}
	br, ok := lookup(args[0])
	if !ok || br == nil || br.Table == nil {
		return nil, errNoSuchBridge
	}
	return br, nil
}

// ShowCommand is fdb/show BRIDGE.
func ShowCommand(lookup LookupFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		br, err := find(lookup, args)
		if err != nil {
			return "", err
		}
		return FormatEntries(br.Table.Entries()), nil
	}
}

// FormatEntries renders entries as fdb/show does.
func FormatEntries(entries []Entry) string {
	var b strings.Builder
	b.WriteString(" port  VLAN  MAC                Age\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "%5s  %4d  %s  ", e.Port, e.VLAN, e.MAC)
		if e.Static {
			b.WriteString("static\n")
		} else {
			fmt.Fprintf(&b, "%3d\n", e.Age)
		}
	}
	return b.String()
}

// StatsShowCommand is fdb/stats-show BRIDGE.
func StatsShowCommand(lookup LookupFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		br, err := find(lookup, args)
		if err != nil {
			return "", err
		}
		return FormatStats(args[0], br.Table.Stats()), nil
	}
}

// FormatStats renders s as fdb/stats-show does for bridge name.
func FormatStats(name string, s Stats) string {
	return fmt.Sprintf("Statistics for bridge \"%s\":\n"+
		"  Current/maximum MAC entries in the table: %d/%d\n"+
		"  Current static MAC entries in the table : %d\n"+
		"  Total number of learned MAC entries     : %d\n"+
		"  Total number of expired MAC entries     : %d\n"+
		"  Total number of evicted MAC entries     : %d\n"+
		"  Total number of port moved MAC entries  : %d\n",
		name, s.Entries, s.MaxEntries, s.StaticEntries,
		s.Learned, s.Expired, s.Evicted, s.Moved)
}

// forEach runs fn on the named bridge, or on every bridge without a name.
func forEach(lookup LookupFunc, list ListFunc, args []string, fn func(*Table)) error {
	if len(args) > 0 {
		br, err := find(lookup, args)
		if err != nil {
			return err
		}
		fn(br.Table)
		return nil
	}
	if list != nil {
		for _, br := range list() {
			if br != nil && br.Table != nil {
				fn(br.Table)
			}
		}
	}
	return nil
}

// FlushCommand is fdb/flush [BRIDGE]: dynamic entries go, static stay.
func FlushCommand(lookup LookupFunc, list ListFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		if err := forEach(lookup, list, args, (*Table).Flush); err != nil {
			return "", err
		}
		return "table successfully flushed", nil
	}
}

// StatsClearCommand is fdb/stats-clear [BRIDGE].
func StatsClearCommand(lookup LookupFunc, list ListFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		if err := forEach(lookup, list, args, (*Table).ClearStats); err != nil {
			return "", err
		}
		return "statistics successfully cleared", nil
	}
}

// AddCommand is fdb/add BRIDGE PORT VLAN MAC. Like OVS it reads VLAN as C's
// atoi into 16 bits, so "abc" is 0 and "-1" is 65535.
func AddCommand(lookup LookupFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		br, err := find(lookup, args)
		if err != nil {
			return "", err
		}
		if len(args) != 4 {
			return "", fmt.Errorf("\"fdb/add\" command requires 4 arguments")
		}
		mac, err := ParseMAC(args[3])
		if err != nil {
			return "", errBadMAC
		}
		var port Port
		ok := false
		if br.PortByName != nil {
			port, ok = br.PortByName(args[1])
		}
		if !ok {
			return "", errNoPort
		}
		old, existed := br.Table.AddStatic(mac, atoi16(args[2]), port)
		if existed && (old.Port != port || !old.Static) {
			kind := "dynamic"
			if old.Static {
				kind = "static"
			}
			return fmt.Sprintf("Overriding already existing %s entry on %s\n", kind, old.Port), nil
		}
		return "", nil
	}
}

// DelCommand is fdb/del BRIDGE VLAN MAC; only static entries can go.
func DelCommand(lookup LookupFunc) unixctl.Handler {
	return func(args []string) (string, error) {
		br, err := find(lookup, args)
		if err != nil {
			return "", err
		}
		if len(args) != 3 {
			return "", fmt.Errorf("\"fdb/del\" command requires 3 arguments")
		}
		mac, err := ParseMAC(args[2])
		if err != nil {
			return "", errBadMAC
		}
		if !br.Table.DelStatic(mac, atoi16(args[1])) {
			return "", errNoStatic
		}
		return "", nil
	}
}

// atoi16 mimics (uint16_t) atoi(s): leading blanks, a sign, digits up to
// the first non-digit, no error for garbage.
func atoi16(s string) uint16 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = (n*10 + int64(s[i]-'0')) & 0xffffffff // wraps like a 32-bit int
	}
	if neg {
		n = -n
	}
	return uint16(n)
}
