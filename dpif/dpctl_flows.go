package dpif

import (
	"errors"
	"fmt"
	"math"
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

// pmdView is one PMD thread and the queues it polls, as the pmd commands
// see them.
type pmdView struct {
	t     *pmdThread
	polls []*pmd
}

// pmds returns the main-thread contexts (the Input/Execute context and the
// pollers of non-PMD ports) and the PMD threads sorted by core id.
func (d *Datapath) pmds() (main []*pmd, threads []pmdView) {
	d.mu.Lock()
	defer d.mu.Unlock()
	main = []*pmd{d.main}
	for _, ps := range d.pollers {
		for _, p := range ps {
			if !p.isPMD {
				main = append(main, p)
			}
		}
	}
	for _, t := range d.threads {
		threads = append(threads, pmdView{t, *t.polls.Load()})
	}
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
	idle, busy                                   uint64 // PMD threads only
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
	// Cycle lines as OVS prints them: only once the thread has iterated,
	// and per-packet figures only once it has received.
	total := t.idle + t.busy
	if total == 0 {
		return
	}
	fmt.Fprintf(b, "  idle cycles: %d (%.2f%%)\n  processing cycles: %d (%.2f%%)\n",
		t.idle, float64(t.idle)/float64(total)*100, t.busy, float64(t.busy)/float64(total)*100)
	if t.rx == 0 {
		return
	}
	fmt.Fprintf(b, "  avg cycles per packet: %.2f (%d/%d)\n  avg processing cycles per packet: %.2f (%d/%d)\n",
		float64(total)/float64(t.rx), total, t.rx, float64(t.busy)/float64(t.rx), t.busy, t.rx)
}

// PMDStatsShow is dpif-netdev/pmd-stats-show: one block per PMD thread
// ("pmd thread numa_id N core_id C:", the counters of the queues it polls
// and its idle and processing cycles), then the "main thread:" block adding
// up the main context and the pollers of non-PMD ports.
func (d *Datapath) PMDStatsShow(args []string) (string, error) {
	core := d.parsePMDArgs(args, false)
	main, threads := d.pmds()
	var b strings.Builder
	for _, v := range threads {
		if core >= 0 && v.t.core != core {
			continue
		}
		var t pmdTotals
		for _, p := range v.polls {
			t.add(p)
		}
		t.idle, t.busy = v.t.idle.Load(), v.t.busy.Load()
		fmt.Fprintf(&b, "pmd thread numa_id %d core_id %d:\n", v.t.numa, v.t.core)
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
	if core < 0 {
		for _, p := range main {
			p.ctr.clear()
		}
	}
	for _, v := range threads {
		if core < 0 || v.t.core == core {
			for _, p := range v.polls {
				p.ctr.clear()
			}
			v.t.idle.Store(0)
			v.t.busy.Store(0)
		}
	}
	return "", nil
}

// PMDRxqShow is dpif-netdev/pmd-rxq-show: the queues each PMD thread
// polls, sorted by port name and queue, with each queue's share of the
// thread's cycles over the last -secs seconds (default 60, in 5 s
// intervals) and the thread's busy cycles spent outside any queue.
func (d *Datapath) PMDRxqShow(args []string) (string, error) {
	core := d.parsePMDArgs(args, true)
	secs := parseRxqSecs(args)
	_, threads := d.pmds()
	var b strings.Builder
	if core < 0 {
		// The main thread is listed (after the PMD threads) but shows no
		// queues; the header comes with the first thread shown.
		fmt.Fprintf(&b, "Displaying last %d seconds pmd usage %%\n", secs)
	}
	intervals := (secs + 4) / 5
	for _, v := range threads {
		if core >= 0 && v.t.core != core {
			continue
		}
		if b.Len() == 0 {
			fmt.Fprintf(&b, "Displaying last %d seconds pmd usage %%\n", secs)
		}
		fmt.Fprintf(&b, "pmd thread numa_id %d core_id %d:\n  isolated : false\n", v.t.numa, v.t.core)
		idx := v.t.intrvlIdx.Load()
		total := v.t.intrvlCycles.Load() * uint64(intervals)
		busy := min(intervalSum(&v.t.busyIntrvl, idx, intervals), total)
		var rxqTotal uint64
		for _, p := range v.polls {
			fmt.Fprintf(&b, "  port: %-16s  queue-id: %2d (enabled)   pmd usage: ", p.name, p.q)
			c := intervalSum(&p.cyclesIntrvl, idx, intervals)
			rxqTotal += c
			if total > 0 {
				fmt.Fprintf(&b, "%2d %%\n", c*100/total)
			} else {
				b.WriteString("NOT AVAIL\n")
			}
		}
		if len(v.polls) > 0 {
			if total > 0 {
				var over uint64
				if rxqTotal < busy {
					over = busy - rxqTotal
				}
				fmt.Fprintf(&b, "  overhead: %2d %%\n", over*100/total)
			} else {
				b.WriteString("  overhead: NOT AVAIL\n")
			}
		}
	}
	return b.String(), nil
}

// parseRxqSecs is pmd-rxq-show's -secs: 5 to 60 in steps of 5 (rounded
// up); a bad or out-of-range value means 60, as in OVS.
func parseRxqSecs(args []string) int {
	secs := pmdIntervals * 5
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-secs" {
			n, err := strconv.Atoi(args[i+1])
			if err == nil && n > 0 && n <= secs {
				secs = (n + 4) / 5 * 5
			} else {
				secs = pmdIntervals * 5
			}
		}
	}
	return secs
}
