// Package ctlxml holds the S3 Control (API version 2018-08-20) documents of
// S3 Batch Operations: the strict decoding and validation of CreateJob
// request bodies, the encoding of every job response (CreateJob,
// DescribeJob, ListJobs, UpdateJobPriority, UpdateJobStatus) and of the
// wrapped S3 Control error body, the job status enumeration and the
// transitions UpdateJobStatus allows.
//
// The package is pure: it only encodes and decodes bytes.
//
// Wire conventions (botocore's s3control model, rest-xml protocol):
//   - every document is in the namespace [Namespace]; input is accepted with
//     any namespace or none, and in any element order;
//   - lists are non-flattened with <member> children (except
//     MatchAnyObjectEncryption, whose children are <ObjectEncryption>), maps
//     are <entry><key/><value/></entry>;
//   - timestamps are ISO 8601; output uses [TimeLayout] (UTC, milliseconds);
//   - Go field names follow the element names, with Go's ID for Id.
package ctlxml

import "time"

// Namespace is the XML namespace of S3 Control documents.
const Namespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// TimeLayout is the timestamp format of S3 Control XML output.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t as S3 Control XML does (UTC, millisecond precision).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }
