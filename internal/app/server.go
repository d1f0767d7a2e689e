package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ferrys3/ferry/internal/adminapi"
	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/blob"
	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/blob/regional"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/ctlapi"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/iamapi"
	"github.com/ferrys3/ferry/internal/inventory"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/metrics"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/s3api"
)

// Server is a running ferry server.
type Server struct {
	cfg       *ServerConfig
	log       *slog.Logger
	meta      *bolt.Store
	stores    []*blobfs.Store
	blobs     blob.Store
	objects   *object.Service
	iam       *iam.Service
	repl      *replication.Service
	batch     *batch.Service
	inventory *inventory.Service
	endpoints []*endpoint
	Bootstrap *iam.Bootstrap
	done      chan struct{}
	wg        sync.WaitGroup
	runMarker string
}

// endpoint is one region's listener.
type endpoint struct {
	region   string
	addr     string
	mu       sync.Mutex
	listener net.Listener
	http     *http.Server
	up       atomic.Bool
}

// URL is the base URL of the default region's endpoint.
func (s *Server) URL() string { return s.endpoints[0].url() }

// RegionURL is the base URL of a region's endpoint ("" when not hosted).
func (s *Server) RegionURL(region string) string {
	if e := s.endpoint(region); e != nil {
		return e.url()
	}
	return ""
}

func (e *endpoint) url() string { return "http://" + e.addr }

func (s *Server) endpoint(region string) *endpoint {
	for _, e := range s.endpoints {
		if e.region == region {
			return e
		}
	}
	return nil
}

