package xdp

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Commands implements offload.Commander: ct-offload/xdp-show.
func (p *Provider) Commands() []conntrack.Command {
	return []conntrack.Command{{Name: "ct-offload/xdp-show", Usage: "", MinArgs: 0, MaxArgs: 0, Run: p.Show}}
}

// Counters are the provider's own statistics.
type Counters struct {
	Kernel, Pending, Software int    // connections by state
	Entries                   int    // map entries held
	Installed, Removed        uint64 // map entries written and removed
	Failures                  uint64 // connections left in software after retrying
	Pulls                     uint64 // connections pulled out by datapath changes
}

// Stats returns the provider's counters.
func (p *Provider) Stats() Counters {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := Counters{Installed: p.stats.installed, Removed: p.stats.removed, Failures: p.stats.failures, Pulls: p.stats.pulls}
	for _, xc := range p.conns {
		switch xc.state {
		case stateKernel:
			c.Kernel++
		case statePending:
			c.Pending++
		default:
			c.Software++
		}
		c.Entries += len(xc.entries)
	}
	return c
}

// Show implements ct-offload/xdp-show: the fast path's counters, the
// provider's, and each connection's state and entries with what they
// counted since their last read.
func (p *Provider) Show(args []string) (string, error) {
	if len(args) != 0 {
		return "", errors.New("ct-offload/xdp-show takes no arguments\n")
	}
	if p.maps == nil {
		return "", errUnconnected
	}
	var b strings.Builder
	xs, err := p.maps.ReadStats()
	if err != nil {
		return "", fmt.Errorf("%v\n", err)
	}
	c := p.Stats()
	b.WriteString("XDP conntrack offload:\n")
	fmt.Fprintf(&b, "  fast path: forwarded=%d missed=%d tcp_control=%d unparsed=%d l2_mismatch=%d no_port=%d\n",
		xs.Hit, xs.Miss, xs.TCPControl, xs.Unparsed, xs.L2Mismatch, xs.NoPort)
	fmt.Fprintf(&b, "  connections: kernel=%d pending=%d software=%d\n", c.Kernel, c.Pending, c.Software)
	fmt.Fprintf(&b, "  entries: %d (installed %d, removed %d)\n", c.Entries, c.Installed, c.Removed)
	fmt.Fprintf(&b, "  left in software: %d\n  pulled by datapath changes: %d\n", c.Failures, c.Pulls)
	b.WriteString("Connections:\n")
	p.mu.Lock()
	conns := make([]*xconn, 0, len(p.conns))
	for _, xc := range p.conns {
		conns = append(conns, xc)
	}
	slices.SortFunc(conns, func(a, b *xconn) int { return cmp.Compare(a.ctx.ID, b.ctx.ID) })
	if len(conns) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, xc := range conns {
		fmt.Fprintf(&b, "  %d: %s", xc.ctx.ID, xc.state)
		if xc.state != stateKernel && xc.reason != "" {
			fmt.Fprintf(&b, " (%s)", xc.reason)
		}
		b.WriteByte('\n')
		for _, e := range xc.entries {
			fmt.Fprintf(&b, "    %s: in_port=%d out_port=%d packets=%d bytes=%d\n",
				dirName(e.reply), e.path.InPort, e.path.OutPort, e.seen.Packets, e.seen.Bytes)
		}
	}
	p.mu.Unlock()
	return b.String(), nil
}

func dirName(reply bool) string {
	if reply {
		return "reply"
	}
	return "orig"
}
