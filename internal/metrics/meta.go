package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MetaStats are the metadata store's counters since it opened.
type MetaStats struct {
	Commits, Updates, PagesWritten uint64
	WriteTime                      time.Duration
}

// RegisterMeta exports the metadata store's group-commit counters, read
// from stats at each scrape: updates per commit and pages written per
// update are what a durable write costs.
func RegisterMeta(reg prometheus.Registerer, stats func() MetaStats) {
	counter := func(name, help string, f func(MetaStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return f(stats()) })
	}
	reg.MustRegister(
		counter("ferry_meta_commits_total", "Metadata group commits (one fsync each).",
			func(s MetaStats) float64 { return float64(s.Commits) }),
		counter("ferry_meta_updates_total", "Metadata updates made durable by those commits.",
			func(s MetaStats) float64 { return float64(s.Updates) }),
		counter("ferry_meta_pages_written_total", "Metadata pages written by commits.",
			func(s MetaStats) float64 { return float64(s.PagesWritten) }),
		counter("ferry_meta_write_seconds_total", "Time commits spent writing and syncing pages.",
			func(s MetaStats) float64 { return s.WriteTime.Seconds() }),
	)
}
