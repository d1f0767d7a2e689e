package object

import (
	"context"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// CopyInput is a CopyObject request.
type CopyInput struct {
	SrcBucket, SrcKey, SrcVersionID string
	SrcCond                         Conditions
	Bucket, Key                     string
	Owner                           string
	ReplaceMetadata                 bool  // x-amz-metadata-directive: REPLACE
	ReplaceTags                     bool  // x-amz-tagging-directive: REPLACE
	Attrs                           Attrs // new attributes (metadata when ReplaceMetadata, tags when ReplaceTags, storage class always)
	ChecksumAlgorithm               string
	ACL                             ACL // the copy's ACL (x-amz-acl on the destination); the source's is not copied
}

// CopyOutput is the result of a copy.
type CopyOutput struct {
	PutOutput
	SrcVersionID string // "" when the source bucket is unversioned
}

// Copy copies an object version server-side.
func (s *Service) Copy(ctx context.Context, in CopyInput) (*CopyOutput, error) {
	if err := ValidateKey(in.Key); err != nil {
		return nil, err
	}
	src, err := s.Get(ctx, GetInput{Bucket: in.SrcBucket, Key: in.SrcKey, VersionID: in.SrcVersionID})
	if err != nil {
		return nil, err
	}
	defer src.Body.Close()
	sv := src.V
	if err := in.SrcCond.check(sv.ETag, sv.ModTime, false); err != nil {
		return nil, err
	}
	same := in.SrcBucket == in.Bucket && in.SrcKey == in.Key && in.SrcVersionID == ""
	if same && !in.ReplaceMetadata && in.Attrs.StorageClass == "" {
		return nil, s3err.ErrInvalidRequest.With("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	attrs := Attrs{ContentType: sv.ContentType, Headers: sv.Headers, Metadata: sv.Metadata, Tags: sv.Tags, StorageClass: in.Attrs.StorageClass}
	if in.ReplaceMetadata {
		attrs.ContentType, attrs.Headers, attrs.Metadata = in.Attrs.ContentType, in.Attrs.Headers, in.Attrs.Metadata
	}
	if in.ReplaceTags {
		attrs.Tags = in.Attrs.Tags
	}
	if err := attrs.Validate(); err != nil {
		return nil, err
	}
	b, err := s.precheckACL(ctx, in.Bucket, in.ACL)
	if err != nil {
		return nil, err
	}
	alg := in.ChecksumAlgorithm
	if alg == "" {
		for a := range sv.Checksums {
			if sv.ChecksumType != "COMPOSITE" {
				alg = a
			}
		}
	}
	d, err := s.ingest(ctx, b.Region, src.Body, sv.Size, "", ChecksumSpec{Algorithm: alg})
	if err != nil {
		return nil, err
	}
	v := newVersion(in.Bucket, in.Key, in.Owner, attrs)
	v.Size, v.ETag, v.Checksums = d.size, d.etag(), d.checksums
	if d.checksums != nil {
		v.ChecksumType = "FULL_OBJECT"
	}
	v.Data = []meta.Segment{d.seg}
	var inline map[string][]byte
	if d.inline != nil {
		inline = map[string][]byte{d.seg.BlobID: d.inline}
	}
	state, err := s.commitVersion(ctx, v, inline, WriteConditions{}, in.ACL)
	if err != nil {
		s.discard(ctx, d)
		return nil, err
	}
	return &CopyOutput{PutOutput: *outputOf(v, state), SrcVersionID: src.VersionHeader}, nil
}

// Tags returns the tag set of a version.
func (s *Service) Tags(ctx context.Context, bucket, key, versionID string) (map[string]string, string, error) {
	if err := CheckVersionID(versionID); err != nil {
		return nil, "", err
	}
	var v *meta.Version
	var b *meta.Bucket
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		v, b, err = resolve(tx, bucket, key, versionID)
		return err
	})
	if err != nil {
		return nil, "", internal(err)
	}
	return v.Tags, versionHeader(v, b.Versioning), nil
}

// SetTags replaces (or with nil, removes) the tag set of a version. It does
// not create a version.
func (s *Service) SetTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) (string, error) {
	if err := CheckVersionID(versionID); err != nil {
		return "", err
	}
	if err := ValidateTags(tags); err != nil {
		return "", err
	}
	var vid string
	var queued bool
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		v, b, err := resolve(tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		v.Tags = tags
		vid = versionHeader(v, b.Versioning)
		if queued, err = s.changed(tx, b, v); err != nil {
			return err
		}
		return tx.PutVersion(v)
	})
	if err == nil {
		s.enqueued(queued)
	}
	return vid, internal(err)
}

// versionHeader is the x-amz-version-id value S3 returns for v in a bucket
// in the given versioning state: none for a never-versioned bucket.
func versionHeader(v *meta.Version, bucketState string) string {
	if bucketState == meta.VersioningOff && v.VersionID == meta.NullVersion {
		return ""
	}
	return v.VersionID
}

// Now is the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }
