package bridge

import (
	"errors"
	"fmt"
	"strings"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/unixctl"
)

// registerCommands adds the ovs-appctl commands that belong to the bridge
// layer.
func (s *Switch) registerCommands(ctl *unixctl.Server) {
	ctl.Register("ofproto/list", "", 0, 0, s.cmdOfprotoList)
	ctl.Register("dpif/show", "", 0, 0, s.cmdDpifShow)
	ctl.Register("dpctl/show", "[-s] [dp...]", 0, -1, s.cmdDpctlShow)
	ctl.Register("dpctl/dump-dps", "", 0, 0, s.cmdDpctlDumpDps)
	ctl.Register("dpif/dump-dps", "", 0, 0, s.cmdDpifDumpDps)
	s.registerDatapathCommands(ctl)
	s.registerBridgeCommands(ctl)
	s.registerOffloadCommands(ctl)
	s.registerRevalidatorCommands(ctl)
}

// cmdOfprotoList prints one bridge name per line, as OVS does.
func (s *Switch) cmdOfprotoList([]string) (string, error) {
	return joinLines(s.BridgeNames()), nil
}

// cmdDpctlShow prints every datapath as "ovs-appctl dpctl/show [-s] [dp...]".
func (s *Switch) cmdDpctlShow(args []string) (string, error) {
	stats := false
	var names []string
	for _, a := range args {
		switch {
		case a == "-s" || a == "--statistics":
			stats = true
		case strings.HasPrefix(a, "-"):
			return "", fmt.Errorf("Unrecognized option %s", a)
		default:
			names = append(names, a)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out strings.Builder
	if len(names) == 0 {
		if len(s.rec.datapaths) == 0 {
			return "", errors.New("")
		}
		for _, typ := range sortedKeys(s.rec.datapaths) {
			out.WriteString(s.rec.datapaths[typ].dp.ShowText(stats))
		}
		return out.String(), nil
	}
	for _, n := range names {
		dp := s.datapathByFullName(n)
		if dp == nil {
			return out.String(), errors.New(out.String() + "ovs-vswitchd: opening datapath (No such device)")
		}
		out.WriteString(dp.ShowText(stats))
	}
	return out.String(), nil
}

func (s *Switch) datapathByFullName(name string) *dpif.Datapath {
	for _, ds := range s.rec.datapaths {
		if ds.dp.FullName() == name {
			return ds.dp
		}
	}
	return nil
}

// cmdDpifShow prints "ovs-appctl dpif/show": each datapath with its
// bridges and their ports' OpenFlow/datapath numbers.
func (s *Switch) cmdDpifShow([]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out strings.Builder
	for _, typ := range sortedKeys(s.rec.datapaths) {
		dp := s.rec.datapaths[typ].dp
		var shows []dpif.BridgeShow
		for _, br := range s.rec.bridges {
			if br.dp != dp {
				continue
			}
			bs := dpif.BridgeShow{Name: br.name}
			for _, is := range br.ifaces {
				if is.port == nil {
					continue
				}
				bp := dpif.BridgeShowPort{
					Name:    is.name,
					OFPort:  uint32(is.ofport),
					OdpPort: is.odp,
					Type:    dpif.PortOpenType(br.dpType, is.port.Type()),
				}
				if c, ok := is.port.(dpif.Configurer); ok {
					bp.Config = c.Config()
				}
				bs.Ports = append(bs.Ports, bp)
			}
			shows = append(shows, bs)
		}
		out.WriteString(dp.DpifShowText(shows))
	}
	return out.String(), nil
}

// cmdDpctlDumpDps lists the datapaths as type@name.
func (s *Switch) cmdDpctlDumpDps([]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, typ := range sortedKeys(s.rec.datapaths) {
		lines = append(lines, s.rec.datapaths[typ].dp.FullName())
	}
	return joinLines(lines), nil
}

// cmdDpifDumpDps lists the bridges as type@bridge.
func (s *Switch) cmdDpifDumpDps([]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, name := range sortedKeys(s.rec.bridges) {
		lines = append(lines, s.rec.bridges[name].dpType+"@"+name)
	}
	return joinLines(lines), nil
}

// joinLines ends every line with a newline; no lines is "".
func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
