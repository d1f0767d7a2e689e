// Package s3api is the S3 REST front end: it parses requests, authenticates
// them with SigV4, authorizes them, calls the object service and renders
// AWS's wire format.
package s3api

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/inventory"
	"github.com/ferrys3/ferry/internal/metrics"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// Config configures a Handler.
type Config struct {
	Objects *object.Service
	IAM     *iam.Service
	// MultiRegion: the deployment has several regions, and a bucket of
	// another region is answered with PermanentRedirect.
	MultiRegion bool
	// Replication serves the bucket replication configuration API.
	Replication *replication.Service
	// Inventory serves the inventory configuration API.
	Inventory *inventory.Service
	Clock     clock.Clock
	Region    string
	// Domains are base host names for virtual-hosted-style requests
	// (bucket.domain); path-style always works.
	Domains []string
	Metrics *metrics.HTTP
	Log     *slog.Logger
}

// Handler serves the S3 API.
type Handler struct {
	obj         *object.Service
	iam         *iam.Service
	repl        *replication.Service
	inventory   *inventory.Service
	multiRegion bool
	clock       clock.Clock
	region      string
	domains     []string
	metrics     *metrics.HTTP
	log         *slog.Logger
	verifier    *sigv4.Verifier
	hostID      string
	reqSeq      atomic.Uint64
	reqBase     string
}

// New returns a Handler.
func New(c Config) *Handler {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{obj: c.Objects, iam: c.IAM, repl: c.Replication, inventory: c.Inventory, multiRegion: c.MultiRegion, clock: c.Clock, region: c.Region, metrics: c.Metrics, log: c.Log}
	for _, d := range c.Domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			h.domains = append(h.domains, d)
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	h.reqBase = strings.ToUpper(hex.EncodeToString(b[:4]))
	h.hostID = hex.EncodeToString(b[:])
	h.verifier = sigv4.NewCredentialVerifier(sigv4.CredentialSource(iam.ErrUnknownKey, c.IAM.Credential))
	return h
}

// newRequestID returns a unique 16-character request ID.
func (h *Handler) newRequestID() string {
	n := h.reqSeq.Add(1)
	const digits = "0123456789ABCDEF"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[n&15]
		n >>= 4
	}
	return h.reqBase + string(b[:])
}

// ServeHTTP handles one S3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := h.newRequestID()
	rw := &responseWriter{ResponseWriter: w}
	rw.Header().Set("x-amz-request-id", rid)
	rw.Header().Set("x-amz-id-2", h.hostID)
	rw.Header().Set("Server", "ferry")
	req := &request{h: h, w: rw, r: r, id: rid, op: "Unknown"}
	cr := &countingReader{r: r.Body}
	r.Body = cr
	req.serve()
	if h.metrics != nil {
		h.metrics.Observe(req.op, rw.status(), time.Since(start), cr.n, rw.n)
	}
	lvl := slog.LevelDebug
	if rw.status() >= 500 {
		lvl = slog.LevelWarn
	}
	if h.log.Enabled(r.Context(), lvl) {
		h.log.Log(r.Context(), lvl, "request", "id", rid, "op", req.op, "method", r.Method, "bucket", req.bucket,
			"key", req.key, "status", rw.status(), "in", cr.n, "out", rw.n, "ms", time.Since(start).Milliseconds(),
			"principal", req.identity().ARN, "remote", r.RemoteAddr, "err", req.errCode)
	}
}

type responseWriter struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *responseWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

// ReadFrom keeps sendfile available for file-backed bodies.
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = 200
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	}
	w.n += n
	return n, err
}

func (w *responseWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *responseWriter) status() int {
	if w.code == 0 {
		return 200
	}
	return w.code
}

type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }
