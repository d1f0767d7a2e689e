package s3api

import (
	"bytes"
	"net/http"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

func putBucketOwnershipControls(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	b, err := q.readSmallBody(64 << 10)
	if err != nil {
		return err
	}
	if err := q.checkDigest(b, true); err != nil {
		return err
	}
	var doc s3xml.OwnershipControls
	if err := s3xml.Decode(bytes.NewReader(b), "OwnershipControls", &doc); err != nil ||
		len(doc.Rules) != 1 || !object.ValidOwnership(doc.Rules[0].ObjectOwnership) {
		return s3err.ErrMalformedXML
	}
	if err := q.h.obj.SetOwnershipControls(q.r.Context(), q.bucket, doc.Rules[0].ObjectOwnership); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getBucketOwnershipControls(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	v, err := q.h.obj.OwnershipControls(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return q.writeXML(http.StatusOK, s3xml.OwnershipControls{NS: s3xml.NS, Rules: []s3xml.OwnershipControlsRule{{ObjectOwnership: v}}})
}

func deleteBucketOwnershipControls(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.SetOwnershipControls(q.r.Context(), q.bucket, ""); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
