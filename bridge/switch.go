package bridge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/govswitchd/govswitchd/coverage"
	"github.com/govswitchd/govswitchd/memory"
	"github.com/govswitchd/govswitchd/ofproto"
	"github.com/govswitchd/govswitchd/unixctl"
	"github.com/govswitchd/govswitchd/vlog"
	"github.com/govswitchd/govswitchd/vswitchdb"
)

var (
	log = vlog.New("bridge")
	// reconfigureCount counts configuration passes, as OVS's counter of
	// the same name.
	reconfigureCount = coverage.New("bridge_reconfigure")
)

// Config is what the daemon passes to Start.
type Config struct {
	Remote  string // OVSDB remote: "unix:PATH" or "tcp:IP:PORT"
	RunDir  string // where the bridges' .mgmt and .snoop sockets go
	Version string // written to Open_vSwitch.ovs_version if not empty
	// SSL is the PKI configuration from the command line; the database's
	// SSL row, when present, overrides it (ssl.go).
	SSL ofproto.SSLConfig
}

// Timing of the daemon's loop.
const (
	// initialConnectWait is how long Start retries a remote that is not
	// listening yet before giving up (the server may just be starting).
	initialConnectWait = 2 * time.Second
	// connectTimeout bounds one (re)connection attempt of libovsdb.
	connectTimeout = 5 * time.Second
	// retryDelay is how soon a failed or premature reconfiguration is retried.
	retryDelay = 100 * time.Millisecond
	// defaultStatsInterval and the minimum OVS allows for
	// other_config:stats-update-interval, in milliseconds.
	defaultStatsInterval = 5000
)

// Switch follows the database and runs the bridges it describes.
type Switch struct {
	cfg    Config
	remote remote
	db     client.Client
	lock   *lockSession

	kick chan struct{} // wakes the loop; capacity 1
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the loop has returned

	// refresh wakes the loop to write state back without reconfiguring
	// (controller connectivity changes); capacity 1.
	refresh chan struct{}

	// mu guards rec and the bridge names read by unixctl commands. The loop
	// holds it while reconfiguring.
	mu     sync.Mutex
	rec    *reconciler
	writes *recentWrites // used by the loop only

	closeOnce sync.Once
	closeErr  error

	// warnedNoLock and warnedKernel make the matching messages appear once.
	warnedNoLock bool
	warnedKernel bool
}

// Start connects to the database, takes the ovs_vswitchd lock, applies the
// configuration once and writes the result back, then keeps following the
// database in the background until Close. ctx bounds the start-up only. A
// remote that does not answer within about two seconds is an error, so the
// daemon can exit with a clear message. ctl may be nil.
func Start(ctx context.Context, cfg Config, ctl *unixctl.Server) (*Switch, error) {
	r, err := parseRemote(cfg.Remote)
	if err != nil {
		return nil, err
	}
	s := &Switch{
		cfg:    cfg,
		remote: r,
		kick:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		rec:    newReconciler(cfg.RunDir),
		writes: newRecentWrites(),
	}
	// Controller connection changes are written back at once.
	s.refresh = make(chan struct{}, 1)
	s.rec.statusNotify = s.statusChanged
	s.rec.tls = ofproto.NewTLS(cfg.SSL)
	connectCtx, cancel := context.WithTimeout(ctx, initialConnectWait)
	defer cancel()
	if err := s.connect(ctx, connectCtx); err != nil {
		return nil, err
	}
	s.lock.waitReplied(ctx)
	if err := s.reconfigure(ctx, true); err != nil {
		// The loop retries; a failed first write is not fatal.
		log.Warn("%v", err)
	}
	go s.loop()
	go s.watchLinks()
	memory.Register("bridge", s.reportMemory)
	if ctl != nil {
		s.registerCommands(ctl)
	}
	return s, nil
}

// connect opens the libovsdb session (monitoring everything) and the lock
// session. Connection attempts are retried until connectCtx ends.
func (s *Switch) connect(ctx, connectCtx context.Context) error {
	dbModel, err := vswitchdb.FullDatabaseModel()
	if err != nil {
		return fmt.Errorf("database model: %w", err)
	}
	c, err := client.NewOVSDBClient(dbModel,
		client.WithEndpoint(s.remote.endpoint()),
		client.WithReconnect(connectTimeout, &reconnectBackOff{stop: s.stop}))
	if err != nil {
		return fmt.Errorf("%s: %w", s.remote.text, err)
	}
	// Probe with a plain dial first so a missing server gets OVS's wording.
	conn, err := dialRetry(connectCtx, s.remote)
	if err != nil {
		return err
	}
	conn.Close()
	for {
		err = c.Connect(connectCtx)
		if err == nil {
			break
		}
		select {
		case <-connectCtx.Done():
			return fmt.Errorf("%s: %w", s.remote.text, err)
		case <-time.After(retryDelay):
		}
	}
	s.db = c
	c.Cache().AddEventHandler(&cache.EventHandlerFuncs{
		AddFunc: func(string, model.Model) { s.wake() },
		UpdateFunc: func(_ string, old, new model.Model) {
			if !onlyOwnColumns(old, new) {
				s.wake()
			}
		},
		DeleteFunc: func(string, model.Model) { s.wake() },
	})
	if _, err := c.MonitorAll(ctx); err != nil {
		c.Close()
		return fmt.Errorf("%s: monitor: %w", s.remote.text, err)
	}
	ls, err := dialLockSession(connectCtx, s.remote, dbModel.Name(), s.wake)
	if err != nil {
		c.Close()
		return err
	}
	s.lock = ls
	return nil
}

