package bridge

import (
	"errors"

	"github.com/govswitchd/govswitchd/offload"
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
// the first time it is called. An unusable provider (xdp is not available
// yet) is an error in the log, and tracking stays in software.
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
	m, err := offload.New(ds.dp.Conntrack(), r.offload.cfg)
	if err != nil {
		offloadLog.Err("%s: %v; connections are tracked in software", ds.dp.FullName(), err)
		return
	}
	ds.offload = m
	offloadLog.Info("%s: conntrack offload provider %s attached", ds.dp.FullName(), m.ProviderName())
}

// detachOffload closes the datapath's offload Manager; it must run before
// the datapath (and so its tracker) is closed.
func detachOffload(ds *datapathState) {
	if ds.offload != nil {
		ds.offload.Close()
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
