package object

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strconv"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/s3err"
)

// CreateUploadInput starts a multipart upload.
type CreateUploadInput struct {
	Bucket, Key, Owner string
	Attrs              Attrs
	ChecksumAlgorithm  string
	ChecksumType       string // COMPOSITE (default) or FULL_OBJECT
	ACL                ACL    // applied to the completed object
}

// CreateUpload starts a multipart upload and returns its ID.
func (s *Service) CreateUpload(ctx context.Context, in CreateUploadInput) (string, error) {
	if err := ValidateKey(in.Key); err != nil {
		return "", err
	}
	if err := in.Attrs.Validate(); err != nil {
		return "", err
	}
	if in.ChecksumAlgorithm != "" && !checksum.Valid(in.ChecksumAlgorithm) {
		return "", s3err.ErrInvalidRequest.With("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	ct := in.ChecksumType
	if in.ChecksumAlgorithm != "" && ct == "" {
		ct = "COMPOSITE"
		if in.ChecksumAlgorithm == "CRC64NVME" {
			ct = "FULL_OBJECT"
		}
	}
	v := newVersion(in.Bucket, in.Key, in.Owner, in.Attrs)
	u := &meta.Upload{Bucket: in.Bucket, Key: in.Key, UploadID: newID(), Initiated: s.clock.Now().UTC(), Owner: in.Owner,
		StorageClass: v.StorageClass, ContentType: v.ContentType, Headers: v.Headers, Metadata: v.Metadata, Tags: v.Tags,
		ChecksumAlgorithm: in.ChecksumAlgorithm, ChecksumType: ct}
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := getBucket(tx, in.Bucket)
		if err != nil {
			return err
		}
		if u.ACL, err = checkACL(b, in.ACL); err != nil {
			return err
		}
		return tx.PutUpload(u)
	})
	return u.UploadID, internal(err)
}

// Upload returns an in-progress upload or NoSuchUpload.
func (s *Service) Upload(ctx context.Context, bucket, key, uploadID string) (*meta.Upload, error) {
	var u *meta.Upload
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		u, err = getUpload(tx, bucket, key, uploadID)
		return err
	})
	return u, internal(err)
}

func getUpload(tx meta.Tx, bucket, key, uploadID string) (*meta.Upload, error) {
	if _, err := getBucket(tx, bucket); err != nil {
		return nil, err
	}
	u, err := tx.GetUpload(bucket, key, uploadID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, s3err.ErrNoSuchUpload.WithExtra("UploadId", uploadID)
	}
	return u, err
}

// PartInput is an UploadPart request.
type PartInput struct {
	Bucket, Key, UploadID string
	Number                int
	Body                  io.Reader
	Size                  int64
	ContentMD5            string
	Checksum              ChecksumSpec
}

// PartOutput is the stored part.
type PartOutput struct {
	ETag      string
	Checksums map[string]string
}

func checkPartNumber(n int) error {
	if n < 1 || n > MaxParts {
		return s3err.ErrInvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive").
			WithExtra("ArgumentName", "partNumber").WithExtra("ArgumentValue", strconv.Itoa(n))
	}
	return nil
}

// UploadPart stores one part.
func (s *Service) UploadPart(ctx context.Context, in PartInput) (*PartOutput, error) {
	if err := checkPartNumber(in.Number); err != nil {
		return nil, err
	}
	u, err := s.Upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	if in.Checksum.Algorithm == "" {
		in.Checksum.Algorithm = u.ChecksumAlgorithm
	}
	region, err := s.bucketRegion(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	d, err := s.ingest(ctx, region, in.Body, in.Size, in.ContentMD5, in.Checksum)
	if err != nil {
		return nil, err
	}
	return s.commitPart(ctx, u, in.Number, d)
}

func (s *Service) commitPart(ctx context.Context, u *meta.Upload, n int, d *ingested) (*PartOutput, error) {
	p := &meta.Part{UploadID: u.UploadID, Number: n, Size: d.size, ETag: d.etag(), ModTime: s.clock.Now().UTC(),
		Data: d.seg, Checksums: d.checksums}
	p.Data.Part = n
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := getUpload(tx, u.Bucket, u.Key, u.UploadID); err != nil {
			return err
		}
		var freed []string
		old, err := tx.GetPart(u.UploadID, n)
		switch {
		case err == nil:
			if err := dropInline(tx, []meta.Segment{old.Data}); err != nil {
				return err
			}
			freed = blobsOf([]meta.Segment{old.Data})
		case !errors.Is(err, meta.ErrNotFound):
			return err
		}
		if d.inline != nil {
			if err := tx.PutInline(d.seg.BlobID, d.inline); err != nil {
				return err
			}
		}
		if err := tx.PutPart(p); err != nil {
			return err
		}
		return s.enqueueGC(tx, freed)
	})
	if err != nil {
		s.discard(ctx, d)
		return nil, internal(err)
	}
	return &PartOutput{ETag: p.ETag, Checksums: p.Checksums}, nil
}

// CopyPartInput is an UploadPartCopy request.
type CopyPartInput struct {
	Bucket, Key, UploadID           string
	Number                          int
	SrcBucket, SrcKey, SrcVersionID string
	SrcCond                         Conditions
	SrcRange                        *RangeSpec // nil: the whole source
}

// CopyPartOutput is the stored part and the source version read.
type CopyPartOutput struct {
	PartOutput
	SrcVersionID string
	ModTime      string
}

// UploadPartCopy stores a part copied from (a range of) an object.
func (s *Service) UploadPartCopy(ctx context.Context, in CopyPartInput) (*PartOutput, string, error) {
	if err := checkPartNumber(in.Number); err != nil {
		return nil, "", err
	}
	u, err := s.Upload(ctx, in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, "", err
	}
	r := in.SrcRange
	if r != nil && (r.First < 0 || r.Last < 0) {
		return nil, "", errCopyRange
	}
	src, err := s.Get(ctx, GetInput{Bucket: in.SrcBucket, Key: in.SrcKey, VersionID: in.SrcVersionID, Range: r})
	if err != nil {
		if e := s3err.As(err); e.Code == "InvalidRange" {
			return nil, "", errCopyRange
		}
		return nil, "", err
	}
	defer src.Body.Close()
	if err := in.SrcCond.check(src.V.ETag, src.V.ModTime, false); err != nil {
		return nil, "", err
	}
	body, size := io.Reader(src.Body), src.Length
	if r != nil && r.Last-r.First+1 != size {
		return nil, "", errCopyRange
	}
	if size > MaxPutSize {
		return nil, "", s3err.ErrInvalidRequest.With("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	region, err := s.bucketRegion(ctx, u.Bucket)
	if err != nil {
		return nil, "", err
	}
	d, err := s.ingest(ctx, region, body, size, "", ChecksumSpec{Algorithm: u.ChecksumAlgorithm})
	if err != nil {
		return nil, "", err
	}
	out, err := s.commitPart(ctx, u, in.Number, d)
	if err != nil {
		return nil, "", err
	}
	return out, src.VersionHeader, nil
}

var errCopyRange = s3err.ErrInvalidRange.With("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")

// compositeETag is the multipart ETag: MD5 of the concatenated binary part
// MD5s, then "-" and the number of parts.
func compositeETag(parts []*meta.Part) string {
	h := md5.New()
	for _, p := range parts {
		b, _ := hex.DecodeString(p.ETag)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}
