package replication

import (
	"time"

	"github.com/ferrys3/ferry/internal/versionid"
)

// Observer receives the outcome of each replication, per source bucket,
// destination bucket and rule.
type Observer interface {
	// Completed: took is the time spent replicating, lag the time from the
	// version's creation until its replica was stored (0 when unknown).
	Completed(source, destination, rule string, took, lag time.Duration)
	Failed(source, destination, rule, reason string)
	Skipped(source, destination, rule string)
}

type nopObserver struct{}

func (nopObserver) Completed(string, string, string, time.Duration, time.Duration) {}
func (nopObserver) Failed(string, string, string, string)                          {}
func (nopObserver) Skipped(string, string, string)                                 {}

// lag is how long after its creation a live write's replica was stored;
// 0 for batch replications (their versions were written long before) and
// metadata changes (made after the version was written).
func (s *Service) lag(t *task) time.Duration {
	if t.Batch || t.Meta {
		return 0
	}
	created, ok := versionid.Time(t.VersionID)
	if !ok {
		return 0
	}
	return max(s.clock.Now().Sub(created), 0)
}
