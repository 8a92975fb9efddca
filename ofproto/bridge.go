package ofproto

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govswitchd/govswitchd/dpif"
	"github.com/govswitchd/govswitchd/ofp"
	"github.com/govswitchd/govswitchd/vlog"
)

var log = vlog.New("ofproto")

// DefaultVersions are the OpenFlow versions a bridge speaks when its
// protocols column is empty (OpenFlow10..OpenFlow15).
var DefaultVersions = ofp.BitmapRange(ofp.Version10, ofp.Version15)

// Config is what the bridge layer tells an OpenFlow bridge about itself.
type Config struct {
	// DatapathID is the bridge's datapath_id.
	DatapathID uint64
	// Versions are the allowed OpenFlow versions (0 = DefaultVersions).
	Versions ofp.VersionBitmap
	// FailSecure is fail_mode=secure: no default NORMAL flow.
	FailSecure bool
	// Controllers are the Controller targets ("tcp:IP:PORT", "unix:PATH",
	// "ptcp:PORT[:IP]", "punix:PATH", "ssl:IP[:PORT]", "pssl:[PORT][:IP]").
	Controllers []string
	// TLS is the process-wide SSL configuration used by "ssl:" and
	// "pssl:" targets (tls.go); nil refuses them.
	TLS *TLS
}

// Bridge is the OpenFlow side of one bridge.
//
// Lock order: mu before connMu. mu guards the OpenFlow state (tables,
// groups, ports, cfg); connMu guards the connection set. Rule counters
// are atomics so lookups only need mu for reading.
type Bridge struct {
	name   string
	rundir string
	dp     *dpif.Datapath

	mu     sync.RWMutex
	cfg    Config
	tables [numTables]table
	groups map[uint32]*group
	meters map[uint32]*meter
	tlv    tlvTable
	ct     ConntrackFlusher
	// portAdmin changes a device's admin state for port_mod.
	portAdmin PortAdminFunc
	// events are table changes not yet reported to flow monitors; origin
	// is the connection whose request is being applied.
	events []flowEvent
	origin *conn
	// onChange, when set, is told of every change translation depends on
	// (the Backer's revalidation kick).
	onChange atomic.Pointer[func()]
	ports    map[uint16]*Port
	// fragMode is the SET_CONFIG fragment handling; election is the
	// primary election generation id once electionSet.
	fragMode    uint16
	election    uint64
	electionSet bool

	connMu    sync.Mutex
	listeners []net.Listener // management and snoop
	// ctrlListeners and actives serve the Controller table.
	ctrlListeners []net.Listener
	actives       []*activeController
	conns         map[*conn]struct{}
	closed        bool
	xid           uint32

	// statusNotify is told about controller state changes (ctrlstatus.go).
	statusNotify func()

	// probe is the controllers' default inactivity probe interval; timing
	// the Controller targets' own settings (controller_timing.go). Both
	// guarded by connMu.
	probe  time.Duration
	timing map[string]ControllerTiming

	wg   sync.WaitGroup
	done chan struct{}

	// evicted are rules removed to make room for an add (eviction.go),
	// waiting for their flow-removed messages. Guarded by mu.
	evicted []*Rule
	// failOpen is fail_mode=standalone's state (failopen.go).
	failOpen failOpenState
	// pins is packet-in rate limiting (pinsched.go).
	pins pinState
}

// MgmtPath is where ovs-ofctl looks for a bridge's management socket.
func MgmtPath(rundir, name string) string { return filepath.Join(rundir, name+".mgmt") }

// SnoopPath is where ovs-ofctl snoop looks for a bridge's snoop socket.
func SnoopPath(rundir, name string) string { return filepath.Join(rundir, name+".snoop") }

