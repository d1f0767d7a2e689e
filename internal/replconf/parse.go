package replconf

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/s3xml"
)

// Parse decodes and validates a PutBucketReplication body. Element order is
// free and the root may carry the S3 xmlns or none. Every failure is an
// *s3err.Error (HTTP 400) with AWS's code and message:
//   - MalformedXML: not XML, wrong root, trailing content, over
//     MaxDocumentSize, unknown or repeated elements, missing Role, Rule,
//     Status, Destination or Destination/Bucket, bad enumerations, neither or
//     both of Rule/Prefix and Filter, a Filter with more than one of
//     Prefix/Tag/And, an And with fewer than two conditions, an
//     AccessControlTranslation Owner other than Destination;
//   - InvalidArgument: Destination/Bucket not arn:aws:s3:::name, duplicate
//     rule IDs, ID over 255 characters, prefix over 1024 bytes, a Metrics
//     EventThreshold without ReplicationTime Enabled;
//   - InvalidRequest: the schema-version rules (V2 rules need Priority and
//     DeleteMarkerReplication; V2-only elements in a document with a V1
//     rule), more than MaxRules rules, several destinations in V1, duplicate
//     priorities for one destination, duplicate tag keys, delete-marker
//     replication with a tag filter, the RTC/Metrics pairing and 15-minute
//     rules, SSE-KMS selection and ReplicaKmsKeyID needing each other, owner
//     override without Destination/Account;
//   - InvalidTag: an empty or over-long filter tag key or value.
//
// Rules without an ID (or with an empty one) get a generated unique ID.
func Parse(data []byte) (*Config, error) {
	if len(data) > MaxDocumentSize {
		return nil, s3err.ErrMalformedXML
	}
	var raw rawConfig
	if err := s3xml.DecodeDocument(data, "ReplicationConfiguration", &raw); err != nil {
		return nil, s3err.ErrMalformedXML
	}
	var p parser
	c := &Config{}
	role, ok := p.Text(raw.Role)
	if !ok || role == "" || len(raw.Rules) == 0 {
		return nil, s3err.ErrMalformedXML
	}
	p.None(raw.Any)
	c.Role = role
	facts := make([]ruleFacts, len(raw.Rules))
	c.Rules = make([]Rule, len(raw.Rules))
	for i := range raw.Rules {
		p.rule(&raw.Rules[i], &c.Rules[i], &facts[i])
	}
	if p.Bad {
		return nil, s3err.ErrMalformedXML
	}
	if err := validate(c, facts); err != nil {
		return nil, err
	}
	assignIDs(c)
	return c, nil
}

