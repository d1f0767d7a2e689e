package replication

import (
	"context"
	"errors"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Outcome is the result of replicating one version to one destination on
// request (a Batch Replication task).
type Outcome struct {
	Destination string
	// Reason is "" on success, else an AWS failure reason.
	Reason, Detail string
	// Skipped: the version no longer exists.
	Skipped bool
}

// More failure reasons of requested replications.
const (
	ReasonSrcNotEligible = "SrcObjectNotEligible"
)

// Eligible reports the destinations a version replicates to under its
// bucket's configuration now (Batch Replication's EligibleForReplication).
func (s *Service) Eligible(b *meta.Bucket, v *meta.Version) []string {
	cfg := s.bucketConfig(b)
	if cfg == nil {
		return nil
	}
	var out []string
	for _, t := range cfg.Match(v.Key, v.Tags, v.DeleteMarker) {
		out = append(out, t.Bucket)
	}
	return out
}

// ReplicateVersion replicates one version now, as Batch Replication does:
// to every destination of the rules it matches under the bucket's current
// configuration, whatever its status (existing objects, FAILED ones and
// replicas alike), recording the outcome on the version. A transient
// failure (a destination region down) is returned as an error.
func (s *Service) ReplicateVersion(ctx context.Context, bucket, key, versionID string) ([]Outcome, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return []Outcome{{Reason: ReasonSrcBucketNotFound, Detail: "bucket " + bucket + " does not exist"}}, nil
		}
		return nil, err
	}
	cfg := s.bucketConfig(b)
	if cfg == nil {
		return []Outcome{{Reason: ReasonSrcConfigMissing, Detail: "bucket " + bucket + " has no replication configuration"}}, nil
	}
	v, err := s.objects.VersionByID(ctx, bucket, key, versionID)
	if err != nil {
		if s3err.As(err).Code == "NoSuchVersion" {
			return []Outcome{{Reason: ReasonSrcVersionNotFound, Detail: "version " + versionID + " of " + key + " does not exist", Skipped: true}}, nil
		}
		return nil, err
	}
	targets := cfg.Match(v.Key, v.Tags, v.DeleteMarker)
	if len(targets) == 0 {
		return []Outcome{{Reason: ReasonSrcNotEligible, Detail: "no enabled rule of bucket " + bucket + " matches " + key}}, nil
	}
	var out []Outcome
	for _, tg := range targets {
		t := &task{Bucket: bucket, Key: key, VersionID: v.VersionID, Dest: tg.Bucket, Rule: tg.Rule.ID, Size: v.Size, Batch: true}
		err := s.execute(ctx, nil, t)
		var f *failure
		var sk *skip
		switch {
		case err == nil:
			s.metrics.Completed(t.Bucket, t.Dest, t.Rule, 0, 0)
			out = append(out, Outcome{Destination: tg.Bucket})
		case errors.As(err, &f):
			s.remember(t.Bucket, t.Dest, f.Reason, f.Detail)
			s.metrics.Failed(t.Bucket, t.Dest, t.Rule, f.Reason)
			if uerr := s.meta.Update(ctx, func(tx meta.Tx) error { return setFailed(tx, t, f) }); uerr != nil {
				return nil, uerr
			}
			out = append(out, Outcome{Destination: tg.Bucket, Reason: f.Reason, Detail: f.Detail})
		case errors.As(err, &sk):
			out = append(out, Outcome{Destination: tg.Bucket, Reason: ReasonSrcVersionNotFound, Detail: sk.why, Skipped: true})
		default:
			return nil, err
		}
	}
	return out, nil
}
