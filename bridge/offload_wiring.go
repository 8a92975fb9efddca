package bridge

import (
	"errors"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/offload"
	"github.com/govswitchd/govswitchd/offload/xdp"
	"github.com/govswitchd/govswitchd/unixctl"
	"github.com/govswitchd/govswitchd/vlog"
)

var offloadLog = vlog.New("ct_offload")

// offloadSetting is other_config:hw-offload and ct-offload-provider as read
// at the first configuration; like OVS's hw-offload, a later change needs a
// restart.
type offloadSetting struct {
	read    bool
	enabled bool
	cfg     offload.Config
}

// readOffloadOnce takes the offload settings from Open_vSwitch other_config
// the first time it is called, before any port opens: the xdp provider
// needs the afxdp ports' programs loaded with the offload maps. An unusable
// provider is an error in the log, and tracking stays in software.
func (r *reconciler) readOffloadOnce(otherConfig map[string]string) {
	if r.offload.read {
		return
	}
	r.offload.read = true
	cfg, enabled, err := offload.ConfigFromOtherConfig(otherConfig)
	if err != nil {
		offloadLog.Err("%v; conntrack offload disabled, connections are tracked in software", err)
		return
	}
	if !enabled {
		return
	}
	if cfg.Provider == xdp.Name {
		if _, err := dpif.EnableXDPOffload(); err != nil {
			offloadLog.Err("%v; conntrack offload disabled, connections are tracked in software", err)
			return
		}
	}
	r.offload = offloadSetting{read: true, enabled: true, cfg: cfg}
	offloadLog.Info("ct-offload: Conntrack offload API Enabled, using provider %s", cfg.Provider)
}

// attachOffload gives a new datapath's tracker an offload Manager when
// offload is enabled. A provider that fails to start leaves the datapath in
// software.
func (r *reconciler) attachOffload(ds *datapathState) {
	if !r.offload.enabled || ds.offload != nil {
		return
	}
	var m *offload.Manager
	var err error
	if r.offload.cfg.Provider == xdp.Name {
		m, err = attachXDP(ds.dp, r.offload.cfg)
	} else {
		m, err = offload.New(ds.dp.Conntrack(), r.offload.cfg)
	}
	if err != nil {
		offloadLog.Err("%s: %v; connections are tracked in software", ds.dp.FullName(), err)
		return
	}
	ds.offload = m
	offloadLog.Info("%s: conntrack offload provider %s attached", ds.dp.FullName(), m.ProviderName())
}

// xdpPollInterval is how often the xdp provider's connections are polled.
const xdpPollInterval = time.Second

// attachXDP builds the xdp provider on the datapath and the shared maps
// (the registered factory cannot: it has no datapath) and attaches it.
func attachXDP(dp *dpif.Datapath, cfg offload.Config) (*offload.Manager, error) {
	maps, err := dpif.EnableXDPOffload()
	if err != nil {
		return nil, err
	}
	if cfg.PollInterval == 0 {
		// Reading the counters back is one map lookup per entry: poll
		// often, so conntrack and flow counters lag the fast path by
		// about a second rather than five.
		cfg.PollInterval = xdpPollInterval
	}
	p := xdp.New(dp, maps, xdp.Options{})
	if err := p.Init(); err != nil {
		return nil, err
	}
	m, err := offload.Attach(dp.Conntrack(), xdp.Name, p, cfg)
	if err != nil {
		p.Close()
		return nil, err
	}
	return m, nil
}

// detachOffload closes the datapath's offload Manager; it must run before
// the datapath (and so its tracker) is closed.
func detachOffload(ds *datapathState) {
	if ds.offload != nil {
		ds.offload.Close()
		if p, ok := ds.offload.Provider().(*xdp.Provider); ok {
			p.Close() // the Manager flushed it; this stops its revalidator
		}
		ds.offload = nil
	}
}

// errOffloadOff answers the offload commands while offload is not enabled.
var errOffloadOff = errors.New("conntrack offload is not enabled (set other_config:hw-offload=true and restart ovs-vswitchd)\n")

// registerOffloadCommands registers the offload Manager's commands once
// (and the configured provider's own). Each call is served by the Manager
// of the datapath dpctl commands act on, or fails while offload is off.
func (s *Switch) registerOffloadCommands(ctl *unixctl.Server) {
	s.mu.Lock()
	set := s.rec.offload
	s.mu.Unlock()
	cmds := (&offload.Manager{}).Commands() // the provider-independent list
	if set.enabled {
		if f, ok := offload.Lookup(set.cfg.Provider); ok {
			if c, ok := f().(offload.Commander); ok {
				cmds = append(cmds, c.Commands()...)
			}
		}
	}
	for _, c := range cmds {
		name := c.Name
		ctl.Register(c.Name, c.Usage, c.MinArgs, c.MaxArgs, func(args []string) (string, error) {
			m := s.commandOffload()
			if m == nil {
				return "", errOffloadOff
			}
			for _, mc := range m.Commands() {
				if mc.Name == name {
					return mc.Run(args)
				}
			}
			return "", errOffloadOff
		})
	}
}

// commandOffload is the offload Manager of the datapath commands act on
// (netdev first, as commandDatapath), nil if it has none.
func (s *Switch) commandOffload() *offload.Manager {
	dp := s.commandDatapath()
	if dp == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ds := range s.rec.datapaths {
		if ds.dp == dp {
			return ds.offload
		}
	}
	return nil
}
