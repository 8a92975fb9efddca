package offload

import (
	"errors"
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Commander is implemented by providers with ovs-appctl commands of their
// own; Manager.Commands includes them.
type Commander interface {
	Commands() []conntrack.Command
}

// Commands lists the Manager's ovs-appctl commands, plus the provider's.
func (m *Manager) Commands() []conntrack.Command {
	cmds := []conntrack.Command{
		{Name: "ct-offload/show", Usage: "", MinArgs: 0, MaxArgs: 0, Run: m.Show},
		{Name: "dpctl/offload-stats-show", Usage: "[dp]", MinArgs: 0, MaxArgs: 1, Run: m.OffloadStatsShow},
	}
	if c, ok := m.p.(Commander); ok {
		cmds = append(cmds, c.Commands()...)
	}
	return cmds
}

// formatConn renders a connection's tuples as dump-conntrack does.
func formatConn(orig, reply conntrack.Key) string {
	e := conntrack.Entry{Orig: orig, Reply: reply, Zone: orig.Zone}
	return e.Format(false, false)
}

// Show implements ct-offload/show: the provider, the counters and every
// offloaded connection by id.
func (m *Manager) Show(args []string) (string, error) {
	if len(args) != 0 {
		return "", errors.New("ct-offload/show takes no arguments\n")
	}
	s := m.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "ct-offload provider: %s\n", m.name)
	fmt.Fprintf(&b, "  offloaded connections: %d\n", s.Offloaded)
	fmt.Fprintf(&b, "  added: %d\n  refused: %d\n  removed: %d\n  errors: %d\n", s.Added, s.Refused, s.Removed, s.Errors)
	fmt.Fprintf(&b, "  dropped (queue full): %d\n  batches: %d\n", s.Dropped, s.Batches)
	b.WriteString("Offloaded connections:\n")
	conns := m.Connections()
	if len(conns) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, c := range conns {
		fmt.Fprintf(&b, "  %d: %s", c.ID, formatConn(c.Orig, c.Reply))
		if c.Established {
			b.WriteString(",established")
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// OffloadStatsShow implements dpctl/offload-stats-show [dp] for connection
// tracking, in the layout OVS uses for its flow offload counters.
func (m *Manager) OffloadStatsShow(args []string) (string, error) {
	if len(args) == 1 && args[0] != conntrack.DatapathName {
		return "", errors.New(conntrack.ProgramName + ": datapath not found (Invalid argument)\n")
	}
	s := m.Stats()
	var b strings.Builder
	b.WriteString("HW Offload stats:\n")
	for _, l := range []struct {
		name string
		v    uint64
	}{
		{"CT Offloaded connections", s.Offloaded},
		{"CT Added connections", s.Added},
		{"CT Refused connections", s.Refused},
		{"CT Removed connections", s.Removed},
		{"CT Offload errors", s.Errors},
	} {
		fmt.Fprintf(&b, "   %33s: %6d\n", l.name, l.v)
	}
	return b.String(), nil
}
