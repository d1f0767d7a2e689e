package sdk

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestPutGetObjectAttributes(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	body := []byte("hello, ferry")
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := c.PutObject(ctx(), &s3.PutObjectInput{
		Bucket: aws.String(b), Key: aws.String("dir/obj.txt"), Body: bytesReader(body),
		ContentType:        aws.String("text/plain; charset=utf-8"),
		CacheControl:       aws.String("max-age=60"),
		ContentDisposition: aws.String(`attachment; filename="obj.txt"`),
		ContentEncoding:    aws.String("identity"),
		ContentLanguage:    aws.String("en-GB"),
		Expires:            aws.Time(expires),
		Metadata:           map[string]string{"color": "blue", "Mixed-Case": "Value With Spaces"},
		Tagging:            aws.String("project=ferry&tier=gold%20plus"),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantETag := `"` + md5hex(body) + `"`
	if aws.ToString(out.ETag) != wantETag {
		t.Errorf("PutObject ETag = %s, want %s", aws.ToString(out.ETag), wantETag)
	}
	check := func(t *testing.T, etag, ct, cc, cd, ce, cl, exp *string, meta map[string]string, n *int64, tagCount *int32) {
		t.Helper()
		for _, f := range []struct {
			name      string
			got, want string
		}{
			{"ETag", aws.ToString(etag), wantETag},
			{"Content-Type", aws.ToString(ct), "text/plain; charset=utf-8"},
			{"Cache-Control", aws.ToString(cc), "max-age=60"},
			{"Content-Disposition", aws.ToString(cd), `attachment; filename="obj.txt"`},
			{"Content-Encoding", aws.ToString(ce), "identity"},
			{"Content-Language", aws.ToString(cl), "en-GB"},
			{"Expires", aws.ToString(exp), expires.Format(http.TimeFormat)},
			{"x-amz-meta-color", meta["color"], "blue"},
			{"x-amz-meta-mixed-case", meta["mixed-case"], "Value With Spaces"},
		} {
			if f.got != f.want {
				t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
			}
		}
		if aws.ToInt64(n) != int64(len(body)) {
			t.Errorf("Content-Length = %d, want %d", aws.ToInt64(n), len(body))
		}
		if aws.ToInt32(tagCount) != 2 {
			t.Errorf("tag count = %d, want 2", aws.ToInt32(tagCount))
		}
	}
	t.Run("GetObject", func(t *testing.T) {
		got, o := get(t, c, b, "dir/obj.txt")
		if !bytes.Equal(got, body) {
			t.Errorf("body = %q, want %q", got, body)
		}
		check(t, o.ETag, o.ContentType, o.CacheControl, o.ContentDisposition, o.ContentEncoding, o.ContentLanguage, o.ExpiresString,
			o.Metadata, o.ContentLength, o.TagCount)
		if o.LastModified == nil || time.Since(*o.LastModified) > time.Minute {
			t.Errorf("LastModified = %v", o.LastModified)
		}
	})
	t.Run("HeadObject", func(t *testing.T) {
		o, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.txt")})
		if err != nil {
			t.Fatal(err)
		}
		check(t, o.ETag, o.ContentType, o.CacheControl, o.ContentDisposition, o.ContentEncoding, o.ContentLanguage, o.ExpiresString,
			o.Metadata, o.ContentLength, o.TagCount)
		if aws.ToString(o.AcceptRanges) != "bytes" {
			t.Errorf("Accept-Ranges = %q", aws.ToString(o.AcceptRanges))
		}
	})
	t.Run("Tagging", func(t *testing.T) {
		o, err := c.GetObjectTagging(ctx(), &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("dir/obj.txt")})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tg := range o.TagSet {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if len(got) != 2 || got["project"] != "ferry" || got["tier"] != "gold plus" {
			t.Errorf("tags = %v", got)
		}
	})
	t.Run("ResponseOverrides", func(t *testing.T) {
		o, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("dir/obj.txt"),
			ResponseContentType:        aws.String("application/x-override"),
			ResponseContentDisposition: aws.String("inline"),
			ResponseCacheControl:       aws.String("no-store"),
			ResponseContentLanguage:    aws.String("fr"),
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Body.Close()
		if aws.ToString(o.ContentType) != "application/x-override" || aws.ToString(o.ContentDisposition) != "inline" ||
			aws.ToString(o.CacheControl) != "no-store" || aws.ToString(o.ContentLanguage) != "fr" {
			t.Errorf("overrides not applied: type %q disposition %q cache %q language %q", aws.ToString(o.ContentType),
				aws.ToString(o.ContentDisposition), aws.ToString(o.CacheControl), aws.ToString(o.ContentLanguage))
		}
	})
	t.Run("DefaultContentType", func(t *testing.T) {
		put(t, c, b, "untyped", []byte("x"))
		o, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("untyped")})
		if err != nil {
			t.Fatal(err)
		}
		if ct := aws.ToString(o.ContentType); ct != "binary/octet-stream" && ct != "application/octet-stream" {
			t.Errorf("default Content-Type = %q", ct)
		}
	})
	t.Run("EmptyObject", func(t *testing.T) {
		out := put(t, c, b, "empty", nil)
		if aws.ToString(out.ETag) != `"d41d8cd98f00b204e9800998ecf8427e"` {
			t.Errorf("empty ETag = %s", aws.ToString(out.ETag))
		}
		got, o := get(t, c, b, "empty")
		if len(got) != 0 || aws.ToInt64(o.ContentLength) != 0 {
			t.Errorf("empty object: %d bytes, Content-Length %d", len(got), aws.ToInt64(o.ContentLength))
		}
	})
	t.Run("Overwrite", func(t *testing.T) {
		put(t, c, b, "over", []byte("first"))
		put(t, c, b, "over", []byte("second version"))
		got, o := get(t, c, b, "over")
		if string(got) != "second version" || aws.ToString(o.ETag) != `"`+md5hex(got)+`"` {
			t.Errorf("after overwrite: %q %s", got, aws.ToString(o.ETag))
		}
	})
	t.Run("LargeObject", func(t *testing.T) {
		// Above InlineMax: stored as a blob rather than inline.
		data := randomBytes(1<<20+123, 7)
		put(t, c, b, "large", data)
		got, _ := get(t, c, b, "large")
		if !bytes.Equal(got, data) {
			t.Errorf("large object round trip differs (%d vs %d bytes)", len(got), len(data))
		}
	})
	t.Run("ContentMD5", func(t *testing.T) {
		body := []byte("md5 checked")
		sum := md5.Sum(body)
		_, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("md5"), Body: bytesReader(body),
			ContentMD5: aws.String(b64(sum[:]))})
		if err != nil {
			t.Fatal(err)
		}
		wrong := md5.Sum([]byte("other"))
		_, err = c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("md5"), Body: bytesReader([]byte("changed")),
			ContentMD5: aws.String(b64(wrong[:]))})
		wantAPIError(t, err, 400, "BadDigest")
		if got, _ := get(t, c, b, "md5"); string(got) != string(body) {
			t.Errorf("object changed by a rejected PUT: %q", got)
		}
	})
}

