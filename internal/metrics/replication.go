package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Replication instruments live replication per rule, with the metric
// names S3 publishes to CloudWatch: ReplicationLatency,
// BytesPendingReplication, OperationsPendingReplication and
// OperationsFailedReplication.
type Replication struct {
	latency   *prometheus.HistogramVec
	failed    *prometheus.CounterVec
	completed *prometheus.CounterVec
	skipped   *prometheus.CounterVec
	pendOps   *prometheus.Desc
	pendBytes *prometheus.Desc
	oldest    *prometheus.Desc

	mu      sync.Mutex
	pending func() []PendingRule
	cached  []PendingRule
	at      time.Time
}

// PendingRule is the backlog of one rule.
type PendingRule struct {
	Source, Destination, Rule string
	Operations, Bytes         int64
	OldestAge                 time.Duration
}

var replLabels = []string{"source_bucket", "destination_bucket", "rule_id"}

// NewReplication registers the replication instruments on reg.
func NewReplication(reg prometheus.Registerer) *Replication {
	m := &Replication{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ferry_replication_latency_seconds",
			Help:    "ReplicationLatency: time from a version's creation until its replica was stored.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}}, replLabels),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_replication_operations_failed_total",
			Help: "OperationsFailedReplication: replications that ended FAILED, by failure reason."}, append(replLabels, "reason")),
		completed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_replication_operations_completed_total",
			Help: "Replications completed."}, replLabels),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferry_replication_operations_skipped_total",
			Help: "Replications skipped because the source version or bucket was deleted first."}, replLabels),
		pendOps: prometheus.NewDesc("ferry_replication_operations_pending", "OperationsPendingReplication: queued replications.",
			replLabels, nil),
		pendBytes: prometheus.NewDesc("ferry_replication_bytes_pending", "BytesPendingReplication: bytes of queued replications.",
			replLabels, nil),
		oldest: prometheus.NewDesc("ferry_replication_oldest_pending_seconds", "Age of the oldest queued replication.",
			replLabels, nil),
	}
	if reg != nil {
		reg.MustRegister(m.latency, m.failed, m.completed, m.skipped, m)
	}
	return m
}

// SetPending sets the function that reports the backlog (called at most
// every 10 seconds, at scrape time).
func (m *Replication) SetPending(fn func() []PendingRule) {
	m.mu.Lock()
	m.pending = fn
	m.mu.Unlock()
}

// Completed records a replication stored after lag (0: unknown).
func (m *Replication) Completed(src, dst, rule string, _, lag time.Duration) {
	m.completed.WithLabelValues(src, dst, rule).Inc()
	if lag > 0 {
		m.latency.WithLabelValues(src, dst, rule).Observe(lag.Seconds())
	}
}

// Failed records a replication that ended FAILED.
func (m *Replication) Failed(src, dst, rule, reason string) {
	m.failed.WithLabelValues(src, dst, rule, reason).Inc()
}

// Skipped records a replication with nothing left to replicate.
func (m *Replication) Skipped(src, dst, rule string) {
	m.skipped.WithLabelValues(src, dst, rule).Inc()
}

// Describe implements prometheus.Collector for the backlog gauges.
func (m *Replication) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.pendOps
	ch <- m.pendBytes
	ch <- m.oldest
}

// Collect implements prometheus.Collector.
func (m *Replication) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	if m.pending != nil && time.Since(m.at) > 10*time.Second {
		m.cached, m.at = m.pending(), time.Now()
	}
	rows := m.cached
	m.mu.Unlock()
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(m.pendOps, prometheus.GaugeValue, float64(r.Operations), r.Source, r.Destination, r.Rule)
		ch <- prometheus.MustNewConstMetric(m.pendBytes, prometheus.GaugeValue, float64(r.Bytes), r.Source, r.Destination, r.Rule)
		ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, r.OldestAge.Seconds(), r.Source, r.Destination, r.Rule)
	}
}
