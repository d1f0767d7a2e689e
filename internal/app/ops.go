package app

import (
	"strings"

	"github.com/ferrys3/ferry/internal/adminapi"
	"github.com/ferrys3/ferry/internal/ctlapi"
	"github.com/ferrys3/ferry/internal/iamapi"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsMux serves the operational endpoints next to the S3 API. They answer
// only unauthenticated GET/HEAD requests, so a signed request for a bucket
// named "metrics" still reaches S3; "/_ferry/…" paths can never be buckets.
func opsMux(api, admin, query, control http.Handler, reg *prometheus.Registry, ready func() error) http.Handler {
	metricsH := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	live := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}
	readyH := func(w http.ResponseWriter, r *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		live(w, r)
	}
	ops := map[string]http.HandlerFunc{
		"/metrics": metricsH.ServeHTTP, "/_ferry/metrics": metricsH.ServeHTTP,
		"/healthz": live, "/_ferry/health/live": live,
		"/readyz": readyH, "/_ferry/health/ready": readyH,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := ops[r.URL.Path]; ok && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !signed(r) {
			h(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, adminapi.Prefix) {
			admin.ServeHTTP(w, r)
			return
		}
		if iamapi.Matches(r) {
			query.ServeHTTP(w, r)
			return
		}
		if ctlapi.Matches(r) {
			control.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

func signed(r *http.Request) bool {
	q := r.URL.Query()
	return r.Header.Get("Authorization") != "" || q.Has("X-Amz-Signature") || q.Has("Signature")
}

// servePprof serves Go's profiler on its own listener (never on the S3 port).
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("pprof listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Warn("pprof", "err", err)
	}
}
