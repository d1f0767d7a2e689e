package object

import (
	"context"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// SetVersioning changes a bucket's versioning state to Enabled or
// Suspended. A bucket never returns to unversioned.
func (s *Service) SetVersioning(ctx context.Context, bucket, status string) error {
	if status != meta.VersioningEnabled && status != meta.VersioningSuspended {
		return s3err.ErrMalformedXML
	}
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		if _, ok := b.Configs[ReplicationConfig]; ok && status != meta.VersioningEnabled {
			return s3err.ErrInvalidBucketState.With("A replication configuration is present on this bucket, so the versioning state cannot be changed.").
				WithExtra("BucketName", bucket)
		}
		b.Versioning = status
		return tx.UpdateBucket(b)
	}))
}

// ListVersionsInput selects versions and delete markers.
type ListVersionsInput struct {
	Bucket, Prefix, Delimiter  string
	KeyMarker, VersionIDMarker string
	MaxKeys                    int
}

// VersionEntry is one listed version or delete marker.
type VersionEntry struct {
	*meta.Version
	IsLatest bool
}

// ListVersionsOutput is one page of ListObjectVersions.
type ListVersionsOutput struct {
	Versions                         []VersionEntry
	CommonPrefixes                   []string
	Truncated                        bool
	NextKeyMarker, NextVersionMarker string
}

// ListVersions lists versions and delete markers in key order, newest
// first within a key, rolling keys up into common prefixes.
func (s *Service) ListVersions(ctx context.Context, in ListVersionsInput) (*ListVersionsOutput, error) {
	if in.VersionIDMarker != "" && in.KeyMarker == "" {
		return nil, s3err.ErrInvalidArgument.With("A version-id marker cannot be specified without a key marker.").
			WithExtra("ArgumentName", "version-id-marker").WithExtra("ArgumentValue", in.VersionIDMarker)
	}
	if err := CheckVersionID(in.VersionIDMarker); err != nil {
		return nil, err
	}
	out := &ListVersionsOutput{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, in.Bucket); err != nil {
			return err
		}
		if in.MaxKeys <= 0 {
			return nil
		}
		opt := meta.ListOptions{Prefix: in.Prefix, KeyMarker: in.KeyMarker, VersionIDMarker: in.VersionIDMarker}
		latestKey, latestID := "", ""
		for {
			var restart string
			err := tx.ListVersions(in.Bucket, opt, func(v *meta.Version) bool {
				if cp, ok := commonPrefix(v.Key, in.Prefix, in.Delimiter); ok {
					if cp <= in.KeyMarker {
						restart = cp + keyCeiling
						return false
					}
					if len(out.Versions)+len(out.CommonPrefixes) >= in.MaxKeys {
						out.Truncated = true
						return false
					}
					out.CommonPrefixes = append(out.CommonPrefixes, cp)
					out.NextKeyMarker, out.NextVersionMarker = cp, ""
					restart = cp + keyCeiling
					return false
				}
				if len(out.Versions)+len(out.CommonPrefixes) >= in.MaxKeys {
					out.Truncated = true
					return false
				}
				if v.Key != latestKey {
					latestKey, latestID = v.Key, ""
					if cur, err := tx.GetCurrent(in.Bucket, v.Key); err == nil {
						latestID = cur.VersionID
					}
				}
				out.Versions = append(out.Versions, VersionEntry{Version: v, IsLatest: v.VersionID == latestID})
				out.NextKeyMarker, out.NextVersionMarker = v.Key, v.VersionID
				return true
			})
			if err != nil || restart == "" || out.Truncated {
				return err
			}
			opt = meta.ListOptions{Prefix: in.Prefix, KeyMarker: restart}
		}
	})
	if err != nil {
		return nil, internal(err)
	}
	if !out.Truncated {
		out.NextKeyMarker, out.NextVersionMarker = "", ""
	}
	return out, nil
}
