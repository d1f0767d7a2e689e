package replication

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// Backlog is the queued work of one rule.
type Backlog struct {
	Source, Destination, Rule string
	Operations, Bytes         int64
	Oldest                    time.Time // creation of the oldest queued task
	// LastError is the most recent transient error of a queued task (why
	// it is waiting), "" when none failed yet.
	LastError string
}

// Backlogs lists the queued replications grouped by rule.
func (s *Service) Backlogs(ctx context.Context) ([]Backlog, error) {
	by := map[[3]string]*Backlog{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		return tx.ListTasks(Queue, func(mt *meta.Task) bool {
			t, err := decodeTask(mt.Payload)
			if err != nil {
				return true
			}
			k := [3]string{t.Bucket, t.Dest, t.Rule}
			b := by[k]
			if b == nil {
				b = &Backlog{Source: t.Bucket, Destination: t.Dest, Rule: t.Rule}
				by[k] = b
			}
			b.Operations++
			b.Bytes += t.Size
			created := time.Unix(0, mt.Created)
			if b.Oldest.IsZero() || created.Before(b.Oldest) {
				b.Oldest = created
			}
			if mt.LastError != "" {
				b.LastError = mt.LastError
			}
			return true
		})
	})
	out := make([]Backlog, 0, len(by))
	for _, b := range by {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Destination != b.Destination {
			return a.Destination < b.Destination
		}
		return a.Rule < b.Rule
	})
	return out, err
}

// Report is the replication state of a source bucket.
type Report struct {
	Bucket string `json:"Bucket"`
	// Versions counts the bucket's versions and delete markers by status
	// (PENDING, COMPLETED, FAILED, REPLICA; versions that matched no rule
	// are not counted).
	Pending   int64 `json:"Pending"`
	Completed int64 `json:"Completed"`
	Failed    int64 `json:"Failed"`
	Replicas  int64 `json:"Replicas"`
	// BytesPending and OldestPendingSeconds describe the queue.
	BytesPending         int64   `json:"BytesPending"`
	OldestPendingSeconds float64 `json:"OldestPendingSeconds"`
	// Destinations details each destination.
	Destinations []DestinationReport `json:"Destinations"`
}

// DestinationReport is the state of one destination of a source bucket.
type DestinationReport struct {
	Bucket    string         `json:"Bucket"`
	Pending   int64          `json:"Pending"`
	Completed int64          `json:"Completed"`
	Failed    int64          `json:"Failed"`
	Failures  []FailureGroup `json:"Failures,omitempty"`
	// Waiting is the last transient error of a pending replication.
	Waiting string `json:"Waiting,omitempty"`
}

// FailureGroup is the failed versions of one reason.
type FailureGroup struct {
	Reason string `json:"Reason"`
	Count  int64  `json:"Count"`
	// Example is one failed key, and Explanation what was missing.
	Example     string `json:"Example"`
	Explanation string `json:"Explanation,omitempty"`
}

