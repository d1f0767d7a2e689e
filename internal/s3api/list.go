package s3api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// maxKeys parses max-keys (default and cap 1000).
func maxKeys(q *request, name string) (int, error) {
	s := q.q.Get(name)
	if s == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, s3err.ErrInvalidArgument.With("Provided "+name+" not an integer or within integer range").
			WithExtra("ArgumentName", name).WithExtra("ArgumentValue", s)
	}
	return min(n, 1000), nil
}

// encoder applies encoding-type=url to keys and prefixes in a listing.
type encoder bool

func newEncoder(q *request) (encoder, error) {
	switch et := q.q.Get("encoding-type"); et {
	case "":
		return false, nil
	case "url":
		return true, nil
	default:
		return false, s3err.ErrInvalidArgument.With("Invalid Encoding Method specified in Request").
			WithExtra("ArgumentName", "encoding-type").WithExtra("ArgumentValue", et)
	}
}

func (e encoder) s(v string) string {
	if !e {
		return v
	}
	return urlEncodeKey(v)
}

func (e encoder) kind() string {
	if e {
		return "url"
	}
	return ""
}

// urlEncodeKey encodes like S3's encoding-type=url: unreserved characters
// and "/" stay, everything else is percent-encoded (botocore decodes with
// unquote_plus, so "+" must be encoded and a space may not stay a space).
func urlEncodeKey(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func (q *request) listCommon() (object.ListInput, encoder, error) {
	in := object.ListInput{Bucket: q.bucket, Prefix: q.q.Get("prefix"), Delimiter: q.q.Get("delimiter")}
	var err error
	if in.MaxKeys, err = maxKeys(q, "max-keys"); err != nil {
		return in, false, err
	}
	enc, err := newEncoder(q)
	if err != nil {
		return in, false, err
	}
	return in, enc, q.authorizeBucket()
}

func (q *request) objectEntries(res *s3xml.ListBucketResult, out *object.ListOutput, enc encoder, owner bool) {
	res.Contents = make([]s3xml.Object, 0, len(out.Objects))
	for _, v := range out.Objects {
		o := s3xml.Object{Key: enc.s(v.Key), LastModified: s3xml.Time(v.ModTime), ETag: `"` + v.ETag + `"`, Size: v.Size, StorageClass: v.StorageClass}
		for a := range v.Checksums {
			o.ChecksumAlgorithm = append(o.ChecksumAlgorithm, a)
			o.ChecksumType = v.ChecksumType
		}
		if owner {
			o.Owner = &s3xml.Owner{ID: v.Owner}
		}
		res.Contents = append(res.Contents, o)
	}
	for _, p := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, s3xml.CommonPrefix{Prefix: enc.s(p)})
	}
}

func listObjectsV1(q *request) error {
	in, enc, err := q.listCommon()
	if err != nil {
		return err
	}
	marker := q.q.Get("marker")
	in.After = marker
	out, err := q.h.obj.List(q.r.Context(), in)
	if err != nil {
		return err
	}
	res := s3xml.ListBucketResult{NS: s3xml.NS, Name: q.bucket, Prefix: enc.s(in.Prefix), Marker: ptr(enc.s(marker)),
		MaxKeys: in.MaxKeys, Delimiter: enc.s(in.Delimiter), EncodingType: enc.kind(), IsTruncated: out.Truncated}
	if out.Truncated && in.Delimiter != "" {
		res.NextMarker = enc.s(out.Last)
	}
	q.objectEntries(&res, out, enc, true)
	return q.writeXML(http.StatusOK, res)
}

func listObjectsV2(q *request) error {
	in, enc, err := q.listCommon()
	if err != nil {
		return err
	}
	startAfter := q.q.Get("start-after")
	token, hasToken := q.q["continuation-token"]
	in.After = startAfter
	if hasToken {
		after, err := decodeToken(token[0])
		if err != nil {
			return err
		}
		in.After = after
	}
	out, err := q.h.obj.List(q.r.Context(), in)
	if err != nil {
		return err
	}
	n := len(out.Objects) + len(out.CommonPrefixes)
	res := s3xml.ListBucketResult{NS: s3xml.NS, Name: q.bucket, Prefix: enc.s(in.Prefix), StartAfter: enc.s(startAfter),
		KeyCount: &n, MaxKeys: in.MaxKeys, Delimiter: enc.s(in.Delimiter), EncodingType: enc.kind(), IsTruncated: out.Truncated}
	if hasToken {
		res.ContinuationToken = token[0]
	}
	if out.Truncated {
		res.NextContinuationToken = encodeToken(out.Last)
	}
	q.objectEntries(&res, out, enc, q.q.Get("fetch-owner") == "true")
	return q.writeXML(http.StatusOK, res)
}

// Continuation tokens are opaque to clients: the last key or common prefix
// returned, with a version tag.
const tokenPrefix = "1:"

func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + after))
}

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(t)
	// Only the canonical spelling is a token (the decoder skips newlines).
	if err != nil || !strings.HasPrefix(string(b), tokenPrefix) || base64.RawURLEncoding.EncodeToString(b) != t {
		return "", s3err.ErrInvalidArgument.With("The continuation token provided is incorrect").
			WithExtra("ArgumentName", "continuation-token")
	}
	return string(b[len(tokenPrefix):]), nil
}

func ptr[T any](v T) *T { return &v }

func listUploads(q *request) error {
	max, err := maxKeys(q, "max-uploads")
	if err != nil {
		return err
	}
	enc, err := newEncoder(q)
	if err != nil {
		return err
	}
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	in := object.ListUploadsInput{Bucket: q.bucket, Prefix: q.q.Get("prefix"), Delimiter: q.q.Get("delimiter"),
		KeyMarker: q.q.Get("key-marker"), UploadIDMarker: q.q.Get("upload-id-marker"), MaxUploads: max}
	out, err := q.h.obj.ListUploads(q.r.Context(), in)
	if err != nil {
		return err
	}
	res := s3xml.ListMultipartUploadsResult{NS: s3xml.NS, Bucket: q.bucket, KeyMarker: enc.s(in.KeyMarker), UploadIDMarker: in.UploadIDMarker,
		Prefix: enc.s(in.Prefix), Delimiter: enc.s(in.Delimiter), MaxUploads: max, EncodingType: enc.kind(), IsTruncated: out.Truncated}
	if out.Truncated {
		res.NextKeyMarker, res.NextUploadIDMarker = enc.s(out.NextKeyMarker), out.NextUploadIDMarker
	}
	for _, u := range out.Uploads {
		res.Uploads = append(res.Uploads, uploadInfo(u, enc))
	}
	for _, p := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, s3xml.CommonPrefix{Prefix: enc.s(p)})
	}
	return q.writeXML(http.StatusOK, res)
}

func uploadInfo(u *object.Upload, enc encoder) s3xml.UploadInfo {
	return s3xml.UploadInfo{Key: enc.s(u.Key), UploadID: u.UploadID, Initiator: s3xml.Owner{ID: u.Owner}, Owner: s3xml.Owner{ID: u.Owner},
		StorageClass: u.StorageClass, Initiated: s3xml.Time(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm}
}
