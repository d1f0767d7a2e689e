package object

import (
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/s3err"
)

// RangeSpec is a parsed single byte range: First-Last, First- (Last < 0),
// or the last Suffix bytes (Suffix > 0).
type RangeSpec struct {
	First, Last, Suffix int64
}

// ParseRange parses a Range header. It returns nil for a header S3 ignores
// (syntax it does not support, such as several ranges).
func ParseRange(h string) *RangeSpec {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return nil
		}
		return &RangeSpec{Suffix: n, First: -1, Last: -1}
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return nil
	}
	last := int64(-1)
	if b != "" {
		last, err = strconv.ParseInt(b, 10, 64)
		if err != nil || last < first {
			return nil
		}
	}
	return &RangeSpec{First: first, Last: last}
}

// Resolve turns the range into (start, length) for an object of size bytes.
// length < 0 means the whole object (a suffix of 0 bytes on an empty object).
func (r *RangeSpec) Resolve(size int64) (int64, int64, error) {
	if r.First < 0 { // suffix
		if r.Suffix == 0 {
			return 0, 0, rangeErr(size)
		}
		if r.Suffix >= size {
			if size == 0 {
				return 0, -1, nil
			}
			return 0, size, nil
		}
		return size - r.Suffix, r.Suffix, nil
	}
	if r.First >= size {
		return 0, 0, rangeErr(size)
	}
	last := r.Last
	if last < 0 || last >= size {
		last = size - 1
	}
	return r.First, last - r.First + 1, nil
}

func rangeErr(size int64) error {
	return s3err.ErrInvalidRange.WithExtra("ActualObjectSize", itoa(size)).
		WithHeader("Content-Range", "bytes */"+itoa(size))
}
