package s3api

import (
	"net/http"

	"github.com/ferrys3/ferry/internal/replconf"
)

// PutBucketReplication. The body is read whole up to the 2 MB limit;
// the service validates it against both buckets and checks iam:PassRole.
func putBucketReplication(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	doc, err := q.readSmallBody(replconf.MaxDocumentSize)
	if err != nil {
		return err
	}
	if err := q.checkDigest(doc, true); err != nil {
		return err
	}
	if err := q.h.repl.PutConfiguration(q.r.Context(), q.identity(), q.bucket, doc); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getBucketReplication(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	doc, err := q.h.repl.Configuration(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return q.writeRawXML(http.StatusOK, doc)
}

func deleteBucketReplication(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.repl.DeleteConfiguration(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
