package object

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferrys3/ferry/internal/s3err"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ValidateKey checks an object key: non-empty, at most 1024 bytes, valid
// UTF-8, no NUL, and no "." or ".." path segment (ferry refuses keys that
// would be ambiguous as paths).
func ValidateKey(key string) error {
	if key == "" {
		return s3err.ErrInvalidArgument.With("Object key must not be empty.")
	}
	if len(key) > MaxKeyLength {
		return s3err.ErrKeyTooLong.WithExtra("Size", itoa(int64(len(key)))).WithExtra("MaxSizeAllowed", "1024")
	}
	if !utf8.ValidString(key) {
		return s3err.ErrInvalidArgument.With("Object key is not valid UTF-8.")
	}
	if strings.IndexByte(key, 0) >= 0 {
		return s3err.ErrInvalidArgument.With("Object key must not contain NUL.")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return s3err.ErrInvalidArgument.With("Object key must not contain '.' or '..' path segments.")
		}
	}
	return nil
}

// Attrs are the user-settable attributes of an object.
type Attrs struct {
	ContentType  string
	Headers      map[string]string // Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires
	Metadata     map[string]string // lower-case names without the x-amz-meta- prefix
	Tags         map[string]string
	StorageClass string
}

// StorageClasses accepted on writes.
var StorageClasses = map[string]bool{"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true,
	"ONEZONE_IA": true, "INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true,
	"GLACIER_IR": true, "OUTPOSTS": true, "SNOW": true, "EXPRESS_ONEZONE": true}

// Validate checks sizes and values of a.
func (a *Attrs) Validate() error {
	n := 0
	for k, v := range a.Metadata {
		n += len(k) + len(v)
	}
	if n > MaxMetadataSize {
		return s3err.ErrMetadataTooLarge.WithExtra("Size", itoa(int64(n))).WithExtra("MaxSizeAllowed", itoa(MaxMetadataSize))
	}
	if a.StorageClass != "" && !StorageClasses[a.StorageClass] {
		return s3err.ErrInvalidStorageClass.WithExtra("StorageClassRequested", a.StorageClass)
	}
	return ValidateTags(a.Tags)
}

// ValidateTags applies S3's object tag limits.
func ValidateTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return s3err.ErrBadRequest.With("Object tags cannot be greater than 10")
	}
	return validateTagValues(tags)
}

// validateTagValues applies the key and value rules shared by object and
// bucket tags.
func validateTagValues(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 || !utf8.ValidString(k) {
			return s3err.ErrInvalidTag.With("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(v) > 256 || !utf8.ValidString(v) {
			return s3err.ErrInvalidTag.With("The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(k, "aws:") {
			return s3err.ErrInvalidTag.With("Your TagKey cannot be prefixed with aws:")
		}
	}
	return nil
}