func TestGetObjectRanges(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	body := []byte("abcdefghijklmnopqrstuvwxyz")
	put(t, c, b, "alpha", body)
	big := randomBytes(300<<10, 3) // blob-backed
	put(t, c, b, "big", big)
	for _, tc := range []struct {
		key, rng string
		want     []byte
		total    int
		cr       string
	}{
		{"alpha", "bytes=0-0", body[:1], 26, "bytes 0-0/26"},
		{"alpha", "bytes=2-5", body[2:6], 26, "bytes 2-5/26"},
		{"alpha", "bytes=20-", body[20:], 26, "bytes 20-25/26"},
		{"alpha", "bytes=-4", body[22:], 26, "bytes 22-25/26"},
		{"alpha", "bytes=10-1000", body[10:], 26, "bytes 10-25/26"},
		{"alpha", "bytes=-100", body, 26, "bytes 0-25/26"},
		{"big", "bytes=100000-200000", big[100000:200001], len(big), "bytes 100000-200000/307200"},
		{"big", "bytes=-1", big[len(big)-1:], len(big), "bytes 307199-307199/307200"},
		{"big", "bytes=131071-131073", big[131071:131074], len(big), "bytes 131071-131073/307200"},
	} {
		o, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(tc.key), Range: aws.String(tc.rng)})
		if err != nil {
			t.Errorf("%s %s: %v", tc.key, tc.rng, err)
			continue
		}
		got, err := io.ReadAll(o.Body)
		o.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s %s: body %d bytes, want %d", tc.key, tc.rng, len(got), len(tc.want))
		}
		if aws.ToString(o.ContentRange) != tc.cr {
			t.Errorf("%s %s: Content-Range %q, want %q", tc.key, tc.rng, aws.ToString(o.ContentRange), tc.cr)
		}
		if aws.ToInt64(o.ContentLength) != int64(len(tc.want)) {
			t.Errorf("%s %s: Content-Length %d, want %d", tc.key, tc.rng, aws.ToInt64(o.ContentLength), len(tc.want))
		}
	}
	_, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("alpha"), Range: aws.String("bytes=26-30")})
	wantAPIError(t, err, 416, "InvalidRange")
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	out := put(t, c, b, "k", []byte("conditional"))
	etag := aws.ToString(out.ETag)
	h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	mod := *h.LastModified
	past, future := mod.Add(-time.Hour), mod.Add(time.Hour)
	for _, tc := range []struct {
		name   string
		in     s3.GetObjectInput
		status int // 0 for success
		code   string
	}{
		{name: "IfMatch", in: s3.GetObjectInput{IfMatch: aws.String(etag)}},
		{name: "IfMatchStar", in: s3.GetObjectInput{IfMatch: aws.String("*")}},
		{name: "IfMatchWrong", in: s3.GetObjectInput{IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)}, status: 412, code: "PreconditionFailed"},
		{name: "IfNoneMatch", in: s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, status: 304},
		{name: "IfNoneMatchOther", in: s3.GetObjectInput{IfNoneMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)}},
		{name: "IfModifiedSincePast", in: s3.GetObjectInput{IfModifiedSince: aws.Time(past)}},
		{name: "IfModifiedSinceFuture", in: s3.GetObjectInput{IfModifiedSince: aws.Time(future)}, status: 304},
		{name: "IfUnmodifiedSinceFuture", in: s3.GetObjectInput{IfUnmodifiedSince: aws.Time(future)}},
		{name: "IfUnmodifiedSincePast", in: s3.GetObjectInput{IfUnmodifiedSince: aws.Time(past)}, status: 412, code: "PreconditionFailed"},
		// RFC 7232 / S3: If-Match true + If-Unmodified-Since false -> 200.
		{name: "IfMatchTrueUnmodifiedFalse", in: s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(past)}},
		// If-None-Match false + If-Modified-Since true -> 304.
		{name: "IfNoneMatchFalseModifiedTrue", in: s3.GetObjectInput{IfNoneMatch: aws.String(etag), IfModifiedSince: aws.Time(past)}, status: 304},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String(b), aws.String("k")
			o, err := c.GetObject(ctx(), &in)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("want success: %v", err)
				}
				got, _ := io.ReadAll(o.Body)
				o.Body.Close()
				if string(got) != "conditional" {
					t.Errorf("body %q", got)
				}
				return
			}
			wantAPIError(t, err, tc.status, tc.code)
			// HEAD must agree with GET.
			hin := &s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key, IfMatch: in.IfMatch, IfNoneMatch: in.IfNoneMatch,
				IfModifiedSince: in.IfModifiedSince, IfUnmodifiedSince: in.IfUnmodifiedSince}
			_, err = c.HeadObject(ctx(), hin)
			wantAPIError(t, err, tc.status, "")
		})
	}
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	t.Run("DeleteObject", func(t *testing.T) {
		put(t, c, b, "single", []byte("x"))
		if _, err := c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("single")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("single")})
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Errorf("GetObject after delete = %v, want NoSuchKey", err)
		}
		_, err = c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("single")})
		wantAPIError(t, err, 404, "NotFound")
		// Deleting a missing key succeeds (204).
		if _, err := c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("single")}); err != nil {
			t.Errorf("DeleteObject(missing) = %v, want success", err)
		}
	})
	for _, quiet := range []bool{false, true} {
		name := "Verbose"
		if quiet {
			name = "Quiet"
		}
		t.Run(name, func(t *testing.T) {
			prefix := strings.ToLower(name) + "/"
			var ids []types.ObjectIdentifier
			for _, k := range []string{"a", "b", "c d", "e+f"} {
				put(t, c, b, prefix+k, []byte(k))
				ids = append(ids, types.ObjectIdentifier{Key: aws.String(prefix + k)})
			}
			put(t, c, b, prefix+"keep", []byte("keep"))
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(prefix + "never-existed")})
			out, err := c.DeleteObjects(ctx(), &s3.DeleteObjectsInput{Bucket: aws.String(b),
				Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(quiet)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Errors) != 0 {
				t.Errorf("Errors = %+v", out.Errors)
			}
			var deleted []string
			for _, d := range out.Deleted {
				deleted = append(deleted, aws.ToString(d.Key))
			}
			slices.Sort(deleted)
			if quiet {
				if len(deleted) != 0 {
					t.Errorf("quiet mode listed Deleted %v", deleted)
				}
			} else {
				want := []string{prefix + "a", prefix + "b", prefix + "c d", prefix + "e+f", prefix + "never-existed"}
				if !slices.Equal(deleted, want) {
					t.Errorf("Deleted = %q, want %q", deleted, want)
				}
			}
			l, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(prefix)})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Contents) != 1 || aws.ToString(l.Contents[0].Key) != prefix+"keep" {
				t.Errorf("left after DeleteObjects: %d objects", len(l.Contents))
			}
		})
	}
}

