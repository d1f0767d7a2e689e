package object

import (
	"context"
	"errors"

	"github.com/ferrys3/ferry/internal/meta"
)

// DeleteResult says what a delete did.
type DeleteResult struct {
	VersionID    string // version removed or delete marker created ("" for unversioned)
	DeleteMarker bool   // a marker was created, or the removed version was a marker
}

// Delete deletes key (creating a delete marker in versioned buckets) or,
// with versionID, removes that version permanently.
func (s *Service) Delete(ctx context.Context, bucket, key, versionID, owner string) (*DeleteResult, error) {
	if err := CheckVersionID(versionID); err != nil {
		return nil, err
	}
	if versionID != "" {
		return s.deleteVersion(ctx, bucket, key, versionID)
	}
	newID, t := s.versions.New()
	res := &DeleteResult{}
	var queued bool
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		*res = DeleteResult{}
		id := newID
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		var freed []string
		if b.Versioning != meta.VersioningEnabled {
			old, err := tx.GetVersion(bucket, key, meta.NullVersion)
			switch {
			case err == nil:
				if err := dropInline(tx, old.Data); err != nil {
					return err
				}
				freed = blobsOf(old.Data)
				if err := tx.DeleteVersion(bucket, key, meta.NullVersion); err != nil {
					return err
				}
			case !errors.Is(err, meta.ErrNotFound):
				return err
			}
			if b.Versioning == meta.VersioningOff {
				return s.enqueueGC(tx, freed)
			}
			id = meta.NullVersion
		}
		markerOwner, _ := settleOwner(b, owner, nil)
		m := &meta.Version{Bucket: bucket, Key: key, VersionID: id, ModTime: t.UTC(), DeleteMarker: true, Owner: markerOwner}
		if queued, err = s.decide(tx, b, m); err != nil {
			return err
		}
		if err := tx.PutVersion(m); err != nil {
			return err
		}
		res.VersionID, res.DeleteMarker = id, true
		return s.enqueueGC(tx, freed)
	})
	if err != nil {
		return nil, internal(err)
	}
	s.enqueued(queued)
	return res, nil
}

func (s *Service) deleteVersion(ctx context.Context, bucket, key, versionID string) (*DeleteResult, error) {
	res := &DeleteResult{VersionID: versionID}
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		res.DeleteMarker = false
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		v, err := tx.GetVersion(bucket, key, versionID)
		if errors.Is(err, meta.ErrNotFound) {
			return nil // S3 answers 204 for an absent version
		}
		if err != nil {
			return err
		}
		res.DeleteMarker = v.DeleteMarker
		if err := dropInline(tx, v.Data); err != nil {
			return err
		}
		if err := tx.DeleteVersion(bucket, key, versionID); err != nil {
			return err
		}
		return s.enqueueGC(tx, blobsOf(v.Data))
	})
	if err != nil {
		return nil, internal(err)
	}
	return res, nil
}
