package s3api

import (
	"bytes"
	"net/http"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

func putPublicAccessBlock(q *request) error {
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
	var doc s3xml.PublicAccessBlockConfiguration
	if err := s3xml.Decode(bytes.NewReader(b), "PublicAccessBlockConfiguration", &doc); err != nil {
		return s3err.ErrMalformedXML
	}
	cfg := object.PublicAccessBlock{BlockPublicAcls: doc.BlockPublicAcls, IgnorePublicAcls: doc.IgnorePublicAcls,
		BlockPublicPolicy: doc.BlockPublicPolicy, RestrictPublicBuckets: doc.RestrictPublicBuckets}
	if err := q.h.obj.SetPublicAccessBlock(q.r.Context(), q.bucket, &cfg); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getPublicAccessBlock(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	c, err := q.h.obj.PublicAccessBlock(q.r.Context(), q.bucket)
	if err != nil {
		return err
	}
	return q.writeXML(http.StatusOK, s3xml.PublicAccessBlockConfiguration{NS: s3xml.NS, BlockPublicAcls: c.BlockPublicAcls,
		IgnorePublicAcls: c.IgnorePublicAcls, BlockPublicPolicy: c.BlockPublicPolicy, RestrictPublicBuckets: c.RestrictPublicBuckets})
}

func deletePublicAccessBlock(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.SetPublicAccessBlock(q.r.Context(), q.bucket, nil); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
