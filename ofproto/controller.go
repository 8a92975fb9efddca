package ofproto

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Reconnection backoff of active controller connections, as OVS's rconn:
// it starts at one second and doubles up to the target's max_backoff
// (maxBackoff by default).
const (
	minBackoff = time.Second
	maxBackoff = 8 * time.Second
)

// activeController keeps one outgoing controller connection up.
type activeController struct {
	target        string
	network, addr string
	stopOnce      sync.Once
	quit          chan struct{}
	status        ctrlState
}

func (ac *activeController) stop() { ac.stopOnce.Do(func() { close(ac.quit) }) }

// parseTarget splits a controller target into its kind and dial/listen
// arguments.
func parseTarget(target string) (passive bool, network, addr string, err error) {
	kind, rest, ok := strings.Cut(target, ":")
	if !ok || rest == "" && kind != "ptcp" && kind != "pssl" {
		return false, "", "", fmt.Errorf("%s: bad controller target", target)
	}
	switch kind {
	case "tcp", "ssl":
		host, port, ok := strings.Cut(rest, ":")
		if !ok {
			port = "6653"
		}
		return false, tlsNetwork(kind), net.JoinHostPort(strings.Trim(host, "[]"), port), nil
	case "unix":
		return false, "unix", rest, nil
	case "ptcp", "pssl":
		port, host, _ := strings.Cut(rest, ":")
		if port == "" {
			port = "6653"
		}
		return true, tlsNetwork(kind), net.JoinHostPort(strings.Trim(host, "[]"), port), nil
	case "punix":
		return true, "unix", rest, nil
	}
	return false, "", "", fmt.Errorf("%s: unsupported controller connection type", target)
}

// SetControllers replaces the Controller targets: connections and
// listeners of the old ones are closed, the new ones started.
func (b *Bridge) SetControllers(targets []string) {
	b.connMu.Lock()
	if b.closed {
		b.connMu.Unlock()
		return
	}
	for _, l := range b.ctrlListeners {
		if err := closeListener(l); err != nil {
			log.Warn("%s: %v", b.name, err)
		}
	}
	b.ctrlListeners = nil
	for _, ac := range b.actives {
		ac.stop()
	}
	b.actives = nil
	for c := range b.conns {
		if c.kind == connPrimary || c.passiveCtrl {
			c.close()
		}
	}
	b.connMu.Unlock()
	b.mu.Lock()
	b.cfg.Controllers = append([]string(nil), targets...)
	b.mu.Unlock()
	b.setControllers(targets)
}

// setControllers starts the listeners and connections of the Controller
// targets. Bad targets are logged and skipped, as OVS does.
func (b *Bridge) setControllers(targets []string) {
	for _, t := range targets {
		passive, network, addr, err := parseTarget(t)
		if err != nil {
			log.Warn("%s: %v", b.name, err)
			continue
		}
		if passive {
			ln, err := b.listen(network, addr)
			if err != nil {
				log.Err("%s: %s: listen failed: %v", b.name, t, err)
				continue
			}
			b.startCtrlListener(ln, t)
			continue
		}
		ac := &activeController{target: t, network: network, addr: addr, quit: make(chan struct{})}
		ac.status.state = stateConnecting
		b.connMu.Lock()
		if b.closed {
			b.connMu.Unlock()
			return
		}
		b.actives = append(b.actives, ac)
		b.wg.Add(1)
		b.connMu.Unlock()
		go b.runActive(ac, t)
	}
}

// runActive connects to a controller and reconnects with backoff whenever
// the connection drops.
func (b *Bridge) runActive(ac *activeController, target string) {
	defer b.wg.Done()
	backoff := minBackoff
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ac.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		nc, err := b.dial(ctx, ac.network, ac.addr)
		if err == nil {
			connLog.Info("%s<->%s: connected", b.name, target)
			backoff = minBackoff
			c := b.serveAs(nc, acceptRole{kind: connPrimary, target: target})
			if c == nil {
				return
			}
			b.setCtrlState(ac, func(s *ctrlState) {
				s.state, s.conn, s.connectedAt = stateActive, c, time.Now()
			})
			select {
			case <-c.closed:
				connLog.Info("%s<->%s: connection dropped", b.name, target)
				b.setCtrlState(ac, func(s *ctrlState) {
					s.state, s.conn, s.disconnectedAt = stateBackoff, nil, time.Now()
					s.lastErr = connError(c.closeErr())
				})
			case <-ac.quit:
				c.close()
				return
			}
		} else {
			connLog.Dbg("%s<->%s: connection failed (%v)", b.name, target, err)
			b.setCtrlState(ac, func(s *ctrlState) {
				s.state, s.lastErr = stateBackoff, connError(err)
			})
		}
		backoff = min(backoff, b.controllerTiming(target).MaxBackoff)
		select {
		case <-time.After(backoff):
		case <-ac.quit:
			return
		}
		b.setCtrlState(ac, func(s *ctrlState) { s.state = stateConnecting })
		backoff *= 2
	}
}
