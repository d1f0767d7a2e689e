package object

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
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
	// Cond holds the conditional-write headers (If-Match, If-None-Match: *),
	// checked against the key's current version when the write commits.
	Cond WriteConditions
	// ACL is the requested access control (x-amz-acl, x-amz-grant-*); the
	// bucket's Object Ownership decides who owns the version.
	ACL ACL
	// VersionID and ModTime, when set, are kept instead of generated: a
	// replica keeps its source's version ID and creation time, and lands
	// among the key's versions by that time (an older version arriving late
	// becomes noncurrent). Internal callers only; the S3 API never sets them.
	VersionID string
	ModTime   time.Time
}

// WriteConditions are S3's conditional writes.
type WriteConditions struct {
	IfMatch     string // the current version's ETag must match
	IfNoneMatch string // "*": the key must not exist
}

// check evaluates the conditions against the current version (nil or a
// delete marker when the key does not exist).
func (c WriteConditions) check(cur *meta.Version) error {
	exists := cur != nil && !cur.DeleteMarker
	if c.IfNoneMatch != "" && exists {
		return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-None-Match")
	}
	if c.IfMatch != "" {
		if !exists {
			return s3err.ErrNoSuchKey
		}
		if !etagMatches(c.IfMatch, cur.ETag) {
			return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-Match")
		}
	}
	return nil
}

// Validate refuses condition values S3 does not accept.
func (c WriteConditions) Validate() error {
	if c.IfNoneMatch != "" && c.IfNoneMatch != "*" {
		return s3err.ErrNotImplemented.With("If-None-Match on writes accepts only *.").WithExtra("Header", "If-None-Match")
	}
	return nil
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
	if err := in.Cond.Validate(); err != nil {
		return nil, err
	}
	if (in.VersionID == "") != in.ModTime.IsZero() {
		return nil, internal(errors.New("object: a given version needs both VersionID and ModTime"))
	}
	b, err := s.precheckACL(ctx, in.Bucket, in.ACL)
	if err != nil {
		return nil, err
	}
	d, err := s.ingest(ctx, b.Region, in.Body, in.Size, in.ContentMD5, in.Checksum)
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
	v.VersionID, v.ModTime = in.VersionID, in.ModTime
	var inline map[string][]byte
	if d.inline != nil {
		inline = map[string][]byte{d.seg.BlobID: d.inline}
	}
	state, err := s.commitVersion(ctx, v, inline, in.Cond, in.ACL)
	if err != nil {
		s.discard(ctx, d)
		return nil, err
	}
	return outputOf(v, state), nil
}

// precheckACL refuses a write whose ACL the bucket does not accept before
// its body is read; commitVersion checks again when the write commits.
func (s *Service) precheckACL(ctx context.Context, bucket string, a ACL) (*meta.Bucket, error) {
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	_, err = checkACL(b, a)
	return b, err
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

func outputOf(v *meta.Version, bucketState string) *PutOutput {
	return &PutOutput{ETag: v.ETag, VersionID: versionHeader(v, bucketState), Checksums: v.Checksums, ChecksumType: v.ChecksumType, Size: v.Size, ModTime: v.ModTime}
}

// commitVersion assigns v its version ID and time according to the bucket's
// versioning state (unless v arrives with both, as a replica does) and
// stores it, replacing the null version where S3 does. inline holds data to
// store inside the same transaction. v.Owner is the writer; the bucket's
// Object Ownership and acl decide the version's owner and grants.
func (s *Service) commitVersion(ctx context.Context, v *meta.Version, inline map[string][]byte, cond WriteConditions, acl ACL) (string, error) {
	given := v.VersionID
	id, t := given, v.ModTime.UTC()
	if given == "" {
		id, t = s.versions.New()
	}
	v.ModTime = t.UTC()
	var freed []string
	var state string
	var queued bool
	writer := v.Owner
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		freed = freed[:0]
		v.ReplicationStatus, v.Replication = "", nil
		b, err := getBucket(tx, v.Bucket)
		if err != nil {
			return err
		}
		state = b.Versioning
		grants, err := checkACL(b, acl)
		if err != nil {
			return err
		}
		v.Owner, v.ACL = settleOwner(b, writer, grants)
		if err := checkWrite(tx, v.Bucket, v.Key, cond); err != nil {
			return err
		}
		v.VersionID = meta.NullVersion
		if b.Versioning == meta.VersioningEnabled || (given != "" && given != meta.NullVersion) {
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
		if queued, err = s.decide(tx, b, v); err != nil {
			return err
		}
		if err := tx.PutVersion(v); err != nil {
			return err
		}
		return s.enqueueGC(tx, freed)
	})
	if err == nil {
		s.enqueued(queued)
	}
	return state, internal(err)
}

// checkWrite evaluates conditional-write headers inside the write's
// transaction, so no concurrent write can slip between check and commit.
func checkWrite(tx meta.Tx, bucket, key string, cond WriteConditions) error {
	if cond == (WriteConditions{}) {
		return nil
	}
	cur, err := tx.GetCurrent(bucket, key)
	if errors.Is(err, meta.ErrNotFound) {
		cur, err = nil, nil
	}
	if err != nil {
		return err
	}
	if e := cond.check(cur); e != nil {
		if cur == nil || cur.DeleteMarker {
			if se, ok := e.(*s3err.Error); ok && se.Code == "NoSuchKey" {
				return se.WithExtra("Key", key)
			}
		}
		return e
	}
	return nil
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
