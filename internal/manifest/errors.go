package manifest

import (
	"errors"
	"strconv"
)

// Errors a manifest row can have; a reader wraps them in a *LineError.
var (
	ErrFieldCount      = errors.New("wrong number of fields")
	ErrBareQuote       = errors.New(`bare " in unquoted field`)
	ErrQuote           = errors.New(`extraneous or missing " in quoted field`)
	ErrRecordTooLong   = errors.New("record too long")
	ErrKeyEncoding     = errors.New("object key is not valid URL encoding of UTF-8")
	ErrEncoding        = errors.New("field is not valid UTF-8")
	ErrEmptyBucket     = errors.New("empty bucket name")
	ErrEmptyKey        = errors.New("empty object key")
	ErrMixedVersionIDs = errors.New("either every row must have a version ID or none")
)

// Errors of the reader and writer set-up.
var (
	ErrFields = errors.New("manifest fields must be Ignore, Bucket, Key or VersionId, with Bucket and Key exactly once and VersionId at most once")
	ErrSchema = errors.New("inventory schema must name Bucket and Key once and only known columns")
)

// LineError is a malformed manifest row: Line is the 1-based line on which
// the row starts.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string {
	return "manifest line " + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

// Unwrap returns the row's problem, one of the Err… values.
func (e *LineError) Unwrap() error { return e.Err }
