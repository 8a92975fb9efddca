package bridge

import (
	"time"

	"github.com/vishvananda/netlink"
)

// linkResubscribeDelay is how long watchLinks waits before subscribing
// again after the kernel socket failed.
const linkResubscribeDelay = time.Second

// watchLinks follows the kernel's link notifications so that a port's
// carrier change (ip link set up/down, a veth peer going away) reaches the
// OpenFlow side at once, as OVS's netdev change notifications do: the port
// state (LIVE, LINK_DOWN) and port-status messages, fast-failover group
// liveness and bundle member liveness all read it, and the Backer
// revalidates megaflows when it changes. The new link state is then
// written back to the database. It returns when the Switch stops.
func (s *Switch) watchLinks() {
	for {
		s.followLinks()
		select {
		case <-s.stop:
			return
		case <-time.After(linkResubscribeDelay):
			// Changes missed meanwhile are picked up by the first
			// notification after resubscribing, which resynchronises all.
			s.syncLinkState()
		}
	}
}

// followLinks subscribes to link notifications and handles them until the
// Switch stops or the subscription fails.
func (s *Switch) followLinks() {
	updates := make(chan netlink.LinkUpdate, 64)
	done := make(chan struct{})
	defer close(done)
	err := netlink.LinkSubscribeWithOptions(updates, done, netlink.LinkSubscribeOptions{
		ErrorCallback: func(err error) {
			select {
			case <-s.stop: // the socket is closing with the Switch
			default:
				log.Warn("link notifications: %v", err)
			}
		},
	})
	if err != nil {
		log.Warn("cannot follow link state changes: %v", err)
		return
	}
	for {
		select {
		case <-s.stop:
			return
		case _, ok := <-updates:
			if !ok {
				return
			}
		}
		// One resynchronisation covers every notification queued so far.
		for drained := false; !drained; {
			select {
			case <-updates:
			default:
				drained = true
			}
		}
		s.syncLinkState()
	}
}

// syncLinkState re-reads every open port's state into its bridge's
// OpenFlow agent and asks for a database write-back if any bridge runs.
func (s *Switch) syncLinkState() {
	s.mu.Lock()
	select {
	case <-s.stop:
		s.mu.Unlock()
		return
	default:
	}
	running := false
	for _, name := range sortedKeys(s.rec.bridges) {
		if br := s.rec.bridges[name]; br.of != nil {
			s.rec.syncOpenFlowPorts(br)
			running = true
		}
	}
	s.mu.Unlock()
	if running {
		select {
		case s.refresh <- struct{}{}:
		default:
		}
	}
}
