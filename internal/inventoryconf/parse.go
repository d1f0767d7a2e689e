package inventoryconf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/ferrys3/ferry/internal/s3err"
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
	if err := decode(data, &raw); err != nil {
		return nil, s3err.ErrMalformedXML
	}
	var p parser
	c := p.config(&raw)
	if p.bad || !validID(c.ID) {
		return nil, s3err.ErrMalformedXML
	}
	if err := validate(c, idFromQuery); err != nil {
		return nil, err
	}
	return c, nil
}

// decode reads exactly one <InventoryConfiguration> document (any
// namespace) into v, allowing only whitespace, comments and processing
// instructions around it.
func decode(data []byte, v *rawConfig) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	seen := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !seen {
				return errMalformed
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if seen || t.Name.Local != "InventoryConfiguration" {
				return errMalformed
			}
			if err := d.DecodeElement(v, &t); err != nil {
				return err
			}
			seen = true
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return errMalformed
			}
		case xml.Comment, xml.ProcInst:
		default: // a directive (DOCTYPE) or a stray end element
			return errMalformed
		}
	}
}

var errMalformed = errors.New("inventoryconf: malformed document")

// The document as decoded, before schema checks. Every element is a slice
// so that repetitions are caught; ",any" catches unknown elements.
type (
	unknown struct{ XMLName xml.Name }
	text    struct {
		Value string    `xml:",chardata"`
		Any   []unknown `xml:",any"`
	}
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
type parser struct{ bad bool }

func (p *parser) none(a []unknown) {
	if len(a) > 0 {
		p.bad = true
	}
}

// text returns a leaf element's content and whether it was present.
func (p *parser) text(s []text) (string, bool) {
	switch len(s) {
	case 0:
		return "", false
	case 1:
		p.none(s[0].Any)
		return s[0].Value, true
	default:
		p.bad = true
		return "", false
	}
}

// required returns a leaf that must be present.
func (p *parser) required(s []text) string {
	v, ok := p.text(s)
	if !ok {
		p.bad = true
	}
	return v
}

// enum returns a required leaf whose value must be one of allowed.
func (p *parser) enum(s []text, allowed ...string) string {
	v := p.required(s)
	if !slices.Contains(allowed, v) {
		p.bad = true
	}
	return v
}

// one returns the single occurrence of a complex element, or nil.
func one[T any](p *parser, s []T) *T {
	if len(s) > 1 {
		p.bad = true
	}
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// must returns the single occurrence of a required complex element.
func must[T any](p *parser, s []T) *T {
	v := one(p, s)
	if v == nil {
		p.bad = true
		var zero T
		return &zero
	}
	return v
}

func (p *parser) config(raw *rawConfig) *Config {
	p.none(raw.Any)
	c := &Config{}
	c.ID = p.required(raw.ID)
	switch strings.TrimSpace(p.required(raw.IsEnabled)) {
	case "true":
		c.IsEnabled = true
	case "false":
	default:
		p.bad = true
	}
	d := must(p, raw.Destination)
	p.none(d.Any)
	p.destination(must(p, d.S3BucketDestination), &c.Destination)
	if f := one(p, raw.Filter); f != nil {
		p.none(f.Any)
		c.Filter = &Filter{Prefix: p.required(f.Prefix)}
	}
	c.IncludedObjectVersions = p.enum(raw.IncludedObjectVersions, VersionsAll, VersionsCurrent)
	if f := one(p, raw.OptionalFields); f != nil {
		p.none(f.Any)
		for i := range f.Field {
			p.none(f.Field[i].Any)
			name := f.Field[i].Value
			if !slices.Contains(OptionalFieldNames, name) {
				p.bad = true
			}
			c.OptionalFields = append(c.OptionalFields, name)
		}
	}
	s := must(p, raw.Schedule)
	p.none(s.Any)
	c.Frequency = p.enum(s.Frequency, Daily, Weekly)
	return c
}

func (p *parser) destination(raw *rawBucketDest, d *Destination) {
	p.none(raw.Any)
	d.AccountID, _ = p.text(raw.AccountID)
	d.Bucket = p.required(raw.Bucket)
	d.Format = p.enum(raw.Format, FormatCSV, FormatORC, FormatParquet)
	d.Prefix, _ = p.text(raw.Prefix)
	e := one(p, raw.Encryption)
	if e == nil {
		return
	}
	p.none(e.Any)
	kms, s3 := one(p, e.SSEKMS), one(p, e.SSES3)
	switch {
	case kms != nil && s3 != nil:
		p.bad = true
	case s3 != nil:
		p.none(s3.Any)
		if strings.TrimSpace(s3.Value) != "" {
			p.bad = true
		}
		d.Encryption = &Encryption{SSES3: true}
	case kms != nil:
		p.none(kms.Any)
		key := p.required(kms.KeyID)
		if key == "" {
			p.bad = true
		}
		d.Encryption = &Encryption{KMSKeyID: key}
	}
	// An empty <Encryption/> is accepted as no encryption [unverified].
}
