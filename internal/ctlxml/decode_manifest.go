package ctlxml

import (
	"slices"

	"github.com/ferrys3/ferry/internal/s3xml"
)

// manifest converts a JobManifest.
func (p *parser) manifest(raw *rawManifest) *Manifest {
	p.None(raw.Any)
	m := &Manifest{}
	if s := s3xml.One(&p.Schema, raw.Spec); p.required("manifest.spec", s != nil) {
		p.None(s.Any)
		format, ok := p.Text(s.Format)
		fields := s3xml.One(&p.Schema, s.Fields)
		m.Spec = ManifestSpec{Format: format, Fields: p.list(s.Fields)}
		if p.required("manifest.spec.format", ok) {
			p.enum("manifest.spec.format", format, true, manifestFormats)
			p.fields(format, fields != nil, m.Spec.Fields)
		}
	}
	if l := s3xml.One(&p.Schema, raw.Location); p.required("manifest.location", l != nil) {
		m.Location = p.location("manifest.location", l)
	}
	return m
}

// fields checks a manifest's CSV columns against its format.
func (p *parser) fields(format string, present bool, fields []string) {
	for i, f := range fields {
		p.enum(member("manifest.spec.fields", i), f, true, manifestFields)
	}
	switch {
	case format != FormatBatchCSV:
		if present {
			p.fail(msgFieldsNotAllowed)
		}
	case len(fields) == 0:
		p.fail(msgFieldsRequired)
	case !slices.Contains(fields, FieldBucket) || !slices.Contains(fields, FieldKey):
		p.fail(msgFieldsBucketKey)
	default:
		for _, f := range []string{FieldBucket, FieldKey, FieldVersionID} {
			if countOf(fields, f) > 1 {
				p.fail(msgFieldRepeated)
			}
		}
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// location converts a JobManifestLocation.
func (p *parser) location(path string, raw *rawLocation) ManifestLocation {
	p.None(raw.Any)
	var l ManifestLocation
	var ok bool
	l.ObjectArn, ok = p.Text(raw.ObjectArn)
	p.s3Arn(path+".objectArn", l.ObjectArn, ok, 2000)
	l.ObjectVersionID, ok = p.Text(raw.ObjectVersionID)
	p.optLength(path+".objectVersionId", l.ObjectVersionID, ok, 1, 2000)
	l.ETag, ok = p.Text(raw.ETag)
	if p.required(path+".eTag", ok) {
		p.length(path+".eTag", l.ETag, 1, 1024)
	}
	return l
}

// manifestGenerator converts a JobManifestGenerator (a union whose only
// choice is S3JobManifestGenerator).
func (p *parser) manifestGenerator(raw *rawManifestGenerator) *ManifestGenerator {
	p.None(raw.Any)
	const path = "manifestGenerator.s3JobManifestGenerator"
	r := s3xml.One(&p.Schema, raw.S3JobManifestGenerator)
	if !p.required(path, r != nil) {
		return &ManifestGenerator{}
	}
	p.None(r.Any)
	g := &S3JobManifestGenerator{}
	var ok bool
	g.ExpectedBucketOwner, ok = p.Text(r.ExpectedBucketOwner)
	p.accountID(path+".expectedBucketOwner", g.ExpectedBucketOwner, ok)
	g.SourceBucket, ok = p.Text(r.SourceBucket)
	p.s3Arn(path+".sourceBucket", g.SourceBucket, ok, 128)
	if o := s3xml.One(&p.Schema, r.ManifestOutputLocation); o != nil {
		g.ManifestOutputLocation = p.outputLocation(path+".manifestOutputLocation", o)
	}
	if f := s3xml.One(&p.Schema, r.Filter); f != nil {
		g.Filter = p.filter(path+".filter", f)
	}
	if enable := p.boolean(r.EnableManifestOutput); p.required(path+".enableManifestOutput", enable != nil) {
		g.EnableManifestOutput = *enable
	}
	if g.EnableManifestOutput && g.ManifestOutputLocation == nil {
		p.fail(msgOutputLocation)
	}
	return &ManifestGenerator{S3JobManifestGenerator: g}
}

// outputLocation converts an S3ManifestOutputLocation.
func (p *parser) outputLocation(path string, raw *rawOutputLocation) *ManifestOutputLocation {
	p.None(raw.Any)
	o := &ManifestOutputLocation{}
	var ok bool
	o.ExpectedManifestBucketOwner, ok = p.Text(raw.ExpectedManifestBucketOwner)
	p.accountID(path+".expectedManifestBucketOwner", o.ExpectedManifestBucketOwner, ok)
	o.Bucket, ok = p.Text(raw.Bucket)
	p.s3Arn(path+".bucket", o.Bucket, ok, 128)
	o.ManifestPrefix, ok = p.Text(raw.ManifestPrefix)
	p.optLength(path+".manifestPrefix", o.ManifestPrefix, ok, 1, 512)
	if e := s3xml.One(&p.Schema, raw.ManifestEncryption); e != nil {
		o.ManifestEncryption = p.encryption(path+".manifestEncryption", e)
	}
	o.ManifestFormat, ok = p.Text(raw.ManifestFormat)
	if p.required(path+".manifestFormat", ok) {
		p.enum(path+".manifestFormat", o.ManifestFormat, true, generatedFormats)
	}
	return o
}

// encryption converts a GeneratedManifestEncryption: SSE-S3 or SSE-KMS.
func (p *parser) encryption(path string, raw *rawEncryption) *ManifestEncryption {
	p.None(raw.Any)
	e := &ManifestEncryption{}
	if s := s3xml.One(&p.Schema, raw.SSES3); s != nil {
		p.None(s.Any)
		e.SSES3 = true
	}
	k := s3xml.One(&p.Schema, raw.SSEKMS)
	if k != nil {
		p.None(k.Any)
		id, ok := p.Text(k.KeyID)
		if p.required(path+".sSEKMS.keyId", ok) {
			p.length(path+".sSEKMS.keyId", id, 1, 2000)
		}
		e.KMSKeyID = id
	}
	if e.SSES3 == (k != nil) {
		p.fail(msgOneEncryption)
	}
	return e
}
