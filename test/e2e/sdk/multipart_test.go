package sdk

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mib = 1 << 20

// multipartETag is S3's ETag of a multipart object: md5 of the parts' md5s, "-N".
func multipartETag(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	s := md5.Sum(cat)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), len(parts))
}

func TestMultipart(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	src := randomBytes(12*mib, 11)
	put(t, c, b, "source", src)

	key := "multi/part object"
	cr, err := c.CreateMultipartUpload(ctx(), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
		ContentType: aws.String("application/x-multi"), Metadata: map[string]string{"kind": "multipart"}})
	if err != nil {
		t.Fatal(err)
	}
	uid := cr.UploadId
	if aws.ToString(uid) == "" || aws.ToString(cr.Key) != key || aws.ToString(cr.Bucket) != b {
		t.Fatalf("CreateMultipartUpload = %+v", cr)
	}

	part1 := randomBytes(5*mib, 12)
	part2 := src[1*mib : 7*mib] // copied with CopySourceRange
	part3 := []byte("the small last part")
	up1, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid,
		PartNumber: aws.Int32(1), Body: bytesReader(part1)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up1.ETag) != `"`+md5hex(part1)+`"` {
		t.Errorf("UploadPart ETag %s, want md5", aws.ToString(up1.ETag))
	}
	up2, err := c.UploadPartCopy(ctx(), &s3.UploadPartCopyInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid,
		PartNumber: aws.Int32(2), CopySource: aws.String(b + "/source"),
		CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", 1*mib, 7*mib-1))})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up2.CopyPartResult.ETag) != `"`+md5hex(part2)+`"` {
		t.Errorf("UploadPartCopy ETag %s, want md5 of the range", aws.ToString(up2.CopyPartResult.ETag))
	}
	up3, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid,
		PartNumber: aws.Int32(3), Body: bytesReader(part3)})
	if err != nil {
		t.Fatal(err)
	}
	// Re-uploading a part number replaces it.
	if _, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid,
		PartNumber: aws.Int32(4), Body: bytesReader([]byte("unused part"))}); err != nil {
		t.Fatal(err)
	}

	t.Run("ListParts", func(t *testing.T) {
		lp, err := c.ListParts(ctx(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid})
		if err != nil {
			t.Fatal(err)
		}
		var nums []int32
		var sizes []int64
		for _, p := range lp.Parts {
			nums = append(nums, aws.ToInt32(p.PartNumber))
			sizes = append(sizes, aws.ToInt64(p.Size))
		}
		if !slices.Equal(nums, []int32{1, 2, 3, 4}) || !slices.Equal(sizes, []int64{5 * mib, 6 * mib, int64(len(part3)), 11}) {
			t.Errorf("ListParts numbers %v sizes %v", nums, sizes)
		}
		if aws.ToString(lp.Parts[1].ETag) != aws.ToString(up2.CopyPartResult.ETag) {
			t.Errorf("part 2 ETag %s", aws.ToString(lp.Parts[1].ETag))
		}
		page, err := c.ListParts(ctx(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid, MaxParts: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Parts) != 2 || !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextPartNumberMarker) != "2" {
			t.Errorf("ListParts max 2: %d parts truncated %v next %q", len(page.Parts), aws.ToBool(page.IsTruncated), aws.ToString(page.NextPartNumberMarker))
		}
		rest, err := c.ListParts(ctx(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid, PartNumberMarker: page.NextPartNumberMarker})
		if err != nil {
			t.Fatal(err)
		}
		if len(rest.Parts) != 2 || aws.ToInt32(rest.Parts[0].PartNumber) != 3 {
			t.Errorf("ListParts after marker: %d parts", len(rest.Parts))
		}
	})

	t.Run("ListMultipartUploads", func(t *testing.T) {
		other, err := c.CreateMultipartUpload(ctx(), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("other/upload")})
		if err != nil {
			t.Fatal(err)
		}
		defer c.AbortMultipartUpload(ctx(), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("other/upload"), UploadId: other.UploadId})
		lu, err := c.ListMultipartUploads(ctx(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, u := range lu.Uploads {
			got[aws.ToString(u.Key)] = aws.ToString(u.UploadId)
		}
		if got[key] != aws.ToString(uid) || got["other/upload"] != aws.ToString(other.UploadId) || len(got) != 2 {
			t.Errorf("ListMultipartUploads = %v", got)
		}
		lu, err = c.ListMultipartUploads(ctx(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b), Prefix: aws.String("multi/")})
		if err != nil {
			t.Fatal(err)
		}
		if len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].Key) != key {
			t.Errorf("ListMultipartUploads prefix multi/: %d uploads", len(lu.Uploads))
		}
		lu, err = c.ListMultipartUploads(ctx(), &s3.ListMultipartUploadsInput{Bucket: aws.String(b), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if got := prefixesOf(lu.CommonPrefixes); !slices.Equal(got, []string{"multi/", "other/"}) || len(lu.Uploads) != 0 {
			t.Errorf("ListMultipartUploads delimiter: prefixes %v, %d uploads", got, len(lu.Uploads))
		}
	})

	t.Run("NotVisibleBeforeComplete", func(t *testing.T) {
		_, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		wantAPIError(t, err, 404, "NotFound")
	})

	t.Run("Complete", func(t *testing.T) {
		out, err := c.CompleteMultipartUpload(ctx(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
				{PartNumber: aws.Int32(1), ETag: up1.ETag},
				{PartNumber: aws.Int32(2), ETag: up2.CopyPartResult.ETag},
				{PartNumber: aws.Int32(3), ETag: up3.ETag},
			}}})
		if err != nil {
			t.Fatal(err)
		}
		wantETag := multipartETag(part1, part2, part3)
		if aws.ToString(out.ETag) != wantETag || !strings.HasSuffix(aws.ToString(out.ETag), `-3"`) {
			t.Errorf("Complete ETag %s, want %s", aws.ToString(out.ETag), wantETag)
		}
		if aws.ToString(out.Key) != key || aws.ToString(out.Bucket) != b {
			t.Errorf("Complete result %+v", out)
		}
		got, o := get(t, c, b, key)
		want := slices.Concat(part1, part2, part3)
		if !bytes.Equal(got, want) {
			t.Errorf("assembled object differs: %d bytes, want %d", len(got), len(want))
		}
		if aws.ToString(o.ETag) != wantETag || aws.ToString(o.ContentType) != "application/x-multi" || o.Metadata["kind"] != "multipart" {
			t.Errorf("GetObject ETag %s type %s meta %v", aws.ToString(o.ETag), aws.ToString(o.ContentType), o.Metadata)
		}
		h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), PartNumber: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt64(h.ContentLength) != int64(len(part2)) || aws.ToInt32(h.PartsCount) != 3 {
			t.Errorf("HeadObject partNumber=2: length %d parts %d", aws.ToInt64(h.ContentLength), aws.ToInt32(h.PartsCount))
		}
		// A range spanning the part boundary.
		r, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5*mib-10, 5*mib+9))})
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if !bytes.Equal(rb, want[5*mib-10:5*mib+10]) {
			t.Errorf("cross-part range differs")
		}
		// The upload is gone.
		_, err = c.ListParts(ctx(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: uid})
		wantAPIError(t, err, 404, "NoSuchUpload")
	})

	t.Run("Abort", func(t *testing.T) {
		ab, err := c.CreateMultipartUpload(ctx(), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("aborted")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("aborted"), UploadId: ab.UploadId,
			PartNumber: aws.Int32(1), Body: bytesReader([]byte("doomed"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AbortMultipartUpload(ctx(), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("aborted"), UploadId: ab.UploadId}); err != nil {
			t.Fatal(err)
		}
		_, err = c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("aborted"), UploadId: ab.UploadId,
			PartNumber: aws.Int32(2), Body: bytesReader([]byte("late"))})
		wantAPIError(t, err, 404, "NoSuchUpload")
		_, err = c.CompleteMultipartUpload(ctx(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("aborted"), UploadId: ab.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"x"`)}}}})
		wantAPIError(t, err, 404, "NoSuchUpload")
		_, err = c.AbortMultipartUpload(ctx(), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("aborted"), UploadId: ab.UploadId})
		wantAPIError(t, err, 404, "NoSuchUpload")
		var nsu *types.NoSuchUpload // the one operation whose model names the error
		if !errors.As(err, &nsu) {
			t.Errorf("AbortMultipartUpload error %T is not *types.NoSuchUpload", err)
		}
		_, err = c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("aborted")})
		wantAPIError(t, err, 404, "NotFound")
	})

	t.Run("UnknownUpload", func(t *testing.T) {
		_, err := c.ListParts(ctx(), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: aws.String("no-such-upload-id")})
		wantAPIError(t, err, 404, "NoSuchUpload")
	})
}

func TestTransferManager(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	data := randomBytes(30*mib, 21)

	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 * mib; u.Concurrency = 4 })
	// An io.Reader without Seek forces the uploader to buffer parts itself.
	res, err := up.Upload(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("big/30MiB"), Body: struct{ io.Reader }{bytes.NewReader(data)},
		ContentType: aws.String("application/x-big")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.CompletedParts) != 6 {
		t.Errorf("uploader used %d parts, want 6", len(res.CompletedParts))
	}
	var parts [][]byte
	for i := 0; i < len(data); i += 5 * mib {
		parts = append(parts, data[i:min(i+5*mib, len(data))])
	}
	wantETag := multipartETag(parts...)
	if aws.ToString(res.ETag) != wantETag {
		t.Errorf("upload ETag %s, want %s", aws.ToString(res.ETag), wantETag)
	}
	h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big/30MiB")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(h.ContentLength) != int64(len(data)) || aws.ToString(h.ETag) != wantETag || aws.ToString(h.ContentType) != "application/x-big" {
		t.Errorf("HeadObject: length %d ETag %s type %s", aws.ToInt64(h.ContentLength), aws.ToString(h.ETag), aws.ToString(h.ContentType))
	}

	dl := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 5 * mib; d.Concurrency = 4 })
	buf := manager.NewWriteAtBuffer(make([]byte, 0, len(data)))
	n, err := dl.Download(ctx(), buf, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/30MiB")})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("downloaded %d bytes, content equal %v", n, bytes.Equal(buf.Bytes(), data))
	}

	// Small objects go through a single PutObject.
	small := randomBytes(100<<10, 22)
	if _, err := up.Upload(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("small"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatal(err)
	}
	buf = manager.NewWriteAtBuffer(nil)
	if _, err := dl.Download(ctx(), buf, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("small")}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), small) {
		t.Errorf("small download differs")
	}
}
