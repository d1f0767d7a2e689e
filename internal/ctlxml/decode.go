package ctlxml

import (
	"strconv"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/s3xml"
)

// MaxDocumentSize bounds a CreateJob body.
const MaxDocumentSize = 1 << 20

// msgMalformed is the message of every schema failure (the text of S3's
// MalformedXML).
const msgMalformed = "The XML you provided was not well-formed or did not validate against our published schema"

// DecodeCreateJob decodes and validates a CreateJob body: one
// <CreateJobRequest> element in any namespace (or none), members in any
// order. Every failure is an *Error with code BadRequestException (400):
//   - the schema ("The XML you provided was not well-formed or did not
//     validate against our published schema"): not XML, a wrong root, trailing
//     content, over MaxDocumentSize, an unknown or repeated element, text
//     where a number, boolean (true/false) or ISO 8601 timestamp belongs,
//     an operation element other than the model's;
//   - the model's constraints, in AWS's validation wording ("1 validation
//     error detected: Value … at 'roleArn' failed to satisfy constraint:
//     …"): required members, lengths, patterns, ranges, enumerations;
//   - the rules around the model: exactly one operation, exactly one of
//     Manifest and ManifestGenerator, an enabled Report needs Bucket,
//     Format and ReportScope, CSV manifests need Fields naming Bucket and
//     Key (inventory manifests take none), at most MaxJobTags tags, a
//     manifest generator writing its manifest needs ManifestOutputLocation,
//     a copy needs TargetResource.
//
// A schema failure wins; otherwise the first constraint failure in the
// model's member order is reported. An operation this package does not
// decode is not an error: Operation.Unsupported names it.
func DecodeCreateJob(body []byte) (*CreateJobRequest, error) {
	if len(body) > MaxDocumentSize {
		return nil, NewBadRequest(msgMalformed)
	}
	var raw rawRequest
	if err := s3xml.DecodeDocument(body, "CreateJobRequest", &raw); err != nil {
		return nil, NewBadRequest(msgMalformed)
	}
	p := &parser{}
	req := p.request(&raw)
	if p.Bad {
		return nil, NewBadRequest(msgMalformed)
	}
	if p.err != nil {
		return nil, p.err
	}
	return req, nil
}

// parser turns the raw document into the typed request. Schema violations
// set bad; the first constraint violation is kept in err.
type parser struct {
	s3xml.Schema
	err *Error
}

// boolean parses an optional true/false leaf.
func (p *parser) boolean(s []text) *bool {
	v, ok := p.Text(s)
	if !ok {
		return nil
	}
	var b bool
	switch strings.TrimSpace(v) {
	case "true":
		b = true
	case "false":
	default:
		p.Bad = true
	}
	return &b
}

// long parses an optional 64-bit integer leaf.
func (p *parser) long(s []text) *int64 {
	v, ok := p.Text(s)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		p.Bad = true
	}
	return &n
}

// timestamp parses an optional ISO 8601 leaf (RFC 3339, any fraction).
func (p *parser) timestamp(s []text) *time.Time {
	v, ok := p.Text(s)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	t = t.UTC()
	if err != nil || t.Year() < 0 || t.Year() > 9999 {
		p.Bad = true
	}
	return &t
}

// list returns the members of an optional <member> list.
func (p *parser) list(s []rawList) []string {
	l := s3xml.One(&p.Schema, s)
	if l == nil {
		return nil
	}
	p.None(l.Any)
	var out []string
	for i := range l.Member {
		p.None(l.Member[i].Any)
		out = append(out, l.Member[i].Value)
	}
	return out
}
