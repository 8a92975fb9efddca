package bridge

import (
	"context"

	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

// applySSL applies Open_vSwitch.ssl (ovs-vsctl set-ssl) on top of the
// command line's PKI options, as ovs-vswitchd does: the row's files replace
// the options' while a row is referenced; without one the options stay in
// force. The protocol and cipher lists only come from the command line.
// Connections already open keep the configuration they were made with.
func (s *Switch) applySSL(ctx context.Context, root *vswitchdb.OpenvSwitch) {
	cfg := s.cfg.SSL
	if root.SSL != nil {
		row := &vswitchdb.SSL{UUID: *root.SSL}
		if err := s.db.Get(ctx, row); err != nil {
			log.Warn("reading SSL configuration %s: %v", *root.SSL, err)
			return
		}
		cfg = sslFromRow(cfg, row)
	}
	s.rec.tls.Set(cfg)
}

// sslFromRow overlays an SSL row on the command line's configuration.
func sslFromRow(base ofproto.SSLConfig, row *vswitchdb.SSL) ofproto.SSLConfig {
	base.PrivateKey = row.PrivateKey
	base.Certificate = row.Certificate
	base.CACert = row.CaCert
	base.BootstrapCACert = row.BootstrapCaCert
	return base
}
