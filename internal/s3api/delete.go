package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"hash"
	"net/http"

	"github.com/ferrys3/ferry/internal/checksum"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// checkDigest verifies Content-MD5 or an x-amz-checksum-* header over a
// small body. required makes the absence of both an error, as S3 does for
// DeleteObjects and the configuration PUTs.
func (q *request) checkDigest(b []byte, required bool) error {
	if m := q.r.Header.Get("Content-MD5"); m != "" {
		want, err := base64.StdEncoding.DecodeString(m)
		if err != nil || len(want) != md5.Size {
			return s3err.ErrInvalidDigest
		}
		sum := md5.Sum(b)
		if !bytes.Equal(sum[:], want) {
			return s3err.ErrBadDigest
		}
		return nil
	}
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		v := q.r.Header.Get(checksum.HeaderName(alg))
		if v == "" {
			continue
		}
		var h hash.Hash
		h, _ = checksum.New(alg)
		h.Write(b)
		if base64.StdEncoding.EncodeToString(h.Sum(nil)) != v {
			return s3err.ErrBadDigest.With("The " + alg + " you specified did not match the calculated checksum.")
		}
		return nil
	}
	if required && q.r.Header.Get("x-amz-trailer") == "" {
		return s3err.ErrInvalidRequest.With("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	return nil
}

// MaxDeleteKeys is the DeleteObjects limit.
const MaxDeleteKeys = 1000

func deleteObjects(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	b, err := q.readSmallBody(s3xml.MaxBody)
	if err != nil {
		return err
	}
	if err := q.checkDigest(b, true); err != nil {
		return err
	}
	var doc s3xml.Delete
	if err := s3xml.Decode(bytes.NewReader(b), "Delete", &doc); err != nil || len(doc.Objects) == 0 || len(doc.Objects) > MaxDeleteKeys {
		return s3err.ErrMalformedXML
	}
	res := s3xml.DeleteResult{NS: s3xml.NS}
	for _, o := range doc.Objects {
		r, err := q.deleteOne(o)
		if err != nil {
			e := toS3(err)
			res.Errors = append(res.Errors, s3xml.DeleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if doc.Quiet {
			continue
		}
		d := s3xml.Deleted{Key: o.Key, VersionID: o.VersionID}
		if r.DeleteMarker {
			// A marker was created, or the version removed was a marker.
			d.DeleteMarker, d.DeleteMarkerVersionID = true, r.VersionID
		}
		res.Deleted = append(res.Deleted, d)
	}
	return q.writeXML(http.StatusOK, res)
}

func (q *request) deleteOne(o s3xml.ObjectToDelete) (*object.DeleteResult, error) {
	if err := object.ValidateKey(o.Key); err != nil {
		return nil, err
	}
	action := "s3:DeleteObject"
	if o.VersionID != "" {
		action = "s3:DeleteObjectVersion"
	}
	if err := q.authorizeObject(action, q.bucket, o.Key, o.VersionID); err != nil {
		return nil, err
	}
	return q.h.obj.Delete(q.r.Context(), q.bucket, o.Key, o.VersionID, q.owner())
}

func getObjectTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	tags, vid, err := q.h.obj.Tags(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"))
	if err != nil {
		return err
	}
	if vid != "" {
		q.w.Header().Set("x-amz-version-id", vid)
	}
	return q.writeXML(http.StatusOK, tagDoc(tags))
}

// readTagging reads and validates a Tagging document.
func (q *request) readTagging() (map[string]string, error) {
	b, err := q.readSmallBody(64 << 10)
	if err != nil {
		return nil, err
	}
	if err := q.checkDigest(b, false); err != nil {
		return nil, err
	}
	var doc s3xml.Tagging
	if err := s3xml.Decode(bytes.NewReader(b), "Tagging", &doc); err != nil {
		return nil, s3err.ErrMalformedXML
	}
	tags := map[string]string{}
	for _, t := range doc.TagSet {
		if _, dup := tags[t.Key]; dup {
			return nil, s3err.ErrInvalidTag.With("Cannot provide multiple Tags with the same key")
		}
		tags[t.Key] = t.Value
	}
	return tags, nil
}

func tagDoc(tags map[string]string) s3xml.Tagging {
	doc := s3xml.Tagging{NS: s3xml.NS, TagSet: []s3xml.Tag{}}
	for _, k := range sortedKeys(tags) {
		doc.TagSet = append(doc.TagSet, s3xml.Tag{Key: k, Value: tags[k]})
	}
	return doc
}

func putObjectTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	tags, err := q.readTagging()
	if err != nil {
		return err
	}
	vid, err := q.h.obj.SetTags(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"), tags)
	if err != nil {
		return err
	}
	if vid != "" {
		q.w.Header().Set("x-amz-version-id", vid)
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func putBucketTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	tags, err := q.readTagging()
	if err != nil {
		return err
	}
	if err := q.h.obj.SetBucketTags(q.r.Context(), q.bucket, tags); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func getBucketTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	tags, err := q.h.obj.BucketTags(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return q.writeXML(http.StatusOK, tagDoc(tags))
}

func deleteBucketTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.SetBucketTags(q.r.Context(), q.bucket, nil); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func deleteObjectTagging(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	vid, err := q.h.obj.SetTags(q.r.Context(), q.bucket, q.key, q.q.Get("versionId"), nil)
	if err != nil {
		return err
	}
	if vid != "" {
		q.w.Header().Set("x-amz-version-id", vid)
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
