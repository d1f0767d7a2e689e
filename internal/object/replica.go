package object

// Reading a source version and writing its replica, for the replication
// service. Neither is reachable through the S3 API.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// ErrReplicaIntegrity reports a replica whose bytes did not hash to the
// source's ETag; the replication is retried.
var ErrReplicaIntegrity = errors.New("object: replica bytes do not match the source ETag")

// OpenVersion returns a version (object or delete marker) by its exact ID
// and, for an object, a reader of all its bytes. A missing bucket gives
// NoSuchBucket, a missing version NoSuchVersion.
func (s *Service) OpenVersion(ctx context.Context, bucket, key, versionID string) (*meta.Version, io.ReadCloser, error) {
	var v *meta.Version
	var inline map[string][]byte
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		var err error
		v, err = tx.GetVersion(bucket, key, versionID)
		if errors.Is(err, meta.ErrNotFound) {
			return s3err.ErrNoSuchVersion.WithExtra("Key", key).WithExtra("VersionId", versionID)
		}
		if err != nil {
			return err
		}
		for _, sg := range v.Data {
			if sg.Inline {
				d, err := tx.GetInline(sg.BlobID)
				if err != nil {
					return err
				}
				if inline == nil {
					inline = map[string][]byte{}
				}
				inline[sg.BlobID] = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, internal(err)
	}
	if v.DeleteMarker {
		return v, nil, nil
	}
	return v, s.newSegmentReader(ctx, v.Data, inline, 0, v.Size), nil
}

// ReplicaInput is a replica to store.
type ReplicaInput struct {
	// V is the replica: Bucket is the destination; VersionID, ModTime,
	// metadata, tags, checksums, ETag, PartsCount and ChecksumType are
	// kept; Data gives the part layout (segment sizes and part numbers)
	// and is replaced by the stored segments. Owner and ACL are settled
	// from Writer and Grants by the destination's Object Ownership.
	V *meta.Version
	// Body yields the object's bytes (nil for a delete marker).
	Body io.Reader
	// Writer is the account the replica is written for: the source
	// object's owner, or the destination owner under owner override.
	Writer string
	Grants []meta.Grant
	// Check runs first in the storing transaction with the destination
	// bucket; an error aborts the write and is returned.
	Check func(tx meta.Tx, b *meta.Bucket) error
	// Commit runs last in the storing transaction.
	Commit func(tx meta.Tx) error
}

// PutReplica stores a replica with the source's version ID and creation
// time, marked REPLICA, so it lands among the destination key's versions
// by that time. A replica already stored under the same version ID is
// replaced. Replicas are never themselves replicated.
func (s *Service) PutReplica(ctx context.Context, in ReplicaInput) error {
	v := in.V
	if v.VersionID == "" || v.ModTime.IsZero() {
		return internal(errors.New("object: a replica needs its version ID and time"))
	}
	region, err := s.bucketRegion(ctx, v.Bucket)
	if err != nil {
		return err
	}
	var segs []meta.Segment
	var stored []*ingested
	inline := map[string][]byte{}
	discard := func() {
		for _, d := range stored {
			s.discard(ctx, d)
		}
	}
	if !v.DeleteMarker {
		layout := v.Data
		if len(layout) == 0 && v.Size > 0 {
			layout = []meta.Segment{{Size: v.Size}}
		}
		for _, sg := range layout {
			d, err := s.ingest(ctx, region, io.LimitReader(in.Body, sg.Size), sg.Size, "", ChecksumSpec{})
			if err != nil {
				discard()
				return fmt.Errorf("object: replica body: %w", err)
			}
			stored = append(stored, d)
			seg := d.seg
			seg.Part = sg.Part
			segs = append(segs, seg)
			if d.inline != nil {
				inline[seg.BlobID] = d.inline
			}
		}
		if v.PartsCount == 0 && len(stored) == 1 && len(v.ETag) == 32 && stored[0].etag() != v.ETag {
			discard()
			return ErrReplicaIntegrity
		}
	}
	r := *v
	r.Data = segs
	r.ReplicationStatus, r.Replication = meta.ReplicationReplica, nil
	var freed []string
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		freed = freed[:0]
		b, err := getBucket(tx, r.Bucket)
		if err != nil {
			return err
		}
		if in.Check != nil {
			if err := in.Check(tx, b); err != nil {
				return err
			}
		}
		r.Owner, r.ACL = settleOwner(b, in.Writer, in.Grants)
		old, err := tx.GetVersion(r.Bucket, r.Key, r.VersionID)
		switch {
		case err == nil:
			if err := dropInline(tx, old.Data); err != nil {
				return err
			}
			freed = append(freed, blobsOf(old.Data)...)
		case !errors.Is(err, meta.ErrNotFound):
			return err
		}
		for id, data := range inline {
			if err := tx.PutInline(id, data); err != nil {
				return err
			}
		}
		if err := tx.PutVersion(&r); err != nil {
			return err
		}
		if err := s.enqueueGC(tx, freed); err != nil {
			return err
		}
		if in.Commit != nil {
			return in.Commit(tx)
		}
		return nil
	})
	if err != nil {
		discard()
		return internal(err)
	}
	return nil
}