// StartServer opens the stores, bootstraps the operator account and starts
// serving. Stop it with Close.
func StartServer(ctx context.Context, cfg *ServerConfig, log *slog.Logger) (*Server, error) {
	if len(cfg.Regions) == 0 {
		name := cfg.Region
		if name == "" {
			name = "us-east-1"
		}
		if err := cfg.SetRegions([]RegionConfig{{Name: name}}); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	tuneGC()
	s := &Server{cfg: cfg, log: log, done: make(chan struct{}), runMarker: filepath.Join(cfg.DataDir, "RUNNING")}
	unclean := fileExists(s.runMarker)
	var err error
	if s.meta, err = bolt.Open(filepath.Join(cfg.DataDir, "meta.db"), bolt.Options{NoSync: cfg.NoSync}); err != nil {
		return nil, fmt.Errorf("open metadata store: %w", err)
	}
	others := map[string]blob.Store{}
	var names []string
	for i, r := range cfg.Regions {
		st, err := blobfs.Open(r.DataDir, blobfs.Options{NoSync: cfg.NoSync})
		if err != nil {
			s.closeStores()
			return nil, fmt.Errorf("open blob store of %s: %w", r.Name, err)
		}
		s.stores = append(s.stores, st)
		if i > 0 {
			others[r.Name] = st
		}
		names = append(names, r.Name)
	}
	s.blobs = regional.New(s.stores[0], others)
	clk := clock.Real{}
	ids := iam.New(s.meta, clk)
	s.iam = ids
	if s.Bootstrap, err = ids.EnsureOperator(ctx, cfg.RootAccessKey, cfg.RootSecretKey); err != nil {
		s.closeStores()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	replMetrics := metrics.NewReplication(reg)
	metrics.RegisterMeta(reg, func() metrics.MetaStats {
		st := s.meta.Stats()
		return metrics.MetaStats{Commits: st.Commits, Updates: st.Updates, PagesWritten: st.PagesWritten, WriteTime: st.WriteTime}
	})
	s.repl = replication.New(replication.Config{Meta: s.meta, IAM: ids, Clock: clk, Log: log, Observer: replMetrics,
		RegionUp: s.regionUp, Workers: cfg.ReplicationWorkers, Paused: cfg.ReplicationPaused})
	s.objects = object.New(object.Config{Meta: s.meta, Blobs: s.blobs, Clock: clk, Region: cfg.Region, Regions: names,
		InlineMax: cfg.InlineMax, Replicator: s.repl, Log: log})
	s.repl.SetObjects(s.objects)
	s.batch = batch.New(batch.Config{Meta: s.meta, IAM: ids, Objects: s.objects, Replication: s.repl, Clock: clk, Log: log})
	s.inventory = inventory.New(s.meta, s.objects, clk, log)
	replMetrics.SetPending(func() []metrics.PendingRule { return pendingRules(s.repl) })
	if unclean {
		n, err := s.objects.CollectOrphans(ctx)
		if err != nil {
			s.closeStores()
			return nil, fmt.Errorf("collect orphans: %w", err)
		}
		log.Info("recovered from an unclean shutdown", "orphan_blobs_removed", n)
	}
	if err := os.WriteFile(s.runMarker, []byte(fmt.Sprint(os.Getpid())), 0o644); err != nil {
		s.closeStores()
		return nil, err
	}
	httpMetrics := metrics.NewHTTP(reg, "s3")
	admin := adminapi.New(adminapi.Config{IAM: ids, Replication: s.repl, Batch: s.batch, Inventory: s.inventory, Objects: s.objects,
		Clock: clk, Log: log})
	query := iamapi.New(ids, clk, log)
	for _, r := range cfg.Regions {
		api := s3api.New(s3api.Config{Objects: s.objects, IAM: ids, Replication: s.repl, Inventory: s.inventory, Clock: clk, Region: r.Name,
			MultiRegion: len(cfg.Regions) > 1, Domains: cfg.Domains, Metrics: httpMetrics, Log: log})
		e := &endpoint{region: r.Name, addr: r.Listen}
		control := ctlapi.New(s.batch, ids, clk, r.Name, log)
		e.http = &http.Server{Handler: opsMux(api, admin, query, control, reg, s.ready), ReadHeaderTimeout: 30 * time.Second,
			MaxHeaderBytes: s3api.MaxHeaderBytes, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
		s.endpoints = append(s.endpoints, e)
	}
	for _, e := range s.endpoints {
		if err := s.serve(e); err != nil {
			s.closeEndpoints()
			s.closeStores()
			return nil, err
		}
	}
	if err := s.repl.Start(ctx, true); err != nil {
		s.closeEndpoints()
		s.closeStores()
		return nil, fmt.Errorf("start replication: %w", err)
	}
	if err := s.batch.Start(ctx, true); err != nil {
		s.repl.Close()
		s.closeEndpoints()
		s.closeStores()
		return nil, fmt.Errorf("start batch operations: %w", err)
	}
	s.wg.Add(1)
	go s.collectGarbage()
	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, log)
	}
	for _, e := range s.endpoints {
		log.Info("ferry listening", "url", e.url(), "region", e.region, "data_dir", cfg.DataDir, "version", Version)
	}
	return s, nil
}

// serve opens a region's listener and serves it.
func (s *Server) serve(e *endpoint) error {
	l, err := net.Listen("tcp", e.addr)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.listener, e.addr = l, l.Addr().String()
	e.mu.Unlock()
	e.up.Store(true)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := e.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.log.Error("serve", "region", e.region, "err", err)
		}
	}()
	return nil
}

// regionUp reports whether a region's endpoint is serving. A region the
// server does not host counts as up (its data is still reachable).
func (s *Server) regionUp(region string) bool {
	if e := s.endpoint(region); e != nil {
		return e.up.Load()
	}
	return true
}

// SuspendRegion closes a region's listener, as if the region were
// unreachable: replication to it stays pending until ResumeRegion.
func (s *Server) SuspendRegion(region string) error {
	e := s.endpoint(region)
	if e == nil {
		return fmt.Errorf("region %s is not hosted here", region)
	}
	e.up.Store(false)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.listener == nil {
		return nil
	}
	err := e.listener.Close()
	e.listener = nil
	return err
}

// ResumeRegion reopens a suspended region's listener on its address.
func (s *Server) ResumeRegion(region string) error {
	e := s.endpoint(region)
	if e == nil {
		return fmt.Errorf("region %s is not hosted here", region)
	}
	return s.serve(e)
}

func (s *Server) closeEndpoints() {
	for _, e := range s.endpoints {
		e.up.Store(false)
		e.mu.Lock()
		if e.listener != nil {
			_ = e.listener.Close()
		}
		e.mu.Unlock()
	}
}

