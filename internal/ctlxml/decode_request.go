package ctlxml

import (
	"strconv"

	"github.com/ferrys3/ferry/internal/s3xml"
)

// request converts the root element: members in the model's order, then
// the rules that span members.
func (p *parser) request(raw *rawRequest) *CreateJobRequest {
	p.None(raw.Any)
	req := &CreateJobRequest{ConfirmationRequired: p.boolean(raw.ConfirmationRequired)}
	if op := s3xml.One(&p.Schema, raw.Operation); p.required("operation", op != nil) {
		req.Operation = p.operation(op)
	}
	if r := s3xml.One(&p.Schema, raw.Report); p.required("report", r != nil) {
		req.Report = p.report(r)
	}
	tok, ok := p.Text(raw.ClientRequestToken)
	if p.required("clientRequestToken", ok) {
		p.length("clientRequestToken", tok, 1, 64)
	}
	req.ClientRequestToken = tok
	if m := s3xml.One(&p.Schema, raw.Manifest); m != nil {
		req.Manifest = p.manifest(m)
	}
	desc, ok := p.Text(raw.Description)
	p.optLength("description", desc, ok, 1, 256)
	req.Description = desc
	if pr := p.long(raw.Priority); p.required("priority", pr != nil) {
		p.between("priority", *pr, 0, maxPriority)
		req.Priority = int(*pr)
	}
	role, ok := p.Text(raw.RoleArn)
	if p.required("roleArn", ok) {
		p.length("roleArn", role, 1, 2048)
		p.matches("roleArn", role, roleArnPattern)
	}
	req.RoleArn = role
	req.Tags = p.tags("tags", raw.Tags)
	if len(req.Tags) > MaxJobTags {
		p.fail(msgTooManyTags)
	}
	if g := s3xml.One(&p.Schema, raw.ManifestGenerator); g != nil {
		req.ManifestGenerator = p.manifestGenerator(g)
	}
	if (req.Manifest == nil) == (req.ManifestGenerator == nil) {
		p.fail(msgManifestChoice)
	}
	return req
}

// report converts a JobReport. Enabled is required; an enabled report
// needs a bucket, the format and a scope.
func (p *parser) report(raw *rawReport) Report {
	p.None(raw.Any)
	var r Report
	var has struct{ bucket, format, prefix, scope, owner bool }
	r.Bucket, has.bucket = p.Text(raw.Bucket)
	r.Format, has.format = p.Text(raw.Format)
	enabled := p.boolean(raw.Enabled)
	r.Prefix, has.prefix = p.Text(raw.Prefix)
	r.ReportScope, has.scope = p.Text(raw.ReportScope)
	r.ExpectedBucketOwner, has.owner = p.Text(raw.ExpectedBucketOwner)
	if has.bucket {
		p.s3Arn("report.bucket", r.Bucket, true, 128)
	}
	p.enum("report.format", r.Format, has.format, reportFormats)
	if p.required("report.enabled", enabled != nil) {
		r.Enabled = *enabled
	}
	p.optLength("report.prefix", r.Prefix, has.prefix, 1, 512)
	p.enum("report.reportScope", r.ReportScope, has.scope, reportScopes)
	p.accountID("report.expectedBucketOwner", r.ExpectedBucketOwner, has.owner)
	if r.Enabled {
		switch {
		case !has.bucket:
			p.fail(msgReportBucket)
		case !has.format:
			p.fail(msgReportFormat)
		case !has.scope:
			p.fail(msgReportScope)
		}
	}
	return r
}

// member is the path of the i-th (0-based) element of a list at path.
func member(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// tags converts and checks an S3TagSet at path.
func (p *parser) tags(path string, s []rawTags) []Tag {
	l := s3xml.One(&p.Schema, s)
	if l == nil {
		return nil
	}
	p.None(l.Any)
	var out []Tag
	for i := range l.Member {
		r := &l.Member[i]
		p.None(r.Any)
		at := member(path, i) + "."
		k, kok := p.Text(r.Key)
		v, vok := p.Text(r.Value)
		if p.required(at+"key", kok) {
			p.length(at+"key", k, 1, 128)
			p.matches(at+"key", k, tagPattern)
		}
		if p.required(at+"value", vok) {
			p.length(at+"value", v, 0, 256)
			p.matches(at+"value", v, tagPattern)
		}
		out = append(out, Tag{Key: k, Value: v})
	}
	return out
}