func TestCopyObject(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	b2 := newBucket(t, c)
	body := []byte("copy me please")
	src, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src key+1"), Body: bytesReader(body),
		ContentType: aws.String("text/x-source"), Metadata: map[string]string{"origin": "source"}, Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	copySource := url.PathEscape(b) + "/" + url.PathEscape("src key+1")

	t.Run("COPY", func(t *testing.T) {
		out, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b2), Key: aws.String("dst"), CopySource: aws.String(copySource)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.CopyObjectResult.ETag) != aws.ToString(src.ETag) {
			t.Errorf("copy ETag = %s, want %s", aws.ToString(out.CopyObjectResult.ETag), aws.ToString(src.ETag))
		}
		got, o := get(t, c, b2, "dst")
		if !bytes.Equal(got, body) || aws.ToString(o.ContentType) != "text/x-source" || o.Metadata["origin"] != "source" {
			t.Errorf("copied object: %q type %q meta %v", got, aws.ToString(o.ContentType), o.Metadata)
		}
		if aws.ToInt32(o.TagCount) != 1 {
			t.Errorf("copied tag count = %d, want 1 (tagging directive COPY)", aws.ToInt32(o.TagCount))
		}
	})
	t.Run("REPLACE", func(t *testing.T) {
		_, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("replaced"), CopySource: aws.String(copySource),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-new"),
			Metadata: map[string]string{"fresh": "yes"}})
		if err != nil {
			t.Fatal(err)
		}
		got, o := get(t, c, b, "replaced")
		if !bytes.Equal(got, body) || aws.ToString(o.ContentType) != "text/x-new" || o.Metadata["fresh"] != "yes" || o.Metadata["origin"] != "" {
			t.Errorf("replaced object: %q type %q meta %v", got, aws.ToString(o.ContentType), o.Metadata)
		}
	})
	t.Run("SelfReplace", func(t *testing.T) {
		// Copying an object onto itself is allowed only when something changes.
		_, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("src key+1"), CopySource: aws.String(copySource),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"origin": "self"}, ContentType: aws.String("text/x-source")})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("src key+1")})
		if err != nil {
			t.Fatal(err)
		}
		if h.Metadata["origin"] != "self" {
			t.Errorf("metadata after self copy = %v", h.Metadata)
		}
		_, err = c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("src key+1"), CopySource: aws.String(copySource)})
		wantAPIError(t, err, 400, "InvalidRequest")
	})
	t.Run("CopySourceIfMatch", func(t *testing.T) {
		_, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("cond"), CopySource: aws.String(copySource),
			CopySourceIfMatch: aws.String(`"00000000000000000000000000000000"`)})
		wantAPIError(t, err, 412, "PreconditionFailed")
		_, err = c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("cond")})
		wantAPIError(t, err, 404, "NotFound")
		_, err = c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("cond"), CopySource: aws.String(copySource),
			CopySourceIfMatch: src.ETag})
		if err != nil {
			t.Errorf("CopySourceIfMatch with the right ETag: %v", err)
		}
		_, err = c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("cond2"), CopySource: aws.String(copySource),
			CopySourceIfNoneMatch: src.ETag})
		wantAPIError(t, err, 412, "PreconditionFailed")
	})
	t.Run("MissingSource", func(t *testing.T) {
		_, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("x"), CopySource: aws.String(b + "/nope")})
		wantAPIError(t, err, 404, "NoSuchKey")
	})
}
