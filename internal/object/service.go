// Package object is the object service: buckets, objects, versions and
// multipart uploads over the meta and blob contracts. Errors it returns are
// *s3err.Error values from the catalog, or internal errors (InternalError).
package object

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"log/slog"
	"strings"

	"github.com/ferrys3/ferry/internal/blob"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/versionid"
)

// Limits enforced at the edge of the service.
const (
	MaxObjectSize   = 5 << 40 // 5 TiB
	MaxPutSize      = 5 << 30 // single PUT / part: 5 GiB
	MinPartSize     = 5 << 20
	MaxParts        = 10000
	MaxKeyLength    = 1024
	MaxMetadataSize = 2 << 10 // user metadata, bytes of names + values
	MaxTags         = 10
)

// Config configures a Service.
type Config struct {
	Meta   meta.Store
	Blobs  blob.Store
	Clock  clock.Clock
	Region string
	// Regions lists every region of the deployment when there are several;
	// blobs of buckets outside Region get IDs prefixed "<region>." so one
	// blob store can route them to that region's data root.
	Regions []string
	// InlineMax is the largest body kept inside the metadata store.
	InlineMax int64
	// Replicator, when set, decides in each write's transaction whether
	// the new version replicates.
	Replicator Replicator
	Log        *slog.Logger
}

// Replicator is the replication decision taken at write time.
type Replicator interface {
	// Decide runs inside the transaction that stores v (a new version or
	// delete marker of bucket b, with its ID, time and owner settled) just
	// before v is stored. It may set v's replication state and enqueue
	// tasks in tx; it reports whether it enqueued any.
	Decide(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error)
	// Changed runs inside the transaction that changes the tags or ACL of
	// an existing version v, just before v is stored. It may set v's
	// replication state and enqueue tasks that carry the change to where v
	// was replicated; it reports whether it enqueued any.
	Changed(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error)
	// Enqueued is called after a transaction in which Decide or Changed
	// enqueued tasks has committed.
	Enqueued()
}

// Service implements bucket and object operations.
type Service struct {
	meta      meta.Store
	blobs     blob.Store
	clock     clock.Clock
	versions  *versionid.Generator
	region    string
	multi     bool
	inlineMax int64
	repl      Replicator
	policies  policyCache
	log       *slog.Logger
	bufs      *bufPool
}

// New returns a Service.
func New(c Config) *Service {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{meta: c.Meta, blobs: c.Blobs, clock: c.Clock, versions: versionid.NewGenerator(c.Clock),
		region: c.Region, multi: len(c.Regions) > 1, inlineMax: c.InlineMax, repl: c.Replicator, log: c.Log, bufs: newBufPool()}
}

// Region is the region this service's buckets are created in by default.
func (s *Service) Region() string { return s.region }

var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// newID returns a random URL-safe identifier (blob IDs, upload IDs).
func newID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// newInlineID returns the key of inline data: a time-ordered prefix and a
// random suffix, so inline data is appended at the edge of the metadata
// store's B+tree instead of scattered through it (fewer pages rewritten
// per commit).
func (s *Service) newInlineID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.clock.Now().UnixNano()))
	_, _ = rand.Read(b[8:])
	return idEncoding.EncodeToString(b[:])
}

// newBlobID returns a blob ID for data of a bucket in region: a plain ID in
// the default region, "<region>.<id>" in another.
func (s *Service) newBlobID(region string) string {
	if region == "" || region == s.region {
		return newID()
	}
	return region + "." + newID()
}

// BlobRegion is the region whose data root holds a blob ("" for the
// default region).
func BlobRegion(id string) string {
	if r, _, ok := strings.Cut(id, "."); ok {
		return r
	}
	return ""
}

// bucketRegion is the region of bucket's data (looked up only when the
// deployment has several regions).
func (s *Service) bucketRegion(ctx context.Context, bucket string) (string, error) {
	if !s.multi {
		return s.region, nil
	}
	b, err := s.Bucket(ctx, bucket)
	if err != nil {
		return "", err
	}
	return b.Region, nil
}

// decide runs the replication decision for v inside tx.
func (s *Service) decide(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error) {
	if s.repl == nil {
		return false, nil
	}
	return s.repl.Decide(tx, b, v)
}

// changed runs the replication decision for a metadata change of v.
func (s *Service) changed(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error) {
	if s.repl == nil {
		return false, nil
	}
	return s.repl.Changed(tx, b, v)
}

// enqueued tells the replicator that a committed write enqueued tasks.
func (s *Service) enqueued(did bool) {
	if did && s.repl != nil {
		s.repl.Enqueued()
	}
}

// internal wraps an unexpected error so the front end renders InternalError
// while logs keep the cause.
func internal(err error) error {
	if err == nil {
		return nil
	}
	var e *s3err.Error
	if errors.As(err, &e) {
		return err
	}
	return &internalError{err}
}

type internalError struct{ err error }

func (e *internalError) Error() string { return "internal: " + e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// deleteBlobs removes blobs no longer referenced after a committed change.
// A failure only leaves an orphan, which start-up collection removes.
func (s *Service) deleteBlobs(ctx context.Context, ids []string) {
	for _, id := range ids {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), id); err != nil {
			s.log.Warn("blob delete failed", "blob", id, "err", err)
		}
	}
}

// blobsOf lists the non-inline blobs of segments.
func blobsOf(segs []meta.Segment) []string {
	var ids []string
	for _, sg := range segs {
		if !sg.Inline {
			ids = append(ids, sg.BlobID)
		}
	}
	return ids
}

// dropInline deletes inline data of segments inside tx.
func dropInline(tx meta.Tx, segs []meta.Segment) error {
	for _, sg := range segs {
		if sg.Inline {
			if err := tx.DeleteInline(sg.BlobID); err != nil && !errors.Is(err, meta.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}
