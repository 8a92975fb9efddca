package dpif

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ShowText is this datapath's block of "ovs-appctl dpctl/show [-s]": the
// header, lookup counters and one line per port in odp order, with the
// counters under each port when stats is set.
func (d *Datapath) ShowText(stats bool) string {
	var b strings.Builder
	st := d.Stats()
	fmt.Fprintf(&b, "%s:\n  lookups: hit:%d missed:%d lost:%d\n  flows: %d\n",
		d.FullName(), st.Hit, st.Missed, st.Lost, st.Flows)
	for _, dp := range d.Ports() {
		fmt.Fprintf(&b, "  port %d: %s", dp.Number, dp.Port.Name())
		if t := PortOpenType(d.typ, dp.Port.Type()); t != "system" {
			fmt.Fprintf(&b, " (%s%s)", t, configText(dp.Port))
		}
		b.WriteByte('\n')
		if stats {
			writePortStats(&b, dp.Port.Info().Stats)
		}
	}
	return b.String()
}

// configText is ": k=v, k=v" for the port's configuration, sorted by key,
// or "" if it has none.
func configText(p Port) string {
	c, ok := p.(Configurer)
	if !ok {
		return ""
	}
	return formatConfig(c.Config())
}

func formatConfig(cfg map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(cfg)) {
		sep := ","
		if i == 0 {
			sep = ":"
		}
		fmt.Fprintf(&b, "%s %s=%s", sep, k, cfg[k])
	}
	return b.String()
}

// writePortStats prints the four counter lines of dpctl/show -s.
func writePortStats(b *strings.Builder, s PortStats) {
	stat := func(label string, f StatField) {
		b.WriteString(label)
		if v, ok := s.Get(f); ok {
			fmt.Fprintf(b, "%d", v)
		} else {
			b.WriteByte('?')
		}
	}
	stat("    RX packets:", StatRxPackets)
	stat(" errors:", StatRxErrors)
	stat(" dropped:", StatRxDropped)
	stat(" overruns:", StatRxOverErr)
	stat(" frame:", StatRxFrameErr)
	stat("\n    TX packets:", StatTxPackets)
	stat(" errors:", StatTxErrors)
	stat(" dropped:", StatTxDropped)
	stat(" aborted:", StatTxAbortedErrors)
	stat(" carrier:", StatTxCarrierErrors)
	stat("\n    collisions:", StatCollisions)
	stat("\n    RX bytes:", StatRxBytes)
	b.WriteString(humanSize(s, StatRxBytes))
	stat("  TX bytes:", StatTxBytes)
	b.WriteString(humanSize(s, StatTxBytes))
	b.WriteByte('\n')
}

// humanSize is the " (6.9 KiB)" suffix dpctl/show puts after byte counts
// of 1 KiB and more.
func humanSize(s PortStats, f StatField) string {
	v, ok := s.Get(f)
	if !ok {
		return ""
	}
	units := []struct {
		size float64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	for _, u := range units {
		if float64(v) >= u.size {
			return fmt.Sprintf(" (%.1f %s)", float64(v)/u.size, u.name)
		}
	}
	return ""
}

// BridgeShow is one bridge's block of dpif/show.
type BridgeShow struct {
	Name  string
	Ports []BridgeShowPort
}

// BridgeShowPort is one line of dpif/show: "NAME OFPORT/ODPPORT: (TYPE[: cfg])".
type BridgeShowPort struct {
	Name    string
	OFPort  uint32
	OdpPort uint32
	NoOdp   bool   // the port is not in the datapath (patch): printed "none"
	Type    string // as the port was opened, e.g. PortOpenType(dpType, ifaceType)
	Config  map[string]string
}

// DpifShowText is this datapath's part of "ovs-appctl dpif/show": the
// datapath line, then bridges sorted by name, each with its ports sorted by
// name. The bridge layer supplies the OpenFlow side.
func (d *Datapath) DpifShowText(bridges []BridgeShow) string {
	var b strings.Builder
	st := d.Stats()
	fmt.Fprintf(&b, "%s: hit:%d missed:%d\n", d.FullName(), st.Hit, st.Missed)
	bridges = slices.Clone(bridges)
	slices.SortFunc(bridges, func(x, y BridgeShow) int { return strings.Compare(x.Name, y.Name) })
	for _, br := range bridges {
		fmt.Fprintf(&b, "  %s:\n", br.Name)
		ports := slices.Clone(br.Ports)
		slices.SortFunc(ports, func(x, y BridgeShowPort) int { return strings.Compare(x.Name, y.Name) })
		for _, p := range ports {
			odp := fmt.Sprint(p.OdpPort)
			if p.NoOdp {
				odp = "none"
			}
			fmt.Fprintf(&b, "    %s %d/%s: (%s%s)\n", p.Name, p.OFPort, odp, p.Type, formatConfig(p.Config))
		}
	}
	return b.String()
}
