package object

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/versionid"
)

// Conditions are the HTTP preconditions of a read or copy.
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince time.Time
}

// GetInput is a GetObject or HeadObject request.
type GetInput struct {
	Bucket, Key, VersionID string
	Range                  *RangeSpec
	PartNumber             int
	Cond                   Conditions
	Head                   bool // metadata only: Body stays nil
	// Snapshot, when set, is the bucket record the caller read moments
	// before (authorization did); the read then skips reading it again. A
	// bucket deleted in between makes the key absent.
	Snapshot *meta.Bucket
}

// GetOutput is a version and, for GET, a reader of the selected bytes.
type GetOutput struct {
	V             *meta.Version
	Start, Length int64 // the bytes served
	Partial       bool  // a range or part was selected (206)
	Body          io.ReadCloser
	// VersionHeader is the x-amz-version-id to return ("" for none).
	VersionHeader string
	inline        map[string][]byte
}

// CheckVersionID validates a versionId query value.
func CheckVersionID(id string) error {
	if id == "" || id == meta.NullVersion || versionid.Valid(id) {
		return nil
	}
	return s3err.ErrInvalidArgument.With("Invalid version id specified").WithExtra("ArgumentName", "versionId").WithExtra("ArgumentValue", id)
}

// Get resolves a version, checks preconditions and selects bytes.
func (s *Service) Get(ctx context.Context, in GetInput) (*GetOutput, error) {
	if err := CheckVersionID(in.VersionID); err != nil {
		return nil, err
	}
	out := &GetOutput{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		v, b, err := resolveIn(tx, in.Snapshot, in.Bucket, in.Key, in.VersionID)
		if err != nil {
			return err
		}
		out.V, out.VersionHeader = v, versionHeader(v, b.Versioning)
		if in.Head {
			return nil
		}
		out.inline = map[string][]byte{}
		for _, sg := range v.Data {
			if sg.Inline {
				d, err := tx.GetInline(sg.BlobID)
				if err != nil {
					return err
				}
				out.inline[sg.BlobID] = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, internal(err)
	}
	v := out.V
	if err := in.Cond.check(v.ETag, v.ModTime, true); err != nil {
		return nil, err
	}
	out.Start, out.Length = 0, v.Size
	switch {
	case in.PartNumber > 0:
		start, length, err := partRange(v, in.PartNumber)
		if err != nil {
			return nil, err
		}
		out.Start, out.Length, out.Partial = start, length, true
	case in.Range != nil:
		start, length, err := in.Range.Resolve(v.Size)
		if err != nil {
			return nil, err
		}
		if length >= 0 {
			out.Start, out.Length, out.Partial = start, length, true
		}
	}
	if !in.Head {
		out.Body = s.newSegmentReader(ctx, v.Data, out.inline, out.Start, out.Length)
	}
	return out, nil
}

// resolve finds the version a read addresses, with S3's delete-marker rules.
func resolve(tx meta.Tx, bucket, key, versionID string) (*meta.Version, *meta.Bucket, error) {
	return resolveIn(tx, nil, bucket, key, versionID)
}

// resolveIn is resolve with an optional bucket snapshot.
func resolveIn(tx meta.Tx, b *meta.Bucket, bucket, key, versionID string) (*meta.Version, *meta.Bucket, error) {
	if b == nil || b.Name != bucket {
		var err error
		if b, err = getBucket(tx, bucket); err != nil {
			return nil, nil, err
		}
	}
	if versionID == "" {
		v, err := tx.GetCurrent(bucket, key)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, nil, noSuchKey(key)
		}
		if err != nil {
			return nil, nil, err
		}
		if v.DeleteMarker {
			return nil, nil, noSuchKey(key).(*s3err.Error).WithHeader("x-amz-delete-marker", "true").
				WithHeader("x-amz-version-id", v.VersionID)
		}
		return v, b, nil
	}
	v, err := tx.GetVersion(bucket, key, versionID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, nil, s3err.ErrNoSuchVersion.WithExtra("Key", key).WithExtra("VersionId", versionID)
	}
	if err != nil {
		return nil, nil, err
	}
	if v.DeleteMarker {
		return nil, nil, s3err.ErrMethodNotAllowed.With("The specified method is not allowed against this resource.").
			WithHeader("x-amz-delete-marker", "true").WithHeader("x-amz-version-id", v.VersionID).
			WithHeader("Last-Modified", v.ModTime.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")).
			WithExtra("Method", "GET").WithExtra("ResourceType", "DeleteMarker")
	}
	return v, b, nil
}

func noSuchKey(key string) error {
	e := s3err.ErrNoSuchKey.WithExtra("Key", key)
	return e
}

// check applies RFC 7232 as S3 does. read selects 304 for GET/HEAD; copies
// fail with 412 instead.
func (c Conditions) check(etag string, mod time.Time, read bool) error {
	mod = mod.Truncate(time.Second)
	if c.IfMatch != "" {
		if !etagMatches(c.IfMatch, etag) {
			return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-Match")
		}
	} else if !c.IfUnmodifiedSince.IsZero() && mod.After(c.IfUnmodifiedSince) {
		return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-Unmodified-Since")
	}
	if c.IfNoneMatch != "" {
		if etagMatches(c.IfNoneMatch, etag) {
			if read {
				return s3err.ErrNotModified
			}
			return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-None-Match")
		}
	} else if !c.IfModifiedSince.IsZero() && !mod.After(c.IfModifiedSince) {
		if read {
			return s3err.ErrNotModified
		}
		return s3err.ErrPreconditionFailed.WithExtra("Condition", "If-Modified-Since")
	}
	return nil
}

// etagMatches compares a header list of (possibly quoted, possibly weak)
// ETags, or "*", against an unquoted ETag.
func etagMatches(header, etag string) bool {
	for _, f := range splitComma(header) {
		if f == "*" {
			return true
		}
		f = trimQuotes(f)
		if f == etag {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			f := s[start:i]
			for len(f) > 0 && (f[0] == ' ' || f[0] == '\t') {
				f = f[1:]
			}
			for len(f) > 0 && (f[len(f)-1] == ' ' || f[len(f)-1] == '\t') {
				f = f[:len(f)-1]
			}
			if f != "" {
				out = append(out, f)
			}
			start = i + 1
		}
	}
	return out
}

func trimQuotes(s string) string {
	if len(s) > 2 && s[0] == 'W' && s[1] == '/' {
		s = s[2:]
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// partRange returns the bytes of part n of v (a non-multipart object has
// one part, the whole object).
func partRange(v *meta.Version, n int) (int64, int64, error) {
	if v.PartsCount == 0 {
		if n == 1 {
			return 0, v.Size, nil
		}
		return 0, 0, s3err.ErrInvalidPartNumber
	}
	var off int64
	for _, sg := range v.Data {
		if sg.Part == n {
			return off, sg.Size, nil
		}
		off += sg.Size
	}
	return 0, 0, s3err.ErrInvalidPartNumber
}