// The document as decoded, before schema checks. Every element is a slice
// so that repetitions are caught; ",any" catches unknown elements.
type (
	unknown   = s3xml.Unknown
	text      = s3xml.Text
	rawConfig struct {
		Role  []text    `xml:"Role"`
		Rules []rawRule `xml:"Rule"`
		Any   []unknown `xml:",any"`
	}
	rawRule struct {
		ID                        []text        `xml:"ID"`
		Priority                  []text        `xml:"Priority"`
		Prefix                    []text        `xml:"Prefix"`
		Filter                    []rawFilter   `xml:"Filter"`
		Status                    []text        `xml:"Status"`
		SourceSelectionCriteria   []rawCriteria `xml:"SourceSelectionCriteria"`
		ExistingObjectReplication []rawStatus   `xml:"ExistingObjectReplication"`
		Destination               []rawDest     `xml:"Destination"`
		DeleteMarkerReplication   []rawStatus   `xml:"DeleteMarkerReplication"`
		Any                       []unknown     `xml:",any"`
	}
	rawFilter struct {
		Prefix []text    `xml:"Prefix"`
		Tag    []rawTag  `xml:"Tag"`
		And    []rawAnd  `xml:"And"`
		Any    []unknown `xml:",any"`
	}
	rawAnd struct {
		Prefix []text    `xml:"Prefix"`
		Tag    []rawTag  `xml:"Tag"`
		Any    []unknown `xml:",any"`
	}
	rawTag struct {
		Key   []text    `xml:"Key"`
		Value []text    `xml:"Value"`
		Any   []unknown `xml:",any"`
	}
	rawStatus struct {
		Status []text    `xml:"Status"`
		Any    []unknown `xml:",any"`
	}
	rawCriteria struct {
		SseKmsEncryptedObjects []rawStatus `xml:"SseKmsEncryptedObjects"`
		ReplicaModifications   []rawStatus `xml:"ReplicaModifications"`
		Any                    []unknown   `xml:",any"`
	}
	rawDest struct {
		Bucket                   []text       `xml:"Bucket"`
		Account                  []text       `xml:"Account"`
		StorageClass             []text       `xml:"StorageClass"`
		AccessControlTranslation []rawOwner   `xml:"AccessControlTranslation"`
		EncryptionConfiguration  []rawKey     `xml:"EncryptionConfiguration"`
		ReplicationTime          []rawTimed   `xml:"ReplicationTime"`
		Metrics                  []rawMetrics `xml:"Metrics"`
		Any                      []unknown    `xml:",any"`
	}
	rawOwner struct {
		Owner []text    `xml:"Owner"`
		Any   []unknown `xml:",any"`
	}
	rawKey struct {
		ReplicaKmsKeyID []text    `xml:"ReplicaKmsKeyID"`
		Any             []unknown `xml:",any"`
	}
	rawTimed struct {
		Status []text       `xml:"Status"`
		Time   []rawMinutes `xml:"Time"`
		Any    []unknown    `xml:",any"`
	}
	rawMetrics struct {
		Status         []text       `xml:"Status"`
		EventThreshold []rawMinutes `xml:"EventThreshold"`
		Any            []unknown    `xml:",any"`
	}
	rawMinutes struct {
		Minutes []text    `xml:"Minutes"`
		Any     []unknown `xml:",any"`
	}
)

// ruleFacts are what the document said about a rule beyond what Rule holds,
// for the semantic checks.
type ruleFacts struct {
	rulePrefix     bool // Rule/Prefix present (V1 shape)
	priorityRange  bool // Priority is an integer outside 0..2^31-1
	encryption     bool // Destination/EncryptionConfiguration present
	eventThreshold bool // Destination/Metrics/EventThreshold present
}

// parser applies the schema: required elements, no repetitions, no unknown
// elements, enumerations. Any violation sets bad (MalformedXML).
type parser struct{ s3xml.Schema }

// status returns an Enabled/Disabled value ("" when absent).
func (p *parser) status(s []text, required bool) string {
	v, ok := p.Text(s)
	if !ok {
		if required {
			p.Bad = true
		}
		return ""
	}
	if v != Enabled && v != Disabled {
		p.Bad = true
	}
	return v
}

// switchStatus is the required Status of an optional wrapper element.
func (p *parser) switchStatus(s []rawStatus) string {
	w := s3xml.One(&p.Schema, s)
	if w == nil {
		return ""
	}
	p.None(w.Any)
	return p.status(w.Status, true)
}

// integer parses a non-negative 32-bit integer. A well-formed integer out of
// that range reports rng and returns -1; anything else is MalformedXML.
func (p *parser) integer(s string) (n int, rng bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return -1, true
		}
		p.Bad = true
		return 0, false
	}
	if v < 0 || v > maxPriority {
		return -1, true
	}
	return int(v), false
}

func (p *parser) rule(raw *rawRule, r *Rule, f *ruleFacts) {
	p.None(raw.Any)
	r.ID, _ = p.Text(raw.ID)
	if s, ok := p.Text(raw.Priority); ok {
		r.HasPriority = true
		r.Priority, f.priorityRange = p.integer(s)
	}
	r.Prefix, f.rulePrefix = p.Text(raw.Prefix)
	r.Status = p.status(raw.Status, true)
	if rf := s3xml.One(&p.Schema, raw.Filter); rf != nil {
		r.Filter = p.filter(rf)
	}
	if !f.rulePrefix && r.Filter == nil || f.rulePrefix && r.Filter != nil {
		p.Bad = true // exactly one of Rule/Prefix (V1) and Filter (V2)
	}
	if c := s3xml.One(&p.Schema, raw.SourceSelectionCriteria); c != nil {
		p.None(c.Any)
		r.SseKmsEncryptedObjects = p.switchStatus(c.SseKmsEncryptedObjects)
		r.ReplicaModifications = p.switchStatus(c.ReplicaModifications)
		if r.SseKmsEncryptedObjects == "" && r.ReplicaModifications == "" {
			p.Bad = true // empty SourceSelectionCriteria
		}
	}
	r.ExistingObjectReplication = p.switchStatus(raw.ExistingObjectReplication)
	r.DeleteMarkerReplication = p.switchStatus(raw.DeleteMarkerReplication)
	d := s3xml.One(&p.Schema, raw.Destination)
	if d == nil {
		p.Bad = true
		return
	}
	p.destination(d, &r.Destination, f)
}

