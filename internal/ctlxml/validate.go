package ctlxml

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The model's patterns (anchored: the whole value must match).
var (
	roleArnPattern   = pattern(`arn:[^:]+:iam::\d{12}:role/.*`)
	s3ArnPattern     = pattern(`arn:[^:]+:s3:.*`)
	copyTargetPat    = pattern(`arn:[^:]+:(s3|s3express):.*`)
	accountIDPattern = pattern(`^\d{12}$`)
	tagPattern       = pattern(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	kmsArnPattern    = pattern(`arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+`)
)

type modelPattern struct {
	src string
	re  *regexp.Regexp
}

func pattern(src string) modelPattern {
	return modelPattern{src, regexp.MustCompile(`^(?:` + src + `)$`)}
}

// maxPriority is the largest JobPriority.
const maxPriority = 1<<31 - 1

// The semantic rules' messages (ours, in AWS's style).
const (
	msgOneOperation     = "Exactly one operation must be specified."
	msgManifestChoice   = "Exactly one of Manifest or ManifestGenerator must be specified."
	msgReportBucket     = "Report Bucket must be specified when the report is enabled."
	msgReportFormat     = "Report Format must be specified when the report is enabled."
	msgReportScope      = "Report ReportScope must be specified when the report is enabled."
	msgFieldsRequired   = "Manifest Fields must be specified for the " + FormatBatchCSV + " format."
	msgFieldsNotAllowed = "Manifest Fields can only be specified for the " + FormatBatchCSV + " format."
	msgFieldsBucketKey  = "Manifest Fields must include Bucket and Key."
	msgFieldRepeated    = "Manifest Fields must not repeat Bucket, Key or VersionId."
	msgTooManyTags      = "The number of tags must not exceed 50."
	msgOutputLocation   = "ManifestOutputLocation must be specified when EnableManifestOutput is true."
	msgOneEncryption    = "Exactly one encryption type must be specified."
	msgCopyTarget       = "TargetResource must be specified for the S3PutObjectCopy operation."
)

// fail keeps the first constraint violation.
func (p *parser) fail(msg string) {
	if p.err == nil {
		p.err = NewBadRequest(msg)
	}
}

// violation reports a model constraint in AWS's validation wording.
func (p *parser) violation(value, path, constraint string) {
	p.fail("1 validation error detected: Value " + value + " at '" + path +
		"' failed to satisfy constraint: Member must " + constraint)
}

// required reports a missing required member.
func (p *parser) required(path string, present bool) bool {
	if !present {
		p.violation("null", path, "not be null")
	}
	return present
}

// length checks a string's length in characters.
func (p *parser) length(path, v string, lo, hi int) {
	n := utf8.RuneCountInString(v)
	switch {
	case n < lo:
		p.violation(quote(v), path, "have length greater than or equal to "+strconv.Itoa(lo))
	case hi > 0 && n > hi:
		p.violation(quote(v), path, "have length less than or equal to "+strconv.Itoa(hi))
	}
}

// optLength checks a string member that is "" when omitted.
func (p *parser) optLength(path, v string, present bool, lo, hi int) {
	if present {
		p.length(path, v, lo, hi)
	}
}

// matches checks a pattern.
func (p *parser) matches(path, v string, pat modelPattern) {
	if !pat.re.MatchString(v) {
		p.violation(quote(v), path, "satisfy regular expression pattern: "+pat.src)
	}
}

// enum checks an enumeration member when present.
func (p *parser) enum(path, v string, present bool, set []string) {
	if present && !slices.Contains(set, v) {
		p.violation(quote(v), path, "satisfy enum value set: ["+strings.Join(set, ", ")+"]")
	}
}

// between checks an integer range.
func (p *parser) between(path string, v, lo, hi int64) {
	switch {
	case v < lo:
		p.violation(quote(strconv.FormatInt(v, 10)), path, "have value greater than or equal to "+strconv.FormatInt(lo, 10))
	case v > hi:
		p.violation(quote(strconv.FormatInt(v, 10)), path, "have value less than or equal to "+strconv.FormatInt(hi, 10))
	}
}

// accountID checks an optional 12-digit account member.
func (p *parser) accountID(path, v string, present bool) {
	if present {
		p.optLength(path, v, true, 0, 64)
		p.matches(path, v, accountIDPattern)
	}
}

// s3Arn checks a required S3 ARN of at most hi characters.
func (p *parser) s3Arn(path, v string, present bool, hi int) {
	if p.required(path, present) {
		p.length(path, v, 1, hi)
		p.matches(path, v, s3ArnPattern)
	}
}

func quote(v string) string { return "'" + v + "'" }
