package object

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// CompletePart is one entry of a CompleteMultipartUpload body.
type CompletePart struct {
	Number    int
	ETag      string // quoted or not
	Checksums map[string]string
}

// Complete assembles the listed parts into a new object version without
// copying data: the version's segments are the parts' blobs.
func (s *Service) Complete(ctx context.Context, bucket, key, uploadID string, list []CompletePart, cond WriteConditions) (*PutOutput, error) {
	if err := cond.Validate(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, s3err.ErrMalformedXML.With("The XML you provided was not well-formed or did not validate against our published schema")
	}
	for i := range list {
		if err := checkPartNumber(list[i].Number); err != nil {
			return nil, err
		}
		if i > 0 && list[i].Number <= list[i-1].Number {
			return nil, s3err.ErrInvalidPartOrder
		}
	}
	id, t := s.versions.New()
	var v *meta.Version
	var freed []string
	var state string
	var queued bool
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		freed = freed[:0]
		u, err := getUpload(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		state = b.Versioning
		if err := checkWrite(tx, bucket, key, cond); err != nil {
			return err
		}
		parts, err := pickParts(tx, u, list)
		if err != nil {
			return err
		}
		v = assemble(u, parts)
		v.Owner, v.ACL = settleOwner(b, u.Owner, u.ACL)
		v.ModTime = t.UTC()
		v.VersionID = meta.NullVersion
		if b.Versioning == meta.VersioningEnabled {
			v.VersionID = id
		} else if old, err := tx.GetVersion(bucket, key, meta.NullVersion); err == nil {
			if err := dropInline(tx, old.Data); err != nil {
				return err
			}
			freed = append(freed, blobsOf(old.Data)...)
		} else if !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		// Parts not named in the list are discarded with the upload.
		used := map[int]bool{}
		for _, p := range parts {
			used[p.Number] = true
		}
		var unused []meta.Segment
		if err := tx.ListParts(uploadID, 0, func(p *meta.Part) bool {
			if !used[p.Number] {
				unused = append(unused, p.Data)
			}
			return true
		}); err != nil {
			return err
		}
		if err := dropInline(tx, unused); err != nil {
			return err
		}
		freed = append(freed, blobsOf(unused)...)
		if err := tx.DeleteUpload(bucket, key, uploadID); err != nil {
			return err
		}
		if queued, err = s.decide(tx, b, v); err != nil {
			return err
		}
		if err := tx.PutVersion(v); err != nil {
			return err
		}
		return s.enqueueGC(tx, freed)
	})
	if err != nil {
		return nil, internal(err)
	}
	s.enqueued(queued)
	return outputOf(v, state), nil
}

// pickParts matches the list against the stored parts.
func pickParts(tx meta.Tx, u *meta.Upload, list []CompletePart) ([]*meta.Part, error) {
	parts := make([]*meta.Part, 0, len(list))
	for i, c := range list {
		p, err := tx.GetPart(u.UploadID, c.Number)
		if errors.Is(err, meta.ErrNotFound) || (err == nil && trimQuotes(c.ETag) != p.ETag) {
			return nil, s3err.ErrInvalidPart.WithExtra("UploadId", u.UploadID).WithExtra("PartNumber", strconv.Itoa(c.Number)).WithExtra("ETag", c.ETag)
		}
		if err != nil {
			return nil, err
		}
		if i < len(list)-1 && p.Size < MinPartSize {
			return nil, s3err.ErrEntityTooSmall.WithExtra("ProposedSize", itoa(p.Size)).WithExtra("MinSizeAllowed", itoa(MinPartSize)).
				WithExtra("PartNumber", strconv.Itoa(p.Number)).WithExtra("ETag", p.ETag)
		}
		for alg, want := range c.Checksums {
			if got, ok := p.Checksums[alg]; ok && got != want {
				return nil, s3err.ErrInvalidPart.With("The " + alg + " checksum of part " + strconv.Itoa(c.Number) + " does not match the uploaded part.")
			}
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// assemble builds the version of a completed upload.
func assemble(u *meta.Upload, parts []*meta.Part) *meta.Version {
	v := &meta.Version{Bucket: u.Bucket, Key: u.Key, Owner: u.Owner, StorageClass: u.StorageClass, ContentType: u.ContentType,
		Headers: u.Headers, Metadata: u.Metadata, Tags: u.Tags, PartsCount: len(parts), ETag: compositeETag(parts)}
	for _, p := range parts {
		v.Size += p.Size
		v.Data = append(v.Data, p.Data)
	}
	if alg := u.ChecksumAlgorithm; alg != "" {
		if sum, ok := combinedChecksum(alg, u.ChecksumType, parts); ok {
			v.Checksums = map[string]string{alg: sum}
			v.ChecksumType = u.ChecksumType
		}
	}
	return v
}

// combinedChecksum derives the object checksum from the part checksums.
func combinedChecksum(alg, typ string, parts []*meta.Part) (string, bool) {
	sums := make([][]byte, 0, len(parts))
	crcs := make([]checksum.PartCRC, 0, len(parts))
	for _, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p.Checksums[alg])
		if err != nil || len(b) == 0 {
			return "", false
		}
		sums = append(sums, b)
		crcs = append(crcs, checksum.PartCRC{Sum: b, Size: p.Size})
	}
	var out string
	var err error
	if typ == "FULL_OBJECT" {
		out, err = checksum.CombineCRC(alg, crcs)
	} else {
		out, err = checksum.Composite(alg, sums)
	}
	return out, err == nil
}

// Abort discards an upload and its parts.
func (s *Service) Abort(ctx context.Context, bucket, key, uploadID string) error {
	return internal(s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := getUpload(tx, bucket, key, uploadID); err != nil {
			return err
		}
		var segs []meta.Segment
		if err := tx.ListParts(uploadID, 0, func(p *meta.Part) bool { segs = append(segs, p.Data); return true }); err != nil {
			return err
		}
		if err := dropInline(tx, segs); err != nil {
			return err
		}
		if err := tx.DeleteUpload(bucket, key, uploadID); err != nil {
			return err
		}
		return s.enqueueGC(tx, blobsOf(segs))
	}))
}

// ListPartsOutput is one page of parts.
type ListPartsOutput struct {
	Upload    *meta.Upload
	Parts     []*meta.Part
	Truncated bool
	Next      int
}

// ListParts lists the parts of an upload after a part number.
func (s *Service) ListParts(ctx context.Context, bucket, key, uploadID string, after, max int) (*ListPartsOutput, error) {
	out := &ListPartsOutput{}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		u, err := getUpload(tx, bucket, key, uploadID)
		if err != nil {
			return err
		}
		out.Upload = u
		return tx.ListParts(uploadID, after, func(p *meta.Part) bool {
			if len(out.Parts) >= max {
				out.Truncated = true
				return false
			}
			out.Parts = append(out.Parts, p)
			out.Next = p.Number
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}