// NewBridge starts the OpenFlow agent of bridge name: it listens on
// RUNDIR/<name>.mgmt and RUNDIR/<name>.snoop (stale sockets are replaced),
// connects to cfg's controllers and installs OVS's default flow
// (priority=0,actions=NORMAL) unless fail_mode is secure or controllers are
// configured.
func NewBridge(name, rundir string, dp *dpif.Datapath, cfg Config) (*Bridge, error) {
	if name == "" || filepath.Base(name) != name {
		return nil, fmt.Errorf("ofproto: invalid bridge name %q", name)
	}
	if cfg.Versions == 0 {
		cfg.Versions = DefaultVersions
	}
	b := &Bridge{
		name:   name,
		rundir: rundir,
		dp:     dp,
		cfg:    cfg,
		groups: make(map[uint32]*group),
		meters: make(map[uint32]*meter),
		ports:  make(map[uint16]*Port),
		conns:  make(map[*conn]struct{}),
		probe:  inactivityProbe,
		done:   make(chan struct{}),
	}
	for i := range b.tables {
		b.tables[i].id = uint8(i)
	}
	b.addDefaultFlow()
	for _, l := range []struct {
		path  string
		snoop bool
	}{{MgmtPath(rundir, name), false}, {SnoopPath(rundir, name), true}} {
		ln, err := listenUnix(l.path)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("ofproto: bridge %s: %w", name, err)
		}
		b.startListener(ln, connService, l.snoop)
	}
	b.setControllers(cfg.Controllers)
	b.wg.Add(1)
	go b.expireLoop()
	b.wg.Add(1)
	go b.failOpenLoop()
	return b, nil
}

// Name is the bridge name.
func (b *Bridge) Name() string { return b.name }

// addDefaultFlow installs priority=0,actions=NORMAL when the bridge runs
// standalone without controllers, as OVS does after a flush.
func (b *Bridge) addDefaultFlow() {
	if b.cfg.FailSecure || len(b.cfg.Controllers) > 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.insertRule(newRule(0, 0, nil, normalActions()))
}

// SetDatapathID changes the datapath id reported in FEATURES_REPLY.
func (b *Bridge) SetDatapathID(dpid uint64) {
	b.mu.Lock()
	b.cfg.DatapathID = dpid
	b.mu.Unlock()
}

// DatapathID returns the datapath id.
func (b *Bridge) DatapathID() uint64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.cfg.DatapathID
}

// SetVersions changes the allowed OpenFlow versions for new connections
// (0 = DefaultVersions). Established connections are kept, as in OVS.
func (b *Bridge) SetVersions(v ofp.VersionBitmap) {
	if v == 0 {
		v = DefaultVersions
	}
	b.mu.Lock()
	b.cfg.Versions = v
	b.mu.Unlock()
}

func (b *Bridge) versions() ofp.VersionBitmap {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.cfg.Versions
}

// SetFailMode records fail_mode (secure or standalone). Like OVS, it only
// affects the default flow installed at the next flush.
func (b *Bridge) SetFailMode(secure bool) {
	b.mu.Lock()
	b.cfg.FailSecure = secure
	b.mu.Unlock()
}

// ParseVersions converts a Bridge.protocols set ("OpenFlow10",
// "OpenFlow13", ...) to a version bitmap; empty means DefaultVersions.
func ParseVersions(names []string) (ofp.VersionBitmap, error) {
	var vb ofp.VersionBitmap
	for _, n := range names {
		found := false
		for v := ofp.Version10; v <= ofp.Version15; v++ {
			if ofp.VersionName(v) == n {
				vb |= 1 << v
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown OpenFlow protocol %q", n)
		}
	}
	if vb == 0 {
		vb = DefaultVersions
	}
	return vb, nil
}

// Close stops listening, drops open connections, stops the controllers
// and removes the sockets. It is idempotent.
func (b *Bridge) Close() error {
	b.connMu.Lock()
	if b.closed {
		b.connMu.Unlock()
		return nil
	}
	b.closed = true
	close(b.done)
	var errs []error
	for _, l := range append(b.listeners, b.ctrlListeners...) {
		if err := closeListener(l); err != nil {
			errs = append(errs, err)
		}
	}
	for c := range b.conns {
		c.close()
	}
	for _, ac := range b.actives {
		ac.stop()
	}
	b.connMu.Unlock()
	b.wg.Wait()
	return errors.Join(errs...)
}
