package dpif

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govswitchd/govswitchd/conntrack"
)

// Command is one unixctl command this package serves, shaped like
// conntrack.Command: Args are everything after the name; an error's text
// is the complete reply body.
type Command struct {
	Name             string
	Usage            string
	MinArgs, MaxArgs int
	Run              func(args []string) (string, error)
}

// Commands lists the flow-cache and poller commands bound to d.
func (d *Datapath) Commands() []Command {
	return []Command{
		{"dpctl/dump-flows", "[-m] [--names | --no-names] [dp] [filter=..] [type=..] [pmd=..]", 0, 6, d.DumpFlowsCommand},
		{"dpctl/del-flows", "[dp]", 0, 1, d.DelFlowsCommand},
		{"dpif-netdev/pmd-stats-show", "[-pmd core] [dp]", 0, 3, d.PMDStatsShow},
		{"dpif-netdev/pmd-stats-clear", "[-pmd core] [dp]", 0, 3, d.PMDStatsClear},
		{"dpif-netdev/pmd-rxq-show", "[-pmd core] [-secs secs] [dp]", 0, 5, d.PMDRxqShow},
	}
}

func dpctlErr(before, msg string) error {
	return errors.New(before + conntrack.ProgramName + ": " + msg + "\n")
}

// flowOpts are dump-flows' options.
type flowOpts struct {
	verbose bool
	names   int // -1 --no-names, 1 --names, 0 default
}

// parseDpctlArgs strips leading options and an optional dp name that must
// be this datapath's.
func (d *Datapath) parseDpctlArgs(args []string, o *flowOpts) ([]string, error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		args = args[1:]
		switch {
		case a == "--more":
			o.verbose = true
		case a == "--names":
			o.names = 1
		case a == "--no-names":
			o.names = -1
		case strings.HasPrefix(a, "--"):
			return nil, dpctlErr("", "Unrecognized option "+a+" (Invalid argument)")
		default:
			for _, c := range a[1:] {
				if c != 'm' {
					return nil, dpctlErr("", fmt.Sprintf("Unrecognized option -%c (Invalid argument)", c))
				}
				o.verbose = true
			}
		}
	}
	if len(args) > 0 && !strings.Contains(args[0], "=") {
		if args[0] != d.FullName() {
			return nil, dpctlErr("", "datapath not found (Invalid argument)")
		}
		args = args[1:]
	}
	return args, nil
}

// DumpFlowsCommand is dpctl/dump-flows.
func (d *Datapath) DumpFlowsCommand(args []string) (string, error) {
	var o flowOpts
	rest, err := d.parseDpctlArgs(args, &o)
	if err != nil {
		return "", err
	}
	for _, a := range rest {
		switch {
		case strings.HasPrefix(a, "type="), strings.HasPrefix(a, "pmd="):
		case strings.HasPrefix(a, "filter="):
			return "", dpctlErr("", "filter= is not supported (Operation not supported)")
		default:
			return "", dpctlErr("", "datapath not found (Invalid argument)")
		}
	}
	var names PortNames
	if o.names > 0 || o.verbose && o.names == 0 {
		names = PortNames{}
		for _, p := range d.Ports() {
			names[p.Number] = p.Port.Name()
		}
	}
	return d.DumpFlowsText(o.verbose, names, time.Now()), nil
}

// DumpFlowsText is the body of dpctl/dump-flows: the flows of the shared
// cache under "flow-dump from the main thread:", one per line, with used
// times relative to now; nothing at all when there are no flows.
func (d *Datapath) DumpFlowsText(verbose bool, names PortNames, now time.Time) string {
	var b strings.Builder
	flows := d.FlowDump()
	if len(flows) == 0 {
		return "" // OVS prints the header with the first flow only
	}
	b.WriteString("flow-dump from the main thread:\n")
	for _, df := range flows {
		b.WriteString(FlowLine(&df, verbose, names, now))
		b.WriteByte('\n')
	}
	return b.String()
}

// FlowLine prints one dumped flow as a dump-flows line.
func FlowLine(df *DumpedFlow, verbose bool, names PortNames, now time.Time) string {
	var b strings.Builder
	f := df.Flow
	if verbose {
		u := f.UFID
		fmt.Fprintf(&b, "ufid:%x-%x-%x-%x-%x, ", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	}
	b.WriteString(MegaflowKeyText(&df.Key, &f.Mask, verbose, names))
	s := df.Stats
	fmt.Fprintf(&b, ", packets:%d, bytes:%d, used:", s.Packets, s.Bytes)
	if s.Used.IsZero() {
		b.WriteString("never")
	} else {
		fmt.Fprintf(&b, "%.3fs", math.Max(0, now.Sub(s.Used).Seconds()))
	}
	if s.TCPFlags != 0 {
		b.WriteString(", flags:" + TCPFlagsText(s.TCPFlags))
	}
	if verbose {
		b.WriteString(", dp:ovs")
	}
	b.WriteString(", actions:" + ActionsText(df.Actions, names))
	if verbose {
		lo, hi := 0, 0
		for i, w := range f.Mask {
			if w != 0 && i < 11 {
				lo++
			} else if w != 0 {
				hi++
			}
		}
		fmt.Fprintf(&b, ", dp-extra-info:miniflow_bits(%d,%d)", lo, hi)
	}
	return b.String()
}

// DelFlowsCommand is dpctl/del-flows.
func (d *Datapath) DelFlowsCommand(args []string) (string, error) {
	var o flowOpts
	rest, err := d.parseDpctlArgs(args, &o)
	if err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", dpctlErr("", "datapath not found (Invalid argument)")
	}
	d.FlushFlows()
	return "", nil
}

