package object

import (
	"context"

	"github.com/ferrys3/ferry/internal/meta"
)

// ListInput selects current objects, as ListObjects (V1 and V2) do.
type ListInput struct {
	Bucket    string
	Prefix    string
	Delimiter string
	After     string // exclusive start: marker, start-after or continuation point
	MaxKeys   int
}

// ListOutput is one page of a listing.
type ListOutput struct {
	Objects        []*meta.Version
	CommonPrefixes []string
	Truncated      bool
	// Last is the last key or common prefix returned: the V1 NextMarker and
	// the point a continuation token resumes after.
	Last string
}

// keyCeiling is greater than every key that starts with the prefix it is
// appended to: keys are valid UTF-8, which never contains the byte 0xFF.
const keyCeiling = "\xff"

// List returns current objects (delete markers skipped) and common prefixes
// in key order.
func (s *Service) List(ctx context.Context, in ListInput) (*ListOutput, error) {
	out := &ListOutput{}
	if in.MaxKeys <= 0 {
		// S3 answers an empty, non-truncated page for max-keys=0.
		err := s.meta.View(ctx, func(tx meta.Tx) error { _, err := getBucket(tx, in.Bucket); return err })
		return out, internal(err)
	}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, in.Bucket); err != nil {
			return err
		}
		after := in.After
		for {
			var restart string
			err := tx.ListCurrent(in.Bucket, meta.ListOptions{Prefix: in.Prefix, KeyMarker: after}, func(v *meta.Version) bool {
				if v.DeleteMarker {
					return true
				}
				if cp, ok := commonPrefix(v.Key, in.Prefix, in.Delimiter); ok {
					if cp <= in.After { // already returned on an earlier page
						restart = cp + keyCeiling
						return false
					}
					if out.full(in.MaxKeys) {
						out.Truncated = true
						return false
					}
					out.CommonPrefixes = append(out.CommonPrefixes, cp)
					out.Last = cp
					restart = cp + keyCeiling
					return false // skip the rest of the prefix with a fresh seek
				}
				if out.full(in.MaxKeys) {
					out.Truncated = true
					return false
				}
				out.Objects = append(out.Objects, v)
				out.Last = v.Key
				return true
			})
			if err != nil || restart == "" || out.Truncated {
				return err
			}
			after = restart
		}
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}

func (o *ListOutput) full(max int) bool { return len(o.Objects)+len(o.CommonPrefixes) >= max }

// commonPrefix returns the roll-up prefix of key under delimiter, if any.
func commonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" || len(key) < len(prefix) {
		return "", false
	}
	rest := key[len(prefix):]
	for i := 0; i+len(delim) <= len(rest); i++ {
		if rest[i:i+len(delim)] == delim {
			return key[:len(prefix)+i+len(delim)], true
		}
	}
	return "", false
}

// ListUploadsInput selects in-progress multipart uploads.
type ListUploadsInput struct {
	Bucket, Prefix, Delimiter string
	KeyMarker, UploadIDMarker string
	MaxUploads                int
}

// ListUploadsOutput is one page of uploads.
type ListUploadsOutput struct {
	Uploads                           []*meta.Upload
	CommonPrefixes                    []string
	Truncated                         bool
	NextKeyMarker, NextUploadIDMarker string
}

// ListUploads lists in-progress multipart uploads.
func (s *Service) ListUploads(ctx context.Context, in ListUploadsInput) (*ListUploadsOutput, error) {
	out := &ListUploadsOutput{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := getBucket(tx, in.Bucket); err != nil {
			return err
		}
		seen := map[string]bool{}
		return tx.ListUploads(in.Bucket, meta.ListOptions{Prefix: in.Prefix, KeyMarker: in.KeyMarker, UploadIDMarker: in.UploadIDMarker}, func(u *meta.Upload) bool {
			cp, isCP := commonPrefix(u.Key, in.Prefix, in.Delimiter)
			if isCP && seen[cp] {
				return true
			}
			if len(out.Uploads)+len(out.CommonPrefixes) >= in.MaxUploads {
				out.Truncated = true
				return false
			}
			if isCP {
				seen[cp] = true
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				return true
			}
			out.Uploads = append(out.Uploads, u)
			out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.UploadID
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}
