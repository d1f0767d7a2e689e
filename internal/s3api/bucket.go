package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// writeXML renders a response document.
func (q *request) writeXML(status int, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", "application/xml")
	q.w.WriteHeader(status)
	_, _ = q.w.Write([]byte(xml.Header))
	_, _ = q.w.Write(out)
	return nil
}

// writeRawXML sends a stored XML document.
func (q *request) writeRawXML(status int, doc []byte) error {
	q.w.Header().Set("Content-Type", "application/xml")
	q.w.WriteHeader(status)
	_, _ = q.w.Write([]byte(xml.Header))
	_, _ = q.w.Write(doc)
	return nil
}

func listBuckets(q *request) error {
	bs, err := q.h.obj.ListBuckets(q.r.Context(), q.account())
	if err != nil {
		return err
	}
	res := s3xml.ListAllMyBucketsResult{NS: s3xml.NS, Owner: s3xml.Owner{ID: q.account()}}
	res.Buckets = []s3xml.BucketInfo{}
	for _, b := range bs {
		res.Buckets = append(res.Buckets, s3xml.BucketInfo{Name: b.Name, CreationDate: s3xml.Time(b.Created), BucketRegion: b.Region})
	}
	return q.writeXML(http.StatusOK, res)
}

func createBucket(q *request) error {
	body, err := q.readSmallBody(64 << 10)
	if err != nil {
		return err
	}
	region := q.h.region
	if len(bytes.TrimSpace(body)) > 0 {
		var cfg s3xml.CreateBucketConfiguration
		if err := s3xml.Decode(bytes.NewReader(body), "CreateBucketConfiguration", &cfg); err != nil {
			return s3err.ErrMalformedXML
		}
		switch lc := cfg.LocationConstraint; {
		case lc == "" && q.h.region != "us-east-1":
			return s3err.ErrIllegalLocationConstraint
		case lc == "us-east-1":
			return s3err.ErrInvalidLocationConstraint.WithExtra("LocationConstraint", lc)
		case lc == "EU" && q.h.region == "eu-west-1":
		case lc != "" && lc != q.h.region:
			return s3err.ErrIllegalLocationConstraint.With("The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
	}
	acl, err := q.headerACL(true)
	if err != nil {
		return err
	}
	in := object.CreateBucketInput{Owner: q.owner(), Name: q.bucket, Region: region,
		Ownership: q.r.Header.Get("x-amz-object-ownership"), ACL: acl}
	if err := q.h.obj.CreateBucketWith(q.r.Context(), in); err != nil {
		return err
	}
	q.w.Header().Set("Location", "/"+q.bucket)
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func headBucket(q *request) error {
	b := q.bkt
	q.w.Header().Set("x-amz-bucket-region", b.Region)
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func deleteBucket(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.DeleteBucket(q.r.Context(), q.bucket); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func getBucketLocation(q *request) error {
	b := q.bkt
	lc := b.Region
	if lc == "us-east-1" {
		lc = "" // AWS answers an empty constraint for us-east-1
	}
	return q.writeXML(http.StatusOK, s3xml.LocationConstraint{NS: s3xml.NS, Value: lc})
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	NS      string   `xml:"xmlns,attr"`
	Status  string   `xml:"Status,omitempty"`
}

func getBucketVersioning(q *request) error {
	b := q.bkt
	status := b.Versioning
	if status == object.VersioningOff {
		status = ""
	}
	return q.writeXML(http.StatusOK, versioningConfiguration{NS: s3xml.NS, Status: status})
}
