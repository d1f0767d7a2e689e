package manifest

import (
	"io"
	"slices"
	"unicode/utf8"
)

// InventoryCSVReader streams the entries of one inventory data file
// (already gunzipped) used as a job manifest: every row has the columns of
// the manifest's fileSchema, keys are URL-encoded, and an empty VersionId
// in a report with a VersionId column is the null version, returned as
// "null" (Batch Operations needs "null", an empty string fails).
type InventoryCSVReader struct {
	s                    *scanner
	schema               []string
	bucket, key, version int
	rec                  []string
}

// NewInventoryCSVReader returns a reader of r with the columns schema
// (InventoryManifest.Schema). Columns other than Bucket, Key and VersionId
// may be anything, so reports with newer columns can be read. A schema
// without Bucket and Key is ErrSchema.
func NewInventoryCSVReader(r io.Reader, schema []string) (*InventoryCSVReader, error) {
	b, k := slices.Index(schema, ColBucket), slices.Index(schema, ColKey)
	if b < 0 || k < 0 {
		return nil, ErrSchema
	}
	return &InventoryCSVReader{s: newScanner(r), schema: schema, bucket: b, key: k,
		version: slices.Index(schema, ColVersionID)}, nil
}

// Next returns the next entry, or io.EOF after the last one. A malformed
// row is a *LineError (see CSVReader.Next); errors of the underlying
// reader are returned as they are.
func (r *InventoryCSVReader) Next() (Entry, error) {
	rec, err := r.s.next()
	if err != nil {
		r.rec = nil
		return Entry{}, err
	}
	r.rec = rec
	if len(rec) != len(r.schema) {
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
			e.VersionID = "null"
		}
	}
	return e, nil
}

// Field is the raw value of the column name in the last row read (for
// instance IsDeleteMarker), "" when the schema has no such column.
func (r *InventoryCSVReader) Field(name string) string {
	if i := slices.Index(r.schema, name); i >= 0 && i < len(r.rec) {
		return r.rec[i]
	}
	return ""
}

// Line is the line on which the last row read started.
func (r *InventoryCSVReader) Line() int { return r.s.recLine }
