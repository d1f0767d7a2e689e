package object

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// PutInput is a PutObject request.
type PutInput struct {
	Bucket, Key string
	Owner       string // account writing the object
	Body        io.Reader
	Size        int64 // decoded body length; -1 when unknown
	ContentMD5  string
	Checksum    ChecksumSpec
	Attrs       Attrs
}

// PutOutput is the result of a write that creates a version.
type PutOutput struct {
	ETag         string // without quotes
	VersionID    string // "" when the bucket is unversioned
	Checksums    map[string]string
	ChecksumType string // FULL_OBJECT or COMPOSITE when Checksums is set
	Size         int64
	ModTime      time.Time
}

// Put stores a new object version.
func (s *Service) Put(ctx context.Context, in PutInput) (*PutOutput, error) {
	if err := ValidateKey(in.Key); err != nil {
		return nil, err
	}
	if err := in.Attrs.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.Bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	d, err := s.ingest(ctx, in.Body, in.Size, in.ContentMD5, in.Checksum)
	if err != nil {
		return nil, err
	}
	v := newVersion(in.Bucket, in.Key, in.Owner, in.Attrs)
	v.Size = d.size
	v.ETag = d.etag()
	v.Checksums = d.checksums
	if d.checksums != nil {
		v.ChecksumType = "FULL_OBJECT"
	}
	v.Data = []meta.Segment{d.seg}
	var inline map[string][]byte
	if d.inline != nil {
		inline = map[string][]byte{d.seg.BlobID: d.inline}
	}
	if err := s.commitVersion(ctx, v, inline); err != nil {
		s.discard(ctx, d)
		return nil, err
	}
	return outputOf(v), nil
}

func newVersion(bucket, key, owner string, a Attrs) *meta.Version {
	sc := a.StorageClass
	if sc == "" {
		sc = "STANDARD"
	}
	ct := a.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	return &meta.Version{Bucket: bucket, Key: key, Owner: owner, StorageClass: sc, ContentType: ct,
		Headers: a.Headers, Metadata: a.Metadata, Tags: a.Tags}
}

func outputOf(v *meta.Version) *PutOutput {
	return &PutOutput{ETag: v.ETag, VersionID: visibleVersion(v), Checksums: v.Checksums, ChecksumType: v.ChecksumType, Size: v.Size, ModTime: v.ModTime}
}

// commitVersion assigns v its version ID and time according to the bucket's
// versioning state and stores it, replacing the null version where S3 does.
// inline holds data to store inside the same transaction.
func (s *Service) commitVersion(ctx context.Context, v *meta.Version, inline map[string][]byte) error {
	id, t := s.versions.New()
	v.ModTime = t.UTC()
	var freed []string
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		freed = freed[:0]
		b, err := getBucket(tx, v.Bucket)
		if err != nil {
			return err
		}
		v.VersionID = meta.NullVersion
		if b.Versioning == meta.VersioningEnabled {
			v.VersionID = id
		} else {
			old, err := tx.GetVersion(v.Bucket, v.Key, meta.NullVersion)
			switch {
			case err == nil:
				if err := dropInline(tx, old.Data); err != nil {
					return err
				}
				freed = append(freed, blobsOf(old.Data)...)
			case !errors.Is(err, meta.ErrNotFound):
				return err
			}
		}
		for id, data := range inline {
			if err := tx.PutInline(id, data); err != nil {
				return err
			}
		}
		if err := tx.PutVersion(v); err != nil {
			return err
		}
		return s.enqueueGC(tx, freed)
	})
	return internal(err)
}

// GCQueue is the task queue of blobs to delete once readers are done.
const GCQueue = "blobgc"

// GCGrace is how long a replaced blob stays readable for GETs in flight.
const GCGrace = 5 * time.Minute

// enqueueGC schedules blob deletion in the transaction that dropped them, so
// a crash can neither lose the deletion nor delete a live blob.
func (s *Service) enqueueGC(tx meta.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	p, _ := json.Marshal(ids)
	now := s.clock.Now()
	return tx.EnqueueTask(&meta.Task{Queue: GCQueue, Payload: p, NotBefore: now.Add(GCGrace).UnixNano(), Created: now.UnixNano()})
}

// CollectGarbage deletes blobs whose grace period has passed. It returns the
// number of blobs deleted.
func (s *Service) CollectGarbage(ctx context.Context) (int, error) {
	now := s.clock.Now()
	var tasks []*meta.Task
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		var err error
		tasks, err = tx.ClaimTasks(GCQueue, now.UnixNano(), now.Add(time.Minute).UnixNano(), 100)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tasks {
		var ids []string
		_ = json.Unmarshal(t.Payload, &ids)
		s.deleteBlobs(ctx, ids)
		n += len(ids)
		if err := s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(t.ID) }); err != nil && !errors.Is(err, meta.ErrNotFound) {
			return n, err
		}
	}
	return n, nil
}

// CollectOrphans deletes blobs that no version, part or pending collection
// references: left behind by a crash between writing a blob and committing
// its metadata. Run it at start-up, before serving.
func (s *Service) CollectOrphans(ctx context.Context) (int, error) {
	live := map[string]bool{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		return tx.ForEachBlobRef(func(id string) bool { live[id] = true; return true })
	})
	if err != nil {
		return 0, err
	}
	var orphans []string
	err = s.blobs.Walk(ctx, func(id string) error {
		if !live[id] {
			orphans = append(orphans, id)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.deleteBlobs(ctx, orphans)
	return len(orphans), nil
}
