package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

type versioningRequest struct {
	Status    string `xml:"Status"`
	MfaDelete string `xml:"MfaDelete"`
}

func putBucketVersioning(q *request) error {
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
	var doc versioningRequest
	if err := s3xml.Decode(bytes.NewReader(b), "VersioningConfiguration", &doc); err != nil {
		return s3err.ErrMalformedXML
	}
	switch doc.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		// ferry has no MFA devices, so MFA delete can never be satisfied.
		return s3err.ErrInvalidRequest.With("MFA delete is not supported: ferry has no MFA devices.").WithExtra("MfaDelete", doc.MfaDelete)
	default:
		return s3err.ErrMalformedXML
	}
	if err := q.h.obj.SetVersioning(q.r.Context(), q.bucket, doc.Status); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// ListVersionsResult is the ListObjectVersions response. Versions and
// delete markers are interleaved in one ordered sequence.
type listVersionsResult struct {
	XMLName             xml.Name             `xml:"ListVersionsResult"`
	NS                  string               `xml:"xmlns,attr"`
	Name                string               `xml:"Name"`
	Prefix              string               `xml:"Prefix"`
	KeyMarker           string               `xml:"KeyMarker"`
	VersionIDMarker     string               `xml:"VersionIdMarker"`
	NextKeyMarker       string               `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string               `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int                  `xml:"MaxKeys"`
	Delimiter           string               `xml:"Delimiter,omitempty"`
	EncodingType        string               `xml:"EncodingType,omitempty"`
	IsTruncated         bool                 `xml:"IsTruncated"`
	Entries             []any                `xml:",any"`
	CommonPrefixes      []s3xml.CommonPrefix `xml:"CommonPrefixes"`
}

type versionXML struct {
	XMLName      xml.Name
	Key          string      `xml:"Key"`
	VersionID    string      `xml:"VersionId"`
	IsLatest     bool        `xml:"IsLatest"`
	LastModified string      `xml:"LastModified"`
	ETag         string      `xml:"ETag,omitempty"`
	Size         *int64      `xml:"Size,omitempty"`
	Owner        s3xml.Owner `xml:"Owner"`
	StorageClass string      `xml:"StorageClass,omitempty"`
}

func listObjectVersions(q *request) error {
	max, err := maxKeys(q, "max-keys")
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
	in := object.ListVersionsInput{Bucket: q.bucket, Prefix: q.q.Get("prefix"), Delimiter: q.q.Get("delimiter"),
		KeyMarker: q.q.Get("key-marker"), VersionIDMarker: q.q.Get("version-id-marker"), MaxKeys: max}
	out, err := q.h.obj.ListVersions(q.r.Context(), in)
	if err != nil {
		return err
	}
	res := listVersionsResult{NS: s3xml.NS, Name: q.bucket, Prefix: enc.s(in.Prefix), KeyMarker: enc.s(in.KeyMarker),
		VersionIDMarker: in.VersionIDMarker, MaxKeys: max, Delimiter: enc.s(in.Delimiter), EncodingType: enc.kind(),
		IsTruncated: out.Truncated, NextKeyMarker: enc.s(out.NextKeyMarker), NextVersionIDMarker: out.NextVersionMarker}
	for _, e := range out.Versions {
		x := versionXML{Key: enc.s(e.Key), VersionID: e.VersionID, IsLatest: e.IsLatest, LastModified: s3xml.Time(e.ModTime),
			Owner: s3xml.Owner{ID: e.Owner}}
		if e.DeleteMarker {
			x.XMLName = xml.Name{Local: "DeleteMarker"}
		} else {
			size := e.Size
			x.XMLName, x.ETag, x.Size, x.StorageClass = xml.Name{Local: "Version"}, `"`+e.ETag+`"`, &size, e.StorageClass
		}
		res.Entries = append(res.Entries, x)
	}
	for _, p := range out.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, s3xml.CommonPrefix{Prefix: enc.s(p)})
	}
	return q.writeXML(http.StatusOK, res)
}
