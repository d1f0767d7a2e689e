package manifest

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Entry is one object version a job acts on. VersionID is "" when the
// manifest names no version (the task acts on the version that is current
// when it runs) and "null" for the null version.
type Entry struct {
	Bucket, Key, VersionID string
}

// Manifest field names of a CSV manifest's Spec/Fields.
const (
	FieldIgnore    = "Ignore"
	FieldBucket    = "Bucket"
	FieldKey       = "Key"
	FieldVersionID = "VersionId"
)

// ValidateFields checks a CSV manifest's Spec/Fields: every name is
// Ignore, Bucket, Key or VersionId, Bucket and Key appear exactly once,
// VersionId at most once. It returns ErrFields otherwise.
func ValidateFields(fields []string) error {
	_, _, _, err := fieldColumns(fields)
	return err
}

func fieldColumns(fields []string) (bucket, key, version int, err error) {
	bucket, key, version = -1, -1, -1
	for i, f := range fields {
		var col *int
		switch f {
		case FieldIgnore:
			continue
		case FieldBucket:
			col = &bucket
		case FieldKey:
			col = &key
		case FieldVersionID:
			col = &version
		default:
			return 0, 0, 0, ErrFields
		}
		if *col >= 0 {
			return 0, 0, 0, ErrFields
		}
		*col = i
	}
	if bucket < 0 || key < 0 {
		return 0, 0, 0, ErrFields
	}
	return bucket, key, version, nil
}

// CSVReader streams the entries of an S3BatchOperations_CSV_20180820
// manifest: no header, one object per row, columns as named by the job's
// Fields, keys URL-encoded (see DecodeKey).
type CSVReader struct {
	s                     *scanner
	n                     int // columns per row
	bucket, key, version  int
	sawVersion, sawNoneID bool
}

// NewCSVReader returns a reader of the manifest in r with the columns
// fields (see ValidateFields).
func NewCSVReader(r io.Reader, fields []string) (*CSVReader, error) {
	b, k, v, err := fieldColumns(fields)
	if err != nil {
		return nil, err
	}
	return &CSVReader{s: newScanner(r), n: len(fields), bucket: b, key: k, version: v}, nil
}

// Next returns the next entry, or io.EOF after the last one. A malformed
// row is a *LineError wrapping ErrFieldCount, ErrBareQuote, ErrQuote,
// ErrRecordTooLong, ErrKeyEncoding, ErrEncoding, ErrEmptyBucket,
// ErrEmptyKey or ErrMixedVersionIDs (some rows with a version ID, some
// without); reading stops there. Errors of the underlying reader are
// returned as they are.
func (r *CSVReader) Next() (Entry, error) {
	rec, err := r.s.next()
	if err != nil {
		return Entry{}, err
	}
	if len(rec) != r.n {
		return Entry{}, r.s.bad(ErrFieldCount)
	}
	e, err := entry(rec, r.bucket, r.key)
	if err != nil {
		return Entry{}, r.s.bad(err)
	}
	if r.version >= 0 {
		e.VersionID = rec[r.version]
		if !utf8.ValidString(e.VersionID) {
			return Entry{}, r.s.bad(ErrEncoding)
		}
		if e.VersionID == "" {
			r.sawNoneID = true
		} else {
			r.sawVersion = true
		}
		if r.sawNoneID && r.sawVersion {
			return Entry{}, r.s.bad(ErrMixedVersionIDs)
		}
	}
	return e, nil
}

// Line is the line on which the last row read started.
func (r *CSVReader) Line() int { return r.s.recLine }

// entry builds an Entry without version from a record's bucket and
// URL-encoded key columns.
func entry(rec []string, bucket, key int) (Entry, error) {
	e := Entry{Bucket: rec[bucket]}
	if e.Bucket == "" {
		return e, ErrEmptyBucket
	}
	if !utf8.ValidString(e.Bucket) {
		return e, ErrEncoding
	}
	k, err := DecodeKey(rec[key])
	if err != nil {
		return e, err
	}
	if k == "" {
		return e, ErrEmptyKey
	}
	e.Key = k
	return e, nil
}

// CSVWriter writes an S3BatchOperations_CSV_20180820 manifest with the
// fields Bucket, Key (and VersionId): keys URL-encoded, fields quoted only
// when they hold a comma, quote or line break, LF line ends.
type CSVWriter struct {
	w        io.Writer
	versions bool
	line     []byte
}

// NewCSVWriter returns a writer to w; withVersionIDs adds the VersionId
// column (Fields Bucket, Key, VersionId).
func NewCSVWriter(w io.Writer, withVersionIDs bool) *CSVWriter {
	return &CSVWriter{w: w, versions: withVersionIDs}
}

// Fields is the Spec/Fields value describing what the writer writes.
func (w *CSVWriter) Fields() []string {
	if w.versions {
		return []string{FieldBucket, FieldKey, FieldVersionID}
	}
	return []string{FieldBucket, FieldKey}
}

// Write writes one row.
func (w *CSVWriter) Write(e Entry) error {
	b := appendCSVField(w.line[:0], e.Bucket)
	b = append(b, ',')
	b = appendKey(b, e.Key)
	if w.versions {
		b = append(b, ',')
		b = appendCSVField(b, e.VersionID)
	}
	b = append(b, '\n')
	w.line = b
	_, err := w.w.Write(b)
	return err
}

// appendCSVField appends s as an RFC 4180 field, in quotes (inner quotes
// doubled) only when it holds a comma, quote, CR or LF.
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	return appendQuoted(b, s)
}

// appendQuoted appends s in double quotes with inner quotes doubled.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s with its double quotes doubled.
func appendEscaped(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
}
