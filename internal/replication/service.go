// Package replication is live bucket replication: the decision taken in
// each write's transaction, the durable task queue it feeds, the workers
// that assume the rule's role and write replicas, per-version status,
// metrics, and the doctor that explains why replication cannot work.
package replication

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replconf"
)

// Queue is the task queue of pending replications.
const Queue = "replication"

// SessionName is the role session name replication acts under.
const SessionName = "s3-replication"

// Config configures a Service.
type Config struct {
	Meta    meta.Store
	IAM     *iam.Service
	Objects *object.Service
	Clock   clock.Clock
	Log     *slog.Logger
	// RegionUp reports whether a region's endpoint is serving; writes to a
	// region that is down stay pending and are retried. nil: always up.
	RegionUp func(region string) bool
	// Workers is how many replications run at once (default 32).
	Workers int
	// Paused: no worker runs; writes still queue replications.
	Paused bool
	// Lease is how long a claimed task is held before another worker may
	// take it (default 2 minutes).
	Lease time.Duration
	// MaxBackoff caps the retry delay of transient failures (default 10 s).
	MaxBackoff time.Duration
	// SessionTTL is how long an assumed role session is reused (default
	// 5 s); role and trust policy changes take effect within it.
	SessionTTL time.Duration
	// Observer receives each outcome (Prometheus metrics); nil: none.
	Observer Observer
}

// Service decides, queues and performs replication.
type Service struct {
	cfg     Config
	meta    meta.Store
	iam     *iam.Service
	objects *object.Service
	clock   clock.Clock
	log     *slog.Logger
	metrics Observer

	configs  configCache
	sessions sessionCache
	details  details

	kick chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

// New returns a Service; call Start to run its workers.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Second
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 5 * time.Second
	}
	if c.RegionUp == nil {
		c.RegionUp = func(string) bool { return true }
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
	return &Service{cfg: c, meta: c.Meta, iam: c.IAM, objects: c.Objects, clock: c.Clock, log: c.Log, metrics: c.Observer,
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
}

// SetObjects gives the service the object service it reads sources from
// and writes replicas through (the object service is built with this
// service as its Replicator, so it comes second).
func (s *Service) SetObjects(o *object.Service) { s.objects = o }

// Enqueued wakes the workers after a write queued replications.
func (s *Service) Enqueued() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// configCache keeps parsed replication configurations by document text.
type configCache struct {
	mu sync.Mutex
	m  map[string]*replconf.Config
}

// parsed returns the parsed configuration stored as raw, or nil when it no
// longer parses (stored documents were validated when put).
func (c *configCache) parsed(raw []byte) *replconf.Config {
	c.mu.Lock()
	cfg, ok := c.m[string(raw)]
	c.mu.Unlock()
	if ok {
		return cfg
	}
	cfg, err := replconf.Parse(raw)
	if err != nil {
		cfg = nil
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 256 {
		c.m = map[string]*replconf.Config{}
	}
	c.m[string(raw)] = cfg
	c.mu.Unlock()
	return cfg
}

// bucketConfig returns b's parsed replication configuration, or nil.
func (s *Service) bucketConfig(b *meta.Bucket) *replconf.Config {
	raw, ok := b.Configs[object.ReplicationConfig]
	if !ok {
		return nil
	}
	return s.configs.parsed(raw)
}

// Start runs the workers until Close. When the store is this process's
// alone (embedded), leases left by a previous process are released first
// so a crash does not delay its pending replications.
func (s *Service) Start(ctx context.Context, exclusive bool) error {
	if exclusive {
		now := s.clock.Now().UnixNano()
		if err := s.meta.Update(ctx, func(tx meta.Tx) error {
			_, err := tx.ReleaseLeases(Queue, now)
			return err
		}); err != nil {
			return err
		}
	}
	if s.cfg.Paused {
		s.log.Warn("replication is paused: writes queue replications but none runs")
		return nil
	}
	s.wg.Add(1)
	go s.run()
	return nil
}

// Close stops the workers and waits for replications in flight.
func (s *Service) Close() {
	close(s.stop)
	s.wg.Wait()
}
