// Package metrics defines ferry's Prometheus instruments, registered on an
// injected registry (no global state).
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP instruments one API front end.
type HTTP struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec
}

// NewHTTP registers the HTTP instruments for api (e.g. "s3") on reg.
func NewHTTP(reg prometheus.Registerer, api string) *HTTP {
	l := prometheus.Labels{"api": api}
	h := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_requests_total",
			Help: "Requests by operation and status class.", ConstLabels: l}, []string{"operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_request_duration_seconds",
			Help: "Request latency by operation, to the last byte of the response.", ConstLabels: l,
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"operation"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_request_bytes_total",
			Help: "Request body bytes received by operation.", ConstLabels: l}, []string{"operation"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_response_bytes_total",
			Help: "Response body bytes sent by operation.", ConstLabels: l}, []string{"operation"}),
	}
	reg.MustRegister(h.requests, h.latency, h.bytesIn, h.bytesOut)
	return h
}

// Observe records one finished request.
func (h *HTTP) Observe(op string, status int, d time.Duration, in, out int64) {
	h.requests.WithLabelValues(op, strconv.Itoa(status/100)+"xx").Inc()
	h.latency.WithLabelValues(op).Observe(d.Seconds())
	if in > 0 {
		h.bytesIn.WithLabelValues(op).Add(float64(in))
	}
	if out > 0 {
		h.bytesOut.WithLabelValues(op).Add(float64(out))
	}
}
