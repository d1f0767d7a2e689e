package s3api

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

func putObject(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	attrs, err := attrsFromHeaders(q.r.Header)
	if err != nil {
		return err
	}
	acl, err := q.headerACL(false)
	if err != nil {
		return err
	}
	body, size, ck, err := q.body()
	if err != nil {
		return err
	}
	out, err := q.h.obj.Put(q.r.Context(), object.PutInput{Bucket: q.bucket, Key: q.key, Owner: q.owner(),
		Body: body, Size: size, ContentMD5: q.r.Header.Get("Content-MD5"), Checksum: ck, Attrs: attrs, Cond: writeConditions(q.r.Header), ACL: acl})
	if err != nil {
		return err
	}
	h := q.w.Header()
	h.Set("ETag", `"`+out.ETag+`"`)
	if out.VersionID != "" {
		h.Set("x-amz-version-id", out.VersionID)
	}
	setChecksumHeaders(h, out.Checksums, out.ChecksumType)
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getObject(q *request) error  { return readObject(q, false) }
func headObject(q *request) error { return readObject(q, true) }

func readObject(q *request, head bool) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := refuseSSECRead(q.r.Header); err != nil {
		return err
	}
	cond, _ := conditions(q.r.Header, "")
	in := object.GetInput{Bucket: q.bucket, Key: q.key, VersionID: q.q.Get("versionId"), Cond: cond, Head: head, Snapshot: q.bkt}
	if pn := q.q.Get("partNumber"); pn != "" {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > object.MaxParts {
			return s3err.ErrInvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive")
		}
		in.PartNumber = n
	} else if rh := q.r.Header.Get("Range"); rh != "" {
		in.Range = object.ParseRange(rh)
	}
	out, err := q.h.obj.Get(q.r.Context(), in)
	if err != nil {
		return err
	}
	if out.Body != nil {
		defer out.Body.Close()
	}
	h := q.w.Header()
	setObjectHeaders(h, out.V, out.VersionHeader, q.q)
	if strings.EqualFold(q.r.Header.Get("x-amz-checksum-mode"), "ENABLED") && !out.Partial {
		setChecksumHeaders(h, out.V.Checksums, out.V.ChecksumType)
	}
	h.Set("Content-Length", strconv.FormatInt(out.Length, 10))
	status := http.StatusOK
	if out.Partial {
		status = http.StatusPartialContent
		end := out.Start + out.Length - 1
		h.Set("Content-Range", "bytes "+strconv.FormatInt(out.Start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(out.V.Size, 10))
	}
	q.w.WriteHeader(status)
	if head || out.Body == nil {
		return nil
	}
	if _, err := io.Copy(q.w, out.Body); err != nil {
		// Headers are gone; the client sees a short body.
		q.h.log.Warn("response body interrupted", "id", q.id, "err", err)
	}
	return nil
}

func deleteObject(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	res, err := q.h.obj.Delete(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"), q.owner())
	if err != nil {
		return err
	}
	if res.DeleteMarker {
		q.w.Header().Set("x-amz-delete-marker", "true")
	}
	if res.VersionID != "" {
		q.w.Header().Set("x-amz-version-id", res.VersionID)
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=V]", URL-encoded.
func copySource(h string) (bucket, key, version string, err error) {
	src, rawQuery, _ := strings.Cut(h, "?")
	src, uerr := url.PathUnescape(src)
	if uerr != nil {
		return "", "", "", s3err.ErrInvalidArgument.With("Invalid copy source encoding")
	}
	src = strings.TrimPrefix(src, "/")
	bucket, key, ok := strings.Cut(src, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", s3err.ErrInvalidArgument.With("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").
			WithExtra("ArgumentName", "x-amz-copy-source").WithExtra("ArgumentValue", h)
	}
	if rawQuery != "" {
		qv, perr := url.ParseQuery(rawQuery)
		if perr != nil {
			return "", "", "", s3err.ErrInvalidArgument.With("Invalid copy source")
		}
		version = qv.Get("versionId")
		if version == "" {
			return "", "", "", s3err.ErrInvalidArgument.With("Invalid version id specified")
		}
	}
	return bucket, key, version, nil
}

// authorizeSource checks that the caller may read the copy source.
func (q *request) authorizeSource(bucket, key, versionID string) error {
	action := "s3:GetObject"
	if versionID != "" {
		action = "s3:GetObjectVersion"
	}
	return q.authorizeObject(action, bucket, key, versionID)
}

func copyObject(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	sb, sk, sv, err := copySource(q.r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	if err := q.authorizeSource(sb, sk, sv); err != nil {
		return err
	}
	cond, _ := conditions(q.r.Header, "x-amz-copy-source-")
	in := object.CopyInput{SrcBucket: sb, SrcKey: sk, SrcVersionID: sv, SrcCond: cond, Bucket: q.bucket, Key: q.key,
		Owner: q.owner(), ChecksumAlgorithm: strings.ToUpper(q.r.Header.Get("x-amz-checksum-algorithm"))}
	switch d := q.r.Header.Get("x-amz-metadata-directive"); d {
	case "", "COPY":
	case "REPLACE":
		in.ReplaceMetadata = true
	default:
		return s3err.ErrInvalidArgument.With("Unknown metadata directive.").WithExtra("ArgumentName", "x-amz-metadata-directive").WithExtra("ArgumentValue", d)
	}
	switch d := q.r.Header.Get("x-amz-tagging-directive"); d {
	case "", "COPY":
	case "REPLACE":
		in.ReplaceTags = true
	default:
		return s3err.ErrInvalidArgument.With("Unknown tagging directive.").WithExtra("ArgumentName", "x-amz-tagging-directive").WithExtra("ArgumentValue", d)
	}
	if in.Attrs, err = attrsFromHeaders(q.r.Header); err != nil {
		return err
	}
	if in.ACL, err = q.headerACL(false); err != nil {
		return err
	}
	out, err := q.h.obj.Copy(q.r.Context(), in)
	if err != nil {
		return err
	}
	h := q.w.Header()
	if out.VersionID != "" {
		h.Set("x-amz-version-id", out.VersionID)
	}
	if out.SrcVersionID != "" {
		h.Set("x-amz-copy-source-version-id", out.SrcVersionID)
	}
	res := s3xml.CopyObjectResult{NS: s3xml.NS, ETag: `"` + out.ETag + `"`, LastModified: s3xml.Time(out.ModTime)}
	setResultChecksums(&res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256, out.Checksums)
	if len(out.Checksums) > 0 {
		res.ChecksumType = "FULL_OBJECT"
	}
	return q.writeXML(http.StatusOK, res)
}

func setResultChecksums(crc32, crc32c, crc64, sha1, sha256 *string, sums map[string]string) {
	*crc32, *crc32c, *crc64, *sha1, *sha256 = sums["CRC32"], sums["CRC32C"], sums["CRC64NVME"], sums["SHA1"], sums["SHA256"]
}

// writeConditions reads the conditional-write headers.
func writeConditions(h http.Header) object.WriteConditions {
	return object.WriteConditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
}