func (s *Server) ready() error {
	return s.meta.View(context.Background(), func(meta.Tx) error { return nil })
}

// collectGarbage deletes replaced blobs once their grace period is over,
// the keys of expired role sessions and (hourly) batch jobs past their
// retention, runs due inventory reports, and releases mapped metadata
// pages.
func (s *Server) collectGarbage() {
	defer s.wg.Done()
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	var purged time.Time
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if time.Since(purged) >= time.Hour {
				purged = time.Now()
				if _, err := s.batch.PurgeExpired(context.Background()); err != nil {
					s.log.Warn("batch job retention", "err", err)
				}
			}
			if _, err := s.objects.CollectGarbage(context.Background()); err != nil {
				s.log.Warn("blob garbage collection", "err", err)
			}
			if _, err := s.iam.ExpireSessions(context.Background(), 1000); err != nil {
				s.log.Warn("session expiry", "err", err)
			}
			if _, err := s.inventory.RunDue(context.Background()); err != nil {
				s.log.Warn("scheduled inventory reports", "err", err)
			}
			// Pages of the metadata file read by scans (listings, status
			// reports, metrics) stay mapped; hand them back to the page
			// cache so the process keeps only what it uses.
			if err := s.meta.ReleaseMapped(); err != nil {
				s.log.Warn("release mapped metadata pages", "err", err)
			}
		}
	}
}

// Close stops accepting requests, waits up to grace for requests in flight,
// then closes the stores and records a clean shutdown.
func (s *Server) Close(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var err error
	for _, e := range s.endpoints {
		e.up.Store(false)
		if e2 := e.http.Shutdown(ctx); e2 != nil && err == nil {
			err = e2
		}
	}
	s.batch.Close()
	s.repl.Close()
	close(s.done)
	s.wg.Wait()
	s.closeStores()
	if err == nil {
		_ = os.Remove(s.runMarker)
	}
	return err
}

func (s *Server) closeStores() {
	for _, st := range s.stores {
		if err := st.Close(); err != nil {
			s.log.Error("close blob store", "err", err)
		}
	}
	if s.meta != nil {
		if err := s.meta.Close(); err != nil {
			s.log.Error("close metadata store", "err", err)
		}
	}
}

// tuneGC trades a little heap for much less collection work: request
// handling allocates briefly-lived buffers, and live memory stays small
// because bodies are streamed. GOGC in the environment still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// runServer is `ferry server`.
func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServerFlags(args, stderr)
	if err != nil {
		return 2
	}
	log, err := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintln(stderr, "ferry:", err)
		return 2
	}
	s, err := StartServer(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	if err := announceCredentials(stdout, cfg, s.Bootstrap); err != nil {
		log.Error("store credentials", "err", err)
	}
	<-ctx.Done()
	log.Info("shutting down")
	if err := s.Close(30 * time.Second); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// announceCredentials prints a generated root key pair once and keeps it
// (0600) in the data directory.
func announceCredentials(w io.Writer, cfg *ServerConfig, b *iam.Bootstrap) error {
	if !b.Created || cfg.RootAccessKey != "" {
		return nil
	}
	path := filepath.Join(cfg.DataDir, "root-credentials")
	text := fmt.Sprintf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nFERRY_ACCOUNT_ID=%s\n", b.AccessKeyID, b.SecretAccessKey, b.AccountID)
	fmt.Fprintf(w, "ferry created account %s with root credentials (shown once, also saved in %s):\n%s", b.AccountID, path, text)
	return os.WriteFile(path, []byte(text), 0o600)
}

// pendingRules reports the replication backlog for the metrics.
func pendingRules(r *replication.Service) []metrics.PendingRule {
	bs, err := r.Backlogs(context.Background())
	if err != nil {
		return nil
	}
	out := make([]metrics.PendingRule, 0, len(bs))
	now := time.Now()
	for _, b := range bs {
		out = append(out, metrics.PendingRule{Source: b.Source, Destination: b.Destination, Rule: b.Rule,
			Operations: b.Operations, Bytes: b.Bytes, OldestAge: now.Sub(b.Oldest)})
	}
	return out
}
