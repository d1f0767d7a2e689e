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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ferrys3/ferry/internal/adminapi"
	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/iamapi"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/metrics"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3api"
)

// Server is a running ferry server.
type Server struct {
	cfg       *ServerConfig
	log       *slog.Logger
	meta      *bolt.Store
	blobs     *blobfs.Store
	objects   *object.Service
	iam       *iam.Service
	listener  net.Listener
	http      *http.Server
	Bootstrap *iam.Bootstrap
	done      chan struct{}
	wg        sync.WaitGroup
	runMarker string
}

// URL is the base URL the server listens on.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// StartServer opens the stores, bootstraps the operator account and starts
// serving. Stop it with Close.
func StartServer(ctx context.Context, cfg *ServerConfig, log *slog.Logger) (*Server, error) {
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
	if s.blobs, err = blobfs.Open(filepath.Join(cfg.DataDir, "data"), blobfs.Options{NoSync: cfg.NoSync}); err != nil {
		s.meta.Close()
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	clk := clock.Real{}
	ids := iam.New(s.meta, clk)
	s.iam = ids
	if s.Bootstrap, err = ids.EnsureOperator(ctx, cfg.RootAccessKey, cfg.RootSecretKey); err != nil {
		s.closeStores()
		return nil, err
	}
	s.objects = object.New(object.Config{Meta: s.meta, Blobs: s.blobs, Clock: clk, Region: cfg.Region, InlineMax: cfg.InlineMax, Log: log})
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
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api := s3api.New(s3api.Config{Objects: s.objects, IAM: ids, Clock: clk, Region: cfg.Region, Domains: cfg.Domains,
		Metrics: metrics.NewHTTP(reg, "s3"), Log: log})
	if s.listener, err = net.Listen("tcp", cfg.Listen); err != nil {
		s.closeStores()
		return nil, err
	}
	s.http = &http.Server{Handler: opsMux(api, adminapi.New(ids, clk, log), iamapi.New(ids, clk, log), reg, s.ready), ReadHeaderTimeout: 30 * time.Second,
		MaxHeaderBytes: s3api.MaxHeaderBytes, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
		}
	}()
	go s.collectGarbage()
	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, log)
	}
	log.Info("ferry listening", "url", s.URL(), "region", cfg.Region, "data_dir", cfg.DataDir, "version", Version)
	return s, nil
}

func (s *Server) ready() error {
	return s.meta.View(context.Background(), func(meta.Tx) error { return nil })
}

// collectGarbage deletes replaced blobs once their grace period is over,
// and the keys of expired role sessions.
func (s *Server) collectGarbage() {
	defer s.wg.Done()
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if _, err := s.objects.CollectGarbage(context.Background()); err != nil {
				s.log.Warn("blob garbage collection", "err", err)
			}
			if _, err := s.iam.ExpireSessions(context.Background(), 1000); err != nil {
				s.log.Warn("session expiry", "err", err)
			}
		}
	}
}

// Close stops accepting requests, waits up to grace for requests in flight,
// then closes the stores and records a clean shutdown.
func (s *Server) Close(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := s.http.Shutdown(ctx)
	close(s.done)
	s.wg.Wait()
	s.closeStores()
	if err == nil {
		_ = os.Remove(s.runMarker)
	}
	return err
}

func (s *Server) closeStores() {
	if s.blobs != nil {
		if err := s.blobs.Close(); err != nil {
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