// pmds returns the main-thread context and every poller, PMD-type
// pollers sorted by core id.
func (d *Datapath) pmds() (main []*pmd, threads []*pmd) {
	d.mu.Lock()
	defer d.mu.Unlock()
	main = []*pmd{d.main}
	for _, ps := range d.pollers {
		for _, p := range ps {
			if p.isPMD {
				threads = append(threads, p)
			} else {
				main = append(main, p)
			}
		}
	}
	slices.SortFunc(threads, func(a, b *pmd) int { return a.coreID - b.coreID })
	return main, threads
}

// parsePMDArgs parses "[-pmd core] [dp]" (and -secs for rxq-show) as OVS
// does: a core that is not a number filters nothing, a bad -secs means
// the maximum, and any other word names the datapath, which with one
// datapath per process is always this one. core is -1 without a filter.
func (d *Datapath) parsePMDArgs(args []string, secs bool) (core int) {
	core = -1
	for len(args) > 0 {
		if (args[0] == "-pmd" || secs && args[0] == "-secs") && len(args) > 1 {
			if n, e := strconv.ParseUint(args[1], 10, 31); e == nil && args[0] == "-pmd" {
				core = int(n)
			}
			args = args[2:]
			continue
		}
		args = args[1:]
	}
	return core
}

type pmdTotals struct {
	rx, recirc, emc, mf, ok, fail, sent, batches uint64
}

func (t *pmdTotals) add(p *pmd) {
	c := &p.ctr
	t.rx += c.rx.Load()
	t.recirc += c.recirc.Load()
	t.emc += c.emcHits.Load()
	t.mf += c.mfHits.Load()
	t.ok += c.upcallOK.Load()
	t.fail += c.upcallFail.Load()
	t.sent += c.sentPkts.Load()
	t.batches += c.sentBatches.Load()
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func writePMDStats(b *strings.Builder, t *pmdTotals) {
	passes := 0.0
	if t.rx > 0 {
		passes = float64(t.rx+t.recirc) / float64(t.rx)
	}
	lookups := 0.0
	if t.mf > 0 {
		lookups = 1 // one subtable probe per hit is all the classifier reports
	}
	fmt.Fprintf(b, "  packets received: %d\n  packet recirculations: %d\n  avg. datapath passes per packet: %.2f\n"+
		"  phwol hits: 0\n  mfex opt hits: 0\n  simple match hits: 0\n  emc hits: %d\n  smc hits: 0\n"+
		"  megaflow hits: %d\n  avg. subtable lookups per megaflow hit: %.2f\n  miss with success upcall: %d\n"+
		"  miss with failed upcall: %d\n  avg. packets per output batch: %.2f\n",
		t.rx, t.recirc, passes, t.emc, t.mf, lookups, t.ok, t.fail, ratio(t.sent, t.batches))
}

// PMDStatsShow is dpif-netdev/pmd-stats-show: one block per PMD-type
// poller ("pmd thread numa_id 0 core_id N:"), then the "main thread:"
// block adding up the main context and the pollers of other ports.
func (d *Datapath) PMDStatsShow(args []string) (string, error) {
	core := d.parsePMDArgs(args, false)
	main, threads := d.pmds()
	var b strings.Builder
	for _, p := range threads {
		if core >= 0 && p.coreID != core {
			continue
		}
		var t pmdTotals
		t.add(p)
		fmt.Fprintf(&b, "pmd thread numa_id 0 core_id %d:\n", p.coreID)
		writePMDStats(&b, &t)
	}
	if core < 0 {
		var t pmdTotals
		for _, p := range main {
			t.add(p)
		}
		b.WriteString("main thread:\n")
		writePMDStats(&b, &t)
	}
	return b.String(), nil
}

// PMDStatsClear is dpif-netdev/pmd-stats-clear.
func (d *Datapath) PMDStatsClear(args []string) (string, error) {
	core := d.parsePMDArgs(args, false)
	main, threads := d.pmds()
	for _, p := range append(main, threads...) {
		if core < 0 || p.isPMD && p.coreID == core {
			p.ctr.clear()
		}
	}
	return "", nil
}

// PMDRxqShow is dpif-netdev/pmd-rxq-show: the queues each PMD-type poller
// serves. Usage figures are not measured ("NOT AVAIL").
func (d *Datapath) PMDRxqShow(args []string) (string, error) {
	core := d.parsePMDArgs(args, true)
	_, threads := d.pmds()
	var b strings.Builder
	if core < 0 {
		// The main thread is listed (after the PMD threads) but shows no
		// queues; the header comes with the first thread shown.
		b.WriteString("Displaying last 60 seconds pmd usage %\n")
	}
	for _, p := range threads {
		if core >= 0 && p.coreID != core {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("Displaying last 60 seconds pmd usage %\n")
		}
		fmt.Fprintf(&b, "pmd thread numa_id 0 core_id %d:\n  isolated : false\n", p.coreID)
		fmt.Fprintf(&b, "  port: %-16s  queue-id: %2d (enabled)   pmd usage: NOT AVAIL\n", p.name, p.q)
		b.WriteString("  overhead: NOT AVAIL\n")
	}
	return b.String(), nil
}
