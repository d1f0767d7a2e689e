package s3api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

func createUpload(q *request) error {
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
	in := object.CreateUploadInput{Bucket: q.bucket, Key: q.key, Owner: q.owner(), Attrs: attrs,
		ChecksumAlgorithm: strings.ToUpper(q.r.Header.Get("x-amz-checksum-algorithm")),
		ChecksumType:      strings.ToUpper(q.r.Header.Get("x-amz-checksum-type"))}
	in.ACL = acl
	id, err := q.h.obj.CreateUpload(q.r.Context(), in)
	if err != nil {
		return err
	}
	if in.ChecksumAlgorithm != "" {
		q.w.Header().Set("x-amz-checksum-algorithm", in.ChecksumAlgorithm)
	}
	return q.writeXML(http.StatusOK, s3xml.InitiateMultipartUploadResult{NS: s3xml.NS, Bucket: q.bucket, Key: q.key, UploadID: id})
}

func partNumber(q *request) (int, error) {
	s := q.q.Get("partNumber")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > object.MaxParts {
		return 0, s3err.ErrInvalidArgument.With("Part number must be an integer between 1 and 10000, inclusive").
			WithExtra("ArgumentName", "partNumber").WithExtra("ArgumentValue", s)
	}
	return n, nil
}

func uploadPart(q *request) error {
	n, err := partNumber(q)
	if err != nil {
		return err
	}
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	body, size, ck, err := q.body()
	if err != nil {
		return err
	}
	out, err := q.h.obj.UploadPart(q.r.Context(), object.PartInput{Bucket: q.bucket, Key: q.key, UploadID: q.q.Get("uploadId"),
		Number: n, Body: body, Size: size, ContentMD5: q.r.Header.Get("Content-MD5"), Checksum: ck})
	if err != nil {
		return err
	}
	q.w.Header().Set("ETag", `"`+out.ETag+`"`)
	setChecksumHeaders(q.w.Header(), out.Checksums, "")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func uploadPartCopy(q *request) error {
	n, err := partNumber(q)
	if err != nil {
		return err
	}
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
	in := object.CopyPartInput{Bucket: q.bucket, Key: q.key, UploadID: q.q.Get("uploadId"), Number: n,
		SrcBucket: sb, SrcKey: sk, SrcVersionID: sv, SrcCond: cond}
	if rh := q.r.Header.Get("x-amz-copy-source-range"); rh != "" {
		in.SrcRange = object.ParseRange(rh)
		if in.SrcRange == nil || in.SrcRange.First < 0 || in.SrcRange.Last < 0 {
			return s3err.ErrInvalidArgument.With("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
				WithExtra("ArgumentName", "x-amz-copy-source-range").WithExtra("ArgumentValue", rh)
		}
	}
	out, srcVersion, err := q.h.obj.UploadPartCopy(q.r.Context(), in)
	if err != nil {
		return err
	}
	if srcVersion != "" {
		q.w.Header().Set("x-amz-copy-source-version-id", srcVersion)
	}
	res := s3xml.CopyPartResult{NS: s3xml.NS, ETag: `"` + out.ETag + `"`, LastModified: s3xml.Time(q.h.obj.Now())}
	setResultChecksums(&res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256, out.Checksums)
	return q.writeXML(http.StatusOK, res)
}

func completeUpload(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	b, err := q.readSmallBody(s3xml.MaxBody)
	if err != nil {
		return err
	}
	var doc s3xml.CompleteMultipartUpload
	if err := s3xml.Decode(bytes.NewReader(b), "CompleteMultipartUpload", &doc); err != nil {
		return s3err.ErrMalformedXML
	}
	list := make([]object.CompletePart, 0, len(doc.Parts))
	for _, p := range doc.Parts {
		cp := object.CompletePart{Number: p.PartNumber, ETag: p.ETag, Checksums: map[string]string{}}
		for alg, v := range map[string]string{"CRC32": p.ChecksumCRC32, "CRC32C": p.ChecksumCRC32C, "CRC64NVME": p.ChecksumCRC64NVME,
			"SHA1": p.ChecksumSHA1, "SHA256": p.ChecksumSHA256} {
			if v != "" {
				cp.Checksums[alg] = v
			}
		}
		list = append(list, cp)
	}
	out, err := q.h.obj.Complete(q.r.Context(), q.bucket, q.key, q.q.Get("uploadId"), list, writeConditions(q.r.Header))
	if err != nil {
		return err
	}
	if out.VersionID != "" {
		q.w.Header().Set("x-amz-version-id", out.VersionID)
	}
	res := s3xml.CompleteMultipartUploadResult{NS: s3xml.NS, Location: "/" + q.bucket + "/" + q.key, Bucket: q.bucket, Key: q.key, ETag: `"` + out.ETag + `"`}
	setResultChecksums(&res.ChecksumCRC32, &res.ChecksumCRC32C, &res.ChecksumCRC64NVME, &res.ChecksumSHA1, &res.ChecksumSHA256, out.Checksums)
	if len(out.Checksums) > 0 {
		res.ChecksumType = out.ChecksumType
	}
	return q.writeXML(http.StatusOK, res)
}

func abortUpload(q *request) error {
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	if err := q.h.obj.Abort(q.r.Context(), q.bucket, q.key, q.q.Get("uploadId")); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func listParts(q *request) error {
	max, err := maxKeys(q, "max-parts")
	if err != nil {
		return err
	}
	after := 0
	if s := q.q.Get("part-number-marker"); s != "" {
		if after, err = strconv.Atoi(s); err != nil || after < 0 {
			return s3err.ErrInvalidArgument.With("Provided part-number-marker not an integer or within integer range")
		}
	}
	if err := q.authorizeBucket(); err != nil {
		return err
	}
	out, err := q.h.obj.ListParts(q.r.Context(), q.bucket, q.key, q.q.Get("uploadId"), after, max)
	if err != nil {
		return err
	}
	u := out.Upload
	res := s3xml.ListPartsResult{NS: s3xml.NS, Bucket: q.bucket, Key: q.key, UploadID: u.UploadID, Initiator: s3xml.Owner{ID: u.Owner},
		Owner: s3xml.Owner{ID: u.Owner}, StorageClass: u.StorageClass, PartNumberMarker: after, MaxParts: max,
		IsTruncated: out.Truncated, ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType}
	if out.Truncated {
		res.NextPartNumberMarker = out.Next
	}
	for _, p := range out.Parts {
		pi := s3xml.PartInfo{PartNumber: p.Number, LastModified: s3xml.Time(p.ModTime), ETag: `"` + p.ETag + `"`, Size: p.Size}
		setResultChecksums(&pi.ChecksumCRC32, &pi.ChecksumCRC32C, &pi.ChecksumCRC64NVME, &pi.ChecksumSHA1, &pi.ChecksumSHA256, p.Checksums)
		res.Parts = append(res.Parts, pi)
	}
	return q.writeXML(http.StatusOK, res)
}