func (p *parser) filter(raw *rawFilter) *Filter {
	p.None(raw.Any)
	f := &Filter{}
	members := 0
	if s, ok := p.Text(raw.Prefix); ok {
		members++
		f.Prefix, f.HasPrefix = s, true
	}
	if t := s3xml.One(&p.Schema, raw.Tag); t != nil {
		members++
		f.Tags = []Tag{p.tag(t)}
	}
	if a := s3xml.One(&p.Schema, raw.And); a != nil {
		members++
		p.None(a.Any)
		f.And = true
		conditions := len(a.Tag)
		if s, ok := p.Text(a.Prefix); ok {
			conditions++
			f.Prefix, f.HasPrefix = s, true
		}
		for i := range a.Tag {
			f.Tags = append(f.Tags, p.tag(&a.Tag[i]))
		}
		if conditions < 2 {
			p.Bad = true
		}
	}
	if members > 1 {
		p.Bad = true
	}
	return f
}

func (p *parser) tag(raw *rawTag) Tag {
	p.None(raw.Any)
	k, kok := p.Text(raw.Key)
	v, vok := p.Text(raw.Value)
	if !kok || !vok {
		p.Bad = true
	}
	return Tag{Key: k, Value: v}
}

func (p *parser) destination(raw *rawDest, d *Destination, f *ruleFacts) {
	p.None(raw.Any)
	var ok bool
	if d.Bucket, ok = p.Text(raw.Bucket); !ok {
		p.Bad = true
	}
	d.Account, _ = p.Text(raw.Account)
	if sc, ok := p.Text(raw.StorageClass); ok {
		if !validStorageClass(sc) {
			p.Bad = true
		}
		d.StorageClass = sc
	}
	if o := s3xml.One(&p.Schema, raw.AccessControlTranslation); o != nil {
		p.None(o.Any)
		if owner, ok := p.Text(o.Owner); !ok || owner != "Destination" {
			p.Bad = true
		}
		d.OwnerOverride = true
	}
	if e := s3xml.One(&p.Schema, raw.EncryptionConfiguration); e != nil {
		p.None(e.Any)
		f.encryption = true
		d.ReplicaKmsKeyID, _ = p.Text(e.ReplicaKmsKeyID)
	}
	if t := s3xml.One(&p.Schema, raw.ReplicationTime); t != nil {
		p.None(t.Any)
		d.ReplicationTime = &Timed{Status: p.status(t.Status, true)}
		m := s3xml.One(&p.Schema, t.Time)
		if m == nil {
			p.Bad = true // Time is required
		} else {
			p.minutes(m, d.ReplicationTime)
		}
	}
	if m := s3xml.One(&p.Schema, raw.Metrics); m != nil {
		p.None(m.Any)
		d.Metrics = &Timed{Status: p.status(m.Status, true)}
		if th := s3xml.One(&p.Schema, m.EventThreshold); th != nil {
			f.eventThreshold = true
			p.minutes(th, d.Metrics)
		}
	}
}

func (p *parser) minutes(raw *rawMinutes, t *Timed) {
	p.None(raw.Any)
	s, ok := p.Text(raw.Minutes)
	if !ok {
		return
	}
	t.HasMinutes = true
	t.Minutes, _ = p.integer(s) // out of range is -1, refused as not 15
}

// storageClasses is botocore's StorageClass enumeration.
var storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
	"INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW",
	"EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP", "AWS_BACKUP_WARM", "AWS_BACKUP_LOW_COST_WARM"}

func validStorageClass(s string) bool {
	return slices.Contains(storageClasses, s)
}