// Status reports the replication state of a source bucket by reading its
// versions and its queued tasks.
func (s *Service) Status(ctx context.Context, bucket string) (*Report, error) {
	if _, err := s.objects.Bucket(ctx, bucket); err != nil {
		return nil, err
	}
	r := &Report{Bucket: bucket}
	dests := map[string]*DestinationReport{}
	dest := func(name string) *DestinationReport {
		d := dests[name]
		if d == nil {
			d = &DestinationReport{Bucket: name}
			dests[name] = d
		}
		return d
	}
	groups := map[[2]string]*FailureGroup{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		err := tx.ListVersions(bucket, meta.ListOptions{}, func(v *meta.Version) bool {
			switch v.ReplicationStatus {
			case meta.ReplicationPending:
				r.Pending++
			case meta.ReplicationCompleted:
				r.Completed++
			case meta.ReplicationFailed:
				r.Failed++
			case meta.ReplicationReplica:
				r.Replicas++
			}
			for _, st := range v.Replication {
				d := dest(st.Bucket)
				switch st.Status {
				case meta.ReplicationPending:
					d.Pending++
				case meta.ReplicationCompleted:
					d.Completed++
				case meta.ReplicationFailed:
					d.Failed++
					k := [2]string{st.Bucket, st.Reason}
					g := groups[k]
					if g == nil {
						g = &FailureGroup{Reason: st.Reason, Example: v.Key}
						groups[k] = g
					}
					g.Count++
				}
			}
			return true
		})
		if err != nil {
			return err
		}
		var oldest int64
		err = tx.ListTasks(Queue, func(mt *meta.Task) bool {
			t, err := decodeTask(mt.Payload)
			if err != nil || t.Bucket != bucket {
				return true
			}
			r.BytesPending += t.Size
			if oldest == 0 || mt.Created < oldest {
				oldest = mt.Created
			}
			if mt.LastError != "" {
				dest(t.Dest).Waiting = mt.LastError
			}
			return true
		})
		if oldest != 0 {
			r.OldestPendingSeconds = s.clock.Now().Sub(time.Unix(0, oldest)).Seconds()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for k, g := range groups {
		g.Explanation = s.explanation(bucket, k[0], k[1])
		d := dests[k[0]]
		d.Failures = append(d.Failures, *g)
	}
	for _, d := range dests {
		sort.Slice(d.Failures, func(i, j int) bool { return d.Failures[i].Count > d.Failures[j].Count })
		r.Destinations = append(r.Destinations, *d)
	}
	sort.Slice(r.Destinations, func(i, j int) bool { return r.Destinations[i].Bucket < r.Destinations[j].Bucket })
	return r, nil
}

// Retry queues every FAILED destination of the bucket's versions again and
// marks them PENDING; it returns how many replications it queued.
func (s *Service) Retry(ctx context.Context, bucket string) (int, error) {
	if _, err := s.objects.Bucket(ctx, bucket); err != nil {
		return 0, err
	}
	total := 0
	opt := meta.ListOptions{}
	for {
		var batch []*meta.Version
		var more bool
		err := s.meta.View(ctx, func(tx meta.Tx) error {
			return tx.ListVersions(bucket, opt, func(v *meta.Version) bool {
				if len(batch) == 1000 {
					more = true
					return false
				}
				if v.ReplicationStatus == meta.ReplicationFailed {
					batch = append(batch, v)
				}
				opt.KeyMarker, opt.VersionIDMarker = v.Key, v.VersionID
				return true
			})
		})
		if err != nil {
			return total, err
		}
		n := 0
		now := s.clock.Now().UnixNano()
		err = s.meta.Update(ctx, func(tx meta.Tx) error {
			n = 0
			for _, old := range batch {
				v, err := tx.GetVersion(old.Bucket, old.Key, old.VersionID)
				if err != nil {
					continue // deleted since
				}
				changed := false
				for i := range v.Replication {
					st := &v.Replication[i]
					if st.Status != meta.ReplicationFailed {
						continue
					}
					st.Status, st.Reason, changed = meta.ReplicationPending, "", true
					p := &task{Bucket: v.Bucket, Key: v.Key, VersionID: v.VersionID, Dest: st.Bucket, Rule: st.Rule, Size: v.Size, Batch: true}
					if err := tx.EnqueueTask(&meta.Task{Queue: Queue, Key: orderKey(v.Bucket, v.Key, st.Bucket), Payload: p.encode(),
						NotBefore: now, Created: now}); err != nil {
						return err
					}
					n++
				}
				if changed {
					v.ReplicationStatus = meta.DeriveReplicationStatus(v.Replication)
					if err := tx.PutVersion(v); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 {
			s.Enqueued()
		}
		if !more {
			return total, nil
		}
	}
}

// details remembers the last explanation of each failure reason per
// source and destination (in memory: `ferry doctor replication` recomputes
// it after a restart).
type details struct {
	mu sync.Mutex
	m  map[[3]string]string
}

func (s *Service) remember(src, dst, reason, detail string) {
	d := &s.details
	d.mu.Lock()
	if d.m == nil || len(d.m) > 10000 {
		d.m = map[[3]string]string{}
	}
	d.m[[3]string{src, dst, reason}] = detail
	d.mu.Unlock()
}

func (s *Service) explanation(src, dst, reason string) string {
	d := &s.details
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m[[3]string{src, dst, reason}]
}