// wake asks the loop to look at the database again.
func (s *Switch) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// loop reconfigures on every change and refreshes statistics periodically.
func (s *Switch) loop() {
	defer close(s.done)
	statsTimer := time.NewTimer(defaultStatsInterval * time.Millisecond)
	defer statsTimer.Stop()
	var retry <-chan time.Time
	for {
		apply := true
		select {
		case <-s.stop:
			return
		case <-s.kick:
		case <-retry:
		case <-statsTimer.C:
			statsTimer.Reset(s.statsInterval())
			apply = false
		case <-s.refresh:
			apply = false
		}
		retry = nil
		if err := s.reconfigure(context.Background(), apply); err != nil {
			if !errors.Is(err, errInconsistent) {
				log.Warn("%v", err)
			}
			retry = time.After(retryDelay)
		}
	}
}

// statsInterval is other_config:stats-update-interval, at least 5 s.
func (s *Switch) statsInterval() time.Duration {
	ms := defaultStatsInterval
	var roots []vswitchdb.OpenvSwitch
	if err := s.db.List(context.Background(), &roots); err == nil && len(roots) > 0 {
		if v, err := strconv.Atoi(roots[0].OtherConfig["stats-update-interval"]); err == nil {
			ms = max(v, defaultStatsInterval)
		}
	}
	return time.Duration(ms) * time.Millisecond
}

// reconfigure reads the database, applies it (unless apply is false, for a
// statistics refresh) and writes back the result with cur_cfg = next_cfg in
// the same transaction. Without the lock it does nothing, as ovs-vswitchd
// stays idle while another one holds it.
func (s *Switch) reconfigure(ctx context.Context, apply bool) error {
	if !s.lock.hasLock() {
		// While disconnected the lock session is reconnecting; say nothing.
		if s.lock.contended() && !s.warnedNoLock {
			log.Err("another ovs-vswitchd process is running, disabling this process (pid %d) until it goes away", os.Getpid())
			s.warnedNoLock = true
		}
		return nil
	}
	if s.warnedNoLock {
		log.Info("acquired the %s lock; configuring", lockName)
		s.warnedNoLock = false
	}
	snap, err := readSnapshot(ctx, s.db)
	if err != nil {
		return err
	}
	if snap.root == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if apply || snap.root.CurCfg != snap.root.NextCfg {
		s.noteKernelFallback(snap)
		s.rec.readOffloadOnce(snap.root.OtherConfig)
		s.rec.setDatapathConfig(snap.root.OtherConfig)
		s.applySSL(ctx, snap.root)
		s.rec.setFlowRestoreWait(snap.root.OtherConfig)
		reconfigureCount.Inc()
		want := desiredBridges(snap, s.rec.refuse)
		s.rec.gateControllers(want)
		s.rec.apply(want)
		zones, err := readCTZones(ctx, s.db, snap.root)
		if err != nil {
			return err
		}
		s.rec.applyCTZones(zones)
		if err := s.applyFlowTables(ctx, snap); err != nil {
			return err
		}
		s.rec.applyControllerSettings(snap)
	}
	ops, err := s.writeBack(snap, snap.root.CurCfg != snap.root.NextCfg)
	if err != nil {
		s.writes.abort()
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	if err := s.lock.transact(ops); err != nil {
		s.writes.abort()
		return fmt.Errorf("%s: write back configuration: %w", s.remote.text, err)
	}
	s.writes.commit()
	return nil
}

// noteKernelFallback says once that bridges of the default (kernel) type
// run on the userspace datapath.
func (s *Switch) noteKernelFallback(snap *snapshot) {
	if s.warnedKernel {
		return
	}
	for _, u := range snap.root.Bridges {
		if snap.bridges[u].DatapathType == "" {
			log.Info("no kernel datapath: bridges with an empty datapath_type use the userspace (netdev) datapath")
			s.warnedKernel = true
			return
		}
	}
}

// Close stops following the database and closes the OpenFlow sockets, ports
// and datapaths. With cleanup (as `ovs-appctl exit --cleanup`) it also
// deletes what the switch created; on the userspace datapath closing the
// ports already removes their tap devices, so both do the same today. The
// database is left as it is, as OVS does. Close is idempotent.
func (s *Switch) Close(cleanup bool) error {
	s.closeOnce.Do(func() {
		memory.Register("bridge", nil)
		close(s.stop)
		<-s.done
		// Tear down before giving up the lock, so that a successor taking
		// it over finds the devices' names free.
		s.mu.Lock()
		s.closeErr = s.rec.closeAll()
		s.mu.Unlock()
		s.lock.close()
		s.db.Close()
	})
	return s.closeErr
}

// reportMemory gives memory/show the number of open ports, as OVS does.
func (s *Switch) reportMemory(usage map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, br := range s.rec.bridges {
		for _, is := range br.ifaces {
			if is.port != nil {
				usage["ports"]++
			}
		}
	}
}

// BridgeNames lists the running bridges, sorted.
func (s *Switch) BridgeNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.rec.bridges)
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

// reconnectBackOff is libovsdb's reconnection schedule: exponential up to 8
// s, never giving up (libovsdb panics if a backoff stops). After Close it
// parks the reconnection goroutine instead.
type reconnectBackOff struct {
	stop <-chan struct{}
	once sync.Once
	exp  *backoff.ExponentialBackOff
}

func (b *reconnectBackOff) init() {
	b.once.Do(func() {
		b.exp = backoff.NewExponentialBackOff()
		b.exp.InitialInterval = retryDelay
		b.exp.MaxInterval = 8 * time.Second
		b.exp.MaxElapsedTime = 0
	})
}

func (b *reconnectBackOff) NextBackOff() time.Duration {
	b.init()
	select {
	case <-b.stop:
		return 1 << 62
	default:
	}
	return b.exp.NextBackOff()
}

func (b *reconnectBackOff) Reset() {
	b.init()
	b.exp.Reset()
}
