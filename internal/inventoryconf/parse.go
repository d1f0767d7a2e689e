package inventoryconf

import (
	"slices"
	"strings"

	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// Parse decodes and validates a PutBucketInventoryConfiguration body sent
// with the query parameter id=idFromQuery. Element order is free and the
// root may carry the S3 xmlns or none. Every failure is an *s3err.Error
// (HTTP 400), checked in this order:
//   - MalformedXML: not XML, wrong root, trailing content, over
//     MaxDocumentSize, unknown or repeated elements, a missing required
//     element (Id, IsEnabled, Destination/S3BucketDestination/Bucket and
//     Format, IncludedObjectVersions, Schedule/Frequency, Filter/Prefix,
//     SSE-KMS/KeyId), bad enumerations or booleans, an unknown optional
//     field, SSE-S3 and SSE-KMS together, an Id that is empty, longer than
//     MaxIDLength or not made of letters, digits, '.', '-' and '_';
//   - IdMismatch: the document's Id differs from idFromQuery;
//   - InvalidS3DestinationBucket: Destination Bucket is not
//     arn:aws:s3:::name ("Bucket ARN should not specify a namespace." when
//     the ARN carries an account).
//
// ORC and Parquet formats are accepted; whether to honour them is the
// caller's decision (ferry writes CSV). Repeated optional fields are kept as
// given [unverified: AWS may reject or merge them].
func Parse(data []byte, idFromQuery string) (*Config, error) {
	if len(data) > MaxDocumentSize {
		return nil, s3err.ErrMalformedXML
	}
	var raw rawConfig
	if err := s3xml.DecodeDocument(data, "InventoryConfiguration", &raw); err != nil {
		return nil, s3err.ErrMalformedXML
	}
	var p parser
	c := p.config(&raw)
	if p.Bad || !validID(c.ID) {
		return nil, s3err.ErrMalformedXML
	}
	if err := validate(c, idFromQuery); err != nil {
		return nil, err
	}
	return c, nil
}

// The document as decoded, before schema checks. Every element is a slice
// so that repetitions are caught; ",any" catches unknown elements.
type (
	unknown   = s3xml.Unknown
	text      = s3xml.Text
	rawConfig struct {
		ID                     []text        `xml:"Id"`
		IsEnabled              []text        `xml:"IsEnabled"`
		Destination            []rawDest     `xml:"Destination"`
		Filter                 []rawFilter   `xml:"Filter"`
		IncludedObjectVersions []text        `xml:"IncludedObjectVersions"`
		OptionalFields         []rawFields   `xml:"OptionalFields"`
		Schedule               []rawSchedule `xml:"Schedule"`
		Any                    []unknown     `xml:",any"`
	}
	rawDest struct {
		S3BucketDestination []rawBucketDest `xml:"S3BucketDestination"`
		Any                 []unknown       `xml:",any"`
	}
	rawBucketDest struct {
		AccountID  []text          `xml:"AccountId"`
		Bucket     []text          `xml:"Bucket"`
		Encryption []rawEncryption `xml:"Encryption"`
		Format     []text          `xml:"Format"`
		Prefix     []text          `xml:"Prefix"`
		Any        []unknown       `xml:",any"`
	}
	rawEncryption struct {
		SSEKMS []rawKMS   `xml:"SSE-KMS"`
		SSES3  []rawEmpty `xml:"SSE-S3"`
		Any    []unknown  `xml:",any"`
	}
	rawKMS struct {
		KeyID []text    `xml:"KeyId"`
		Any   []unknown `xml:",any"`
	}
	rawEmpty struct {
		Value string    `xml:",chardata"`
		Any   []unknown `xml:",any"`
	}
	rawFilter struct {
		Prefix []text    `xml:"Prefix"`
		Any    []unknown `xml:",any"`
	}
	rawFields struct {
		Field []text    `xml:"Field"`
		Any   []unknown `xml:",any"`
	}
	rawSchedule struct {
		Frequency []text    `xml:"Frequency"`
		Any       []unknown `xml:",any"`
	}
)

// parser applies the schema: required elements, no repetitions, no unknown
// elements, enumerations. Any violation sets bad (MalformedXML).
type parser struct{ s3xml.Schema }

// required returns a leaf that must be present.
func (p *parser) required(s []text) string {
	v, ok := p.Text(s)
	if !ok {
		p.Bad = true
	}
	return v
}

// enum returns a required leaf whose value must be one of allowed.
func (p *parser) enum(s []text, allowed ...string) string {
	v := p.required(s)
	if !slices.Contains(allowed, v) {
		p.Bad = true
	}
	return v
}

// must returns the single occurrence of a required complex element.
func must[T any](p *parser, s []T) *T {
	v := s3xml.One(&p.Schema, s)
	if v == nil {
		p.Bad = true
		var zero T
		return &zero
	}
	return v
}

func (p *parser) config(raw *rawConfig) *Config {
	p.None(raw.Any)
	c := &Config{}
	c.ID = p.required(raw.ID)
	switch strings.TrimSpace(p.required(raw.IsEnabled)) {
	case "true":
		c.IsEnabled = true
	case "false":
	default:
		p.Bad = true
	}
	d := must(p, raw.Destination)
	p.None(d.Any)
	p.destination(must(p, d.S3BucketDestination), &c.Destination)
	if f := s3xml.One(&p.Schema, raw.Filter); f != nil {
		p.None(f.Any)
		c.Filter = &Filter{Prefix: p.required(f.Prefix)}
	}
	c.IncludedObjectVersions = p.enum(raw.IncludedObjectVersions, VersionsAll, VersionsCurrent)
	if f := s3xml.One(&p.Schema, raw.OptionalFields); f != nil {
		p.None(f.Any)
		for i := range f.Field {
			p.None(f.Field[i].Any)
			name := f.Field[i].Value
			if !slices.Contains(OptionalFieldNames, name) {
				p.Bad = true
			}
			c.OptionalFields = append(c.OptionalFields, name)
		}
	}
	s := must(p, raw.Schedule)
	p.None(s.Any)
	c.Frequency = p.enum(s.Frequency, Daily, Weekly)
	return c
}

func (p *parser) destination(raw *rawBucketDest, d *Destination) {
	p.None(raw.Any)
	d.AccountID, _ = p.Text(raw.AccountID)
	d.Bucket = p.required(raw.Bucket)
	d.Format = p.enum(raw.Format, FormatCSV, FormatORC, FormatParquet)
	d.Prefix, _ = p.Text(raw.Prefix)
	e := s3xml.One(&p.Schema, raw.Encryption)
	if e == nil {
		return
	}
	p.None(e.Any)
	kms, s3 := s3xml.One(&p.Schema, e.SSEKMS), s3xml.One(&p.Schema, e.SSES3)
	switch {
	case kms != nil && s3 != nil:
		p.Bad = true
	case s3 != nil:
		p.None(s3.Any)
		if strings.TrimSpace(s3.Value) != "" {
			p.Bad = true
		}
		d.Encryption = &Encryption{SSES3: true}
	case kms != nil:
		p.None(kms.Any)
		key := p.required(kms.KeyID)
		if key == "" {
			p.Bad = true
		}
		d.Encryption = &Encryption{KMSKeyID: key}
	}
	// An empty <Encryption/> is accepted as no encryption [unverified].
}
