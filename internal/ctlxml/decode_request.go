package ctlxml

import "strconv"

// request converts the root element: members in the model's order, then
// the rules that span members.
func (p *parser) request(raw *rawRequest) *CreateJobRequest {
	p.none(raw.Any)
	req := &CreateJobRequest{ConfirmationRequired: p.boolean(raw.ConfirmationRequired)}
	if op := one(p, raw.Operation); p.required("operation", op != nil) {
		req.Operation = p.operation(op)
	}
	if r := one(p, raw.Report); p.required("report", r != nil) {
		req.Report = p.report(r)
	}
	tok, ok := p.text(raw.ClientRequestToken)
	if p.required("clientRequestToken", ok) {
		p.length("clientRequestToken", tok, 1, 64)
	}
	req.ClientRequestToken = tok
	if m := one(p, raw.Manifest); m != nil {
		req.Manifest = p.manifest(m)
	}
	desc, ok := p.text(raw.Description)
	p.optLength("description", desc, ok, 1, 256)
	req.Description = desc
	if pr := p.long(raw.Priority); p.required("priority", pr != nil) {
		p.between("priority", *pr, 0, maxPriority)
		req.Priority = int(*pr)
	}
	role, ok := p.text(raw.RoleArn)
	if p.required("roleArn", ok) {
		p.length("roleArn", role, 1, 2048)
		p.matches("roleArn", role, roleArnPattern)
	}
	req.RoleArn = role
	req.Tags = p.tags("tags", raw.Tags)
	if len(req.Tags) > MaxJobTags {
		p.fail(msgTooManyTags)
	}
	if g := one(p, raw.ManifestGenerator); g != nil {
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
	p.none(raw.Any)
	var r Report
	var has struct{ bucket, format, prefix, scope, owner bool }
	r.Bucket, has.bucket = p.text(raw.Bucket)
	r.Format, has.format = p.text(raw.Format)
	enabled := p.boolean(raw.Enabled)
	r.Prefix, has.prefix = p.text(raw.Prefix)
	r.ReportScope, has.scope = p.text(raw.ReportScope)
	r.ExpectedBucketOwner, has.owner = p.text(raw.ExpectedBucketOwner)
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
	l := one(p, s)
	if l == nil {
		return nil
	}
	p.none(l.Any)
	var out []Tag
	for i := range l.Member {
		r := &l.Member[i]
		p.none(r.Any)
		at := member(path, i) + "."
		k, kok := p.text(r.Key)
		v, vok := p.text(r.Value)
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
