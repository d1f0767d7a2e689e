package object

// Reading a source version and writing its replica, for the replication
// service. Neither is reachable through the S3 API.

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/ferrys3/ferry/internal/blob"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// ErrReplicaIntegrity reports a replica whose bytes did not hash to the
// source's ETag; the replication is retried.
var ErrReplicaIntegrity = errors.New("object: replica bytes do not match the source ETag")

// VersionByID returns a version (object or delete marker) by its exact ID.
// A missing bucket gives NoSuchBucket, a missing version NoSuchVersion.
func (s *Service) VersionByID(ctx context.Context, bucket, key, versionID string) (*meta.Version, error) {
	var v *meta.Version
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		var err error
		v, err = tx.GetVersion(bucket, key, versionID)
		if errors.Is(err, meta.ErrNotFound) {
			return s3err.ErrNoSuchVersion.WithExtra("Key", key).WithExtra("VersionId", versionID)
		}
		return err
	})
	if err != nil {
		return nil, internal(err)
	}
	return v, nil
}

// ReplicaInput is a replica to store.
type ReplicaInput struct {
	// V is the replica: Bucket is the destination; VersionID, ModTime,
	// metadata, tags, checksums, ETag, PartsCount and ChecksumType are
	// kept; Data is the source version's segments, whose bytes are linked
	// (blobs on the same file system) or copied into the destination's
	// region. Owner and ACL are settled from Writer and Grants by the
	// destination's Object Ownership.
	V *meta.Version
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
	segs, inline, err := s.replicateData(ctx, region, v)
	if err != nil {
		return err
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
		s.deleteBlobs(ctx, blobsOf(segs))
		return internal(err)
	}
	return nil
}

// replicateData gives the replica its own copy of the source segments in
// region: inline data is copied, blobs are hard-linked when the data roots
// share a file system and copied (and checked against the ETag) otherwise.
func (s *Service) replicateData(ctx context.Context, region string, v *meta.Version) ([]meta.Segment, map[string][]byte, error) {
	if v.DeleteMarker {
		return nil, nil, nil
	}
	inline := map[string][]byte{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		for _, sg := range v.Data {
			if sg.Inline {
				d, err := tx.GetInline(sg.BlobID)
				if err != nil {
					return fmt.Errorf("object: inline data of the source: %w", err)
				}
				inline[sg.BlobID] = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([]meta.Segment, 0, len(v.Data))
	copies := map[string][]byte{}
	fail := func(err error) ([]meta.Segment, map[string][]byte, error) {
		s.deleteBlobs(ctx, blobsOf(out))
		return nil, nil, err
	}
	linker, canLink := s.blobs.(blob.Linker)
	for _, sg := range v.Data {
		seg := meta.Segment{Size: sg.Size, Part: sg.Part}
		switch {
		case sg.Inline:
			seg.BlobID, seg.Inline = s.newInlineID(), true
			copies[seg.BlobID] = inline[sg.BlobID]
		default:
			seg.BlobID = s.newBlobID(region)
			err := blob.ErrNotLinkable
			if canLink {
				err = linker.Link(ctx, sg.BlobID, seg.BlobID)
			}
			if errors.Is(err, blob.ErrNotLinkable) {
				err = s.copyBlob(ctx, sg.BlobID, seg.BlobID, sg.Size, v)
			}
			if err != nil {
				return fail(fmt.Errorf("object: replica data: %w", err))
			}
		}
		out = append(out, seg)
	}
	return out, copies, nil
}

// copyBlob copies a source blob into a new blob, checking a single-part
// object's bytes against its MD5 ETag.
func (s *Service) copyBlob(ctx context.Context, srcID, dstID string, size int64, v *meta.Version) error {
	rc, err := s.blobs.Open(ctx, srcID, 0, -1)
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := s.blobs.Create(ctx, dstID)
	if err != nil {
		return err
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(w, h), rc)
	if err == nil && n != size {
		err = fmt.Errorf("source blob %s has %d bytes, want %d", srcID, n, size)
	}
	if err == nil && v.PartsCount == 0 && len(v.Data) == 1 && len(v.ETag) == 32 && hex.EncodeToString(h.Sum(nil)) != v.ETag {
		err = ErrReplicaIntegrity
	}
	if err != nil {
		_ = w.Abort()
		return err
	}
	return w.Commit()
}

// ErrReplicaMissing reports that the version a metadata change is carried
// to no longer exists in the destination (deleted there by version ID).
var ErrReplicaMissing = errors.New("object: the replica version does not exist")

// ReplicaMetadata is a metadata change of a source version to carry to its
// replica: the tags and the ACL, settled as for the replica itself.
type ReplicaMetadata struct {
	Bucket, Key, VersionID string // the replica
	// KeepTags leaves the replica's tags as they are (tag replication is
	// denied); otherwise they become Tags.
	KeepTags bool
	Tags     map[string]string
	Writer   string
	Grants   []meta.Grant
	Check    func(tx meta.Tx, b *meta.Bucket) error
	Commit   func(tx meta.Tx) error
}

// PutReplicaMetadata updates a replica's tags and ACL in one transaction
// with Check and Commit; no data moves. A missing replica is
// ErrReplicaMissing.
func (s *Service) PutReplicaMetadata(ctx context.Context, in ReplicaMetadata) error {
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := getBucket(tx, in.Bucket)
		if err != nil {
			return err
		}
		if in.Check != nil {
			if err := in.Check(tx, b); err != nil {
				return err
			}
		}
		r, err := tx.GetVersion(in.Bucket, in.Key, in.VersionID)
		if errors.Is(err, meta.ErrNotFound) {
			return ErrReplicaMissing
		}
		if err != nil {
			return err
		}
		if !in.KeepTags {
			r.Tags = in.Tags
		}
		r.Owner, r.ACL = settleOwner(b, in.Writer, in.Grants)
		if err := tx.PutVersion(r); err != nil {
			return err
		}
		if in.Commit != nil {
			return in.Commit(tx)
		}
		return nil
	}))
}
